--- AgentX subagent (RFC 2741): serves MIB subtrees written in Lua through
-- the system's master agent (net-snmp's snmpd with `master agentx`).
--
--     local ax <close> = assert(winsnmp.agentx{ address = "unix:/var/agentx/master" })
--     ax:register("1.3.6.1.4.1.99999", view)     -- a winsnmp.mibview, or a handler
--     while true do winsnmp.poll(1) end
--
-- The C engine keeps the connection (non-blocking connect, framing, and a
-- new connection with backoff whenever the master goes away, restarts, or
-- sends what does not parse); this module speaks the protocol over it: it
-- opens a session on each new connection and registers every subtree
-- again, answers Get, GetNext and GetBulk through the view's handler
-- (honouring each SearchRange's include flag and end), and maps the four
-- SET phases onto the view's atomic SET.  Everything happens inside
-- `winsnmp.poll`; nothing blocks.
-- @module winsnmp.agentx

local core = require("winsnmp.core")
local tasks = require("winsnmp.tasks")
local receiver = require("winsnmp.receiver")

local oid_compare = core.oid_compare
local PDU_ERRORS = core.pdu_errors
local GENERR, NOTWRITABLE, UNDOFAILED = 5, 17, 15
local PROCESSING_ERROR = 268
local REASON_SHUTDOWN = 5
local SNMP_TRAP_OID_0 = "1.3.6.1.6.3.1.1.4.1.0"

local agentx = {}

local AgentX = {}
AgentX.__index = AgentX
AgentX.__name = "winsnmp.agentx"

-- by_session[session] = the AgentX object using it.  Weak keys: the object
-- is reachable only from the script, so dropping it closes it (__gc).
local by_session = setmetatable({}, { __mode = "k" })

local function report(message)
  receiver.report("agentx: " .. message)
end

-- ---- subtrees ---------------------------------------------------------------

local function is_prefix(prefix, oid)
  return oid == prefix or oid:sub(1, #prefix + 1) == prefix .. "."
end

local function same_context(a, b)
  return (a or "") == (b or "")
end

-- The registration serving `oid` in `context`: the longest subtree holding
-- it (or nil).
local function registration_of(self, oid, context)
  local best
  for _, reg in ipairs(self.registrations) do
    if same_context(reg.context, context) and is_prefix(reg.subtree, oid)
        and (not best or #reg.subtree > #best.subtree) then
      best = reg
    end
  end
  return best
end

-- For a GetNext range whose start lies outside every subtree: the first
-- subtree after it, before `last` (the range's end).
local function registration_after(self, oid, last, context)
  local best
  for _, reg in ipairs(self.registrations) do
    if same_context(reg.context, context) and oid_compare(reg.subtree, oid) > 0
        and (not last or oid_compare(reg.subtree, last) < 0)
        and (not best or oid_compare(reg.subtree, best.subtree) < 0) then
      best = reg
    end
  end
  return best
end

local function handler_of(reg)
  local view = reg.view
  if type(view) == "function" then return view end
  return view.handler
end

-- Calls a handler as the agent role does: varbinds, or nil, error-status
-- (a number), index.
local function call(handler, req)
  local ok, result, name, index = xpcall(handler, debug.traceback, req)
  if not ok then
    report("handler failed: " .. tostring(result))
    return nil, GENERR, 0
  end
  if type(result) == "table" then return result end
  if result == nil and PDU_ERRORS[name] then
    return nil, PDU_ERRORS[name], math.tointeger(index) or 0
  end
  report("handler returned neither varbinds nor an SNMP_ERROR_ name")
  return nil, GENERR, 0
end

local function request(self, pdu, kind, varbinds)
  return {
    type = kind, varbinds = varbinds, version = "2c", context = pdu.context,
    access = "rw", agentx = self,
  }
end

-- ---- answering the master ------------------------------------------------------

local function respond(self, pdu, error, index, varbinds)
  local ok, msg = self.session:_agentx_send({
    type = "response", session_id = pdu.session_id, transaction_id = pdu.transaction_id,
    packet_id = pdu.packet_id, error = error or 0, index = index or 0, varbinds = varbinds,
  })
  if not ok then report("cannot answer the master: " .. tostring(msg)) end
end

local function is_exception(vb)
  return vb.type == "nosuchobject" or vb.type == "nosuchinstance" or vb.type == "endofmibview"
end

local function beyond(vb, range)
  return vb.type == "endofmibview" or (range["end"] and oid_compare(vb.oid, range["end"]) >= 0)
end

-- One step of a walk for each of `ranges` (a list of {start=, ["end"]=,
-- include=}): the next object in the range, or endOfMibView named by the
-- range's start.  Returns the varbinds, or nil, error, index (1-based in
-- `ranges`).
-- The ranges grouped by the handler that serves them (handlers in order of
-- first use): `find(range)` gives a range's registration; a range without
-- one is answered `missing` in `out` at once.
local function group_by_handler(ranges, find, missing, out)
  local groups, order = {}, {}
  for i, range in ipairs(ranges) do
    local reg = find(range)
    if not reg then
      out[i] = { oid = range.start, type = missing }
    else
      local h = handler_of(reg)
      if not groups[h] then groups[h] = {}; order[#order + 1] = h end
      table.insert(groups[h], i)
    end
  end
  return groups, order
end

local function next_of(self, pdu, ranges)
  local out = {}
  local groups, order = group_by_handler(ranges, function(range)
    return registration_of(self, range.start, pdu.context)
      or registration_after(self, range.start, range["end"], pdu.context)
  end, "endofmibview", out)
  for _, h in ipairs(order) do
    local positions = groups[h]
    -- include: the start itself when it exists
    local asks = {}
    for _, i in ipairs(positions) do
      if ranges[i].include then asks[#asks + 1] = i end
    end
    if #asks > 0 then
      local vbs = {}
      for k, i in ipairs(asks) do vbs[k] = { oid = ranges[i].start } end
      local got, err, index = call(h, request(self, pdu, "get", vbs))
      if not got then return nil, err, index > 0 and asks[index] or 0 end
      for k, i in ipairs(asks) do
        local vb = got[k]
        if vb and not is_exception(vb) then
          out[i] = beyond(vb, ranges[i]) and { oid = ranges[i].start, type = "endofmibview" } or vb
        end
      end
    end
    local rest = {}
    for _, i in ipairs(positions) do
      if not out[i] then rest[#rest + 1] = i end
    end
    if #rest > 0 then
      local vbs = {}
      for k, i in ipairs(rest) do
        local range = ranges[i]
        local reg = registration_of(self, range.start, pdu.context)
        -- a start before the subtree walks from the subtree's root
        vbs[k] = { oid = reg and range.start or
          registration_after(self, range.start, range["end"], pdu.context).subtree }
      end
      local got, err, index = call(h, request(self, pdu, "getnext", vbs))
      if not got then return nil, err, index > 0 and rest[index] or 0 end
      for k, i in ipairs(rest) do
        local vb = got[k]
        if not vb or beyond(vb, ranges[i]) then
          out[i] = { oid = ranges[i].start, type = "endofmibview" }
        else
          out[i] = vb
        end
      end
    end
  end
  return out
end

local function serve_get(self, pdu)
  local out = {}
  local groups, order = group_by_handler(pdu.ranges, function(range)
    return registration_of(self, range.start, pdu.context)
  end, "nosuchobject", out)
  for _, h in ipairs(order) do
    local positions = groups[h]
    local vbs = {}
    for k, i in ipairs(positions) do vbs[k] = { oid = pdu.ranges[i].start } end
    local got, err, index = call(h, request(self, pdu, "get", vbs))
    if not got then
      return respond(self, pdu, err, index > 0 and positions[index] or 0)
    end
    for k, i in ipairs(positions) do
      out[i] = got[k] or { oid = pdu.ranges[i].start, type = "nosuchobject" }
    end
  end
  respond(self, pdu, 0, 0, out)
end

local function serve_getnext(self, pdu)
  local out, err, index = next_of(self, pdu, pdu.ranges)
  if not out then return respond(self, pdu, err, index) end
  respond(self, pdu, 0, 0, out)
end

-- GetBulk (RFC 2741 7.2.3.3): the non-repeaters once, then the repeaters
-- repeatedly, each repetition continuing from the last OID found.
local function serve_getbulk(self, pdu)
  local ranges = pdu.ranges
  local n = math.min(pdu.non_repeaters or 0, #ranges)
  local out = {}
  if n > 0 then
    local first, err, index = next_of(self, pdu, table.move(ranges, 1, n, 1, {}))
    if not first then return respond(self, pdu, err, index) end
    table.move(first, 1, n, 1, out)
  end
  local repeaters = table.move(ranges, n + 1, #ranges, 1, {})
  local max_rep = math.min(pdu.max_repetitions or 0, 1000)
  for _ = 1, #repeaters > 0 and max_rep or 0 do
    local got, err, index = next_of(self, pdu, repeaters)
    if not got then return respond(self, pdu, err, index > 0 and index + n or 0) end
    local all_done = true
    for k, vb in ipairs(got) do
      out[#out + 1] = vb
      if vb.type == "endofmibview" then
        repeaters[k] = { start = repeaters[k].start, ["end"] = repeaters[k]["end"], include = false,
                         done = true }
      else
        all_done = false
        repeaters[k] = { start = vb.oid, ["end"] = repeaters[k]["end"], include = false }
      end
    end
    if all_done or #out > 2000 then break end
  end
  respond(self, pdu, 0, 0, out)
end

-- ---- SET -------------------------------------------------------------------------

-- A transaction: the TestSet's varbinds split by view, each with its own
-- request table (the same one goes to every phase).
local function phase(group, name, req)
  local view = group.view
  if type(view) == "function" then
    if name == "test_set" or name == "cleanup_set" then return true end
    if name == "undo_set" then return nil, "SNMP_ERROR_UNDOFAILED", 0 end
    local set_req = {}
    for k, v in pairs(req) do set_req[k] = v end
    set_req.type = "set"
    local ok, result, err, index = xpcall(view, debug.traceback, set_req)
    if not ok then
      report("handler failed: " .. tostring(result))
      return nil, "SNMP_ERROR_COMMITFAILED", 0
    end
    if type(result) == "table" then return true end
    return nil, PDU_ERRORS[err] and err or "SNMP_ERROR_COMMITFAILED", index or 0
  end
  local ok, result, err, index = xpcall(view[name], debug.traceback, view, req)
  if not ok then
    report(name .. " failed: " .. tostring(result))
    return nil, name == "undo_set" and "SNMP_ERROR_UNDOFAILED" or "SNMP_ERROR_GENERR", 0
  end
  return result, err, index
end

local function set_error(group, err, index)
  local code = PDU_ERRORS[err] or GENERR
  local i = math.tointeger(index) or 0
  return code, i > 0 and group.positions[i] or 0
end

local function serve_testset(self, pdu)
  local txn = { groups = {} }
  local by_view = {}
  for i, vb in ipairs(pdu.varbinds) do
    local reg = registration_of(self, vb.oid, pdu.context)
    if not reg then return respond(self, pdu, NOTWRITABLE, i) end
    local group = by_view[reg.view]
    if not group then
      group = { view = reg.view, positions = {}, varbinds = {} }
      by_view[reg.view] = group
      txn.groups[#txn.groups + 1] = group
    end
    group.positions[#group.positions + 1] = i
    group.varbinds[#group.varbinds + 1] = vb
  end
  self.transactions[pdu.transaction_id] = txn
  for _, group in ipairs(txn.groups) do
    group.req = request(self, pdu, "set", group.varbinds)
    local ok, err, index = phase(group, "test_set", group.req)
    group.tested = true
    if not ok then return respond(self, pdu, set_error(group, err, index)) end
  end
  respond(self, pdu, 0, 0)
end

local function serve_commitset(self, pdu)
  local txn = self.transactions[pdu.transaction_id]
  if not txn then return respond(self, pdu, GENERR, 0) end
  for _, group in ipairs(txn.groups) do
    local ok, err, index = phase(group, "commit_set", group.req)
    if not ok then return respond(self, pdu, set_error(group, err, index)) end
    group.committed = true
  end
  respond(self, pdu, 0, 0)
end

local function serve_undoset(self, pdu)
  local txn = self.transactions[pdu.transaction_id]
  if not txn then return respond(self, pdu, UNDOFAILED, 0) end
  for _, group in ipairs(txn.groups) do
    if group.committed then
      local ok, err, index = phase(group, "undo_set", group.req)
      if not ok then return respond(self, pdu, set_error(group, err, index)) end
      group.committed = false
    end
  end
  respond(self, pdu, 0, 0)
end

local function serve_cleanupset(self, pdu)
  local txn = self.transactions[pdu.transaction_id]
  self.transactions[pdu.transaction_id] = nil
  if not txn then return end
  for _, group in ipairs(txn.groups) do
    if group.tested then phase(group, "cleanup_set", group.req) end
  end
  -- no response (RFC 2741 7.2.4.4)
end

-- ---- the session with the master ---------------------------------------------

local function next_packet(self, on_response)
  self.packet_id = self.packet_id % 0x7FFFFFFF + 1
  self.waiting[self.packet_id] = on_response
  return self.packet_id
end

local function send_register(self, reg, kind)
  local pdu = {
    type = kind or "register", session_id = self.session_id, timeout = reg.timeout or 0,
    priority = reg.priority, oid = reg.subtree, context = reg.context,
    range_subid = reg.range_subid, upper_bound = reg.upper_bound,
  }
  pdu.packet_id = next_packet(self, kind == nil and function(resp)
    if resp.error ~= 0 then
      reg.error = resp.error
      report(("the master refused %s (error %d)"):format(reg.subtree, resp.error))
    else
      reg.error = nil
      reg.registered = true
    end
  end or nil)
  local ok, msg = self.session:_agentx_send(pdu)
  if not ok then report("cannot register " .. reg.subtree .. ": " .. tostring(msg)) end
end

local function send_open(self)
  local pdu = { type = "open", timeout = self.timeout, oid = self.id or "",
                descr = self.description }
  pdu.packet_id = next_packet(self, function(resp)
    if resp.error ~= 0 then
      report(("the master refused the session (error %d)"):format(resp.error))
      self.session:_agentx_reconnect()
      return
    end
    self.session_id = resp.session_id
    self.open = true
    for _, reg in ipairs(self.registrations) do send_register(self, reg) end
  end)
  local ok, msg = self.session:_agentx_send(pdu)
  if not ok then report("cannot open a session: " .. tostring(msg)) end
end

-- Keepalive (RFC 2741 6.2.8): a Ping every `ping` seconds while the
-- session is open.  The engine drops a connection whose master leaves a
-- request unanswered past `timeout`, so a hung master is reconnected to
-- even when no manager asks anything.  The timer holds the object weakly,
-- so it can still be collected.
local schedule_ping
function schedule_ping(self)
  local ref = setmetatable({ self }, { __mode = "v" })
  self.ping_timer = tasks.after(self.ping, function()
    local me = ref[1]
    if not me or not me.session then return end
    if me.open then
      local pdu = { type = "ping", session_id = me.session_id }
      pdu.packet_id = next_packet(me, nil)
      me.session:_agentx_send(pdu)
    end
    schedule_ping(me)
  end)
end

local SERVE = {
  get = serve_get, getnext = serve_getnext, getbulk = serve_getbulk,
  testset = serve_testset, commitset = serve_commitset, undoset = serve_undoset,
  cleanupset = serve_cleanupset,
}

local function handle(self, pdu)
  if pdu.type == "response" then
    local on_response = self.waiting[pdu.packet_id]
    self.waiting[pdu.packet_id] = nil
    if on_response then
      on_response(pdu)
    elseif pdu.error ~= 0 then
      report(("the master answered request %d with error %d"):format(pdu.packet_id, pdu.error))
    end
    return
  end
  if not self.open or pdu.session_id ~= self.session_id then
    return respond(self, pdu, 257, 0) -- notOpen
  end
  local serve = SERVE[pdu.type]
  if serve then
    serve(self, pdu)
  else
    respond(self, pdu, PROCESSING_ERROR, 0) -- a type a master does not send
  end
end

-- Runs on every event of the AgentX session: a new connection gets an Open
-- (and then its registrations); each PDU received is answered.
local function pump(self)
  local session = self.session
  if not session:is_open() then return end
  local state = session:_agentx_state()
  if not state then return end
  if state.connections ~= self.connections then
    self.connections = state.connections
    self.open, self.session_id = false, nil
    self.waiting, self.transactions = {}, {}
    for _, reg in ipairs(self.registrations) do reg.registered = false end
    if state.connected then send_open(self) end
  elseif not state.connected and self.open then
    self.open, self.session_id = false, nil
    self.waiting, self.transactions = {}, {}
  end
  while session:is_open() do
    local pdu = session:_agentx_recv()
    if not pdu then break end
    handle(self, pdu)
  end
end

local previous = tasks.set_unsolicited(nil)
tasks.set_unsolicited(function(session)
  local self = by_session[session]
  if self then
    pump(self)
    return { [0] = true }
  end
  return previous and previous(session)
end)

-- ---- the public methods ----------------------------------------------------------

local function check_open(self, name)
  if getmetatable(self) ~= AgentX then
    error(("bad self to '%s' (winsnmp.agentx expected)"):format(name), 3)
  end
  if not self.session then error("attempt to use a closed winsnmp.agentx", 3) end
end

--- Serves `subtree` (a dotted OID string) through the master from `view`:
-- a `winsnmp.mibview` View (its SET phases map onto AgentX's TestSet,
-- CommitSet, UndoSet and CleanupSet) or a listener-style handler function
-- `handler(req) -> varbinds | nil, "SNMP_ERROR_...", index` (req.type
-- "get", "getnext" or "set"; a SET is one call at CommitSet and cannot be
-- undone).  `opts`: `priority` (1..255, lower wins; default 127),
-- `context` (a non-default context name), `timeout` (seconds the master
-- waits for this subtree; 0: the session's), `range_subid` and
-- `upper_bound` (RFC 2741 6.2.3: one registration for a range of
-- subtrees).  Registered at once when connected, else on the next
-- connection, and again on every reconnection.
-- @return true
function AgentX:register(subtree, view, opts)
  check_open(self, "register")
  if type(subtree) ~= "string" or not subtree:match("^%d+[%d.]*$") then
    error("bad argument #1 to 'register' (dotted OID string expected)", 2)
  end
  subtree = subtree:gsub("%.$", "")
  local ok = type(view) == "function" or (type(view) == "table" and view.handler)
  if not ok then
    error("bad argument #2 to 'register' (winsnmp.mibview or handler function expected)", 2)
  end
  if opts ~= nil and type(opts) ~= "table" then
    error("bad argument #3 to 'register' (table expected)", 2)
  end
  opts = opts or {}
  local priority = opts.priority or 127
  if math.type(priority) ~= "integer" or priority < 1 or priority > 255 then
    error("bad argument #3 to 'register' (priority 1..255 expected)", 2)
  end
  local reg = { subtree = subtree, view = view, priority = priority, context = opts.context,
                timeout = opts.timeout, range_subid = opts.range_subid,
                upper_bound = opts.upper_bound }
  table.insert(self.registrations, reg)
  if self.open then send_register(self, reg) end
  return true
end

--- Sends a notification through the master, which sends it to its trap
-- sinks: `trap_oid` (snmpTrapOID.0's value) and `varbinds` ({oid=, type=,
-- value=} tables; the master adds sysUpTime.0).
-- @return true, or nil, message, "SNMPAPI_TL_NOT_AVAILABLE" while no
-- session with the master is open
function AgentX:notify(trap_oid, varbinds)
  check_open(self, "notify")
  if type(trap_oid) ~= "string" then error("bad argument #1 to 'notify' (string expected)", 2) end
  if varbinds ~= nil and type(varbinds) ~= "table" then
    error("bad argument #2 to 'notify' (table expected)", 2)
  end
  if not self.open then
    return core._fail(nil, "winsnmp.agentx: no session with the master agent",
                      "SNMPAPI_TL_NOT_AVAILABLE")
  end
  local list = { { oid = SNMP_TRAP_OID_0, type = "oid", value = trap_oid } }
  for _, vb in ipairs(varbinds or {}) do list[#list + 1] = vb end
  local pdu = { type = "notify", session_id = self.session_id, varbinds = list }
  pdu.packet_id = next_packet(self, function(resp)
    if resp.error ~= 0 then
      report(("the master refused a notification (error %d)"):format(resp.error))
    end
  end)
  local ok, msg, name = self.session:_agentx_send(pdu)
  if not ok then
    self.waiting[pdu.packet_id] = nil
    return nil, msg, name
  end
  return true
end

local FLAG_NEW_INDEX, FLAG_ANY_INDEX = 0x02, 0x04
-- RFC 2741 6.2.16: the errors of an index request
local INDEX_ERRORS = {
  [258] = "SNMP_ERROR_WRONGTYPE", -- indexWrongType
  [259] = "SNMP_ERROR_INCONSISTENTVALUE", -- indexAlreadyAllocated
  [260] = "SNMP_ERROR_RESOURCEUNAVAILABLE", -- indexNoneAvailable
  [261] = "SNMP_ERROR_INCONSISTENTNAME", -- indexNotAllocated
}
local INDEX_ERROR_TEXT = { [258] = "wrong type", [259] = "already allocated",
                           [260] = "none available", [261] = "not allocated" }

-- Sends an index request (IndexAllocate, IndexDeallocate) and waits for
-- the master's answer: yielding in a task, polling otherwise, for at most
-- the session's timeout.  The varbinds it answers, or nil, msg, NAME.
local function index_request(self, kind, varbinds, flags)
  if not self.open then
    return core._fail(nil, "winsnmp.agentx: no session with the master agent",
                      "SNMPAPI_TL_NOT_AVAILABLE")
  end
  local answer, co = nil, tasks.current()
  local pdu = { type = kind, session_id = self.session_id, flags = flags, varbinds = varbinds }
  pdu.packet_id = next_packet(self, function(resp)
    answer = resp
    if co then tasks.wake(co) end
  end)
  local ok, msg, name = self.session:_agentx_send(pdu)
  if not ok then
    self.waiting[pdu.packet_id] = nil
    return nil, msg, name
  end
  local deadline, expired = core.now() + self.timeout, false
  local timer = co and tasks.after(self.timeout, function()
    expired = true
    tasks.wake(co)
  end)
  while not answer and not expired and self.session do
    if co then
      tasks.suspend()
    else
      tasks.poll(math.max(0, math.min(0.1, deadline - core.now())))
    end
    if not co and core.now() >= deadline then expired = true end
  end
  if timer then tasks.cancel(timer) end
  if not answer then
    if self.waiting then self.waiting[pdu.packet_id] = nil end
    return core._fail(nil, "winsnmp.agentx: no answer from the master agent", "SNMPAPI_TL_TIMEOUT")
  end
  if answer.error ~= 0 then
    return nil, ("winsnmp.agentx: the master refused the index: %s (error %d)"):format(
      INDEX_ERROR_TEXT[answer.error] or "refused", answer.error),
      INDEX_ERRORS[answer.error] or "SNMP_ERROR_GENERR"
  end
  return answer.varbinds or {}
end

--- Allocates a table index value at the master (RFC 2741 7.1.4), for a
-- table whose rows several subagents share (an ifIndex, say):
-- `varbind` is `{oid = index object, type = syntax, value = wanted}`;
-- `opts.new = true` asks for a value never allocated before, `opts.any =
-- true` lets the master choose.  Waits for the master (yields in a task).
-- @return the allocated varbind, or nil, msg, NAME
function AgentX:allocate_index(varbind, opts)
  check_open(self, "allocate_index")
  if type(varbind) ~= "table" then
    error("bad argument #1 to 'allocate_index' (table expected)", 2)
  end
  if opts ~= nil and type(opts) ~= "table" then
    error("bad argument #2 to 'allocate_index' (table expected)", 2)
  end
  opts = opts or {}
  local flags = (opts.new and FLAG_NEW_INDEX or 0) | (opts.any and FLAG_ANY_INDEX or 0)
  local list, msg, name = index_request(self, "indexallocate", { varbind }, flags)
  if not list then return nil, msg, name end
  return list[1]
end

--- Releases an index value allocated by `allocate_index` (the same
-- varbind).  True, or nil, msg, NAME.
function AgentX:deallocate_index(varbind)
  check_open(self, "deallocate_index")
  if type(varbind) ~= "table" then
    error("bad argument #1 to 'deallocate_index' (table expected)", 2)
  end
  local list, msg, name = index_request(self, "indexdeallocate", { varbind }, 0)
  if not list then return nil, msg, name end
  return true
end

--- Whether a session with the master is open (connected, and the master
-- accepted the Open).
-- @return boolean
function AgentX:is_connected()
  return self.session ~= nil and self.open == true
end

--- Unregisters every subtree, closes the session with the master (Close,
-- reasonShutdown) and the connection.  Idempotent; also `__close` and
-- `__gc`.
-- @return true
function AgentX:close()
  local session = self.session
  if not session then return true end
  by_session[session] = nil
  if self.ping_timer then tasks.cancel(self.ping_timer) end
  if session:is_open() then
    if self.open then
      for _, reg in ipairs(self.registrations) do
        if reg.registered then send_register(self, reg, "unregister") end
      end
      session:_agentx_send({ type = "close", session_id = self.session_id,
                             reason = REASON_SHUTDOWN })
    end
    session:close()
  end
  self.session = nil
  self.open = false
  return true
end
AgentX.__close = AgentX.close
AgentX.__gc = AgentX.close

function AgentX:__tostring()
  if not self.session then return "winsnmp.agentx (closed)" end
  return ("winsnmp.agentx (%s, %s)"):format(self.address,
    self.open and "open" or "connecting")
end

--- Connects to an AgentX master agent (winsnmp.agentx).  `opts` (all
-- optional): `address` ("unix:/path", default "unix:/var/agentx/master",
-- or "tcp:host:port"), `description` (the Open PDU's, shown by the master),
-- `timeout` (seconds: for the connect, for the master's answers, and the
-- Open's default timeout for the master's requests; default 5), `id` (an
-- OID identifying the subagent), `ping` (seconds between keepalive Pings
-- while open, default 15, false for none: a master that does not answer one
-- within `timeout` is reconnected to).  Returns at once; the connection is
-- made, and made again whenever it is lost, inside `winsnmp.poll`.
-- @return the AgentX object, or nil, message, NAME (a malformed address)
function agentx.new(opts)
  if opts ~= nil and type(opts) ~= "table" then
    error("bad argument #1 to 'agentx' (table expected)", 2)
  end
  opts = opts or {}
  local address = opts.address or "unix:/var/agentx/master"
  local timeout = opts.timeout or 5
  if type(timeout) ~= "number" or timeout <= 0 or timeout > 255 then
    error("bad argument #1 to 'agentx' (timeout: 0 < seconds <= 255 expected)", 2)
  end
  local ping = opts.ping == nil and 15 or opts.ping
  if ping ~= false and (type(ping) ~= "number" or ping ~= ping or ping <= 0) then
    error("bad argument #1 to 'agentx' (ping: seconds > 0 or false expected)", 2)
  end
  local session, msg, name = core.session()
  if not session then return nil, msg, name end
  local self = setmetatable({ ping = ping,
    session = session, address = address, timeout = math.ceil(timeout),
    description = opts.description or "winsnmp subagent", id = opts.id,
    registrations = {}, waiting = {}, transactions = {}, packet_id = 0,
    connections = 0, open = false,
  }, AgentX)
  local ok
  ok, msg, name = session:_agentx_connect(address, timeout)
  if not ok then
    self.session = nil
    session:close()
    return nil, msg, name
  end
  by_session[session] = self
  if ping then schedule_ping(self) end
  return self
end

return agentx
