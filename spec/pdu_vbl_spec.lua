--- Vbl and Pdu: building from lists, count/get/set/delete/dup/totable,
-- PDU types and fields, request ids, copies and frees.
local winsnmp = require("winsnmp")
local helper = require("helper")

local fails_with = helper.fails_with

describe("winsnmp vbl and pdu", function()
  helper.check_no_leaks()

  local s
  before_each(function() s = assert(winsnmp.session()) end)
  after_each(function() s:close() end)

  describe("s:vbl", function()
    it("with no list gives an empty Vbl", function()
      local v = assert(s:vbl())
      assert.equals(0, v:count())
      assert.equals("vbl", winsnmp.type(v))
    end)

    it("with an empty list gives an empty Vbl", function()
      local v = assert(s:vbl({}))
      assert.equals(0, v:count())
      assert.same({}, v:totable())
      assert.equals("winsnmp.vbl (0 varbinds)", tostring(v))
    end)

    it("accepts named, positional and bare-OID entries", function()
      local v = assert(s:vbl({
        { oid = "1.3.6.1.2.1.1.3.0", type = "timeticks", value = 4711 },
        { "1.3.6.1.2.1.1.5.0", "octets", "host" },
        "1.3.6.1.2.1.1.1.0",
      }))
      assert.equals(3, v:count())
      assert.same({ "1.3.6.1.2.1.1.3.0", "timeticks", 4711 }, { v:get(1) })
      assert.same({ "1.3.6.1.2.1.1.5.0", "octets", "host" }, { v:get(2) })
      local oid, syntax, value = v:get(3)
      assert.equals("1.3.6.1.2.1.1.1.0", oid)
      assert.equals("null", syntax)
      assert.is_nil(value)
    end)

    it("a bad entry fails the whole call and leaves no Vbl behind", function()
      local before = s:stats().vbls
      fails_with("SNMPAPI_OID_INVALID", s:vbl({ "1.3.6.1", "1.3.bad", "1.3.6.2" }))
      fails_with("SNMPAPI_SYNTAX_INVALID", s:vbl({ "1.3.6.1", { "1.3.6.2", "int", "x" } }))
      assert.equals(before, s:stats().vbls)
    end)

    it("misuse raises and leaves no Vbl behind", function()
      local before = s:stats().vbls
      assert.has_error(function() s:vbl(42) end)
      assert.has_error(function() s:vbl({ "1.3.6.1", 42 }) end)
      assert.has_error(function() s:vbl({ true }) end)
      helper.full_gc()
      assert.equals(before, s:stats().vbls)
    end)
  end)

  describe("Vbl methods", function()
    local v
    before_each(function()
      v = assert(s:vbl({ { "1.3.6.1.1", "int", 1 }, { "1.3.6.1.2", "int", 2 },
                         { "1.3.6.1.3", "int", 3 } }))
    end)

    it("get returns oid, type, value", function()
      assert.same({ "1.3.6.1.2", "int", 2 }, { v:get(2) })
    end)

    it("get outside 1..count returns SNMPAPI_INDEX_INVALID", function()
      fails_with("SNMPAPI_INDEX_INVALID", v:get(0))
      fails_with("SNMPAPI_INDEX_INVALID", v:get(4))
      fails_with("SNMPAPI_INDEX_INVALID", v:get(-1))
      fails_with("SNMPAPI_INDEX_INVALID", v:get(math.maxinteger))
    end)

    it("get raises for a non-integer index", function()
      assert.has_error(function() v:get("first") end)
      assert.has_error(function() v:get(1.5) end)
      assert.has_error(function() v:get() end)
    end)

    it("set replaces an entry and returns its index", function()
      assert.equals(2, v:set(2, "1.3.6.1.9", "octets", "nine"))
      assert.equals(3, v:count())
      assert.same({ "1.3.6.1.9", "octets", "nine" }, { v:get(2) })
      assert.same({ "1.3.6.1.3", "int", 3 }, { v:get(3) })
    end)

    it("set with index 0 appends and returns the new count", function()
      assert.equals(4, v:set(0, "1.3.6.1.4", "ipaddr", "10.0.0.1"))
      assert.equals(5, v:set(0, "1.3.6.1.5"))
      assert.equals(5, v:count())
      assert.same({ "1.3.6.1.4", "ipaddr", "10.0.0.1" }, { v:get(4) })
      assert.equals("null", select(2, v:get(5)))
    end)

    it("set beyond the end returns SNMPAPI_INDEX_INVALID", function()
      fails_with("SNMPAPI_INDEX_INVALID", v:set(5, "1.3.6.1.5", "null"))
      fails_with("SNMPAPI_INDEX_INVALID", v:set(-1, "1.3.6.1.5", "null"))
      assert.equals(3, v:count())
    end)

    it("set with bad data returns nil, msg, NAME and keeps the entry", function()
      fails_with("SNMPAPI_SYNTAX_INVALID", v:set(1, "1.3.6.1.1", "int", 1 << 31))
      fails_with("SNMPAPI_SYNTAX_INVALID", v:set(1, "1.3.6.1.1", "word", 1))
      fails_with("SNMPAPI_OID_INVALID", v:set(1, "1.3.6.1.x", "int", 1))
      assert.same({ "1.3.6.1.1", "int", 1 }, { v:get(1) })
    end)

    it("set raises for a non-string OID", function()
      assert.has_error(function() v:set(1, 42, "int", 1) end)
      assert.has_error(function() v:set(1, "1.3.6.1", 42, 1) end)
    end)

    it("delete removes an entry and later entries shift", function()
      assert.is_true(v:delete(1))
      assert.equals(2, v:count())
      assert.same({ "1.3.6.1.2", "int", 2 }, { v:get(1) })
      assert.same({ "1.3.6.1.3", "int", 3 }, { v:get(2) })
      assert.is_true(v:delete(2))
      assert.same({ { oid = "1.3.6.1.2", type = "int", value = 2 } }, v:totable())
    end)

    it("delete outside 1..count returns SNMPAPI_INDEX_INVALID", function()
      fails_with("SNMPAPI_INDEX_INVALID", v:delete(0))
      fails_with("SNMPAPI_INDEX_INVALID", v:delete(4))
      assert.equals(3, v:count())
    end)

    it("dup is an independent copy", function()
      local d = assert(v:dup())
      assert.equals("vbl", winsnmp.type(d))
      assert.same(v:totable(), d:totable())
      d:set(1, "1.3.7", "null")
      d:delete(3)
      assert.same({ "1.3.6.1.1", "int", 1 }, { v:get(1) })
      assert.equals(3, v:count())
      v:free()
      assert.equals(2, d:count())
      assert.equals("1.3.7", (d:get(1)))
    end)

    it("totable lists {oid, type, value} tables in order", function()
      assert.same({
        { oid = "1.3.6.1.1", type = "int", value = 1 },
        { oid = "1.3.6.1.2", type = "int", value = 2 },
        { oid = "1.3.6.1.3", type = "int", value = 3 },
      }, v:totable())
    end)

    it("totable output builds an equal Vbl", function()
      v:set(0, "1.3.6.1.4", "octets", "a\0b")
      v:set(0, "1.3.6.1.5", "cntr64", -1)
      v:set(0, "1.3.6.1.6", "oid", "1.3.6.1.4.1")
      v:set(0, "1.3.6.1.7", "endofmibview")
      local again = assert(s:vbl(v:totable()))
      assert.same(v:totable(), again:totable())
    end)

    it("freed: every method returns SNMPAPI_VBL_INVALID", function()
      assert.is_true(v:free())
      fails_with("SNMPAPI_VBL_INVALID", v:count())
      fails_with("SNMPAPI_VBL_INVALID", v:get(1))
      fails_with("SNMPAPI_VBL_INVALID", v:set(0, "1.3.6.1", "null"))
      fails_with("SNMPAPI_VBL_INVALID", v:delete(1))
      fails_with("SNMPAPI_VBL_INVALID", v:dup())
      fails_with("SNMPAPI_VBL_INVALID", v:totable())
      assert.equals("winsnmp.vbl (freed)", tostring(v))
    end)
  end)

  describe("s:pdu", function()
    local TYPES = { "get", "getnext", "getbulk", "set", "trap", "inform", "response" }

    it("creates every PDU type", function()
      for _, t in ipairs(TYPES) do
        local p = assert(s:pdu(t))
        assert.equals("pdu", winsnmp.type(p))
        local d = p:data()
        assert.equals(t, d.type)
        assert.same({}, d.varbinds)
      end
    end)

    it("an unknown type returns SNMPAPI_PDU_INVALID", function()
      fails_with("SNMPAPI_PDU_INVALID", s:pdu("walk"))
      fails_with("SNMPAPI_PDU_INVALID", s:pdu("GET"))
      fails_with("SNMPAPI_PDU_INVALID", s:pdu(""))
      assert.equals("SNMPAPI_PDU_INVALID", (s:last_error()))
    end)

    it("generates positive request ids that differ between PDUs", function()
      local seen = {}
      for _ = 1, 100 do
        local id = assert(s:pdu("get")):data().request_id
        assert.is_true(math.type(id) == "integer")
        assert.is_true(id > 0)
        assert.is_nil(seen[id])
        seen[id] = true
      end
    end)

    it("takes request_id, error_status and error_index", function()
      local d = assert(s:pdu("response", { "1.3.6.1" },
        { request_id = 77, error_status = 2, error_index = 1 })):data()
      assert.equals("response", d.type)
      assert.equals(77, d.request_id)
      assert.equals(2, d.error_status)
      assert.equals(1, d.error_index)
      assert.equals("SNMP_ERROR_NOSUCHNAME", d.error_name)
    end)

    it("request_id = 0 forces 0", function()
      assert.equals(0, assert(s:pdu("get", nil, { request_id = 0 })):data().request_id)
    end)

    it("data has no error_name when error_status is 0", function()
      local d = assert(s:pdu("get", { "1.3.6.1" })):data()
      assert.equals(0, d.error_status)
      assert.equals(0, d.error_index)
      assert.is_nil(d.error_name)
    end)

    it("getbulk carries non_repeaters and max_repetitions", function()
      local d = assert(s:pdu("getbulk", { "1.3.6.1.2.1.1", "1.3.6.1.2.1.2" },
        { non_repeaters = 1, max_repetitions = 25 })):data()
      assert.equals("getbulk", d.type)
      assert.equals(1, d.non_repeaters)
      assert.equals(25, d.max_repetitions)
      assert.equals(0, d.error_status)
      assert.equals(0, d.error_index)
      assert.equals(2, #d.varbinds)
    end)

    it("data lists the varbinds as {oid, type, value}", function()
      local d = assert(s:pdu("set", {
        { oid = "1.3.6.1.2.1.1.5.0", type = "octets", value = "name" },
        { "1.3.6.1.2.1.1.7.0", "int", 72 },
      })):data()
      assert.same({
        { oid = "1.3.6.1.2.1.1.5.0", type = "octets", value = "name" },
        { oid = "1.3.6.1.2.1.1.7.0", type = "int", value = 72 },
      }, d.varbinds)
    end)

    it("accepts a Vbl and copies it", function()
      local v = assert(s:vbl({ { "1.3.6.1.1", "int", 1 } }))
      local p = assert(s:pdu("set", v))
      v:set(1, "1.3.6.1.9", "int", 9)
      v:set(0, "1.3.6.1.10", "int", 10)
      local vbs = p:data().varbinds
      assert.equals(1, #vbs)
      assert.same({ oid = "1.3.6.1.1", type = "int", value = 1 }, vbs[1])
      v:free()
      assert.equals(1, #p:data().varbinds)
    end)

    it("a list does not leave a Vbl behind", function()
      local before = s:stats().vbls
      assert(s:pdu("get", { "1.3.6.1", "1.3.6.2" }))
      assert.equals(before, s:stats().vbls)
    end)

    it("a bad list returns nil, msg, NAME and leaves nothing behind", function()
      local st = s:stats()
      fails_with("SNMPAPI_OID_INVALID", s:pdu("get", { "1.3.6.1", "1.3.x" }))
      fails_with("SNMPAPI_SYNTAX_INVALID", s:pdu("set", { { "1.3.6.1", "int", "x" } }))
      local after = s:stats()
      assert.equals(st.vbls, after.vbls)
      assert.equals(st.pdus, after.pdus)
    end)

    it("a freed Vbl returns SNMPAPI_VBL_INVALID", function()
      local v = assert(s:vbl({ "1.3.6.1" }))
      v:free()
      fails_with("SNMPAPI_VBL_INVALID", s:pdu("get", v))
    end)

    it("misuse raises", function()
      assert.has_error(function() s:pdu("get", 42) end)
      assert.has_error(function() s:pdu("get", "1.3.6.1") end)
      assert.has_error(function() s:pdu(nil) end)
      assert.has_error(function() s:pdu("get", nil, 5) end)
      assert.has_error(function() s:pdu("get", nil, { request_id = "7" }) end)
      assert.has_error(function() s:pdu("get", nil, { error_status = 1.5 }) end)
      assert.has_error(function() s:pdu("get", nil, { request_id = 1 << 40 }) end)
    end)
  end)

  describe("Pdu methods", function()
    it("dup is an independent copy", function()
      local p = assert(s:pdu("set", { { "1.3.6.1", "octets", "x\0y" } }, { request_id = 5 }))
      local d = assert(p:dup())
      assert.equals("pdu", winsnmp.type(d))
      assert.same(p:data(), d:data())
      assert.is_true(p:free())
      local data = d:data()
      assert.equals(5, data.request_id)
      assert.equals("x\0y", data.varbinds[1].value)
    end)

    it("free is idempotent and later calls return SNMPAPI_PDU_INVALID", function()
      local p = assert(s:pdu("get", { "1.3.6.1" }))
      assert.is_true(p:free())
      assert.is_true(p:free())
      fails_with("SNMPAPI_PDU_INVALID", p:data())
      fails_with("SNMPAPI_PDU_INVALID", p:dup())
      assert.equals("freed handle", winsnmp.type(p))
      assert.equals("winsnmp.pdu (freed)", tostring(p))
    end)

    it("tostring shows the type and request id", function()
      local p = assert(s:pdu("getnext", nil, { request_id = 42 }))
      assert.equals("winsnmp.pdu (getnext, request 42)", tostring(p))
    end)

    it("counts in stats until freed", function()
      local p = assert(s:pdu("get"))
      assert.equals(1, s:stats().pdus)
      p:free()
      assert.equals(0, s:stats().pdus)
    end)
  end)
end)
