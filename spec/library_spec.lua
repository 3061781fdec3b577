--- Library-level functions: startup/cleanup, modes, error tables,
-- process-wide last error, stats and limits.
local winsnmp = require("winsnmp")
local helper = require("helper")

local fails_with, run_child = helper.fails_with, helper.run_child

local COUNTS = helper.COUNTS

describe("winsnmp library", function()
  helper.check_no_leaks()

  describe("startup", function()
    it("returns the info table", function()
      local info = winsnmp.startup()
      assert.same({ major = 2, minor = 0, level = 2, translate_mode = "translated",
                    retransmit_mode = "on" }, info)
    end)

    it("is safe to repeat", function()
      winsnmp.startup()
      winsnmp.startup()
      local s = assert(winsnmp.session())
      assert.is_true(s:is_open())
      s:close()
    end)

    it("reports the current modes", function()
      finally(function()
        winsnmp.translate_mode("translated")
        winsnmp.retransmit_mode("on")
      end)
      winsnmp.translate_mode("untranslated_v1")
      winsnmp.retransmit_mode("off")
      local info = winsnmp.startup()
      assert.equals("untranslated_v1", info.translate_mode)
      assert.equals("off", info.retransmit_mode)
    end)
  end)

  describe("translate_mode and retransmit_mode", function()
    it("get and set every translate mode by name", function()
      finally(function() winsnmp.translate_mode("translated") end)
      assert.equals("translated", winsnmp.translate_mode())
      for _, mode in ipairs({ "untranslated_v1", "untranslated_v2", "translated" }) do
        assert.equals(mode, winsnmp.translate_mode(mode))
        assert.equals(mode, winsnmp.translate_mode())
      end
    end)

    it("get and set the retransmit mode by name", function()
      finally(function() winsnmp.retransmit_mode("on") end)
      assert.equals("on", winsnmp.retransmit_mode())
      assert.equals("off", winsnmp.retransmit_mode("off"))
      assert.equals("off", winsnmp.retransmit_mode())
      assert.equals("on", winsnmp.retransmit_mode("on"))
    end)

    it("raise for an unknown mode name", function()
      assert.has_error(function() winsnmp.translate_mode("bogus") end)
      assert.has_error(function() winsnmp.retransmit_mode("maybe") end)
      assert.equals("translated", winsnmp.translate_mode())
      assert.equals("on", winsnmp.retransmit_mode())
    end)
  end)

  describe("errors table", function()
    -- The WinSNMP numbers (winsnmp.h of the Windows SDK).
    local KNOWN = {
      SNMPAPI_ALLOC_ERROR = 2, SNMPAPI_CONTEXT_INVALID = 3, SNMPAPI_CONTEXT_UNKNOWN = 4,
      SNMPAPI_ENTITY_INVALID = 5, SNMPAPI_ENTITY_UNKNOWN = 6, SNMPAPI_INDEX_INVALID = 7,
      SNMPAPI_NOOP = 8, SNMPAPI_OID_INVALID = 9, SNMPAPI_OPERATION_INVALID = 10,
      SNMPAPI_OUTPUT_TRUNCATED = 11, SNMPAPI_PDU_INVALID = 12, SNMPAPI_SESSION_INVALID = 13,
      SNMPAPI_SYNTAX_INVALID = 14, SNMPAPI_VBL_INVALID = 15, SNMPAPI_MODE_INVALID = 16,
      SNMPAPI_SIZE_INVALID = 17, SNMPAPI_NOT_INITIALIZED = 18, SNMPAPI_MESSAGE_INVALID = 19,
      SNMPAPI_HWND_INVALID = 20, SNMPAPI_OTHER_ERROR = 99, SNMPAPI_TL_NOT_INITIALIZED = 100,
      SNMPAPI_TL_NOT_SUPPORTED = 101, SNMPAPI_TL_NOT_AVAILABLE = 102,
      SNMPAPI_TL_RESOURCE_ERROR = 103, SNMPAPI_TL_UNDELIVERABLE = 104,
      SNMPAPI_TL_SRC_INVALID = 105, SNMPAPI_TL_INVALID_PARAM = 106, SNMPAPI_TL_IN_USE = 107,
      SNMPAPI_TL_TIMEOUT = 108, SNMPAPI_TL_PDU_TOO_BIG = 109, SNMPAPI_TL_OTHER = 199,
    }

    it("maps SNMPAPI_TL_TIMEOUT both ways", function()
      assert.equals(108, winsnmp.errors.SNMPAPI_TL_TIMEOUT)
      assert.equals("SNMPAPI_TL_TIMEOUT", winsnmp.errors[108])
    end)

    it("holds every WinSNMP error with its number, both ways", function()
      for name, number in pairs(KNOWN) do
        assert.equals(number, winsnmp.errors[name], name)
        assert.equals(name, winsnmp.errors[number], name)
      end
    end)

    it("maps every name back to itself through its number", function()
      local names = 0
      for key, value in pairs(winsnmp.errors) do
        if type(key) == "string" then
          names = names + 1
          assert.is_true(math.type(value) == "integer", key)
          assert.equals(key, winsnmp.errors[value])
        else
          assert.is_true(math.type(key) == "integer")
          assert.is_string(value)
          assert.equals(key, winsnmp.errors[value])
        end
      end
      assert.is_true(names >= 31)
    end)

    it("pdu_errors maps SNMP_ERROR_* names both ways", function()
      assert.equals(0, winsnmp.pdu_errors.SNMP_ERROR_NOERROR)
      assert.equals(2, winsnmp.pdu_errors.SNMP_ERROR_NOSUCHNAME)
      assert.equals("SNMP_ERROR_NOSUCHNAME", winsnmp.pdu_errors[2])
      assert.equals(17, winsnmp.pdu_errors.SNMP_ERROR_NOTWRITABLE)
      assert.equals(18, winsnmp.pdu_errors.SNMP_ERROR_INCONSISTENTNAME)
      for key, value in pairs(winsnmp.pdu_errors) do
        assert.equals(key, winsnmp.pdu_errors[value])
      end
    end)
  end)

  describe("last_error", function()
    it("is nil, 'no error', 0 in a fresh process", function()
      local out, ok = run_child([[
        local winsnmp = require("winsnmp")
        io.write(table.concat({ tostring((winsnmp.last_error())), select(2, winsnmp.last_error()) }, "|"))
      ]])
      assert.is_true(ok, out)
      assert.equals("nil|no error|0", out)
    end)

    it("returns NAME, message, number of the latest failure anywhere", function()
      local s = assert(winsnmp.session())
      fails_with("SNMPAPI_OID_INVALID", s:vbl({ "1.3.six" }))
      local name, msg, number = winsnmp.last_error()
      assert.equals("SNMPAPI_OID_INVALID", name)
      assert.is_string(msg)
      assert.equals(winsnmp.errors.SNMPAPI_OID_INVALID, number)

      fails_with("SNMPAPI_OID_INVALID", winsnmp.oid_compare("1.3", "x"))
      fails_with("SNMPAPI_PDU_INVALID", s:pdu("nonsense"))
      name, msg, number = winsnmp.last_error()
      assert.equals("SNMPAPI_PDU_INVALID", name)
      assert.equals(12, number)
      assert.is_string(msg)
      s:close()
    end)

    it("is the message and name the failing call returned", function()
      local s = assert(winsnmp.session())
      local _, msg, name = s:vbl({ { "1.3.6.1", "int", "seven" } })
      local gname, gmsg = winsnmp.last_error()
      assert.equals(name, gname)
      assert.equals(msg, gmsg)
      s:close()
    end)
  end)

  describe("stats", function()
    it("has every count key as an integer", function()
      local st = winsnmp.stats()
      for _, key in ipairs(COUNTS) do
        assert.is_true(math.type(st[key]) == "integer", key)
      end
    end)

    it("counts live objects", function()
      helper.full_gc()
      local before = winsnmp.stats()
      local s = assert(winsnmp.session())
      local e = assert(s:entity("127.0.0.1", {}))
      local c = assert(s:context("public"))
      local v = assert(s:vbl({ "1.3.6.1" }))
      local p = assert(s:pdu("get", { "1.3.6.1" }))
      local st = winsnmp.stats()
      assert.equals(before.sessions + 1, st.sessions)
      assert.equals(before.entities + 1, st.entities)
      assert.equals(before.contexts + 1, st.contexts)
      assert.equals(before.vbls + 1, st.vbls)
      assert.equals(before.pdus + 1, st.pdus)
      s:close()
      assert.same(before, winsnmp.stats())
      assert.equals("freed handle", winsnmp.type(e))
      assert.equals("freed handle", winsnmp.type(c))
      assert.equals("freed handle", winsnmp.type(v))
      assert.equals("freed handle", winsnmp.type(p))
    end)
  end)

  describe("limits", function()
    local saved
    before_each(function()
      saved = winsnmp.limits()
    end)
    after_each(function()
      winsnmp.limits(saved)
      helper.full_gc()
    end)

    it("has the documented keys and generous defaults", function()
      local lim = winsnmp.limits()
      assert.is_true(lim.sessions >= 10000)
      assert.is_true(lim.handles >= 1000000)
      assert.is_true(math.type(lim.handles_per_session) == "integer")
      assert.is_true(math.type(lim.pending) == "integer")
    end)

    it("sets limits and returns the new table", function()
      local lim = winsnmp.limits({ sessions = 12345, handles = 2000000 })
      assert.equals(12345, lim.sessions)
      assert.equals(2000000, lim.handles)
      assert.equals(saved.handles_per_session, lim.handles_per_session)
      assert.same(lim, winsnmp.limits())
      assert.same(saved, winsnmp.limits(saved))
    end)

    it("raises for an unknown key or a non-positive or fractional value", function()
      assert.has_error(function() winsnmp.limits({ bogus = 1 }) end)
      assert.has_error(function() winsnmp.limits({ sessions = 0 }) end)
      assert.has_error(function() winsnmp.limits({ sessions = -1 }) end)
      assert.has_error(function() winsnmp.limits({ handles = 1.5 }) end)
      assert.has_error(function() winsnmp.limits({ pending = "10" }) end)
      assert.has_error(function() winsnmp.limits("sessions") end)
      assert.same(saved, winsnmp.limits())
    end)

    it("refuses a session beyond the session limit with SNMPAPI_ALLOC_ERROR", function()
      helper.full_gc()
      local live = winsnmp.stats().sessions
      winsnmp.limits({ sessions = live + 3 })
      local held = {}
      for i = 1, 3 do
        held[i] = assert(winsnmp.session())
      end
      fails_with("SNMPAPI_ALLOC_ERROR", winsnmp.session())
      assert.equals("SNMPAPI_ALLOC_ERROR", (winsnmp.last_error()))
      -- closing one makes room again
      held[1]:close()
      held[1] = assert(winsnmp.session())
      fails_with("SNMPAPI_ALLOC_ERROR", winsnmp.session())
      for _, s in ipairs(held) do s:close() end
    end)

    it("does not count dropped but uncollected sessions against the limit", function()
      helper.full_gc()
      local live = winsnmp.stats().sessions
      winsnmp.limits({ sessions = live + 20 })
      for _ = 1, 20 do
        assert(winsnmp.session()) -- dropped at once, never closed
      end
      local held = {}
      for i = 1, 20 do
        held[i] = assert(winsnmp.session())
      end
      fails_with("SNMPAPI_ALLOC_ERROR", winsnmp.session())
      for _, s in ipairs(held) do s:close() end
    end)

    it("refuses a handle beyond the handle limit with SNMPAPI_ALLOC_ERROR", function()
      helper.full_gc()
      local s = assert(winsnmp.session())
      local st = winsnmp.stats()
      local live = st.entities + st.contexts + st.pdus + st.vbls
      winsnmp.limits({ handles = live + 2 })
      local a = assert(s:context("a"))
      local b = assert(s:vbl({}))
      fails_with("SNMPAPI_ALLOC_ERROR", s:context("c"))
      fails_with("SNMPAPI_ALLOC_ERROR", s:entity("127.0.0.1", {}))
      fails_with("SNMPAPI_ALLOC_ERROR", s:pdu("get"))
      assert.equals("SNMPAPI_ALLOC_ERROR", (s:last_error()))
      a:free()
      assert.is_truthy(s:context("c"))
      assert.is_truthy(b)
      s:close()
    end)

    it("applies handles_per_session to each session on its own", function()
      helper.full_gc()
      winsnmp.limits({ handles_per_session = 2 })
      local s1 = assert(winsnmp.session())
      local s2 = assert(winsnmp.session())
      local held = { assert(s1:vbl({})), assert(s1:vbl({})) }
      fails_with("SNMPAPI_ALLOC_ERROR", s1:vbl({}))
      assert.is_truthy(s2:vbl({}))
      assert.equals(2, #held)
      s1:close()
      s2:close()
    end)
  end)

  describe("cleanup", function()
    after_each(function()
      winsnmp.startup()
    end)

    it("closes every session and frees every handle", function()
      local s1 = assert(winsnmp.session())
      local s2 = assert(winsnmp.session())
      local e = assert(s1:entity("127.0.0.1", {}))
      local c = assert(s1:context("public"))
      local v = assert(s2:vbl({ "1.3.6.1" }))
      local p = assert(s2:pdu("get", v))
      assert.is_true(winsnmp.cleanup())
      local st = winsnmp.stats()
      for _, key in ipairs(COUNTS) do
        assert.equals(0, st[key], key)
      end
      assert.is_false(s1:is_open())
      assert.is_false(s2:is_open())
      assert.equals("closed session", winsnmp.type(s1))
      for _, h in ipairs({ e, c, v, p }) do
        assert.equals("freed handle", winsnmp.type(h))
      end
    end)

    it("makes winsnmp.session() fail with SNMPAPI_NOT_INITIALIZED until startup", function()
      assert.is_true(winsnmp.cleanup())
      fails_with("SNMPAPI_NOT_INITIALIZED", winsnmp.session())
      assert.equals("SNMPAPI_NOT_INITIALIZED", (winsnmp.last_error()))
      winsnmp.startup()
      local s = assert(winsnmp.session())
      assert.is_true(s:is_open())
      s:close()
    end)

    it("is harmless when repeated", function()
      assert.is_true(winsnmp.cleanup())
      assert.is_true(winsnmp.cleanup())
    end)

    it("leaves old objects dead after startup: no aliasing of new ones", function()
      local old = assert(winsnmp.session())
      local old_vbl = assert(old:vbl({ "1.3.6.1" }))
      winsnmp.cleanup()
      winsnmp.startup()
      local new = {}
      for i = 1, 50 do
        new[i] = assert(winsnmp.session())
        assert(new[i]:vbl({ "1.3.6.2" }))
      end
      assert.is_false(old:is_open())
      assert.equals("closed session", winsnmp.type(old))
      fails_with("SNMPAPI_SESSION_INVALID", old:vbl({}))
      fails_with("SNMPAPI_VBL_INVALID", old_vbl:count())
      assert.is_true(old:close())
      for _, s in ipairs(new) do
        assert.is_true(s:is_open())
        s:close()
      end
    end)

    it("lets later code run after startup", function()
      winsnmp.cleanup()
      local info = winsnmp.startup()
      assert.equals(2, info.major)
      assert.equals("translated", info.translate_mode)
      assert.equals("on", info.retransmit_mode)
      local s = assert(winsnmp.session())
      assert.equals(1, assert(s:vbl({ "1.3.6.1" })):count())
      s:close()
    end)
  end)
end)
