--- snmpsim's variation tags in `.snmprec` recordings (issue 13, item 6):
-- numeric counters advance with time, delay answers late (while others are
-- answered meanwhile) or never, error flags its status (v2c, and v1 as
-- RFC 3584 maps it), writecache stores SETs; exercised with net-snmp's
-- tools and with winsnmp sessions.  Malformed lines name file and line.
local helper = require("helper")
local tools = require("support.notify_tools")
local winsnmp = require("winsnmp")
local simulator = require("winsnmp.simulator")
local snmprec = require("winsnmp.snmprec")

local B = "1.3.6.1.4.1.99.13"
local function oid(n) return B .. "." .. n .. ".0" end

-- Each variation tag, with the ordinary lines around them.
local RECORDING = table.concat({
  oid(1) .. "|4|plain text",
  oid(2) .. "|65:numeric|rate=100,initial=1000",                   -- 100 per second
  oid(3) .. "|70:numeric|rate=1000000000,initial=10,wrap=1",        -- Counter64, fast
  oid(4) .. "|66:numeric|min=5,max=50,initial=25,rate=0",           -- a constant gauge
  oid(5) .. "|65:numeric|function=cos,scale=10,deviation=1,cumulative=1,wrap=1",
  oid(6) .. "|4:delay|value=slow,wait=600",
  oid(7) .. "|2:delay|value=1,wait=1000000",                        -- never answered
  oid(8) .. "|2:delay|value=7,vlist=eq:1:400:gt:5:1000000,wait=0",  -- SET decides
  oid(9) .. "|2:error|op=get,status=authorizationError,value=1",
  oid(10) .. "|4x:error|op=set,status=commitFailed,hexvalue=00127962f940",
  oid(11) .. "|2:error|vlist=gt:2:wrongValue,value=1",
  oid(12) .. "|4:error|status=noSuchInstance",
  oid(13) .. "|2:error|op=get,status=tooBig,value=3",
  oid(14) .. "|4:writecache|value=initial",
  oid(15) .. "|2:writecache|value=10,vlist=lt:0:wrongValue:eq:13:inconsistentValue",
  oid(16) .. "|4:writecache|hexvalue=612c62", -- "a,b"
  oid(17) .. "|2|17",
  "",
}, "\n")

describe("snmpsim variation tags #integration", function()
  local path, agent, s, e2, e1

  setup(function()
    path = helper.temp_file(RECORDING)
    agent = assert(simulator.start(path, { community = "sim" }))
    s = assert(winsnmp.session())
    e2 = assert(s:entity(agent.address, { community = "sim", timeout = 1.5, retries = 0 }))
    e1 = assert(s:entity(agent.address, { community = "sim", version = "1", timeout = 1.5,
                                          retries = 0 }))
  end)
  teardown(function()
    s:close()
    agent:stop()
    os.remove(path)
  end)
  helper.check_no_leaks() -- (after the teardown above, which closes the session)

  -- A net-snmp tool against the simulator, polling meanwhile.
  local function tool(name, args, version)
    return tools.run(tools.cmd(name, ("-v%s -c sim %s %s"):format(version or "2c",
      tools.peer(agent.address), args)), 8)
  end

  it("serves the plain lines and every variation's value", function()
    local vbs = assert(s:get(e2, { oid(1), oid(4), oid(14), oid(16), oid(17) }))
    assert.same({ "plain text", 25, "initial", "a,b", 17 },
      { vbs[1].value, vbs[2].value, vbs[3].value, vbs[4].value, vbs[5].value })
    assert.equals("gauge32", vbs[2].type)
  end)

  it("numeric: counters advance with time, Counter64 too", function()
    local a = assert(s:get(e2, { oid(2), oid(3) }))
    helper.poll_for(0.3)
    local b = assert(s:get(e2, { oid(2), oid(3) }))
    assert.equals("cntr32", a[1].type)
    assert.equals("cntr64", a[2].type)
    assert.is_true(a[1].value >= 1000)
    assert.is_true(b[1].value - a[1].value >= 20, ("%d then %d"):format(a[1].value, b[1].value))
    assert.is_true(b[1].value - a[1].value <= 60)
    assert.is_true(math.ult(a[2].value, b[2].value))
    local out, status = tool("snmpget", oid(2))
    assert.equals(0, status, out)
    local seen = tonumber(out:match("Counter32: (%d+)"))
    assert.is_true(seen >= b[1].value, out)
    -- the cumulative cosine never goes below zero nor back
    local last = 0
    for _ = 1, 3 do
      local v = assert(s:get(e2, { oid(5) }))[1].value
      assert.is_true(v >= last)
      last = v
    end
  end)

  it("numeric objects are not writable", function()
    helper.fails_with("SNMP_ERROR_NOTWRITABLE", s:set(e2, { { oid(2), "cntr32", 5 } }))
  end)

  it("delay: the answer comes about that late while another is answered meanwhile", function()
    local t0 = winsnmp.now()
    local slow_at, fast_at, slow
    winsnmp.spawn(function()
      slow = assert(s:get(e2, { oid(6) }))
      slow_at = winsnmp.now() - t0
    end)
    winsnmp.spawn(function()
      assert(s:get(e2, { oid(1) }))
      fast_at = winsnmp.now() - t0
    end)
    assert(winsnmp.run(5))
    assert.equals("slow", slow[1].value)
    assert.is_true(slow_at >= 0.55 and slow_at < 1.2, tostring(slow_at))
    assert.is_true(fast_at < 0.3, tostring(fast_at))
    -- snmpget sees the same; a blocking get from here meanwhile is answered at once
    local job = tools.spawn(tools.cmd("snmpget", ("-v2c -c sim %s %s"):format(
      tools.peer(agent.address), oid(6))))
    helper.poll_for(0.2)
    local t1 = winsnmp.now()
    assert.equals("plain text", assert(s:get(e2, { oid(1) }))[1].value)
    assert.is_true(winsnmp.now() - t1 < 0.3)
    local out, status = job:wait(5)
    assert.equals(0, status, out)
    assert.matches('STRING: "slow"', out)
  end)

  it("delay: a wait above 999999 ms drops the request (the manager times out)", function()
    local quick = assert(s:entity(agent.address, { community = "sim", timeout = 0.3,
                                                   retries = 0 }))
    helper.fails_with("SNMPAPI_TL_TIMEOUT", s:get(quick, { oid(7) }))
    local out, status = tool("snmpget", oid(7))
    assert.is_not.equals(0, status)
    assert.matches("Timeout", out)
    quick:free()
  end)

  it("delay: vlist chooses the delay of a SET by its value", function()
    local t0 = winsnmp.now()
    assert(s:set(e2, { { oid(8), "int", 1 } }))
    local took = winsnmp.now() - t0
    assert.is_true(took >= 0.35 and took < 1, tostring(took))
    t0 = winsnmp.now()
    assert(s:set(e2, { { oid(8), "int", 2 } }))
    assert.is_true(winsnmp.now() - t0 < 0.3)
    local quick = assert(s:entity(agent.address, { community = "sim", timeout = 0.3,
                                                   retries = 0 }))
    helper.fails_with("SNMPAPI_TL_TIMEOUT", s:set(quick, { { oid(8), "int", 6 } }))
    quick:free()
  end)

  it("error: flags its status on GET* (v2c as named, v1 per RFC 3584)", function()
    local _, msg, name, index = s:get(e2, { oid(1), oid(9) })
    assert.equals("SNMP_ERROR_AUTHORIZATIONERROR", name, msg)
    assert.equals(2, index)
    helper.fails_with("SNMP_ERROR_NOSUCHNAME", s:get(e1, { oid(9) }))
    -- GETNEXT and GETBULK meet it too, with the index of the varbind that did
    _, msg, name, index = s:getnext(e2, { oid(1), oid(8) })
    assert.equals("SNMP_ERROR_AUTHORIZATIONERROR", name, msg)
    assert.equals(2, index)
    _, _, name = s:getbulk(e2, { oid(8) }, 0, 20)
    assert.equals("SNMP_ERROR_AUTHORIZATIONERROR", name)
    local out, status = tool("snmpget", oid(9))
    assert.is_not.equals(0, status)
    assert.matches("authorizationError", out)
    out = tool("snmpget", oid(9), "1")
    assert.matches("noSuchName", out)
    -- op=get: a SET is accepted and stored
    assert(s:set(e2, { { oid(9), "int", 4 } }))
  end)

  it("error: op=set fails SETs only, and an exception status is an exception value", function()
    assert.equals("\0\18\121\98\249\64", assert(s:get(e2, { oid(10) }))[1].value)
    helper.fails_with("SNMP_ERROR_COMMITFAILED", s:set(e2, { { oid(10), "octets", "x" } }))
    helper.fails_with("SNMP_ERROR_GENERR", s:set(e1, { { oid(10), "octets", "x" } }))
    local vbs = assert(s:get(e2, { oid(12), oid(1) }))
    assert.equals("nosuchinstance", vbs[1].type)
    assert.equals("plain text", vbs[2].value)
    helper.fails_with("SNMP_ERROR_NOSUCHNAME", s:get(e1, { oid(12) }))
    local out = tool("snmpget", oid(12))
    assert.matches("No Such Instance", out)
    local _, msg, name = s:get(e2, { oid(13) })
    assert.equals("SNMP_ERROR_TOOBIG", name, msg)
  end)

  it("error: vlist fails the SETs whose value matches", function()
    helper.fails_with("SNMP_ERROR_WRONGVALUE", s:set(e2, { { oid(11), "int", 3 } }))
    helper.fails_with("SNMP_ERROR_BADVALUE", s:set(e1, { { oid(11), "int", 3 } }))
    assert(s:set(e2, { { oid(11), "int", 2 } }))
    assert.equals(2, assert(s:get(e2, { oid(11) }))[1].value)
    local out = tool("snmpset", oid(11) .. " i 9")
    assert.matches("wrongValue", out)
  end)

  it("writecache: a SET is stored and read back; vlist refuses values", function()
    local out, status = tool("snmpset", oid(14) .. " s 'written by snmpset'")
    assert.equals(0, status, out)
    assert.equals("written by snmpset", assert(s:get(e2, { oid(14) }))[1].value)
    out = tool("snmpget", oid(14))
    assert.matches('STRING: "written by snmpset"', out)
    helper.fails_with("SNMP_ERROR_WRONGVALUE", s:set(e2, { { oid(15), "int", -1 } }))
    helper.fails_with("SNMP_ERROR_INCONSISTENTVALUE", s:set(e2, { { oid(15), "int", 13 } }))
    helper.fails_with("SNMP_ERROR_WRONGTYPE", s:set(e2, { { oid(15), "octets", "x" } }))
    assert(s:set(e2, { { oid(15), "int", 12 } }))
    assert.equals(12, assert(s:get(e2, { oid(15) }))[1].value)
    -- an ordinary line stays read-only
    helper.fails_with("SNMP_ERROR_NOTWRITABLE", s:set(e2, { { oid(17), "int", 1 } }))
  end)

  it("snmpbulkwalk walks what GET* may read, in order", function()
    local quiet = helper.temp_file(table.concat({
      oid(1) .. "|4|plain text", oid(2) .. "|65:numeric|rate=100,initial=1000",
      oid(6) .. "|4:delay|value=slow,wait=100", oid(14) .. "|4:writecache|value=w",
      oid(10) .. "|4x:error|op=set,status=commitFailed,hexvalue=41", "" }, "\n"))
    local a = assert(simulator.start(quiet, { community = "sim" }))
    local out, status = tools.run(tools.cmd("snmpbulkwalk", ("-v2c -c sim %s %s"):format(
      tools.peer(a.address), B)), 8)
    a:stop()
    os.remove(quiet)
    assert.equals(0, status, out)
    local oids = {}
    for line in out:gmatch("[^\n]+") do
      local o = line:match("^%.(1%.3%.6[%d.]*) =")
      if o and not line:find("No more variables", 1, true) then oids[#oids + 1] = o end
    end
    assert.same({ oid(1), oid(2), oid(6), oid(10), oid(14) }, oids)
    assert.matches('STRING: "slow"', out)
  end)
end)

describe("malformed variation lines", function()
  helper.check_no_leaks()

  it("name the file and the line, through snmprec.view and mibview.load", function()
    local cases = {
      { "1.3.6.1.1|2:sql|x=1", ":2: variation module \"sql\" is not supported" },
      { "1.3.6.1.1|:numeric|rate=1", ":2: variation module \"numeric\" needs a type tag" },
      { "1.3.6.1.1|99:numeric|rate=1", ":2: unknown tag \"99\"" },
      { "1.3.6.1.1|4:numeric|rate=1", ":2: numeric needs an integer type" },
      { "1.3.6.1.1|65:numeric|rate=fast", ":2: rate must be a number" },
      { "1.3.6.1.1|65:numeric|rate", ":2: malformed setting \"rate\"" },
      { "1.3.6.1.1|65:numeric|speed=1", ":2: unknown setting \"speed\"" },
      { "1.3.6.1.1|65:numeric|function=nope", ":2: unknown function \"nope\"" },
      { "1.3.6.1.1|4:writecache|hexvalue=4g", ":2: malformed hexadecimal value" },
      { "1.3.6.1.1|4:writecache|vlist=eq:a:wrongValue", ":2: writecache needs value= or hexvalue=" },
      { "1.3.6.1.1|2:delay|wait=5", ":2: delay needs value= or hexvalue=" },
      { "1.3.6.1.1|2:delay|value=x", ":2: bad Integer32" },
      { "1.3.6.1.1|2:delay|value=1,vlist=eq:1", ":2: vlist needs comparison:constant:result" },
      { "1.3.6.1.1|2:delay|value=1,vlist=ne:1:5", ":2: vlist comparison \"ne\"" },
      { "1.3.6.1.1|2:error|op=set,status=genError", ":2: error needs value= or hexvalue=" },
      { "1.3.6.1.1|2:error|status=broken", ":2: unknown error status \"broken\"" },
      { "1.3.6.1.1|2:error|op=walk,status=genError", ":2: op must be get, set or any" },
      { "1.3.6.1.1|2|1\n1.3.6.1.1|2:writecache|value=2", ":3: OID 1.3.6.1.1 is already on line 2" },
    }
    for _, case in ipairs(cases) do
      local path = helper.temp_file("# a comment\n" .. case[1] .. "\n")
      for _, load in ipairs({ snmprec.view, winsnmp.mibview.load, simulator.start }) do
        local view, msg, name = load(path)
        assert.is_nil(view, case[1])
        assert.equals("SNMPAPI_OTHER_ERROR", name)
        local want = path .. case[2]
        assert.truthy(msg:find(want, 1, true), msg .. " (wanted " .. want .. ")")
      end
      os.remove(path)
    end
  end)

  it("a doubled separator stands for the character", function()
    local path = helper.temp_file("1.3.6.1.1|4:writecache|value=a,,b==c\n")
    local view = assert(snmprec.view(path))
    os.remove(path)
    assert.equals("a,b=c", view:value("1.3.6.1.1"))
  end)
end)
