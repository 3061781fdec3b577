--- MIB names (issue 7, item 1) with spec/mibs/WINSNMP-TEST-MIB.txt, a MIB
-- written for these specs: loading, translation both ways, names wherever
-- an OID is taken, enumeration labels, DISPLAY-HINT formatting, column
-- names in s:table, and bad input (unknown modules, syntax errors).
--
-- Loading is process-wide and cannot be undone, so what must be seen
-- before any load runs in a child process.
local winsnmp = require("winsnmp")
local helper = require("helper")

local fails_with, run_child, temp_file = helper.fails_with, helper.run_child, helper.temp_file

local test_mib = require("support.test_mib")
local MIB_DIR, BASE = test_mib.DIR, test_mib.BASE

local BROKEN_MIB = [[
WINSNMP-BROKEN-MIB DEFINITIONS ::= BEGIN

wbRoot OBJECT IDENTIFIER ::= { iso 3 6 1 4 1 99999 43 }

wbThing OBJECT-TYPE
    SYNTAX      INTEGER
    MAX-ACCESS  read-only
    STATUS      current
    DESCRIPTION "the assignment is missing its ::="
    { wbRoot 1 }

END
]]

describe("winsnmp.mib", function()
  helper.check_no_leaks()

  it("is off until loaded: names are refused, numeric OIDs work (child process)", function()
    local out, ok = run_child([[
      local winsnmp = require("winsnmp")
      local _, _, name = winsnmp.mib.oid("wtName.0")
      local _, _, iso = winsnmp.mib.oid("iso.3.6")
      io.write(tostring(name), ";", tostring(iso), ";", winsnmp.mib.oid("1.3.6.1.4.1.99999.42.1.0"), ";")
      local _, _, name2 = winsnmp.mib.name("1.3.6.1.4.1.99999.42.1.0")
      io.write(tostring(name2))
    ]])
    assert.is_true(ok, out)
    assert.equals("SNMPAPI_OID_INVALID;SNMPAPI_OID_INVALID;1.3.6.1.4.1.99999.42.1.0;SNMPAPI_OID_INVALID",
      out)
  end)

  describe("loaded", function()
    setup(function()
      assert(winsnmp.mib.load({ dirs = { MIB_DIR }, modules = { "WINSNMP-TEST-MIB" } }))
    end)

    it("translates names to OIDs, with or without the module", function()
      assert.equals(BASE .. ".1.0", winsnmp.mib.oid("WINSNMP-TEST-MIB::wtName.0"))
      assert.equals(BASE .. ".1.0", winsnmp.mib.oid("wtName.0"))
      assert.equals(BASE .. ".4.1.3.7", winsnmp.mib.oid("wtPortMac.7"))
      assert.equals(BASE .. ".4.1", winsnmp.mib.oid("wtPortEntry"))
      assert.equals(BASE .. ".1.0", winsnmp.mib.oid("." .. BASE .. ".1.0"))
      assert.equals("1.3.6", winsnmp.mib.oid("iso.3.6"))
    end)

    it("translates OIDs to names", function()
      assert.equals("WINSNMP-TEST-MIB::wtName.0", winsnmp.mib.name(BASE .. ".1.0"))
      assert.equals("WINSNMP-TEST-MIB::wtPortMac.7", winsnmp.mib.name(BASE .. ".4.1.3.7"))
      assert.equals("WINSNMP-TEST-MIB::winsnmpTest.9.9", winsnmp.mib.name(BASE .. ".9.9"))
      -- Nothing loaded names it: the dotted OID.
      assert.equals("1.3.6.1.2.1.1.5.0", winsnmp.mib.name("1.3.6.1.2.1.1.5.0"))
      -- Round trip.
      assert.equals(BASE .. ".4.1.4.12", winsnmp.mib.oid(winsnmp.mib.name(BASE .. ".4.1.4.12")))
    end)

    it("refuses unknown names with SNMPAPI_OID_INVALID", function()
      fails_with("SNMPAPI_OID_INVALID", winsnmp.mib.oid("noSuchObject.0"))
      fails_with("SNMPAPI_OID_INVALID", winsnmp.mib.oid("NO-SUCH-MIB::wtName.0"))
      fails_with("SNMPAPI_OID_INVALID", winsnmp.mib.oid("wtName.x"))
      -- net-snmp's lookup alone would match these loosely to some node.
      fails_with("SNMPAPI_OID_INVALID", winsnmp.mib.oid("x"))
      fails_with("SNMPAPI_OID_INVALID", winsnmp.mib.oid("a"))
      fails_with("SNMPAPI_OID_INVALID", winsnmp.mib.name("not an oid"))
    end)

    it("gives enumeration labels", function()
      assert.equals("up", winsnmp.mib.enum(BASE .. ".2.0", 1))
      assert.equals("testing", winsnmp.mib.enum("wtState.0", 3))
      assert.equals("down", winsnmp.mib.enum("wtPortStatus.4", 2))
      assert.is_nil(winsnmp.mib.enum("wtState.0", 9))
      assert.is_nil(winsnmp.mib.enum("wtName.0", 1))
    end)

    it("formats values with DISPLAY-HINTs and labels, as an explicit call", function()
      assert.equals("0:1b:21:a:ff:1", winsnmp.mib.format("wtPortMac.1", "octets", "\0\27\33\10\255\1"))
      assert.equals("21.5", winsnmp.mib.format("wtTemperature.0", "int", 215))
      assert.equals("up", winsnmp.mib.format("wtState.0", "int", 1))
      assert.equals("WINSNMP-TEST-MIB::wtState.0 = INTEGER: up(1)",
        winsnmp.mib.format("wtState.0", "int", 1, { varbind = true }))
      assert.equals("." .. BASE .. ".1.0 = STRING: \"hello\"",
        winsnmp.mib.format("wtName.0", "octets", "hello", { varbind = true, numeric = true }))
      -- Opaque floats and 64-bit integers (net-snmp's special types) show
      -- their value, as snmpget prints them; other Opaques their bytes.
      local o = "1.3.6.1.2.1.1.5.0"
      assert.equals(".1.3.6.1.2.1.1.5.0 = Opaque: UInt64: 5",
        winsnmp.mib.format(o, "opaque", "\159\123\1\5", { varbind = true, numeric = true }))
      assert.equals(".1.3.6.1.2.1.1.5.0 = Opaque: Int64: -1",
        winsnmp.mib.format(o, "opaque", "\159\122\1\255", { varbind = true, numeric = true }))
      assert.equals(".1.3.6.1.2.1.1.5.0 = Opaque: Float: 3.141593",
        winsnmp.mib.format(o, "opaque", "\159\120\4\64\73\15\219", { varbind = true, numeric = true }))
      assert.equals(".1.3.6.1.2.1.1.5.0 = OPAQUE: 01 02 03 ",
        winsnmp.mib.format(o, "opaque", "\1\2\3", { varbind = true, numeric = true }))
      assert.equals(".1.3.6.1.2.1.1.5.0 = OPAQUE: 9F 7B 09 05 ", -- malformed: bytes
        winsnmp.mib.format(o, "opaque", "\159\123\9\5", { varbind = true, numeric = true }))
      -- A long value comes back whole.
      local long = winsnmp.mib.format("wtName.0", "octets", ("x"):rep(10000))
      assert.is_true(#long >= 10000)
    end)

    it("takes names wherever an OID is taken", function()
      local s = assert(winsnmp.session())
      local pdu = assert(s:pdu("get", { "wtName.0", "WINSNMP-TEST-MIB::wtState.0" }))
      local data = pdu:data()
      assert.equals(BASE .. ".1.0", data.varbinds[1].oid)
      assert.equals(BASE .. ".2.0", data.varbinds[2].oid)
      assert.equals(-1, winsnmp.oid_compare("wtName.0", "wtState.0"))
      local vbl = assert(s:vbl({ { "wtName.0", "octets", "x" } }))
      assert.equals(BASE .. ".1.0", (vbl:get(1)))
      s:close()
    end)

    -- In a child process: net-snmp's parser leaks the nodes of a module
    -- with a syntax error (about 1.3 KB per failed parse), which the leak
    -- checks of this process (valgrind, LeakSanitizer) would report; the
    -- child's own LeakSanitizer (in the sanitizer build) is told so.
    it("names the file and line of a syntax error, and keeps what was loaded", function()
      local path = temp_file(BROKEN_MIB)
      local out, ok = run_child(([[
        local winsnmp = require("winsnmp")
        assert(winsnmp.mib.load({ dirs = { %q }, modules = { "WINSNMP-TEST-MIB" } }))
        local ok, msg, name = winsnmp.mib.load({ files = { %q } })
        io.write(tostring(ok), "|", msg, "|", name, "|", winsnmp.mib.oid("wtName.0"))
      ]]):format(MIB_DIR, path), "ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0")
      os.remove(path)
      assert.is_true(ok, out)
      local result, msg, name, oid = out:match("^(.-)|(.-)|(.-)|(.*)$")
      assert.equals("nil", result)
      assert.equals("SNMPAPI_OTHER_ERROR", name)
      assert.matches(path:gsub("%p", "%%%0") .. ":10:", msg)
      assert.equals(BASE .. ".1.0", oid)
    end)

    it("reports an unknown module, a missing file or directory, and keeps what was loaded", function()
      local ok, msg, name = winsnmp.mib.load({ dirs = { MIB_DIR }, modules = { "NO-SUCH-MIB" } })
      assert.is_nil(ok)
      assert.equals("SNMPAPI_OTHER_ERROR", name)
      assert.matches("NO%-SUCH%-MIB", msg)
      fails_with("SNMPAPI_OTHER_ERROR", winsnmp.mib.load({ files = { "/nonexistent/X-MIB.txt" } }))
      fails_with("SNMPAPI_OTHER_ERROR", winsnmp.mib.load({ dirs = { "/nonexistent" } }))
      assert.equals(BASE .. ".1.0", winsnmp.mib.oid("wtName.0"))
    end)

    it("raises on misuse of load", function()
      assert.has_error(function() winsnmp.mib.load("WINSNMP-TEST-MIB") end)
      assert.has_error(function() winsnmp.mib.load({ modules = 5 }) end)
      assert.has_error(function() winsnmp.mib.load({ modules = { 5 } }) end)
    end)
  end)
end)

describe("MIB names against an agent #integration", function()
  helper.check_no_leaks()

  local s, listener
  local ports = {
    { 1, "lo", "\0\0\0\0\0\0", 1 },
    { 2, "eth0", "\0\27\33\10\255\1", 1 },
    { 12, "eth1", "\2\0\0\0\0\12", 2 },
  }
  setup(test_mib.load)
  before_each(function()
    s = assert(winsnmp.session())
    listener = test_mib.listen(s, test_mib.entries(ports))
  end)
  after_each(function()
    listener:close()
    s:close()
  end)

  it("gets and walks by name", function()
    local agent = assert(s:entity(listener.address, { timeout = 1, retries = 1 }))
    local got = assert(s:get(agent, { "wtName.0", "WINSNMP-TEST-MIB::wtState.0" }))
    assert.equals("test agent", got[1].value)
    assert.equals(BASE .. ".2.0", got[2].oid)
    assert.equals(1, got[2].value) -- values are never rewritten
    local walked = assert(s:walk(agent, "wtPortDescr"))
    assert.equals(3, #walked)
    assert.equals("WINSNMP-TEST-MIB::wtPortDescr.12", winsnmp.mib.name(walked[3].oid))
  end)

  it("s:table gives column numbers, or column names on request", function()
    local agent = assert(s:entity(listener.address, { timeout = 1, retries = 1 }))
    local rows = assert(s:table(agent, "wtPortEntry"))
    assert.same({ [2] = "eth1", [3] = "\2\0\0\0\0\12", [4] = 2 }, rows["12"])
    local named = assert(s:table(agent, "WINSNMP-TEST-MIB::wtPortEntry", { names = true }))
    assert.same({ wtPortDescr = "eth1", wtPortMac = "\2\0\0\0\0\12", wtPortStatus = 2 }, named["12"])
    assert.equals("0:1b:21:a:ff:1", winsnmp.mib.format("wtPortMac.2", "octets", named["2"].wtPortMac))
    local same, types = s:table(agent, "wtPortEntry", { names = true, types = true })
    assert.same(named, same)
    assert.same({ wtPortDescr = "octets", wtPortMac = "octets", wtPortStatus = "int" }, types["12"])
  end)
end)
