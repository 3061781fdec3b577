--- What arrives unasked: s:register (traps and informs in) and s:listen
-- (the agent role, answering requests; winsnmp.mibview makes its handler).
-- Both are dispatched from the engine's queue of unsolicited messages.
-- Sending traps and informs is winsnmp.notifications.
-- @module winsnmp.receiver

local core = require("winsnmp.core")
local tasks = require("winsnmp.tasks")
local notifications = require("winsnmp.notifications")
local access = require("winsnmp.access")
local views = require("winsnmp.views")

local Session = core.Session
local receiver = {}

local SYS_UPTIME_0 = notifications.SYS_UPTIME_0
local SNMP_TRAP_OID_0 = notifications.SNMP_TRAP_OID_0

-- handlers[session] = { registrations = {[id] = {Registration, ...}},
--                       listeners = {[id] = Listener} }
-- The session's table anchors the objects: a registration or listener keeps
-- working until it is closed or its session is, even if the script drops
-- its variable (as luv keeps active handles alive).
local handlers = setmetatable({}, { __mode = "k" })

--- Reports an error raised by a notification or listener handler.  The
-- engine and the receiver keep running; replace this to log elsewhere.
function receiver.report(message)
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
    -- SNMPv3: the user, the level and the sender's engine id (hex)
    user = message.user,
    level = message.level,
    engine_id = message.engine_id,
  }
end

-- ---- requests in (the agent role) -------------------------------------------------

-- error-status values (RFC 3416)
local TOOBIG, NOSUCHNAME, GENERR, NOACCESS = 1, 2, 5, 6

local function response_pdu(session, req, list, status, index)
  return session:pdu("response", list, {
    request_id = req.request_id, error_status = status, error_index = index })
end

-- The largest leading part of `list` whose response fits in max_size bytes
-- (RFC 3416 4.2.3: a GETBULK answer loses varbinds at its end); a PDU.
local function truncated(session, message, req, list, max_size)
  local fits, too_big = 0, #list -- the whole list is known not to fit
  while too_big - fits > 1 do
    local mid = (fits + too_big) // 2
    local pdu = assert(response_pdu(session, req, table.move(list, 1, mid, 1, {})))
    local bytes = session:encode(message.src, message.context, pdu)
    pdu:free()
    if bytes and #bytes <= max_size then fits = mid else too_big = mid end
  end
  return assert(response_pdu(session, req, table.move(list, 1, fits, 1, {})))
end

-- Sends the response to a request: the handler's varbinds (`list`), or the
-- request's varbinds with an error status and index.  An answer larger than
-- max_size is tooBig with no varbinds, or for GETBULK cut to fit (RFC 3416
-- 4.2.1, 4.2.3).
local respond
function respond(session, message, req, list, status, index, max_size)
  local pdu, msg
  if list then
    pdu, msg = response_pdu(session, req, list)
    if not pdu then
      receiver.report("listener handler returned bad varbinds: " .. tostring(msg))
      list, status, index = nil, GENERR, 0
    end
  end
  if not pdu then
    -- (tooBig goes with no varbinds, RFC 3416 4.2.1)
    pdu = assert(response_pdu(session, req, status == TOOBIG and {} or req.varbinds, status,
      index))
  end
  local bytes
  bytes, msg = session:encode(message.src, message.context, pdu)
  if not bytes and list then
    -- e.g. a Counter64 for a v1 manager: the answer cannot be encoded
    pdu:free()
    receiver.report("cannot send the listener's answer: " .. tostring(msg))
    return respond(session, message, req, nil, GENERR, 0, max_size)
  end
  if bytes and #bytes > max_size then
    pdu:free()
    if list and req.type == "getbulk" then
      pdu = truncated(session, message, req, list, max_size)
    else
      pdu = assert(response_pdu(session, req, {}, TOOBIG, 0))
    end
  end
  local ok
  ok, msg = session:send(message.src, message.context, pdu)
  pdu:free()
  if not ok then receiver.report("cannot send the listener's answer: " .. tostring(msg)) end
end

local function request_of(message)
  local data = message.pdu:data()
  local version = message.src:version()
  local name = message.context:name()
  return {
    type = data.type,
    source = message.src:address(),
    community = version ~= "3" and name or nil,
    context = version == "3" and name or nil,
    user = message.user,
    level = message.level,
    max_size = message.max_size,
    version = version,
    request_id = message.request_id,
    varbinds = data.varbinds,
    non_repeaters = data.non_repeaters,
    max_repetitions = data.max_repetitions,
  }
end

-- Validates what a handler asked for in req.delay: seconds, or nil.
local function delay_of(req)
  local d = req.delay
  if d == nil then return nil end
  if type(d) ~= "number" or d ~= d or d < 0 then
    receiver.report("listener handler set req.delay to something not a number of seconds")
    return nil
  end
  return d > 0 and d or nil
end

-- Serves one request; returns true when the answer was put off (the message's
-- src and context are then freed once it has been sent or dropped).
local function serve(session, message, listener)
  local req = request_of(message)
  local policy = listener.policy
  -- Access control comes first: an unknown community or sender gets no
  -- answer at all (so it cannot use the agent as a reflector).
  req.access = access.check(policy, req, session)
  if not req.access then return end
  if req.type == "set" and req.access ~= "rw" then
    local refusal = req.version == "1" and NOSUCHNAME or NOACCESS
    return respond(session, message, req, nil, refusal, 1, access.max_size(policy, req))
  end
  local max_size = access.max_size(policy, req)
  if req.type == "getbulk" and (req.max_repetitions or 0) > policy.max_repetitions then
    req.max_repetitions = policy.max_repetitions
  end
  -- handler(req) -> varbinds | nil, "SNMP_ERROR_...", index; through the
  -- principal's view when it has one
  local subtrees = policy.views and policy.views[req.version == "3" and req.user or req.community]
  local ok, result, name, index
  if subtrees then
    ok, result, name, index = xpcall(views.serve, debug.traceback, listener.handler, req, subtrees)
  else
    ok, result, name, index = xpcall(listener.handler, debug.traceback, req)
  end
  if not session:is_open() then
    return -- the handler closed its session (or called cleanup): nobody answers
  end
  local list, status, at = nil, GENERR, 0
  if not ok then
    receiver.report("listener handler failed: " .. tostring(result))
  elseif type(result) == "table" then
    list, status, at = result, nil, nil
  elseif result == nil and core.pdu_errors[name] then
    status, at = core.pdu_errors[name], math.tointeger(index) or 0
  else
    receiver.report("listener handler returned neither varbinds nor an SNMP_ERROR_ name")
  end
  if ok and req.drop then return end -- the handler asked for no answer at all
  local delay = ok and delay_of(req)
  if not delay then return respond(session, message, req, list, status, at, max_size) end
  -- At most policy.max_delayed answers wait at once; beyond, a request the
  -- handler delays gets none (a busy agent: the manager retries), said once
  -- until the waiting answers go below the cap again.
  local waiting = listener.delayed or 0
  if waiting >= policy.max_delayed then
    if not listener.delayed_full then
      listener.delayed_full = true
      receiver.report(("listener %s: %d delayed answers already waiting (max_delayed); "
        .. "requests its handler delays get no answer until some are sent")
        :format(listener.address, waiting))
    end
    return
  end
  listener.delayed = waiting + 1
  -- Later: the loop goes on meanwhile.  A session or listener closed by
  -- then takes the answer with it.
  tasks.after(delay, function()
    listener.delayed = listener.delayed - 1
    listener.delayed_full = nil
    if session:is_open() and listener.entity then
      local sent, err = xpcall(respond, debug.traceback, session, message, req, list, status, at,
        max_size)
      if not sent then receiver.report("cannot send a delayed answer: " .. tostring(err)) end
    end
    message.src:free()
    message.context:free()
  end)
  return true
end

-- ---- dispatch ----------------------------------------------------------------------

local function drain(session)
  local h = handlers[session]
  if not h then return nil end
  local handled = {}
  while session:is_open() do
    local message = session:_incoming()
    if not message then break end
    handled[message.request_id] = true
    local kept = false
    if message.kind == "notification" then
      local n
      for _, id in ipairs(message.registrations) do
        for _, registration in ipairs(h.registrations[id] or {}) do
          n = n or notification_of(message)
          local ok, err = xpcall(registration.handler, debug.traceback, n)
          if not ok then receiver.report("notification handler failed: " .. tostring(err)) end
        end
      end
    else
      local listener = h.listeners[message.listener]
      if listener and serve(session, message, listener) then
        kept = true -- (an answer put off: its timer frees src and context)
      end
    end
    if not kept then
      message.src:free()
      message.context:free()
    end
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
-- version=, type=, request_id=}; v3 adds user=, level= and engine_id= (the
-- sender's snmpEngineID as the notification's contextEngineID carries it,
-- in hex); v1 traps arrive in v2c form.
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

--- Live counts of this session (the same as winsnmp.stats(), API.md), with
-- the requests its listeners dropped for their sender or community.
local session_stats = Session.stats
function Session:stats()
  local t, msg, name = session_stats(self)
  if not t then return t, msg, name end
  local c = access.session_counts[self]
  t.bad_community = c and c.bad_community or 0
  t.bad_source = c and c.bad_source or 0
  return t
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
-- community=, varbinds=, version=, non_repeaters=, max_repetitions=,
-- access=} and returns the response varbinds, or nil, "SNMP_ERROR_...",
-- index.  A handler that raises or returns nonsense makes a genErr response.
-- The listener's `address` is the bound address (its real port when asked
-- for port 0).
--
-- Access control is checked before the handler runs (`opts`, all optional):
-- `communities` ({name = "ro" | "rw"}, default {public = "ro"}: others get no
-- answer, and a SET with "ro" is refused with noAccess, v1 noSuchName),
-- `sources` (sender prefixes such as "127.0.0.0/8"; others get no answer),
-- `max_size` (largest response in bytes; default: a v3 requester's
-- msgMaxSize, else 1472; never above 65507: beyond it tooBig, or
-- a GETBULK answer cut to fit), `max_repetitions` (GETBULK cap, default 100),
-- `max_delayed` (answers put off by req.delay waiting at once, default 256),
-- `users` (SNMPv3 users {user=, level=, auth=, auth_pass=, priv=, priv_pass=,
-- access = "ro" | "rw"}: their requests are authenticated by this engine,
-- and one below the user's level gets the unsupportedSecLevels report),
-- `views` ({[community or user] = {subtree, ...}}: that principal sees only
-- those subtrees, as VACM; see winsnmp.views).
-- For v3 the handler's req also has `user`, `level` and `context`.
--
-- Delayed and dropped answers: a handler that sets `req.delay = seconds`
-- has its answer sent that much later, and one that sets `req.drop = true`
-- has none sent at all (the manager times out); at most `max_delayed`
-- (default 256) answers wait at once, and a request the handler delays
-- beyond that gets none.  Nothing blocks meanwhile:
-- other requests, listeners and the requests of this process go on, `poll`
-- runs the answer when it is due, and `winsnmp.fds()` reports that time to
-- an external loop.  An answer still waiting when its session or listener
-- is closed is not sent.  winsnmp.snmprec's views use this for snmpsim's
-- `delay` variation.
function Session:listen(address, handler, opts)
  if type(handler) ~= "function" then
    error("bad argument #2 to 'listen' (function expected)", 2)
  end
  local policy, why, code = access.policy(opts, 2)
  if not policy then return nil, why, code end
  local entity, bound, id = self:_listen(address)
  if not entity then return nil, bound, id end
  for _, user in ipairs(policy.user_list) do
    local ok, msg, name = self:_listen_user(entity, user)
    if not ok then
      entity:free()
      return nil, msg, name
    end
  end
  local listener = setmetatable({ session = self, entity = entity, id = id, address = bound,
                                  handler = handler, policy = policy }, Listener)
  handlers_of(self).listeners[id] = listener
  return listener
end

return receiver
