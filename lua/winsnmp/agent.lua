--- Notifications and the agent role: s:register (traps and informs in),
-- s:trap and s:inform (out), s:listen (answering requests), and
-- winsnmp.mibview, a handler that serves a MIB subtree from a Lua table.
-- @module winsnmp.agent

local core = require("winsnmp.core")
local tasks = require("winsnmp.tasks")

local Session = core.Session
local agent = {}

local SYS_UPTIME_0 = "1.3.6.1.2.1.1.3.0"
local SNMP_TRAP_OID_0 = "1.3.6.1.6.3.1.1.4.1.0"
local STARTED = core.now()

-- handlers[session] = { registrations = {[id] = {Registration, ...}},
--                       listeners = {[id] = Listener} }
-- The session's table anchors the objects: a registration or listener keeps
-- working until it is closed or its session is, even if the script drops
-- its variable (as luv keeps active handles alive).
local handlers = setmetatable({}, { __mode = "k" })

--- Reports an error raised by a notification or listener handler.  The
-- engine and the receiver keep running; replace this to log elsewhere.
function agent.report(message)
  io.stderr:write("winsnmp: ", message, "\n")
end

local function handlers_of(session)
  local h = handlers[session]
  if not h then
    h = { registrations = {}, listeners = {} }
    handlers[session] = h
  end
  return h
end

local function uptime_ticks()
  return math.floor((core.now() - STARTED) * 100) & 0xFFFFFFFF
end

-- ---- notifications in -------------------------------------------------------

local function notification_of(message)
  local data = message.pdu:data()
  local varbinds, uptime, trap_oid = {}, nil, nil
  for i, vb in ipairs(data.varbinds) do
    if i == 1 and vb.oid == SYS_UPTIME_0 then
      uptime = vb.value
    elseif i == 2 and vb.oid == SNMP_TRAP_OID_0 then
      trap_oid = vb.value
    else
      varbinds[#varbinds + 1] = vb
    end
  end
  return {
    source = message.src:address(),
    community = message.context:name(),
    version = message.src:version(),
    type = data.type,
    request_id = message.request_id,
    trap_oid = trap_oid,
    uptime = uptime,
    varbinds = varbinds,
  }
end

-- ---- requests in (the agent role) -------------------------------------------------

local GENERR = 5

-- Sends the response to a request: varbinds, or the request's varbinds
-- with an error status and index.
local respond
function respond(session, message, req, list, status, index)
  local pdu, msg
  if list then
    pdu, msg = session:pdu("response", list, { request_id = req.request_id })
    if not pdu then
      agent.report("listener handler returned bad varbinds: " .. tostring(msg))
      status, index = GENERR, 0
    end
  end
  if not pdu then
    pdu = assert(session:pdu("response", req.varbinds, {
      request_id = req.request_id, error_status = status, error_index = index }))
  end
  local ok
  ok, msg = session:send(message.src, message.context, pdu)
  pdu:free()
  if not ok and list then
    -- e.g. a Counter64 for a v1 manager: the answer cannot be encoded
    agent.report("cannot send the listener's answer: " .. tostring(msg))
    respond(session, message, req, nil, GENERR, 0)
  end
end

local function request_of(message)
  local data = message.pdu:data()
  return {
    type = data.type,
    source = message.src:address(),
    community = message.context:name(),
    version = message.src:version(),
    request_id = message.request_id,
    varbinds = data.varbinds,
    non_repeaters = data.non_repeaters,
    max_repetitions = data.max_repetitions,
  }
end

local function serve(session, message, handler)
  local req = request_of(message)
  -- handler(req) -> varbinds | nil, "SNMP_ERROR_...", index
  local ok, result, name, index = xpcall(handler, debug.traceback, req)
  if not ok then
    agent.report("listener handler failed: " .. tostring(result))
    respond(session, message, req, nil, GENERR, 0)
  elseif type(result) == "table" then
    respond(session, message, req, result)
  elseif result == nil and core.pdu_errors[name] then
    respond(session, message, req, nil, core.pdu_errors[name], math.tointeger(index) or 0)
  else
    agent.report("listener handler returned neither varbinds nor an SNMP_ERROR_ name")
    respond(session, message, req, nil, GENERR, 0)
  end
end

-- ---- dispatch ----------------------------------------------------------------------

local function drain(session)
  local h = handlers[session]
  if not h then return nil end
  local handled = {}
  while true do
    local message = session:_incoming()
    if not message then break end
    handled[message.request_id] = true
    if message.kind == "notification" then
      local n
      for _, id in ipairs(message.registrations) do
        for _, registration in ipairs(h.registrations[id] or {}) do
          n = n or notification_of(message)
          local ok, err = xpcall(registration.handler, debug.traceback, n)
          if not ok then agent.report("notification handler failed: " .. tostring(err)) end
        end
      end
    else
      local listener = h.listeners[message.listener]
      if listener then serve(session, message, listener.handler) end
    end
    message.src:free()
    message.context:free()
    message.pdu:free()
  end
  return handled
end

tasks.set_unsolicited(drain)

-- ---- the public methods ------------------------------------------------------------

local Registration = {}
Registration.__index = Registration
Registration.__name = "winsnmp.registration"

--- Stops receiving (idempotent).  Registrations with the same filters in
-- one session share the engine's registration; the last one closed ends it.
function Registration:close()
  if self.id then
    local all = handlers_of(self.session).registrations
    local list = all[self.id] or {}
    for i, r in ipairs(list) do
      if r == self then table.remove(list, i) break end
    end
    if #list == 0 then
      all[self.id] = nil
      if self.session:is_open() then self.session:_unregister(self.id) end
    end
  end
  self.id = nil
  return true
end
Registration.__close = Registration.close
Registration.__gc = Registration.close
function Registration:__tostring()
  return self.id and ("winsnmp.registration (%s)"):format(self.address) or
    "winsnmp.registration (closed)"
end

--- Receives notifications (SnmpRegister).  `filter`: address (local, default
-- "udp:0.0.0.0:162"), community, notification (OID prefix), source (sender
-- address), and for v3: user, level, auth, auth_pass, priv, priv_pass.
-- `handler(n)` gets {source=, community=, trap_oid=, uptime=, varbinds=,
-- version=, type=, request_id=}; v1 traps arrive in v2c form.
function Session:register(filter, handler)
  if type(filter) ~= "table" then error("bad argument #1 to 'register' (table expected)", 2) end
  if type(handler) ~= "function" then
    error("bad argument #2 to 'register' (function expected)", 2)
  end
  local v3 = nil
  if filter.user then
    v3 = { user = filter.user, level = filter.level, auth = filter.auth,
           auth_pass = filter.auth_pass, priv = filter.priv, priv_pass = filter.priv_pass }
  end
  local address = filter.address or "udp:0.0.0.0:162"
  local id, msg, name = self:_register(address, filter.source, filter.community,
                                       filter.notification, v3)
  if not id then return nil, msg, name end
  local registration = setmetatable({ session = self, id = id, address = address,
                                      handler = handler }, Registration)
  local all = handlers_of(self).registrations
  all[id] = all[id] or {}
  table.insert(all[id], registration)
  return registration
end

local Listener = {}
Listener.__index = Listener
Listener.__name = "winsnmp.listener"

--- Stops listening (idempotent).
function Listener:close()
  if self.entity then
    handlers_of(self.session).listeners[self.id] = nil
    self.entity:free()
    self.entity = nil
  end
  return true
end
Listener.__close = Listener.close
Listener.__gc = Listener.close
function Listener:__tostring()
  return self.entity and ("winsnmp.listener (%s)"):format(self.address) or
    "winsnmp.listener (closed)"
end

--- The agent role (SnmpListen): `handler(req)` gets {type=, source=,
-- community=, varbinds=, version=, non_repeaters=, max_repetitions=} and
-- returns the response varbinds, or nil, "SNMP_ERROR_...", index.  A handler
-- that raises or returns nonsense makes a genErr response.  The listener's
-- `address` is the bound address (its real port when asked for port 0).
function Session:listen(address, handler)
  if type(handler) ~= "function" then
    error("bad argument #2 to 'listen' (function expected)", 2)
  end
  local entity, bound, id = self:_listen(address)
  if not entity then return nil, bound, id end
  local listener = setmetatable({ session = self, entity = entity, id = id, address = bound,
                                  handler = handler }, Listener)
  handlers_of(self).listeners[id] = listener
  return listener
end

local function notification_list(trap_oid, varbinds)
  local list = {
    { SYS_UPTIME_0, "timeticks", uptime_ticks() },
    { SNMP_TRAP_OID_0, "oid", trap_oid },
  }
  for _, vb in ipairs(varbinds or {}) do list[#list + 1] = vb end
  return list
end

--- Sends a trap (a v1 Trap-PDU to a v1 entity, a v2 trap otherwise), with
-- sysUpTime.0 and snmpTrapOID.0 filled in.  Returns true.
function Session:trap(dst, trap_oid, varbinds, ctx)
  local id, msg, name = self:_request("trap", dst, notification_list(trap_oid, varbinds), ctx)
  if not id then return nil, msg, name end
  return true
end

--- Sends an inform and waits for the acknowledgement (retrying by the
-- entity's policy): the response varbinds.
function Session:inform(dst, trap_oid, varbinds, ctx)
  local id, msg, name = self:_request("inform", dst, notification_list(trap_oid, varbinds), ctx)
  if not id then return nil, msg, name end
  return tasks.await(self, id)
end

return agent
