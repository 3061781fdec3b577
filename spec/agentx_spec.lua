--- The AgentX subagent (winsnmp.agentx, RFC 2741) against net-snmp's snmpd
-- as master agent, on a Unix socket in a temporary directory and on loopback
-- TCP: net-snmp's tools reach the Lua view through snmpd; a SET whose commit
-- fails is undone; priorities between two subagents; snmpd restarted under
-- the subagent; notifications to snmpd's trap sink; and a fake master (a
-- Unix socket in this process) sending what no master should.
local helper = require("helper")
local winsnmp = require("winsnmp")
local snmpd = require("winsnmp.snmpd")
local tools = require("support.notify_tools")

local ENT = "1.3.6.1.4.1.99999"

local function get(agent, oids)
  return tools.run(tools.cmd("snmpget", ("-v2c -c public %s %s"):format(tools.peer(agent.address),
    oids)))
end

local function wait_connected(ax, limit)
  return helper.poll_until(function() return ax:is_connected() end, limit or 5)
end

-- A view of two scalars and a column of three rows; `bad` (the second
-- scalar) refuses the value 13 when its SET is applied.
local function make_view(label)
  local current = 42
  return winsnmp.mibview({
    { ENT .. ".1.1.0", "octets", label or "hello", writable = true },
    { oid = ENT .. ".1.2.0", type = "int", writable = true,
      get = function() return current end,
      set = function(_, value)
        if value == 13 then return nil, "SNMP_ERROR_COMMITFAILED" end
        current = value
        return true
      end },
    { ENT .. ".1.3.1.1", "int", 1 },
    { ENT .. ".1.3.1.2", "int", 2 },
    { ENT .. ".1.3.1.3", "int", 3 },
  })
end

describe("AgentX subagent #integration", function()
  helper.check_no_leaks()
  local reports = helper.capture_reports()
  local agent = helper.agent({ agentx = true, agentx_tcp = true })

  it("serves get, getnext, walk, bulkwalk and set through snmpd over a Unix socket", function()
    local ax <close> = assert(winsnmp.agentx({ address = agent.agentx_address,
                                               description = "spec subagent" }))
    assert.equals(true, ax:register(ENT, make_view()))
    assert.is_true(wait_connected(ax))
    assert.equals(1, winsnmp.stats().agentx)
    local out, status = get(agent, ENT .. ".1.1.0 " .. ENT .. ".1.2.0")
    assert.equals(0, status, out)
    assert.matches('STRING: "hello"', out, 1, true)
    assert.matches("INTEGER: 42", out, 1, true)
    out = get(agent, ENT .. ".1.9.0")
    assert.matches("No Such Object", out, 1, true)
    out = tools.run(tools.cmd("snmpgetnext", ("-v2c -c public %s %s"):format(
      tools.peer(agent.address), ENT .. ".1.2.0")))
    assert.matches(ENT .. ".1.3.1.1 = INTEGER: 1", out, 1, true)
    out, status = tools.run(tools.cmd("snmpwalk", ("-v2c -c public %s %s"):format(
      tools.peer(agent.address), ENT)))
    assert.equals(0, status, out)
    local _, lines = out:gsub("\n", "")
    assert.equals(5, lines, out)
    assert.matches(ENT .. ".1.3.1.3 = INTEGER: 3", out, 1, true)
    out, status = tools.run(tools.cmd("snmpbulkwalk", ("-v2c -c public -Cr3 %s %s"):format(
      tools.peer(agent.address), ENT)))
    assert.equals(0, status, out)
    _, lines = out:gsub("\n", "")
    assert.equals(5, lines, out)
    out, status = tools.run(tools.cmd("snmpset", ("-v2c -c private %s %s s world %s i 7"):format(
      tools.peer(agent.address), ENT .. ".1.1.0", ENT .. ".1.2.0")))
    assert.equals(0, status, out)
    out = get(agent, ENT .. ".1.1.0 " .. ENT .. ".1.2.0")
    assert.matches('STRING: "world"', out, 1, true)
    assert.matches("INTEGER: 7", out, 1, true)
    -- a wrong type is refused at TestSet, by the view
    out, status = tools.run(tools.cmd("snmpset", ("-v2c -c private %s %s s text"):format(
      tools.peer(agent.address), ENT .. ".1.2.0")))
    assert.is_not.equals(0, status)
    assert.matches("wrongType", out, 1, true)
    assert.same({}, reports)
  end)

  it("undoes a SET whose commit fails in Lua, and snmpset reports the error", function()
    local ax <close> = assert(winsnmp.agentx({ address = agent.agentx_address }))
    ax:register(ENT, make_view())
    assert.is_true(wait_connected(ax))
    local out, status = tools.run(tools.cmd("snmpset", ("-v2c -c private %s %s s changed %s i 13")
      :format(tools.peer(agent.address), ENT .. ".1.1.0", ENT .. ".1.2.0")))
    assert.is_not.equals(0, status)
    assert.matches("commitFailed", out, 1, true)
    out = get(agent, ENT .. ".1.1.0 " .. ENT .. ".1.2.0")
    assert.matches('STRING: "hello"', out, 1, true) -- the first varbind was undone
    assert.matches("INTEGER: 42", out, 1, true)
  end)

  it("serves a table with RowStatus: snmptable reads it, snmpset creates and destroys rows", function()
    local conf_entry = "1.3.6.1.4.1.99999.42.5.1" -- wtConfEntry (spec/mibs/WINSNMP-TEST-MIB.txt)
    local view = winsnmp.mibview({})
    local tbl = view:table(conf_entry, { index = { "octets" }, columns = {
      [2] = { type = "int", access = "rc", range = { 0, 65535 } }, [3] = { rowstatus = true } } })
    tbl:add({ "mtu" }, { [2] = 1500 })
    local ax <close> = assert(winsnmp.agentx({ address = agent.agentx_address }))
    ax:register("1.3.6.1.4.1.99999.42.5", view)
    assert.is_true(wait_connected(ax))
    assert.is_true(helper.poll_until(function()
      return get(agent, conf_entry .. ".2.3.109.116.117"):find("1500", 1, true) ~= nil end, 5))
    local ttl = "3.116.116.108" -- "ttl", length-prefixed
    local out, status = tools.run(tools.cmd("snmpset", ("-v2c -c private %s %s.2.%s i 64 %s.3.%s i 4")
      :format(tools.peer(agent.address), conf_entry, ttl, conf_entry, ttl)))
    assert.equals(0, status, out)
    assert.same({ [2] = 64, [3] = 1 }, tbl:row({ "ttl" }))
    out, status = tools.run(("snmptable -M spec/mibs -m WINSNMP-TEST-MIB -v2c -c public -t 2 -r 1 "
      .. "-Cf , -Ci %s WINSNMP-TEST-MIB::wtConfTable"):format(tools.peer(agent.address)))
    assert.equals(0, status, out)
    assert.matches('"mtu",1500,active', out, 1, true)
    assert.matches('"ttl",64,active', out, 1, true)
    -- createAndGo without the required value: the view's RowStatus check, at TestSet
    out = tools.run(tools.cmd("snmpset", ("-v2c -c private %s %s.3.3.120.120.120 i 4")
      :format(tools.peer(agent.address), conf_entry)))
    assert.matches("inconsistentValue", out, 1, true)
    out, status = tools.run(tools.cmd("snmpset", ("-v2c -c private %s %s.3.%s i 6")
      :format(tools.peer(agent.address), conf_entry, ttl)))
    assert.equals(0, status, out)
    assert.is_nil(tbl:row({ "ttl" }))
  end)

  it("allocates and releases shared table index values at the master", function()
    local one <close> = assert(winsnmp.agentx({ address = agent.agentx_address }))
    local two <close> = assert(winsnmp.agentx({ address = agent.agentx_address }))
    assert.is_true(wait_connected(one) and wait_connected(two))
    local index_oid = ENT .. ".9.1.1" -- an index object several subagents share
    local got = assert(one:allocate_index({ oid = index_oid, type = "int", value = 5 }))
    assert.same({ index_oid, "int", 5 }, { got.oid, got.type, got.value })
    -- taken: the other subagent cannot have it (RFC 2741 says
    -- indexAlreadyAllocated; snmpd answers indexNoneAvailable), but may have
    -- any other
    local taken, msg, name = two:allocate_index({ oid = index_oid, type = "int", value = 5 })
    assert.is_nil(taken)
    assert.matches("refused the index", msg)
    assert.truthy(name == "SNMP_ERROR_INCONSISTENTVALUE" or name == "SNMP_ERROR_RESOURCEUNAVAILABLE",
      name)
    local any = assert(two:allocate_index({ oid = index_oid, type = "int", value = 0 }, { any = true }))
    assert.is_true(any.value ~= 5, tostring(any.value))
    -- in a task it yields while the master answers
    local in_task
    winsnmp.spawn(function()
      in_task = { one:allocate_index({ oid = index_oid, type = "int", value = 0 }, { new = true }) }
    end)
    assert(winsnmp.run(10))
    assert.is_table(in_task[1], tostring(in_task[2]))
    assert.is_true(one:deallocate_index(got))
    helper.fails_with("SNMP_ERROR_INCONSISTENTNAME", one:deallocate_index(got))
    assert.is_true(two:deallocate_index(any))
    assert.is_true(one:deallocate_index(in_task[1]))
  end)

  it("serves a plain handler function, over loopback TCP", function()
    local seen = {}
    local ax <close> = assert(winsnmp.agentx({ address = agent.agentx_tcp_address }))
    ax:register(ENT .. ".5", function(req)
      seen[#seen + 1] = req.type
      local out = {}
      for i, vb in ipairs(req.varbinds) do
        if req.type == "get" and vb.oid == ENT .. ".5.1.0" then
          out[i] = { oid = vb.oid, type = "int", value = 5 }
        elseif req.type == "getnext" and winsnmp.oid_compare(vb.oid, ENT .. ".5.1.0") < 0 then
          out[i] = { oid = ENT .. ".5.1.0", type = "int", value = 5 }
        elseif req.type == "set" then
          out[i] = vb
        else
          out[i] = { oid = vb.oid, type = req.type == "get" and "nosuchobject" or "endofmibview" }
        end
      end
      return out
    end)
    assert.is_true(wait_connected(ax))
    local out = get(agent, ENT .. ".5.1.0")
    assert.matches("INTEGER: 5", out, 1, true)
    out = tools.run(tools.cmd("snmpwalk", ("-v2c -c public %s %s"):format(
      tools.peer(agent.address), ENT .. ".5")))
    assert.matches(ENT .. ".5.1.0 = INTEGER: 5", out, 1, true)
    local status
    out, status = tools.run(tools.cmd("snmpset", ("-v2c -c private %s %s i 9"):format(
      tools.peer(agent.address), ENT .. ".5.1.0")))
    assert.equals(0, status, out)
    assert.is_truthy(table.concat(seen, " "):find("set", 1, true))
  end)

  it("lets the subagent with the better priority answer, the other when it leaves", function()
    local first = assert(winsnmp.agentx({ address = agent.agentx_address }))
    local second <close> = assert(winsnmp.agentx({ address = agent.agentx_address }))
    second:register(ENT, make_view("second"), { priority = 100 })
    first:register(ENT, make_view("first"), { priority = 50 })
    assert.is_true(wait_connected(first) and wait_connected(second))
    helper.poll_until(function() return false end, 0.3) -- both registrations answered
    local out = get(agent, ENT .. ".1.1.0")
    assert.matches('STRING: "first"', out, 1, true)
    assert.equals(true, first:close())
    assert.equals(true, first:close()) -- idempotent
    assert.is_false(first:is_connected())
    out = get(agent, ENT .. ".1.1.0")
    assert.matches('STRING: "second"', out, 1, true)
  end)

  it("sends notifications to snmpd's trap sink", function()
    local trapd = tools.start_trapd()
    local master = assert(snmpd.start({ agentx = true,
      extra = ("trap2sink 127.0.0.1:%d public"):format(trapd.port) }))
    local ax <close> = assert(winsnmp.agentx({ address = master.agentx_address }))
    assert.is_true(wait_connected(ax))
    assert.equals(true, ax:notify(ENT .. ".0.7", {
      { oid = ENT .. ".1.1.0", type = "octets", value = "agentx-notify-marker" } }))
    local log = trapd:wait_for({ "agentx-notify-marker" }, 5)
    master:stop()
    trapd:stop()
    assert.matches("agentx-notify-marker", log, 1, true)
    assert.matches("99999.0.7", log, 1, true)
  end)
end)

describe("AgentX subagent and a master that restarts #integration", function()
  helper.check_no_leaks()
  helper.capture_reports()

  it("is back within a few seconds with its objects, without any call", function()
    local dir = os.tmpname()
    os.remove(dir)
    assert(os.execute("mkdir -p " .. snmpd.shell_quote(dir)))
    local socket_path = dir .. "/master.sock"
    local master = assert(snmpd.start({ agentx = true, agentx_socket = socket_path }))
    local ax <close> = assert(winsnmp.agentx({ address = "unix:" .. socket_path }))
    ax:register(ENT, make_view("survivor"))
    assert.is_true(wait_connected(ax))
    assert.matches("survivor", get(master, ENT .. ".1.1.0"), 1, true)
    master:stop()
    assert.is_true(helper.poll_until(function() return not ax:is_connected() end, 3))
    assert.is_nil(ax:notify(ENT .. ".0.1", {}))
    -- (same socket; a fresh UDP port: the old one may linger a moment after the stop)
    master = assert(snmpd.start({ agentx = true, agentx_socket = socket_path }))
    local started = winsnmp.now()
    local back = helper.poll_until(function() return ax:is_connected() end, 6)
    local out = back and get(master, ENT .. ".1.1.0") or ""
    local took = winsnmp.now() - started
    master:stop()
    os.execute("rm -rf " .. snmpd.shell_quote(dir))
    assert.is_true(back, "reconnected")
    assert.matches("survivor", out, 1, true)
    assert.is_true(took < 5, ("took %.1f s"):format(took))
  end)
end)

describe("AgentX subagent and a hostile master", function()
  helper.check_no_leaks()
  local reports = helper.capture_reports()
  local unix = require("socket.unix")

  -- A fake master on a Unix socket: accepts, reads the Open, then sends
  -- `bytes` and reads what comes back until the subagent closes.
  local function serve(bytes, close_after)
    local dir = os.tmpname()
    os.remove(dir)
    assert(os.execute("mkdir -p " .. snmpd.shell_quote(dir)))
    local path = dir .. "/master.sock"
    local server = assert(unix.stream())
    assert(server:bind(path))
    assert(server:listen(4))
    server:settimeout(0)
    local ax = assert(winsnmp.agentx({ address = "unix:" .. path, timeout = 2 }))
    local conn
    helper.poll_until(function() conn = conn or server:accept() return conn ~= nil end, 3)
    assert.is_not_nil(conn, "the subagent connects")
    conn:settimeout(0)
    local received = ""
    local function read_some()
      local data, err, partial = conn:receive(4096)
      received = received .. (data or partial or "")
      return err
    end
    -- the Open PDU
    helper.poll_until(function() read_some() return #received >= 20 end, 3)
    assert.equals(1, received:byte(1))
    assert.equals(1, received:byte(2)) -- Open
    assert(conn:send(bytes))
    if close_after then conn:close() end
    local closed = close_after or helper.poll_until(function() return read_some() == "closed" end, 3)
    if not close_after then conn:close() end
    -- and it comes back
    local again
    helper.poll_until(function() again = again or server:accept() return again ~= nil end, 4)
    local state = ax.session:_agentx_state()
    if again then again:close() end
    ax:close()
    server:close()
    os.execute("rm -rf " .. snmpd.shell_quote(dir))
    return received, closed, again ~= nil, state
  end

  -- The PDUs after the Open, as {type=, reason=}.
  local function pdus_after_open(bytes)
    local out, at = {}, 1
    while at + 19 <= #bytes do
      local big = bytes:byte(at + 2) & 0x10 ~= 0
      local len = string.unpack(big and ">I4" or "<I4", bytes, at + 16)
      out[#out + 1] = { type = bytes:byte(at + 1), reason = bytes:byte(at + 20) }
      at = at + 20 + len
    end
    table.remove(out, 1)
    return out
  end

  local function header(type, payload_len, big)
    return string.pack(big and ">BBBBI4I4I4I4" or "<BBBBI4I4I4I4", 1, type, big and 0x10 or 0, 0,
      1, 0, 1, payload_len)
  end

  local cases = {
    { "garbage", ("\0\255not agentx at all\0"):rep(4) },
    { "another version", "\2" .. header(18, 0):sub(2) },
    { "a huge length", header(18, 0x7FFFFFF0, true) },
    { "a length that is no multiple of 4", header(18, 6) .. "123456" },
    { "an unknown PDU type", header(99, 0) },
    { "a truncated varbind", header(12, 8, true) .. "\0\4\0\0\5\0\0\0" },
    { "an OID of 200 sub-identifiers", header(12, 8) .. "\6\0\0\0\200\0\0\0" },
  }
  for _, case in ipairs(cases) do
    it("answers " .. case[1] .. " with Close(parseError) and reconnects", function()
      local received, closed, again, state = serve(case[2])
      assert.is_true(closed, "the subagent closed the connection")
      local after = pdus_after_open(received)
      assert.equals(2, after[1] and after[1].type, "a Close PDU")
      assert.equals(2, after[1] and after[1].reason, "reasonParseError")
      assert.is_true(again, "a new connection")
      assert.is_true(state.parse_errors >= 1)
      assert.same({}, reports)
    end)
  end

  it("reconnects after a truncated PDU and the master's disconnect", function()
    local _, _, again = serve(header(18, 100, true) .. "short", true)
    assert.is_true(again)
  end)

  it("reconnects to a master that answers the Open but never a Ping", function()
    local dir = os.tmpname()
    os.remove(dir)
    assert(os.execute("mkdir -p " .. snmpd.shell_quote(dir)))
    local path = dir .. "/master.sock"
    local server = assert(unix.stream())
    assert(server:bind(path))
    assert(server:listen(4))
    server:settimeout(0)
    local ax = assert(winsnmp.agentx({ address = "unix:" .. path, timeout = 1, ping = 0.2 }))
    local conn
    helper.poll_until(function() conn = conn or server:accept() return conn ~= nil end, 3)
    conn:settimeout(0)
    local received = ""
    helper.poll_until(function()
      local data, _, partial = conn:receive(4096)
      received = received .. (data or partial or "")
      return #received >= 20
    end, 3)
    -- answer the Open (a Response with sysUpTime 0, no error, session id 7)
    local packet_id = string.unpack(received:byte(3) & 0x10 ~= 0 and ">I4" or "<I4", received, 13)
    assert(conn:send(string.pack(">BBBBI4I4I4I4I4I2I2", 1, 18, 0x10, 0, 7, 0, packet_id, 8, 0, 0, 0)))
    assert.is_true(helper.poll_until(function() return ax:is_connected() and ax.open end, 3))
    -- then stay silent: the subagent pings, gets nothing, and comes back
    local again
    helper.poll_until(function()
      local data, _, partial = conn:receive(4096)
      received = received .. (data or partial or "")
      again = again or server:accept()
      return again ~= nil
    end, 5)
    assert.is_not_nil(again, "a new connection after the unanswered Ping")
    assert.truthy(received:find("\1\13", 21, true), "a Ping PDU was sent")
    again:close()
    conn:close()
    ax:close()
    server:close()
    os.execute("rm -rf " .. snmpd.shell_quote(dir))
  end)

  it("answers a Get before the session is open with notOpen", function()
    local get_pdu = header(5, 12, true) .. string.pack(">BBBBI4", 1, 4, 0, 0, 99999) .. "\0\0\0\0"
    local received = serve(get_pdu)
    local after = pdus_after_open(received)
    assert.equals(18, after[1] and after[1].type)
  end)
end)

describe("winsnmp.agentx arguments and lifetime", function()
  helper.check_no_leaks()

  it("refuses a malformed address with nil, message, NAME", function()
    helper.fails_with("SNMPAPI_ENTITY_INVALID", winsnmp.agentx({ address = "udp:1.2.3.4:705" }))
    helper.fails_with("SNMPAPI_ENTITY_INVALID", winsnmp.agentx({ address = "tcp:127.0.0.1:0" }))
    assert.equals(0, winsnmp.stats().sessions)
  end)

  it("raises on misuse", function()
    assert.has_error(function() winsnmp.agentx(5) end)
    assert.has_error(function() winsnmp.agentx({ timeout = 0 }) end)
    local ax = assert(winsnmp.agentx({ address = "unix:/nonexistent/agentx" }))
    assert.has_error(function() ax:register(5, function() end) end)
    assert.has_error(function() ax:register("1.3.6", {}) end)
    assert.has_error(function() ax:register("1.3.6", function() end, { priority = 0 }) end)
    assert.matches("connecting", tostring(ax))
    ax:close()
    assert.equals("winsnmp.agentx (closed)", tostring(ax))
    assert.has_error(function() ax:register("1.3.6", function() end) end)
  end)

  it("keeps trying while no master listens, and frees everything on close or collection", function()
    local ax = assert(winsnmp.agentx({ address = "unix:/nonexistent/agentx" }))
    ax:register(ENT, function() return {} end)
    helper.poll_until(function() return false end, 0.4)
    assert.is_false(ax:is_connected())
    local state = ax.session:_agentx_state()
    assert.is_true(state.reconnect_ms > 100, "backing off")
    helper.fails_with("SNMPAPI_TL_NOT_AVAILABLE", ax:notify(ENT .. ".0.1", {}))
    assert.equals(1, winsnmp.stats().agentx)
    ax = nil -- luacheck: ignore
    helper.full_gc()
    assert.equals(0, winsnmp.stats().agentx)
    assert.equals(0, winsnmp.stats().sessions)
    do
      local scoped <close> = assert(winsnmp.agentx({ address = "unix:/nonexistent/agentx" }))
      assert.equals(1, winsnmp.stats().agentx)
      assert.is_false(scoped:is_connected())
    end
    assert.equals(0, winsnmp.stats().agentx)
  end)
end)
