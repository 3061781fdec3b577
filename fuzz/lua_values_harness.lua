--- The Lua side of fuzz/fuzz_lua_values.c (compiled into the target by
-- fuzz/build.sh; runs in its lua_State with winsnmp.core linked in).
--
-- Called once with (core, c, options); returns the function the target
-- calls for every input as f(bytes, version), version being "1" or "2c"
-- for a community message, else nil.  Any error raised here is reported by
-- the target as a bug and the input kept: the API raises only for Lua
-- misuse, never for bad bytes, so every failure must be nil, msg, NAME.
--
-- c holds the target's C helpers:
--   c.deliver(session, bytes)  the session's reply path (wsnmp_deliver), as
--                              a datagram from the sink address
--   c.inject(bytes)            sends bytes from the sink to the notification
--                              and agent listeners (real loopback datagrams)
--   c.agent_at(address)        tells inject where the agent listener is
-- options: sink (address of the sink socket), notify_address (a free
-- port), v3_users (registrations for v3 notifications), verbose.
local core, c, options = ...
local verbose = options.verbose

local function say(...)
  if verbose then io.stderr:write(table.concat({ ... }, " "), "\n") end
end

local s = assert(core.session())

local function fail(what, ...)
  local parts = table.pack(...)
  for i = 1, parts.n do parts[i] = tostring(parts[i]) end
  error((what .. ": " .. table.concat(parts, " ", 1, parts.n)):gsub("%c", "?"), 0)
end

--- A failure must be nil, message, NAME with a known NAME.
local function check_failure(ok, msg, name)
  if ok ~= nil then fail("a failure is not nil, msg, NAME", ok) end
  if type(msg) ~= "string" or type(name) ~= "string" then
    fail("a failure without message and NAME", msg, name)
  end
  if not core.errors[name] and not core.pdu_errors[name] then fail("unknown error name", name) end
end

local function same_varbinds(a, b, what)
  if #a ~= #b then fail(what .. ": counts differ", #a, #b) end
  for i = 1, #a do
    local x, y = a[i], b[i]
    if x.oid ~= y.oid or x.type ~= y.type or x.value ~= y.value then
      fail(what .. ": varbind " .. i .. " differs", x.oid, x.type, x.value, y.oid, y.type, y.value)
    end
  end
end

local KNOWN = {
  int = "number", uint32 = "number", cntr32 = "number", gauge32 = "number",
  timeticks = "number", cntr64 = "number", octets = "string", opaque = "string",
  bits = "string", nsapaddr = "string", ipaddr = "string", oid = "string", null = "nil",
  nosuchobject = "nil", nosuchinstance = "nil", endofmibview = "nil",
}

--- pdu:data() of a PDU from the wire, checked field by field; every value
-- must go back in unchanged (values are never guessed).
local function check_pdu(pdu)
  local d, msg, name = pdu:data()
  if not d then fail("pdu:data() failed", msg, name) end
  for _, k in ipairs({ "request_id", "error_status", "error_index" }) do
    if math.type(d[k]) ~= "integer" then fail("field " .. k .. " is not an integer") end
  end
  if type(d.type) ~= "string" or type(d.varbinds) ~= "table" then fail("bad PDU table") end
  local _ = tostring(pdu)
  for _, vb in ipairs(d.varbinds) do
    local want = KNOWN[vb.type]
    if not want then fail("unknown type name", vb.type) end
    if type(vb.value) ~= want then
      fail("value of type " .. vb.type .. " is a " .. type(vb.value))
    end
    if core.oid_compare(vb.oid, vb.oid) ~= 0 then fail("decoded name refused", vb.oid) end
    if vb.type == "oid" and core.oid_compare(vb.value, vb.value) ~= 0 then
      fail("decoded OID value refused", vb.value)
    end
    if vb.type == "cntr64" then _ = core.u64(vb.value) end
  end
  local v, m, nm = s:vbl(d.varbinds)
  if not v then fail("decoded varbinds do not go back in", m, nm) end
  same_varbinds(v:totable(), d.varbinds, "vbl round trip")
  for i = 1, math.min(#d.varbinds, 4) do
    local o, t, val = v:get(i)
    local x = d.varbinds[i]
    if o ~= x.oid or t ~= x.type or val ~= x.value then fail("v:get differs", i) end
  end
  v:free()
  local dup = assert(pdu:dup())
  same_varbinds(assert(dup:data()).varbinds, d.varbinds, "pdu:dup")
  dup:free()
  return d
end

--- The reply path of a request: a request with the reply's id goes out (to
-- the sink), the bytes come back in through wsnmp_deliver, and s:_response
-- (push_response, the C fast path of get/walk) must give what pdu:data() gave.
local function reply_path(bytes, d, version)
  local e = assert(s:entity(options.sink, { version = version, timeout = 60, retries = 0 }))
  local p = assert(s:pdu("get", { "1.3.6.1.2.1.1.1.0" }, { request_id = d.request_id }))
  local id, msg, name = s:send(e, nil, p)
  p:free()
  if not id then
    e:free()
    check_failure(id, msg, name)
    return
  end
  c.deliver(s, bytes)
  local r = table.pack(s:_response(id))
  say("reply path:", version, r[1], r[2], r[3])
  if r[1] == false then
    assert(s:cancel(id)) -- not taken as the reply (e.g. another version)
  elseif r[1] == nil then
    check_failure(r[1], r[2], r[3])
    if d.error_status == 0 then fail("a reply without error fails", r[2], r[3]) end
    if r[4] ~= d.error_index then fail("error index differs", r[4], d.error_index) end
  else
    if d.error_status ~= 0 then fail("a reply with an error status succeeds") end
    same_varbinds(r[1], d.varbinds, "reply path")
  end
  core.poll(0)
  e:free()
end

-- The collectors (s:table's per-cell and iwalk's per-varbind work in C) on
-- the same reply: one subtree, a discovery, a request of three columns and
-- a walk (with show_end, as tables or flat), below an entry made from the
-- first varbind so that cells are stored.  Each must give its four figures
-- or nil, msg, SNMPAPI_OTHER_ERROR, and rows of tables; a walk's iterator
-- the answer's first varbinds.
local function collector_path(bytes, d, version)
  if d.error_status ~= 0 or #d.varbinds == 0 then return end
  local arcs = {}
  for a in d.varbinds[1].oid:gmatch("%d+") do arcs[#arcs + 1] = a end
  if #arcs < 2 then return end
  local entry = table.concat(arcs, ".", 1, math.min(math.max(2, #arcs - 2), 100))
  local e = assert(s:entity(options.sink, { version = version, timeout = 60, retries = 0 }))
  for kind = 1, 4 do
    local rows = {}
    local collector
    if kind == 1 then
      collector = core._collector(entry, entry, rows, true)
    elseif kind == 4 then
      collector = core._walk_collector(entry, #bytes % 2 == 0, #bytes % 3 == 0)
    else
      collector = core._table_collector(entry, rows, kind == 3, kind == 3 and { 1, 2, 3 } or nil)
    end
    collector:ask()
    local p = assert(s:pdu("get", { "1.3.6.1.2.1.1.1.0" }, { request_id = d.request_id }))
    local id = s:send(e, nil, p)
    p:free()
    if not id then break end
    c.deliver(s, bytes)
    local r, steps
    if kind == 4 then
      -- (as a walk: its iterator asks refill() for the answer, which the
      -- collector keeps, then yields from it)
      local function refill()
        if r then return nil end
        r = table.pack(s:_response(id, collector))
        return math.type(r[1]) == "integer" and r[1] > 0 or nil
      end
      steps = {}
      local step = core._walk_steps(collector, refill)
      for _ = 1, #d.varbinds + 1 do
        local got = table.pack(step())
        if got[1] == nil then break end
        steps[#steps + 1] = got
      end
      getmetatable(collector).__close(collector)
      if collector:holds() then fail("walk kept its answer") end
    else
      r = table.pack(s:_response(id, collector))
    end
    if r[1] == false then
      assert(s:cancel(id))
    elseif r[1] == nil then
      if r[3] ~= "SNMPAPI_OTHER_ERROR" then check_failure(r[1], r[2], r[3]) end
    elseif math.type(r[1]) ~= "integer" or math.type(r[2]) ~= "integer"
      or type(r[3]) ~= "boolean" or type(r[4]) ~= "boolean" then
      fail("collector figures", r[1], r[2], r[3], r[4])
    end
    if kind == 4 then
      -- (the steps are the answer's first varbinds, the OIDs formatted from
      -- the text of the one before: the same text as the reply path's)
      for i, got in ipairs(steps) do
        local oid, typ = got[1], got[2]
        if type(oid) == "table" then oid, typ = oid.oid, oid.type end
        if oid ~= d.varbinds[i].oid or typ ~= d.varbinds[i].type then
          fail("walk step", i, oid, d.varbinds[i].oid)
        end
      end
      local msg, name, vb = collector:failure()
      if msg and (name ~= "SNMPAPI_OTHER_ERROR" or type(vb) ~= "table") then
        fail("walk failure", msg, name)
      end
    else
      for index, row in pairs(rows) do
        if type(index) ~= "string" or type(row) ~= "table" then fail("collector rows") end
      end
    end
    core.poll(0)
  end
  e:free()
end

-- The listeners: notifications (any community; v3 from the corpus users)
-- and the agent role.
for _, user in ipairs(options.v3_users) do
  assert(s:_register(options.notify_address, nil, nil, nil, user))
end
local agent_entity, bound = s:_listen("udp:127.0.0.1:0")
if not agent_entity then fail("cannot listen", bound) end
c.agent_at(bound)
options.keep = agent_entity -- (options outlives this chunk: the entity must too)

--- The receive path of notifications and requests (notify.c: RFC 3584
-- translation of v1 traps, filters, inform acknowledgement), the bytes sent
-- as real datagrams; every message queued is read with s:_incoming and its
-- PDU checked; a request is answered with its own varbinds.
local function incoming_path(bytes)
  c.inject(bytes)
  core.poll(0)
  for _ = 1, 4 do
    local r = table.pack(s:_incoming())
    if r.n == 0 then break end
    local m = r[1]
    if m == nil then check_failure(r[1], r[2], r[3]) break end
    if m.kind ~= "notification" and m.kind ~= "request" then fail("bad message kind", m.kind) end
    local d = check_pdu(m.pdu)
    say("incoming:", m.kind, d.type, #d.varbinds)
    if m.kind == "notification" and (d.type ~= "trap" and d.type ~= "inform") then
      fail("a notification of type", d.type)
    end
    if m.kind == "request" then
      local p, msg, name = s:pdu("response", d.varbinds, { request_id = d.request_id })
      if not p then fail("cannot build a response", msg, name) end
      local ok, msg2, name2 = s:send(m.src, m.context, p)
      if not ok then check_failure(ok, msg2, name2) end
      p:free()
    end
    m.src:free()
    m.context:free()
    m.pdu:free()
  end
  core.poll(0)
end

return function(bytes, version)
  local msg, err, name = s:decode(bytes)
  if not msg then
    say("decode:", err, name)
    check_failure(msg, err, name)
  else
    if math.type(msg.length) ~= "integer" or msg.length < 1 or msg.length > #bytes then
      fail("bad length", msg.length)
    end
    local _ = tostring(msg.context)
    local d = check_pdu(msg.pdu)
    msg.pdu:free()
    msg.context:free()
    if d.type == "response" and version then
      reply_path(bytes, d, version)
      collector_path(bytes, d, version)
    end
  end
  incoming_path(bytes)
end
