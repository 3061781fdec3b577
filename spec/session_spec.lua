--- Session lifecycle: close, to-be-closed variables, use after close,
-- garbage collection, per-session last error and stats, and the line
-- between Lua-level misuse (raises) and data errors (nil, msg, NAME).
--
-- (s:entity(address) without options is covered, as a crash regression,
-- in a child process in entity_spec.lua.)
local winsnmp = require("winsnmp")
local helper = require("helper")

local fails_with = helper.fails_with

describe("winsnmp session", function()
  helper.check_no_leaks()

  describe("creation", function()
    it("returns an open Session", function()
      local s = assert(winsnmp.session())
      assert.equals("session", winsnmp.type(s))
      assert.is_true(s:is_open())
      assert.equals("winsnmp.session", getmetatable(s).__name)
      s:close()
    end)

    it("accepts a callback function", function()
      local s = assert(winsnmp.session(function() end))
      assert.is_true(s:is_open())
      s:close()
    end)

    it("raises for a callback that is not a function", function()
      assert.has_error(function() winsnmp.session(42) end)
      assert.has_error(function() winsnmp.session("cb") end)
    end)

    it("tostring names the kind and says when closed", function()
      local s = assert(winsnmp.session())
      assert.matches("^winsnmp%.session", tostring(s))
      s:close()
      assert.equals("winsnmp.session (closed)", tostring(s))
    end)
  end)

  describe("close", function()
    it("returns true and closes", function()
      local s = assert(winsnmp.session())
      assert.is_true(s:close())
      assert.is_false(s:is_open())
      assert.equals("closed session", winsnmp.type(s))
    end)

    it("is harmless a second time", function()
      local s = assert(winsnmp.session())
      assert.is_true(s:close())
      assert.is_true(s:close())
      assert.is_false(s:is_open())
    end)

    it("frees every handle the session created", function()
      helper.full_gc()
      local before = winsnmp.stats()
      local s = assert(winsnmp.session())
      local held = {
        assert(s:entity("127.0.0.1", {})), assert(s:entity("udp:127.0.0.1:1161", {})),
        assert(s:context("public")), assert(s:vbl({ "1.3.6.1" })),
        assert(s:pdu("get", { "1.3.6.1" })),
      }
      local mine = s:stats()
      assert.equals(2, mine.entities)
      assert.equals(1, mine.contexts)
      assert.equals(1, mine.vbls)
      assert.equals(1, mine.pdus)
      s:close()
      assert.same(before, winsnmp.stats())
      for _, h in ipairs(held) do
        assert.equals("freed handle", winsnmp.type(h))
      end
    end)

    it("does not touch other sessions", function()
      local a = assert(winsnmp.session())
      local b = assert(winsnmp.session())
      local v = assert(b:vbl({ "1.3.6.1" }))
      a:close()
      assert.is_true(b:is_open())
      assert.equals(1, v:count())
      b:close()
    end)
  end)

  describe("<close> variables", function()
    it("close the session at scope exit", function()
      local kept
      do
        local s <close> = assert(winsnmp.session())
        kept = s
        assert.is_true(s:is_open())
      end
      assert.is_false(kept:is_open())
      assert.equals("closed session", winsnmp.type(kept))
    end)

    it("close the session when the scope is left by an error", function()
      local kept
      local ok = pcall(function()
        local s <close> = assert(winsnmp.session())
        kept = s
        error("boom")
      end)
      assert.is_false(ok)
      assert.is_false(kept:is_open())
    end)

    it("are harmless on a session closed inside the scope", function()
      local kept
      do
        local s <close> = assert(winsnmp.session())
        kept = s
        s:close()
      end
      assert.is_false(kept:is_open())
    end)

    it("free the session's handles at scope exit", function()
      helper.full_gc()
      local before = winsnmp.stats()
      local v
      do
        local s <close> = assert(winsnmp.session())
        v = assert(s:vbl({ "1.3.6.1" }))
      end
      assert.same(before, winsnmp.stats())
      assert.equals("freed handle", winsnmp.type(v))
    end)
  end)

  describe("use after close", function()
    local s
    before_each(function()
      s = assert(winsnmp.session())
      s:close()
    end)

    it("entity returns SNMPAPI_SESSION_INVALID", function()
      fails_with("SNMPAPI_SESSION_INVALID", s:entity("127.0.0.1", {}))
    end)

    it("context returns SNMPAPI_SESSION_INVALID", function()
      fails_with("SNMPAPI_SESSION_INVALID", s:context("public"))
    end)

    it("vbl returns SNMPAPI_SESSION_INVALID", function()
      fails_with("SNMPAPI_SESSION_INVALID", s:vbl({ "1.3.6.1" }))
    end)

    it("pdu returns SNMPAPI_SESSION_INVALID", function()
      fails_with("SNMPAPI_SESSION_INVALID", s:pdu("get"))
      fails_with("SNMPAPI_SESSION_INVALID", s:pdu("get", { "1.3.6.1" }))
    end)

    it("stats returns SNMPAPI_SESSION_INVALID", function()
      fails_with("SNMPAPI_SESSION_INVALID", s:stats())
    end)

    it("last_error reports the session as closed", function()
      local name, msg, number = s:last_error()
      assert.equals("SNMPAPI_SESSION_INVALID", name)
      assert.equals("session is closed", msg)
      assert.equals(13, number)
    end)

    it("is_open is false and close still returns true", function()
      assert.is_false(s:is_open())
      assert.is_true(s:close())
    end)

    it("sets the process-wide last error", function()
      s:vbl({})
      assert.equals("SNMPAPI_SESSION_INVALID", (winsnmp.last_error()))
    end)
  end)

  describe("garbage collection", function()
    it("closes thousands of dropped sessions", function()
      helper.full_gc()
      local before = winsnmp.stats().sessions
      for _ = 1, 5000 do
        assert(winsnmp.session())
      end
      helper.full_gc()
      assert.equals(before, winsnmp.stats().sessions)
      assert.equals(0, winsnmp.stats().sessions)
    end)

    it("frees dropped sessions together with their child handles", function()
      helper.full_gc()
      local before = winsnmp.stats()
      for _ = 1, 2000 do
        local s = assert(winsnmp.session())
        assert(s:entity("127.0.0.1", {}))
        assert(s:context("public"))
        assert(s:vbl({ "1.3.6.1" }))
        assert(s:pdu("get", { "1.3.6.1" }))
      end
      helper.full_gc()
      assert.same(before, winsnmp.stats())
    end)

    it("frees dropped children of a live session", function()
      local s = assert(winsnmp.session())
      for i = 1, 1000 do
        assert(s:vbl({ "1.3.6.1." .. i }))
        assert(s:context("c" .. i))
      end
      helper.full_gc()
      local mine = s:stats()
      assert.equals(0, mine.vbls)
      assert.equals(0, mine.contexts)
      assert.is_true(s:is_open())
      s:close()
    end)

    it("keeps a session alive while a child is referenced", function()
      helper.assert_children_keep_session(function(s)
        return { e = assert(s:entity("127.0.0.1:1161", { timeout = 2.5 })) }
      end, function(h)
        assert.equals("entity", winsnmp.type(h.e))
        assert.equals("udp:127.0.0.1:1161", h.e:address())
        assert.equals(2.5, h.e:timeout())
      end)
    end)
  end)

  describe("last_error", function()
    it("is nil, 'no error', 0 on a new session", function()
      local s = assert(winsnmp.session())
      local name, msg, number = s:last_error()
      assert.is_nil(name)
      assert.equals("no error", msg)
      assert.equals(0, number)
      s:close()
    end)

    it("returns NAME, message, number of the session's latest failure", function()
      local s = assert(winsnmp.session())
      local _, fmsg = s:vbl({ "1.3..6" })
      local name, msg, number = s:last_error()
      assert.equals("SNMPAPI_OID_INVALID", name)
      assert.equals(fmsg, msg)
      assert.equals(winsnmp.errors.SNMPAPI_OID_INVALID, number)
      s:close()
    end)

    it("a failure on session A sets A's slot and the process slot, not B's", function()
      local a = assert(winsnmp.session())
      local b = assert(winsnmp.session())
      fails_with("SNMPAPI_OID_INVALID", a:vbl({ "not.an.oid" }))
      assert.equals("SNMPAPI_OID_INVALID", (a:last_error()))
      assert.equals("SNMPAPI_OID_INVALID", (winsnmp.last_error()))
      local bname, bmsg, bnumber = b:last_error()
      assert.is_nil(bname)
      assert.equals("no error", bmsg)
      assert.equals(0, bnumber)

      fails_with("SNMPAPI_PDU_INVALID", b:pdu("nonsense"))
      assert.equals("SNMPAPI_PDU_INVALID", (b:last_error()))
      assert.equals("SNMPAPI_PDU_INVALID", (winsnmp.last_error()))
      assert.equals("SNMPAPI_OID_INVALID", (a:last_error()))
      a:close()
      b:close()
    end)

    it("is set by failures of the session's child handles", function()
      local a = assert(winsnmp.session())
      local b = assert(winsnmp.session())
      local v = assert(a:vbl({ "1.3.6.1" }))
      fails_with("SNMPAPI_INDEX_INVALID", v:get(2))
      assert.equals("SNMPAPI_INDEX_INVALID", (a:last_error()))
      assert.equals("SNMPAPI_INDEX_INVALID", (winsnmp.last_error()))
      assert.is_nil((b:last_error()))
      a:close()
      b:close()
    end)

    it("is set by entity failures on that session only", function()
      local a = assert(winsnmp.session())
      local b = assert(winsnmp.session())
      fails_with("SNMPAPI_ENTITY_UNKNOWN", a:entity("no such host!!", {}))
      assert.equals("SNMPAPI_ENTITY_UNKNOWN", (a:last_error()))
      assert.is_nil((b:last_error()))
      a:close()
      b:close()
    end)
  end)

  describe("stats", function()
    it("counts one session's live objects with the library keys", function()
      local s = assert(winsnmp.session())
      local e = assert(s:entity("127.0.0.1", {}))
      local v1 = assert(s:vbl({}))
      local v2 = assert(s:vbl({}))
      local st = s:stats()
      assert.equals(1, st.sessions)
      assert.equals(1, st.entities)
      assert.equals(0, st.contexts)
      assert.equals(2, st.vbls)
      assert.equals(0, st.pdus)
      assert.equals(0, st.pending)
      assert.equals(0, st.registrations)
      assert.is_not_nil(st.descriptors)
      v1:free()
      assert.equals(1, s:stats().vbls)
      assert.is_truthy(e and v2)
      s:close()
    end)

    it("does not count other sessions' objects", function()
      local a = assert(winsnmp.session())
      local b = assert(winsnmp.session())
      local v = assert(a:vbl({}))
      assert.equals(1, a:stats().vbls)
      assert.equals(0, b:stats().vbls)
      assert.is_truthy(v)
      a:close()
      b:close()
    end)
  end)

  describe("misuse raises, data errors return nil, msg, NAME", function()
    local s
    before_each(function() s = assert(winsnmp.session()) end)
    after_each(function() s:close() end)

    it("s:vbl(42) raises", function()
      assert.has_error(function() s:vbl(42) end)
    end)

    it("s:entity(nil) raises", function()
      assert.has_error(function() s:entity(nil) end)
      assert.has_error(function() s:entity() end)
    end)

    it("s:entity with a non-table options argument raises", function()
      assert.has_error(function() s:entity("127.0.0.1", 5) end)
    end)

    it("s:pdu('get', 42) raises", function()
      assert.has_error(function() s:pdu("get", 42) end)
    end)

    it("s:pdu without a type raises", function()
      assert.has_error(function() s:pdu() end)
    end)

    it("s:pdu with non-table options raises", function()
      assert.has_error(function() s:pdu("get", nil, 5) end)
      assert.has_error(function() s:pdu("get", nil, { request_id = "x" }) end)
    end)

    it("a varbind that is a number raises", function()
      assert.has_error(function() s:vbl({ 42 }) end)
      assert.has_error(function() s:pdu("get", { 42 }) end)
    end)

    it("a varbind whose OID or type is not a string raises", function()
      assert.has_error(function() s:vbl({ { oid = 5 } }) end)
      assert.has_error(function() s:vbl({ { "1.3.6.1", 5, 1 } }) end)
    end)

    it("s:context without a name raises", function()
      assert.has_error(function() s:context() end)
      assert.has_error(function() s:context({}) end)
    end)

    it("methods called on a non-session raise", function()
      local v = assert(s:vbl({}))
      assert.has_error(function() s.vbl(v, {}) end)
      assert.has_error(function() s.close(42) end)
      assert.has_error(function() s.is_open({}) end)
    end)

    it("data errors do not raise", function()
      fails_with("SNMPAPI_OID_INVALID", s:vbl({ "1.3.x" }))
      fails_with("SNMPAPI_SYNTAX_INVALID", s:vbl({ { "1.3.6.1", "float", 1 } }))
      fails_with("SNMPAPI_ENTITY_UNKNOWN", s:entity("[::1", {}))
      fails_with("SNMPAPI_PDU_INVALID", s:pdu("walk"))
    end)
  end)
end)
