--- The agent role: s:listen with winsnmp.mibview data, queried by net-snmp's
-- snmpget / snmpgetnext / snmpwalk / snmpbulkwalk / snmpbulkget / snmpset and
-- by our own sessions, and the faults a listener must survive.  The agent
-- only answers while winsnmp.poll runs, so the tools run in the background
-- while the specs poll.
local helper = require("helper")
local tools = require("support.notify_tools")
local winsnmp = require("winsnmp")
local snmpd = require("winsnmp.snmpd")

local BASE = "1.3.6.1.4.1.99.1"
local function oid(n) return BASE .. "." .. n .. ".0" end

--- The served data; entries 20.. are writable (the set specs change them).
local function data()
  return {
    { oid(1), "octets", "plain text" },
    { oid(2), "octets", "\0\1\2\255" },
    { oid(3), "cntr64", 1234567890123 },
    { oid(4), "int", -5 },
    { oid(5), "ipaddr", "10.1.2.3" },
    { oid(6), "oid", "1.3.6.1.4.1.99" },
    { oid(7), "timeticks", 4711 },
    { oid(8), "gauge32", 4000000000 },
    { oid(9), "cntr32", 77 },
    { oid(10), "octets", "" },
    { oid(11), "cntr64", -1 }, -- 2^64 - 1
    { oid = oid(20), type = "octets", value = "rw", writable = true },
    { oid = oid(21), type = "int", value = 21, writable = true },
    { oid = oid(22), type = "gauge32", value = 22, writable = true },
  }
end

--- The right-hand side net-snmp prints for an entry (a Lua pattern).
local function expected_rhs(e)
  local typ, value = e.type or e[2], e.value
  if value == nil then value = e[3] end
  local function lit(s) return (s:gsub("[%^%$%(%)%%%.%[%]%*%+%-%?]", "%%%0")) end
  if typ == "octets" then
    if value == "" then return '^""$' end
    if value:find("[^\32-\126]") then
      return "^Hex%-STRING: " .. lit(value:gsub(".", function(c)
        return ("%02X "):format(c:byte())
      end)) .. "$"
    end
    return '^STRING: "' .. lit(value) .. '"$'
  end
  if typ == "int" then return "^INTEGER: " .. lit(tostring(value)) .. "$" end
  if typ == "gauge32" then return "^Gauge32: " .. value .. "$" end
  if typ == "cntr32" then return "^Counter32: " .. value .. "$" end
  if typ == "cntr64" then
    return "^Counter64: " .. (type(value) == "string" and value or winsnmp.u64(value)) .. "$"
  end
  if typ == "timeticks" then return "^Timeticks: %(" .. value .. "%)" end
  if typ == "ipaddr" then return "^IpAddress: " .. lit(value) .. "$" end
  if typ == "oid" then return "^OID: %." .. lit(value) .. "$" end
  error("no expectation for type " .. tostring(typ))
end

--- Parses "OID = RHS" lines (continuation lines joined) into {oid=, rhs=}.
local function parse(text)
  local out, current = {}, nil
  for line in text:gmatch("[^\n]*") do
    local o, rhs = line:match("^%.?([%d%.]+) = (.*)$")
    if o then
      current = { oid = o, rhs = rhs }
      out[#out + 1] = current
    elseif current and line ~= "" and not line:find("^End of MIB") then
      current.rhs = current.rhs .. "\n" .. line
    end
  end
  return out
end

--- Asserts that the tool's lines show `entries` in order (and nothing else
-- before `extra` lines).
local function assert_shows(entries, lines, text)
  for i, e in ipairs(entries) do
    local line = lines[i]
    assert.is_table(line, ("line %d missing in:\n%s"):format(i, text))
    assert.equals(e.oid or e[1], line.oid, text)
    if not line.rhs:match(expected_rhs(e)) then
      error(("line %d: %q does not match %q in:\n%s"):format(i, line.rhs, expected_rhs(e), text), 2)
    end
  end
end

local function sorted(entries, skip_type)
  local out = {}
  for _, e in ipairs(entries) do
    if (e.type or e[2]) ~= skip_type then out[#out + 1] = e end
  end
  table.sort(out, function(a, b) return winsnmp.oid_compare(a.oid or a[1], b.oid or b[1]) < 0 end)
  return out
end

-- busted keeps one `finally` per test: defer(fn) collects any number of
-- clean-ups, run in reverse order after each test.
local cleanups = {}
local function defer(fn) cleanups[#cleanups + 1] = fn end

local function setup_session()
  local s = assert(winsnmp.session())
  defer(function() s:close() end)
  return s
end

--- A listener on a free loopback port with `handler`, on a new session.
local function listener_with(handler, s, opts)
  s = s or setup_session()
  local l, msg, name = s:listen("udp:127.0.0.1:0", handler, opts)
  assert(l, tostring(msg) .. " " .. tostring(name))
  defer(function() l:close() end)
  return l, s
end

local function tool(name, version, address, args, community)
  return tools.cmd(name, ("-v%s -c %s %s %s"):format(version, community or "public",
    tools.peer(address), args))
end

describe("agent role #integration", function()
  helper.check_no_leaks()

  local reports = helper.capture_reports()
  after_each(function()
    while #cleanups > 0 do table.remove(cleanups)() end
    assert.equals(0, winsnmp.stats().pending)
  end)

  describe("a mibview listener #integration", function()
    local s, view, listener, address
    setup(function()
      s = assert(winsnmp.session())
      view = winsnmp.mibview(data())
      -- public reads; private (read-write) is what the snmpset specs use
      listener = assert(s:listen("udp:127.0.0.1:0", view.handler,
        { communities = { public = "ro", private = "rw" } }))
      address = listener.address
    end)
    teardown(function()
      listener:close()
      s:close()
    end)

    it("is bound on a real port and says so", function()
      assert.matches("^udp:127%.0%.0%.1:%d+$", address)
      assert.is_nil(address:match(":0$"))
      assert.matches("winsnmp.listener", tostring(listener))
    end)

    it("answers snmpget with the data (octets as text or Hex-STRING, Counter64)", function()
      local d = data()
      local out, status = tools.run(tool("snmpget", "2c", address,
        ("%s %s %s %s %s %s %s %s %s %s"):format(oid(1), oid(2), oid(3), oid(4), oid(5), oid(6),
          oid(7), oid(8), oid(9), oid(11))))
      assert.equals(0, status, out)
      local lines = parse(out)
      assert.equals(10, #lines, out)
      assert_shows({ d[1], d[2], d[3], d[4], d[5], d[6], d[7], d[8], d[9], d[11] }, lines, out)
      assert.matches("^Hex%-STRING: 00 01 02 FF", lines[2].rhs)
      assert.equals("Counter64: 18446744073709551615", lines[10].rhs)
    end)

    it("answers snmpget of a missing object with noSuchObject (v2c), noSuchName (v1)", function()
      local out, status = tools.run(tool("snmpget", "2c", address, oid(1) .. " " .. oid(99)))
      assert.equals(0, status, out)
      local lines = parse(out)
      assert.equals(2, #lines, out)
      assert.matches("^No Such Object", lines[2].rhs)
      out, status = tools.run(tool("snmpget", "1", address, oid(1) .. " " .. oid(99)))
      assert.is_not.equals(0, status)
      assert.matches("noSuchName", out)
      assert.matches("Failed object: %.1%.3%.6%.1%.4%.1%.99%.1%.99%.0", out)
    end)

    it("hides Counter64 objects from a v1 manager", function()
      local out, status = tools.run(tool("snmpget", "1", address, oid(3)))
      assert.is_not.equals(0, status)
      assert.matches("noSuchName", out)
      out, status = tools.run(tool("snmpgetnext", "1", address, oid(2)))
      assert.equals(0, status, out)
      assert_shows({ data()[4] }, parse(out), out) -- skips oid(3)
    end)

    it("answers snmpgetnext in lexicographic order, endOfMibView after the last", function()
      local d = data()
      local out, status = tools.run(tool("snmpgetnext", "2c", address,
        ("1.3.6 %s %s %s"):format(oid(1), oid(9), oid(22))))
      assert.equals(0, status, out)
      local lines = parse(out)
      assert.equals(4, #lines, out)
      assert_shows({ d[1], d[2], d[10] }, lines, out) -- 1.3.6.1.4.1.99.1.9.0 < .10.0
      assert.equals(oid(22), lines[4].oid)
      assert.matches("^No more variables left in this MIB View", lines[4].rhs)
    end)

    it("walks with snmpwalk -v2c: the data in order, then endOfMibView", function()
      local out, status = tools.run(tool("snmpwalk", "2c", address, "1.3.6.1.4.1.99"))
      assert.equals(0, status, out)
      local lines = parse(out)
      local want = sorted(data())
      assert.equals(#want + 1, #lines, out)
      assert_shows(want, lines, out)
      assert.matches("^No more variables left in this MIB View", lines[#lines].rhs)
    end)

    it("walks with snmpwalk -v1: the data without Counter64, then End of MIB", function()
      local out, status = tools.run(tool("snmpwalk", "1", address, "1.3.6.1.4.1.99"))
      assert.equals(0, status, out)
      local lines = parse(out)
      local want = sorted(data(), "cntr64")
      assert.equals(#want, #lines, out)
      assert_shows(want, lines, out)
      assert.matches("End of MIB", out)
    end)

    it("walks with snmpbulkwalk (GETBULK)", function()
      local out, status = tools.run(tool("snmpbulkwalk", "2c", address, "-Cr3 1.3.6.1.4.1.99"))
      assert.equals(0, status, out)
      local lines = parse(out)
      local want = sorted(data())
      assert.equals(#want + 1, #lines, out)
      assert_shows(want, lines, out)
    end)

    it("answers snmpbulkget with non-repeaters and repetitions", function()
      local d = data()
      local out, status = tools.run(tool("snmpbulkget", "2c", address,
        ("-Cn1 -Cr3 %s %s"):format(oid(1), oid(8))))
      assert.equals(0, status, out)
      local lines = parse(out)
      assert.equals(4, #lines, out)
      assert_shows({ d[2], d[9], d[10], d[11] }, lines, out)
    end)

    it("snmpset of a writable entry changes view:value", function()
      local out, status = tools.run(tool("snmpset", "2c", address,
        ("%s s 'new value' %s i 4242"):format(oid(20), oid(21)), "private"))
      assert.equals(0, status, out)
      assert.equals("new value", view:value(oid(20)))
      assert.equals(4242, view:value(oid(21)))
      out = tools.run(tool("snmpget", "2c", address, oid(20)))
      assert.matches('STRING: "new value"', out)
      out, status = tools.run(tool("snmpset", "1", address, oid(22) .. " u 99", "private"))
      assert.equals(0, status, out)
      assert.equals(99, view:value(oid(22)))
    end)

    it("snmpset of a read-only entry fails with notWritable (v1: noSuchName)", function()
      local out, status = tools.run(tool("snmpset", "2c", address, oid(1) .. " s changed",
        "private"))
      assert.is_not.equals(0, status)
      assert.matches("notWritable", out)
      assert.equals("plain text", view:value(oid(1)))
      out, status = tools.run(tool("snmpset", "1", address, oid(1) .. " s changed", "private"))
      assert.is_not.equals(0, status)
      assert.matches("noSuchName", out)
      assert.equals("plain text", view:value(oid(1)))
    end)

    it("snmpset with the wrong type fails with wrongType (v1: badValue)", function()
      local before = view:value(oid(21))
      local out, status = tools.run(tool("snmpset", "2c", address, oid(21) .. " s text", "private"))
      assert.is_not.equals(0, status)
      assert.matches("wrongType", out)
      out, status = tools.run(tool("snmpset", "1", address, oid(21) .. " s text", "private"))
      assert.is_not.equals(0, status)
      assert.matches("badValue", out)
      assert.equals(before, view:value(oid(21)))
    end)

    it("snmpset of a missing object fails with noCreation and changes nothing", function()
      local before = view:value(oid(20))
      local out, status = tools.run(tool("snmpset", "2c", address,
        ("%s s partial %s i 1"):format(oid(20), oid(98)), "private"))
      assert.is_not.equals(0, status)
      assert.matches("noCreation", out)
      assert.matches("Failed object: %.1%.3%.6%.1%.4%.1%.99%.1%.98%.0", out)
      assert.equals(before, view:value(oid(20))) -- checked before anything changed
      assert.is_nil(view:value(oid(98)))
    end)

    it("serves our own sessions from tasks (get, getnext, getbulk, walk v2c and v1)", function()
      local m = setup_session()
      local e2 = assert(m:entity(address, { timeout = 1, retries = 1 }))
      local e1 = assert(m:entity(address, { version = "1", timeout = 1, retries = 1 }))
      local r = {}
      winsnmp.spawn(function() r.get = { m:get(e2, { oid(1), oid(2), oid(3), oid(99) }) } end)
      winsnmp.spawn(function() r.next = { m:getnext(e2, { oid(22) }) } end)
      winsnmp.spawn(function() r.bulk = { m:getbulk(e2, { oid(1), oid(3) }, 1, 2) } end)
      winsnmp.spawn(function() r.walk2 = { m:walk(e2, "1.3.6.1.4.1.99") } end)
      winsnmp.spawn(function() r.walk1 = { m:walk(e1, "1.3.6.1.4.1.99") } end)
      winsnmp.spawn(function() r.get1 = { m:get(e1, { oid(3) }) } end)
      winsnmp.run(10)
      assert.same({
        { oid = oid(1), type = "octets", value = "plain text" },
        { oid = oid(2), type = "octets", value = "\0\1\2\255" },
        { oid = oid(3), type = "cntr64", value = 1234567890123 },
        { oid = oid(99), type = "nosuchobject" },
      }, r.get[1])
      assert.same({ { oid = oid(22), type = "endofmibview" } }, r.next[1])
      assert.same({
        { oid = oid(2), type = "octets", value = "\0\1\2\255" },
        { oid = oid(4), type = "int", value = -5 },
        { oid = oid(5), type = "ipaddr", value = "10.1.2.3" },
      }, r.bulk[1])
      local function as_varbinds(list)
        local out = {}
        for i, e in ipairs(list) do
          out[i] = { oid = e.oid or e[1], type = e.type or e[2], value = view:value(e.oid or e[1]) }
        end
        return out
      end
      assert.same(as_varbinds(sorted(data())), r.walk2[1])
      assert.same(as_varbinds(sorted(data(), "cntr64")), r.walk1[1])
      assert.is_nil(r.get1[1])
      assert.equals("SNMP_ERROR_NOSUCHNAME", r.get1[3])
      assert.equals(1, r.get1[4])
    end)

    it("passes the request's type, source, community and version to the handler", function()
      local seen = {}
      local l = listener_with(function(req)
        seen[#seen + 1] = req
        return view:answer(req)
      end, nil, { communities = { public = "ro", someCommunity = "ro" } })
      local out, status = tools.run(tool("snmpget", "2c", l.address, oid(1), "someCommunity"))
      assert.equals(0, status, out)
      out, status = tools.run(tool("snmpbulkget", "2c", l.address, "-Cn1 -Cr5 " .. oid(1) .. " "
        .. oid(2)))
      assert.equals(0, status, out)
      out, status = tools.run(tool("snmpgetnext", "1", l.address, oid(1)))
      assert.equals(0, status, out)
      assert.equals(3, #seen)
      assert.equals("get", seen[1].type)
      assert.equals("someCommunity", seen[1].community)
      assert.equals("2c", seen[1].version)
      assert.matches("^udp:127%.0%.0%.1:%d+$", seen[1].source)
      assert.is_number(seen[1].request_id)
      assert.same({ { oid = oid(1), type = "null" } }, seen[1].varbinds)
      assert.equals("getbulk", seen[2].type)
      assert.equals(1, seen[2].non_repeaters)
      assert.equals(5, seen[2].max_repetitions)
      assert.equals("getnext", seen[3].type)
      assert.equals("1", seen[3].version)
    end)

    it("answers a manager in the listener's own session", function()
      local e = assert(s:entity(address, { timeout = 0.5, retries = 1 }))
      defer(function()
        -- on failure, let a request left behind time out before the next test
        helper.poll_until(function() return winsnmp.stats().pending == 0 end, 3)
        e:free()
      end)
      local list, msg, name = s:get(e, { oid(1) })
      assert.is_table(list, tostring(msg) .. " " .. tostring(name))
      assert.same({ { oid = oid(1), type = "octets", value = "plain text" } }, list)
      local result
      winsnmp.spawn(function() result = { s:get(e, { oid(4) }) } end)
      winsnmp.run(3)
      assert.is_table(result[1], tostring(result[2]) .. " " .. tostring(result[3]))
      assert.same({ { oid = oid(4), type = "int", value = -5 } }, result[1])
    end)
  end)

  describe("listener faults #integration", function()
    local function gen_err(handler)
      local l = listener_with(handler)
      local out, status = tools.run(tool("snmpget", "2c", l.address, oid(1)))
      assert.is_not.equals(0, status, out)
      return out
    end

    it("a handler that returns a number gets genErr and a report", function()
      local out = gen_err(function() return 42 end)
      assert.matches("genError", out)
      assert.equals(1, #reports)
      assert.matches("listener handler returned neither varbinds", reports[1])
    end)

    it("a handler that returns a table of garbage gets genErr", function()
      local out = gen_err(function() return { { "not an oid", "no such type" }, 5, "x" } end)
      assert.matches("genError", out)
      assert.equals(1, #reports)
    end)

    it("a handler that returns an unknown error name gets genErr", function()
      local out = gen_err(function() return nil, "SNMP_ERROR_NO_SUCH_THING", 1 end)
      assert.matches("genError", out)
    end)

    it("a handler that raises gets genErr and the error is reported", function()
      local out = gen_err(function() error("listener exploded") end)
      assert.matches("genError", out)
      assert.equals(1, #reports)
      assert.matches("listener exploded", reports[1])
    end)

    it("a handler's SNMP_ERROR_ name and index reach the manager", function()
      local l = listener_with(function() return nil, "SNMP_ERROR_NOACCESS", 2 end)
      local out, status = tools.run(tool("snmpget", "2c", l.address, oid(1) .. " " .. oid(2)))
      assert.is_not.equals(0, status)
      assert.matches("noAccess", out)
      assert.matches("Failed object: %.1%.3%.6%.1%.4%.1%.99%.1%.2%.0", out)
      assert.same({}, reports)
    end)

    it("a Counter64 answer to a v1 manager becomes genErr", function()
      local l = listener_with(function(req)
        return { { oid = req.varbinds[1].oid, type = "cntr64", value = 5 } }
      end)
      local out, status = tools.run(tool("snmpget", "1", l.address, oid(1)))
      assert.is_not.equals(0, status)
      assert.matches("genErr", out)
      assert.equals(1, #reports)
    end)

    it("the listener keeps answering after faults and malformed datagrams", function()
      local calls = 0
      local l = listener_with(function(req)
        calls = calls + 1
        if calls == 1 then error("first call fails") end
        return { { oid = req.varbinds[1].oid, type = "int", value = calls } }
      end)
      local port = tonumber(l.address:match(":(%d+)$"))
      local sender = tools.sender()
      defer(function() sender:close() end)
      local before = winsnmp.stats().dropped
      sender:send("not SNMP at all", port)
      sender:send("\48\3\2\1", port)
      sender:run()
      sender:poll_until(function() return winsnmp.stats().dropped >= before + 2 end, 2)
      assert.equals(before + 2, winsnmp.stats().dropped)
      local out = tools.run(tool("snmpget", "2c", l.address, oid(1)))
      assert.matches("genError", out)
      out = tools.run(tool("snmpget", "2c", l.address, oid(1)))
      assert.matches("INTEGER: 2", out)
    end)

    it("s:listen on a port in use fails with SNMPAPI_TL_IN_USE", function()
      local s = setup_session()
      local port = assert(snmpd.free_ports(1))[1]
      local busy = tools.occupy(port)
      defer(function() busy:close() end)
      local before = winsnmp.stats().entities
      local ok, msg, name = s:listen("udp:127.0.0.1:" .. port, function() end)
      assert.is_nil(ok)
      assert.is_string(msg)
      assert.equals("SNMPAPI_TL_IN_USE", name)
      assert.equals(before, winsnmp.stats().entities)
    end)

    it("a second listener on the same address fails with SNMPAPI_TL_IN_USE", function()
      local l, s = listener_with(function() return {} end)
      local ok, msg, name = s:listen(l.address, function() end)
      assert.is_nil(ok)
      assert.is_string(msg)
      assert.equals("SNMPAPI_TL_IN_USE", name)
      local other = setup_session()
      local _
      ok, _, name = other:listen(l.address, function() end)
      assert.is_nil(ok)
      assert.equals("SNMPAPI_TL_IN_USE", name)
    end)

    it("Listener:close() releases the port", function()
      local s = setup_session()
      local entities = winsnmp.stats().entities
      local l = assert(s:listen("udp:127.0.0.1:0", function() return {} end))
      local port = tonumber(l.address:match(":(%d+)$"))
      assert.is_true(l:close())
      assert.is_true(l:close())
      assert.matches("closed", tostring(l))
      assert.equals(entities, winsnmp.stats().entities)
      local busy = tools.occupy(port) -- free again
      busy:close()
    end)

    it("closing the session releases its listener's port", function()
      local s = assert(winsnmp.session())
      local l = assert(s:listen("udp:127.0.0.1:0", function() return {} end))
      local port = tonumber(l.address:match(":(%d+)$"))
      s:close()
      local busy = tools.occupy(port)
      busy:close()
      assert.is_true(l:close())
    end)
  end)

  describe("examples/simulated_agent.lua #integration", function()
    it("serves its data file to snmpwalk", function()
      local port = assert(snmpd.free_ports(1))[1]
      local address = "udp:127.0.0.1:" .. port
      local build = os.getenv("WINSNMP_BUILD") or "./build"
      local job = tools.spawn(("LUA_PATH='./lua/?.lua;./lua/?/init.lua;;' LUA_CPATH='%s/?.so;;' "
        .. "lua5.4 examples/simulated_agent.lua examples/simulated_agent_data.lua %s 2")
        :format(build, address), true)
      assert.is_true(helper.poll_until(function()
        return job:output():find("serving", 1, true) ~= nil
      end, 3), job:output())
      local entries = dofile("examples/simulated_agent_data.lua")
      local out, status = tools.run(tool("snmpwalk", "2c", address, "1.3.6.1"))
      assert.equals(0, status, out)
      local lines = parse(out)
      local want = sorted(entries)
      assert.equals(#want + 1, #lines, out)
      assert_shows(want, lines, out)
      out, status = tools.run(tool("snmpwalk", "1", address, "1.3.6.1"))
      assert.equals(0, status, out)
      assert.equals(#sorted(entries, "cntr64"), #parse(out), out)
      local log, exit = job:wait(5)
      assert.equals(0, exit, log)
      assert.matches(("serving %d objects from examples/simulated_agent_data.lua on %s")
        :format(#entries, address:gsub("%p", "%%%0")), log)
    end)
  end)
end)
