--- Manager operations against a real net-snmp snmpd (issue 3, items 1-4):
-- get / getnext / getbulk / set cross-checked against the net-snmp
-- command-line tools, walks and tables, v1 and v2c communities and their
-- error reporting.
local winsnmp = require("winsnmp")
local helper = require("helper")
local cli = require("support.cli")

local SYSTEM = "1.3.6.1.2.1.1"
local INTERFACES = "1.3.6.1.2.1.2"
local IF_ENTRY = "1.3.6.1.2.1.2.2.1"
local SYS_DESCR = "1.3.6.1.2.1.1.1.0"
local SYS_OBJECT_ID = "1.3.6.1.2.1.1.2.0"
local SYS_UPTIME = "1.3.6.1.2.1.1.3.0"
local SYS_CONTACT = "1.3.6.1.2.1.1.4.0"
local SYS_NAME = "1.3.6.1.2.1.1.5.0"
local SYS_LOCATION = "1.3.6.1.2.1.1.6.0"
local MISSING = "1.3.6.1.2.1.1.99.0"

--- Values that change between two reads of the same agent.
local function volatile(oid)
  if oid == SYS_UPTIME then return true end
  -- ifTable: only index, descr, type, mtu and physical address are stable.
  local column = oid:match("^1%.3%.6%.1%.2%.1%.2%.2%.1%.(%d+)%.")
  if column then
    column = tonumber(column)
    return not (column == 1 or column == 2 or column == 3 or column == 4 or column == 6)
  end
  return false
end

--- Asserts that winsnmp varbinds equal the CLI's: same OIDs in the same
-- order, same types, same values where they are stable.
local function assert_same_as_cli(expected, got, what)
  assert.is_table(got, what)
  assert.same(cli.oids(expected), cli.oids(got), what)
  for i, want in ipairs(expected) do
    local vb = got[i]
    if want.type ~= "unknown" then
      assert.equals(want.type, vb.type, (what or "") .. " type of " .. want.oid)
    end
    if not volatile(want.oid) then
      assert.equals(want.value, vb.value, (what or "") .. " value of " .. want.oid)
    end
  end
end

local fails_with = helper.fails_with

local function inside(root, oid)
  return #oid > #root and oid:sub(1, #root + 1) == root .. "."
end

describe("manager operations #integration", function()
  helper.check_no_leaks()

  local agent = helper.agent()
  local s
  before_each(function() s = assert(winsnmp.session()) end)
  after_each(function() helper.close_session(s) end)

  local function v2c(community, extra)
    return assert(s:entity(agent.address, helper.merge(
      { version = "2c", community = community or "public", timeout = 1, retries = 1 }, extra)))
  end

  local function v1(community)
    return assert(s:entity(agent.address,
      { version = "1", community = community or "public", timeout = 1, retries = 1 }))
  end

  --- Request `op` (get, getnext, getbulk) with the same arguments through its
  -- net-snmp tool and through winsnmp over v2c: the tool's varbinds, winsnmp's.
  local function with_cli(op, oids, ...)
    local expected = cli[op](agent.address, oids, ...)
    return expected, assert(s[op](s, v2c(), oids, ...))
  end

  describe("get, getnext and getbulk #integration", function()
    it("get returns what snmpget shows, in request order", function()
      local expected, got = with_cli("get",
        { SYS_NAME, SYS_DESCR, SYS_OBJECT_ID, SYS_UPTIME, SYS_CONTACT })
      assert_same_as_cli(expected, got, "get")
      assert.equals("winsnmp-agent", got[1].value)
      assert.equals("octets", got[1].type)
      assert.equals("oid", got[3].type)
      assert.equals("timeticks", got[4].type)
      assert.is_true(math.type(got[4].value) == "integer" and got[4].value >= 0)
    end)

    it("returns OID values whole (sysObjectID.0 and sysORID)", function()
      local expected, got = with_cli("get", { SYS_OBJECT_ID, "1.3.6.1.2.1.1.9.1.2.1" })
      for i = 1, 2 do
        assert.equals("oid", got[i].type)
        assert.equals(expected[i].value, got[i].value)
      end
    end)

    it("get of one OID is an array of one varbind", function()
      local got = assert(s:get(v2c(), { SYS_NAME }))
      assert.same({ { oid = SYS_NAME, type = "octets", value = "winsnmp-agent" } }, got)
    end)

    it("getnext returns what snmpgetnext shows", function()
      local expected, got = with_cli("getnext", { SYSTEM, SYS_DESCR, SYS_NAME, IF_ENTRY })
      assert_same_as_cli(expected, got, "getnext")
      assert.equals(SYS_DESCR, got[1].oid)
      assert.equals(SYS_OBJECT_ID, got[2].oid)
      assert.equals(SYS_LOCATION, got[3].oid)
    end)

    it("getbulk with non-repeaters returns what snmpbulkget shows", function()
      local expected, got = with_cli("getbulk", { SYS_DESCR, SYSTEM }, 1, 5)
      assert.equals(6, #got)
      assert_same_as_cli(expected, got, "getbulk")
      assert.equals(SYS_OBJECT_ID, got[1].oid) -- the non-repeater
      assert.equals(SYS_DESCR, got[2].oid)     -- first repetition
    end)

    it("getbulk of two repeaters interleaves them like snmpbulkget", function()
      local expected, got = with_cli("getbulk", { SYSTEM, IF_ENTRY }, 0, 3)
      assert.equals(6, #got)
      assert_same_as_cli(expected, got, "getbulk")
    end)

    it("getbulk to a v1 agent is sent as getnext", function()
      local got = assert(s:getbulk(v1(), { SYSTEM }, 0, 10))
      assert.equals(1, #got)
      assert.equals(SYS_DESCR, got[1].oid)
    end)

    it("accepts OIDs with a leading dot", function()
      local got = assert(s:get(v2c(), { "." .. SYS_NAME }))
      assert.equals(SYS_NAME, got[1].oid)
      assert.equals("winsnmp-agent", got[1].value)
    end)

    -- A GET's reply names take the request's strings when they are spelt
    -- as a reply's would be (messaging.c); any other spelling is written anew.
    it("names a GET's varbinds as replies write OIDs, however they were asked", function()
      local asked = { SYS_NAME, "1.3.6.1.2.1.1.05.0", "." .. SYS_NAME,
                      { oid = "1.3.6.1.2.1.1.5.00" }, "1.3.6.1.2.1.1.99.0" }
      local got = assert(s:get(v2c(), asked))
      assert.equals(5, #got)
      for i = 1, 4 do
        assert.equals(SYS_NAME, got[i].oid)
        assert.equals("winsnmp-agent", got[i].value)
      end
      assert.same({ oid = "1.3.6.1.2.1.1.99.0", type = "nosuchobject" }, got[5])
    end)

    it("ignores arguments past the documented ones", function()
      -- (requests.call's own deadline and collector are not a script's)
      local got = assert(s:get(v2c(), { SYS_NAME }, nil, 0, 0, winsnmp.now() - 10, {}))
      assert.equals("winsnmp-agent", got[1].value)
      assert(s:getnext(v2c(), { SYS_NAME }, nil, 0, 0, winsnmp.now() - 10, {}))
    end)

    it("returns SNMPAPI_OID_INVALID for a malformed OID, without sending", function()
      fails_with("SNMPAPI_OID_INVALID", s:get(v2c(), { "1.3.6.x" }))
    end)

    it("a context argument overrides the entity's community for one call", function()
      local wrong = v2c("not-a-community", { timeout = 0.2, retries = 0 })
      local got = assert(s:get(wrong, { SYS_NAME }, assert(s:context("public"))))
      assert.equals("winsnmp-agent", got[1].value)
      local ok, _, name = s:get(wrong, { SYS_NAME })
      assert.is_nil(ok)
      assert.equals("SNMPAPI_TL_TIMEOUT", name)
    end)
  end)

  describe("walk #integration", function()
    -- group, root, and a count snmpbulkwalk must show more varbinds than
    for _, case in ipairs({ { "system", SYSTEM, 5 }, { "interfaces", INTERFACES, 10 } }) do
      local group, root, least = case[1], case[2], case[3]
      it("walks the " .. group .. " group exactly like snmpbulkwalk", function()
        local expected = cli.bulkwalk(agent.address, root)
        assert.is_true(#expected > least)
        local got = assert(s:walk(v2c(), root))
        assert_same_as_cli(expected, got, "walk " .. group)
      end)
    end

    it("stays strictly inside the subtree (component-wise)", function()
      local root = "1.3.6.1.2.1.1.9.1.2"
      local expected = cli.bulkwalk(agent.address, root)
      local got = assert(s:walk(v2c(), root))
      assert.same(cli.oids(expected), cli.oids(got))
      assert.is_true(#got >= 2)
      for _, vb in ipairs(got) do
        assert.is_true(inside(root, vb.oid), vb.oid .. " is outside " .. root)
      end
      -- The next object after the subtree exists (sysORDescr), so the walk
      -- did have to stop on its own.
      local after = assert(s:getnext(v2c(), { got[#got].oid }))
      assert.is_false(inside(root, after[1].oid))
    end)

    it("does not take 1.3.6.1.2.1.1.9.1.2.10 as inside the leaf ...9.1.2.1", function()
      -- A string-prefix test would take "...2.10" for a child of "...2.1".
      local leaf = "1.3.6.1.2.1.1.9.1.2.1"
      local next_vb = assert(s:getnext(v2c(), { leaf }))
      assert.equals("1.3.6.1.2.1.1.9.1.2.2", next_vb[1].oid)
      assert.same({}, assert(s:walk(v2c(), leaf)))
      assert.same({}, assert(s:walk(v1(), leaf)))
      -- And the root itself is never part of its walk.
      local got = assert(s:walk(v2c(), "1.3.6.1.2.1.1.9.1.2"))
      for _, vb in ipairs(got) do
        assert.are_not.equal("1.3.6.1.2.1.1.9.1.2", vb.oid)
      end
    end)

    it("a v1 walk (GETNEXT) gives the same varbinds as a v2c walk", function()
      local a = assert(s:walk(v2c(), SYSTEM))
      local b = assert(s:walk(v1(), SYSTEM))
      assert.same(cli.oids(a), cli.oids(b))
      assert.same(cli.oids(cli.walk(agent.address, SYSTEM, { version = "1" })), cli.oids(b))
      for i = 1, #a do
        if not volatile(a[i].oid) then assert.same(a[i], b[i]) end
      end
    end)

    it("max_repetitions = 1 gives the same walk", function()
      local a = assert(s:walk(v2c(), SYSTEM))
      local b = assert(s:walk(v2c(), SYSTEM, { max_repetitions = 1 }))
      assert.same(cli.oids(a), cli.oids(b))
      local c = assert(s:walk(v2c(), INTERFACES, { max_repetitions = 7 }))
      assert.same(cli.oids(assert(s:walk(v2c(), INTERFACES))), cli.oids(c))
    end)

    it("iwalk streams the same varbinds as walk", function()
      local e = v2c()
      local a = assert(s:walk(e, INTERFACES))
      local b = {}
      for vb, msg, name in s:iwalk(e, INTERFACES, { max_repetitions = 5 }) do
        assert.is_table(vb, tostring(msg) .. " " .. tostring(name))
        b[#b + 1] = vb
      end
      assert.same(cli.oids(a), cli.oids(b))
    end)

    it("an iwalk abandoned early leaves nothing pending", function()
      local n = 0
      for vb in s:iwalk(v2c(), INTERFACES, { max_repetitions = 3 }) do
        assert.is_table(vb)
        n = n + 1
        if n == 2 then break end
      end
      assert.equals(2, n)
      assert.equals(0, s:stats().pending)
    end)

    it("a root with nothing under it walks to {}", function()
      assert.same({}, assert(s:walk(v2c(), "1.3.6.1.2.1.1.5.0")))     -- a leaf instance
      assert.same({}, assert(s:walk(v2c(), "1.3.6.1.4.1.99999.42"))) -- an empty subtree
      assert.same({}, assert(s:walk(v2c(), "2.99")))                 -- past the end (endOfMibView)
      assert.same({}, assert(s:walk(v1(), "2.99")))                  -- past the end (noSuchName)
    end)

    it("walk of a malformed root fails with SNMPAPI_OID_INVALID", function()
      fails_with("SNMPAPI_OID_INVALID", s:walk(v2c(), "1.3.x"))
    end)

    it("table of ifEntry has the rows and ifDescr that snmpbulkwalk shows", function()
      local descr = cli.bulkwalk(agent.address, IF_ENTRY .. ".2")
      assert.is_true(#descr >= 1)
      local rows = assert(s:table(v2c(), IF_ENTRY))
      local count = 0
      for _ in pairs(rows) do count = count + 1 end
      assert.equals(#descr, count)
      for _, vb in ipairs(descr) do
        local index = vb.oid:sub(#IF_ENTRY + 4)   -- after "<entry>.2."
        assert.is_table(rows[index], "row " .. index)
        assert.equals(vb.value, rows[index][2], "ifDescr." .. index)
        assert.equals(tonumber(index), rows[index][1], "ifIndex." .. index)
      end
    end)
  end)

  describe("set #integration", function()
    it("sets sysLocation with community private and reads it back", function()
      local value = string.format("winsnmp lab %d", math.random(1, 1e9))
      local e = v2c("private")
      local got = assert(s:set(e, { { oid = SYS_LOCATION, type = "octets", value = value } }))
      assert.same({ { oid = SYS_LOCATION, type = "octets", value = value } }, got)
      local back = assert(s:get(v2c(), { SYS_LOCATION }))
      assert.equals(value, back[1].value)
      -- The CLI sees the same.
      assert.equals(value, cli.get(agent.address, { SYS_LOCATION })[1].value)
    end)

    it("sets two objects at once (positional form)", function()
      local e = v2c("private")
      local got = assert(s:set(e, { { SYS_LOCATION, "octets", "room 1" },
                                    { SYS_CONTACT, "octets", "ops@example.net" } }))
      assert.equals(2, #got)
      local back = assert(s:get(v2c(), { SYS_LOCATION, SYS_CONTACT }))
      assert.equals("room 1", back[1].value)
      assert.equals("ops@example.net", back[2].value)
    end)

    it("fails with community public: an SNMP_ERROR_* name and index 1", function()
      local before = assert(s:get(v2c(), { SYS_LOCATION }))[1].value
      local ok, msg, name, index = s:set(v2c("public"),
        { { oid = SYS_LOCATION, type = "octets", value = "not allowed" } })
      assert.is_nil(ok)
      assert.is_string(msg)
      assert.matches("^SNMP_ERROR_", name)
      assert.equals(1, index)
      assert.equals(before, assert(s:get(v2c(), { SYS_LOCATION }))[1].value)
    end)

    it("reports the index of the offending varbind", function()
      local ok, _, name, index = s:set(v2c("private"), {
        { oid = SYS_LOCATION, type = "octets", value = "fine" },
        { oid = SYS_DESCR, type = "octets", value = "read-only" },
      })
      assert.is_nil(ok)
      assert.matches("^SNMP_ERROR_", name)
      assert.equals(2, index)
    end)

    it("a wrong-type set fails with SNMP_ERROR_WRONGTYPE", function()
      local ok, msg, name, index = s:set(v2c("private"),
        { { oid = SYS_LOCATION, type = "int", value = 5 } })
      fails_with("SNMP_ERROR_WRONGTYPE", ok, msg, name)
      assert.equals(1, index)
    end)

    it("the error message names no community", function()
      local _, msg = s:set(v2c("private"), { { oid = SYS_LOCATION, type = "int", value = 5 } })
      assert.is_nil(msg:find("private", 1, true))
      local _, lmsg = s:last_error()
      assert.is_nil(tostring(lmsg):find("private", 1, true))
    end)

    it("a v1 set with private works and a v1 set with public fails", function()
      local got = assert(s:set(v1("private"), { { SYS_CONTACT, "octets", "v1 contact" } }))
      assert.equals("v1 contact", got[1].value)
      local ok, _, name, index = s:set(v1("public"), { { SYS_CONTACT, "octets", "nope" } })
      assert.is_nil(ok)
      assert.matches("^SNMP_ERROR_", name)
      assert.equals(1, index)
    end)
  end)

  describe("v1 and v2c #integration", function()
    it("both versions read the same sysName", function()
      assert.equals("winsnmp-agent", assert(s:get(v1(), { SYS_NAME }))[1].value)
      assert.equals("winsnmp-agent", assert(s:get(v2c(), { SYS_NAME }))[1].value)
      assert.equals("winsnmp-agent", assert(s:get(v2c("private"), { SYS_NAME }))[1].value)
    end)

    it("v1 get of a missing OID fails with SNMP_ERROR_NOSUCHNAME, index 1", function()
      local ok, msg, name, index = s:get(v1(), { MISSING })
      fails_with("SNMP_ERROR_NOSUCHNAME", ok, msg, name)
      assert.equals(1, index)
    end)

    it("v1 get reports the index of the missing OID among several", function()
      local ok, _, name, index = s:get(v1(), { SYS_NAME, MISSING })
      assert.is_nil(ok)
      assert.equals("SNMP_ERROR_NOSUCHNAME", name)
      assert.equals(2, index)
    end)

    it("v2c get of a missing OID is a varbind with an exception type", function()
      local got = assert(s:get(v2c(), { SYS_NAME, MISSING, "1.3.6.1.2.1.1.5.1" }))
      assert.equals(3, #got)
      assert.equals("winsnmp-agent", got[1].value)
      assert.equals(MISSING, got[2].oid)
      assert.is_truthy(got[2].type == "nosuchobject" or got[2].type == "nosuchinstance",
        got[2].type)
      assert.is_nil(got[2].value)
      assert.equals("nosuchinstance", got[3].type)
      local expected = cli.get(agent.address, { SYS_NAME, MISSING, "1.3.6.1.2.1.1.5.1" })
      assert.equals(expected[2].type, got[2].type)
      assert.equals(expected[3].type, got[3].type)
    end)

    it("v2c getnext past the end is endofmibview", function()
      local got = assert(s:getnext(v2c(), { "2.99" }))
      assert.equals("endofmibview", got[1].type)
      assert.is_nil(got[1].value)
    end)

    it("v1 getnext past the end fails with SNMP_ERROR_NOSUCHNAME", function()
      local ok, _, name, index = s:getnext(v1(), { "2.99" })
      assert.is_nil(ok)
      assert.equals("SNMP_ERROR_NOSUCHNAME", name)
      assert.equals(1, index)
    end)

    it("a wrong community gets no answer (timeout), in both versions", function()
      for _, version in ipairs({ "1", "2c" }) do
        local e = assert(s:entity(agent.address,
          { version = version, community = "wrong-community", timeout = 0.2, retries = 0 }))
        local ok, msg, name = s:get(e, { SYS_NAME })
        assert.is_nil(ok)
        assert.equals("SNMPAPI_TL_TIMEOUT", name)
        assert.is_nil(msg:find("wrong-community", 1, true))
      end
    end)
  end)
end)
