--- Record and replay (API.md "Record and replay"): s:record writes snmpsim's
-- `.snmprec` format, winsnmp.mibview.load serves it, and a recording of
-- snmpd replayed by winsnmp walks like snmpd itself.
local helper = require("helper")
local tools = require("support.notify_tools")
local winsnmp = require("winsnmp")
local snmprec = require("winsnmp.snmprec")

describe("record and replay #integration", function()
  helper.check_no_leaks()
  local agent = helper.agent()

  it("writes and reads back every type, 8-bit clean", function()
    local all = {
      { oid = "1.3.6.1.4.1.99.1.1.0", type = "int", value = -2147483648 },
      { oid = "1.3.6.1.4.1.99.1.2.0", type = "octets", value = "plain text | with a bar" },
      { oid = "1.3.6.1.4.1.99.1.3.0", type = "octets", value = "\0\1\255line\nbreak" },
      { oid = "1.3.6.1.4.1.99.1.4.0", type = "octets", value = "" },
      { oid = "1.3.6.1.4.1.99.1.5.0", type = "oid", value = "1.3.6.1.4.1.99" },
      { oid = "1.3.6.1.4.1.99.1.6.0", type = "ipaddr", value = "10.1.2.3" },
      { oid = "1.3.6.1.4.1.99.1.7.0", type = "cntr32", value = 4294967295 },
      { oid = "1.3.6.1.4.1.99.1.8.0", type = "gauge32", value = 7 },
      { oid = "1.3.6.1.4.1.99.1.9.0", type = "timeticks", value = 12345 },
      { oid = "1.3.6.1.4.1.99.1.10.0", type = "opaque", value = "\159\120\4\0\0\0\5" },
      { oid = "1.3.6.1.4.1.99.1.11.0", type = "cntr64", value = -1 }, -- 2^64 - 1
      { oid = "1.3.6.1.4.1.99.1.12.0", type = "null" },
      { oid = "1.3.6.1.4.1.99.1.13.0", type = "nosuchobject" },
      { oid = "1.3.6.1.4.1.99.1.14.0", type = "nosuchinstance" },
      { oid = "1.3.6.1.4.1.99.1.15.0", type = "endofmibview" },
      { oid = "1.3.6.1.4.1.99.1.16.0", type = "nsapaddr", value = "\73\0\1" },
    }
    for _, vb in ipairs(all) do
      local line = snmprec.line(vb)
      assert.is_nil(line:find("\n", 1, true), line)
      local entry = assert(snmprec.parse_line(line))
      assert.same({ vb.oid, vb.type, vb.value }, { entry[1], entry[2], entry[3] })
    end
    assert.equals("1.3.6.1.4.1.99.1.11.0|70|18446744073709551615", snmprec.line(all[11]))
    assert.equals("1.3.6.1.4.1.99.1.3.0|4x|0001ff6c696e650a627265616b", snmprec.line(all[3]))
    assert.equals("1.3.6.1.4.1.99.1.6.0|64|10.1.2.3", snmprec.line(all[6]))
  end)

  it("names the file and line of what it cannot read, and crashes on nothing", function()
    local cases = {
      { "1.3.6.1.2.1.1.1.0|4|fine\nnonsense\n", ":2: not OID|TAG|VALUE" },
      { "1.3.6..1|4|x\n", ":1: malformed OID" },
      { "1.3.6.1|99|x\n", ":1: unknown tag" },
      { "1.3.6.1|4x|abc\n", ":1: malformed hexadecimal" },
      { "1.3.6.1|2|99999999999\n", ":1: bad Integer32" },
      { "1.3.6.1|70|18446744073709551616\n", ":1: bad Counter64" },
      { "1.3.6.1|64|1.2.3\n", ":1: bad IpAddress" },
      { "1.3.6.1|65:sql|rate=10\n", ":1: variation module \"sql\" is not supported" },
    }
    for _, case in ipairs(cases) do
      local path = helper.temp_file(case[1])
      local view, msg, name = winsnmp.mibview.load(path)
      os.remove(path)
      assert.is_nil(view)
      assert.equals("SNMPAPI_OTHER_ERROR", name)
      assert.truthy(msg:find(case[2], 1, true), msg)
    end
    helper.fails_with("SNMPAPI_OTHER_ERROR", winsnmp.mibview.load("/nonexistent/rec.snmprec"))
  end)

  it("replays a recording of snmpd that snmpbulkwalk walks like snmpd", function()
    local s = assert(winsnmp.session())
    local e = assert(s:entity(agent.address, { timeout = 2, retries = 1 }))
    local root = "1.3.6.1.2.1.1" -- the system group: nothing but sysUpTime moves
    local path = os.tmpname()
    local count = assert(s:record(e, root, path))
    assert.is_true(count > 5)
    local view = assert(winsnmp.mibview.load(path))
    local listener = assert(s:listen("udp:127.0.0.1:0", view.handler))
    local function walk(address)
      local out, status = tools.run(tools.cmd("snmpbulkwalk",
        ("-v2c -c public %s %s"):format(tools.peer(address), root)))
      assert.equals(0, status, out)
      return (out:gsub("Timeticks: %(%d+%)[^\n]*", "Timeticks"))
    end
    local original, replayed = walk(agent.address), walk(listener.address)
    -- The recording ends where the subtree does, so the replay says so where
    -- snmpd goes on to the next group (snmpsim's replays do the same).
    replayed = replayed:gsub("[^\n]* = No more variables left in this MIB View[^\n]*\n$", "")
    listener:close()
    s:close()
    os.remove(path)
    local a, b = {}, {}
    for l in original:gmatch("[^\n]+") do a[#a + 1] = l end
    for l in replayed:gmatch("[^\n]+") do b[#b + 1] = l end
    for i = 1, math.max(#a, #b) do
      assert.equals(a[i], b[i], "line " .. i)
    end
    assert.equals(count, select(2, replayed:gsub("\n", "\n")))
  end)
end)
