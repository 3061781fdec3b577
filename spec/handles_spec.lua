--- The handle model: winsnmp.type, freed and closed handles, never aliasing a
-- newer object, idempotent free/close, metamethods, and the session a child
-- keeps alive.
--
-- (s:entity(address) without options is covered, as a crash regression,
-- in a child process in entity_spec.lua.)
local winsnmp = require("winsnmp")
local helper = require("helper")

local fails_with = helper.fails_with

--- One live handle of each child kind on session s.
local function children(s)
  return {
    entity = assert(s:entity("127.0.0.1:1161", {})),
    context = assert(s:context("public")),
    vbl = assert(s:vbl({ "1.3.6.1" })),
    pdu = assert(s:pdu("get", { "1.3.6.1" })),
  }
end

describe("winsnmp handles", function()
  helper.check_no_leaks()

  describe("winsnmp.type", function()
    it("names every live kind", function()
      local s = assert(winsnmp.session())
      local h = children(s)
      assert.equals("session", winsnmp.type(s))
      assert.equals("entity", winsnmp.type(h.entity))
      assert.equals("context", winsnmp.type(h.context))
      assert.equals("vbl", winsnmp.type(h.vbl))
      assert.equals("pdu", winsnmp.type(h.pdu))
      s:close()
    end)

    it("says 'closed session' and 'freed handle' for dead objects", function()
      local s = assert(winsnmp.session())
      local h = children(s)
      h.vbl:free()
      assert.equals("freed handle", winsnmp.type(h.vbl))
      assert.equals("vbl", winsnmp.type(assert(s:vbl({}))))
      s:close()
      assert.equals("closed session", winsnmp.type(s))
      for kind, handle in pairs(h) do
        assert.equals("freed handle", winsnmp.type(handle), kind)
      end
    end)

    it("is nil for values that are not winsnmp objects", function()
      for _, x in ipairs({ 42, "session", {}, true, print, io.stdout, coroutine.create(print) }) do
        assert.is_nil(winsnmp.type(x))
      end
      assert.is_nil(winsnmp.type(nil))
      assert.is_nil(winsnmp.type(setmetatable({}, { __name = "winsnmp.session" })))
    end)

    it("raises without an argument", function()
      assert.has_error(function() winsnmp.type() end)
    end)
  end)

  describe("metatables", function()
    it("have __name, __gc, __close and __tostring for every kind", function()
      local s = assert(winsnmp.session())
      local h = children(s)
      h.session = s
      for kind, handle in pairs(h) do
        local mt = getmetatable(handle)
        assert.equals("winsnmp." .. kind, mt.__name)
        assert.is_function(mt.__gc, kind)
        assert.is_function(mt.__close, kind)
        assert.is_function(mt.__tostring, kind)
      end
      s:close()
    end)

    it("methods reject an object of another kind", function()
      local s = assert(winsnmp.session())
      local h = children(s)
      local entity_address = getmetatable(h.entity).__index.address
      local vbl_count = getmetatable(h.vbl).__index.count
      local pdu_data = getmetatable(h.pdu).__index.data
      local context_name = getmetatable(h.context).__index.name
      assert.has_error(function() entity_address(h.context) end)
      assert.has_error(function() vbl_count(h.pdu) end)
      assert.has_error(function() pdu_data(h.vbl) end)
      assert.has_error(function() context_name(s) end)
      assert.has_error(function() vbl_count({}) end)
      s:close()
    end)

    -- The binding knows the object of each class it checked last by its
    -- address (src/lua/object.c): an object collected and its memory
    -- taken by another class's must not pass for the old one.
    it("reject another kind's object at a collected object's address", function()
      local s = assert(winsnmp.session())
      local entity_address = getmetatable(assert(s:entity("127.0.0.1:1161", {}))).__index.address
      for _ = 1, 50 do
        local e = assert(s:entity("127.0.0.1:1161", {}))
        assert(entity_address(e)) -- e is now the entity checked last
        e = nil -- luacheck: ignore
        collectgarbage()
        collectgarbage()
        local others = {}
        for i = 1, 20 do others[i] = assert(s:context("c" .. i)) end
        for i = 1, 20 do assert.has_error(function() entity_address(others[i]) end) end
      end
      -- and a session passed where an entity is expected, right after both
      -- were checked
      local e = assert(s:entity("127.0.0.1:1161", {}))
      assert(entity_address(e))
      assert.has_error(function() entity_address(s) end)
      assert.has_error(function() s.address(e) end)
      s:close()
    end)
  end)

  describe("free and close on children", function()
    it("return true and are idempotent", function()
      local s = assert(winsnmp.session())
      for kind, handle in pairs(children(s)) do
        assert.is_true(handle:free(), kind)
        assert.is_true(handle:free(), kind)
        assert.is_true(handle:close(), kind)
        assert.equals("freed handle", winsnmp.type(handle), kind)
      end
      s:close()
    end)

    it("return true on children of a closed session", function()
      local s = assert(winsnmp.session())
      local h = children(s)
      s:close()
      for kind, handle in pairs(h) do
        assert.is_true(handle:free(), kind)
        assert.is_true(handle:close(), kind)
      end
    end)

    it("lower the counts exactly once", function()
      local s = assert(winsnmp.session())
      local a = assert(s:vbl({}))
      local b = assert(s:vbl({}))
      assert.equals(2, s:stats().vbls)
      a:free()
      a:free()
      a:close()
      assert.equals(1, s:stats().vbls)
      assert.equals("vbl", winsnmp.type(b))
      s:close()
    end)

    it("<close> frees a child at scope exit", function()
      local s = assert(winsnmp.session())
      local kept
      do
        local v <close> = assert(s:vbl({ "1.3.6.1" }))
        kept = v
        assert.equals(1, s:stats().vbls)
      end
      assert.equals(0, s:stats().vbls)
      assert.equals("freed handle", winsnmp.type(kept))
      s:close()
    end)
  end)

  describe("children of a closed session", function()
    local s, h
    before_each(function()
      s = assert(winsnmp.session())
      h = children(s)
      s:close()
    end)

    it("entity methods return SNMPAPI_ENTITY_INVALID", function()
      local e = h.entity
      fails_with("SNMPAPI_ENTITY_INVALID", e:address())
      fails_with("SNMPAPI_ENTITY_INVALID", e:name())
      fails_with("SNMPAPI_ENTITY_INVALID", e:timeout())
      fails_with("SNMPAPI_ENTITY_INVALID", e:timeout(5))
      fails_with("SNMPAPI_ENTITY_INVALID", e:retries())
      fails_with("SNMPAPI_ENTITY_INVALID", e:retries(2))
      fails_with("SNMPAPI_ENTITY_INVALID", e:version())
    end)

    it("context methods return SNMPAPI_CONTEXT_INVALID", function()
      fails_with("SNMPAPI_CONTEXT_INVALID", h.context:name())
    end)

    it("vbl methods return SNMPAPI_VBL_INVALID", function()
      local v = h.vbl
      fails_with("SNMPAPI_VBL_INVALID", v:count())
      fails_with("SNMPAPI_VBL_INVALID", v:get(1))
      fails_with("SNMPAPI_VBL_INVALID", v:set(0, "1.3.6.1", "int", 1))
      fails_with("SNMPAPI_VBL_INVALID", v:set(1, "1.3.6.1", "null"))
      fails_with("SNMPAPI_VBL_INVALID", v:delete(1))
      fails_with("SNMPAPI_VBL_INVALID", v:dup())
      fails_with("SNMPAPI_VBL_INVALID", v:totable())
    end)

    it("pdu methods return SNMPAPI_PDU_INVALID", function()
      fails_with("SNMPAPI_PDU_INVALID", h.pdu:data())
      fails_with("SNMPAPI_PDU_INVALID", h.pdu:dup())
    end)

    it("tostring says freed", function()
      assert.equals("winsnmp.entity (freed)", tostring(h.entity))
      assert.equals("winsnmp.context (freed)", tostring(h.context))
      assert.equals("winsnmp.vbl (freed)", tostring(h.vbl))
      assert.equals("winsnmp.pdu (freed)", tostring(h.pdu))
    end)

    it("a closed session's Vbl cannot build a PDU elsewhere", function()
      local other = assert(winsnmp.session())
      fails_with("SNMPAPI_VBL_INVALID", other:pdu("get", h.vbl))
      other:close()
    end)
  end)

  describe("a freed handle", function()
    it("records its failures in its session's last-error slot too", function()
      local s = assert(winsnmp.session())
      local other = assert(winsnmp.session())
      local h = children(s)
      for _, handle in pairs(h) do handle:free() end
      local cases = {
        { h.entity, "address", "SNMPAPI_ENTITY_INVALID" },
        { h.context, "name", "SNMPAPI_CONTEXT_INVALID" },
        { h.vbl, "count", "SNMPAPI_VBL_INVALID" },
        { h.pdu, "data", "SNMPAPI_PDU_INVALID" },
      }
      for _, case in ipairs(cases) do
        local handle, method, name = case[1], case[2], case[3]
        fails_with(name, handle[method](handle))
        assert.equals(name, (s:last_error()))
        assert.equals(name, (winsnmp.last_error()))
      end
      assert.is_nil((other:last_error()))
      s:close()
      other:close()
    end)

    it("never aliases a newer entity", function()
      local s = assert(winsnmp.session())
      local old = assert(s:entity("127.0.0.1:1161", {}))
      old:free()
      local new = {}
      for i = 1, 2000 do
        new[i] = assert(s:entity("127.0.0.2:" .. (1000 + i), {}))
      end
      local _, _, name = old:address()
      assert.equals("SNMPAPI_ENTITY_INVALID", name)
      fails_with("SNMPAPI_ENTITY_INVALID", old:timeout())
      fails_with("SNMPAPI_ENTITY_INVALID", old:retries(1))
      fails_with("SNMPAPI_ENTITY_INVALID", old:version())
      assert.equals("freed handle", winsnmp.type(old))
      assert.equals("winsnmp.entity (freed)", tostring(old))
      -- and the new ones were not disturbed by the old userdata
      assert.equals(3, new[1]:retries())
      assert.equals("udp:127.0.0.2:1001", new[1]:address())
      s:close()
    end)

    it("never aliases a newer object of another kind", function()
      local s = assert(winsnmp.session())
      local old_vbl = assert(s:vbl({ "1.3.6.1" }))
      local old_ctx = assert(s:context("public"))
      old_vbl:free()
      old_ctx:free()
      local new = {}
      for _ = 1, 500 do
        new[#new + 1] = assert(s:pdu("get"))
        new[#new + 1] = assert(s:entity("127.0.0.1", {}))
        new[#new + 1] = assert(s:vbl({}))
        new[#new + 1] = assert(s:context("c"))
      end
      fails_with("SNMPAPI_VBL_INVALID", old_vbl:count())
      fails_with("SNMPAPI_CONTEXT_INVALID", old_ctx:name())
      assert.equals("freed handle", winsnmp.type(old_vbl))
      assert.equals("freed handle", winsnmp.type(old_ctx))
      s:close()
    end)

    it("of a closed session never aliases a handle of a newer session", function()
      local s = assert(winsnmp.session())
      local old = assert(s:vbl({ "1.3.6.1" }))
      s:close()
      local sessions = {}
      for i = 1, 200 do
        sessions[i] = assert(winsnmp.session())
        assert(sessions[i]:vbl({ "1.3.6.2", "1.3.6.3" }))
      end
      fails_with("SNMPAPI_VBL_INVALID", old:count())
      assert.equals("closed session", winsnmp.type(s))
      assert.is_false(s:is_open())
      for _, x in ipairs(sessions) do x:close() end
    end)

    it("freeing an old handle again does not free a newer object", function()
      local s = assert(winsnmp.session())
      local old = assert(s:vbl({}))
      old:free()
      local new = {}
      for i = 1, 100 do new[i] = assert(s:vbl({ "1.3.6.1" })) end
      old:free()
      old:close()
      assert.equals(100, s:stats().vbls)
      for _, v in ipairs(new) do assert.equals(1, v:count()) end
      s:close()
    end)
  end)

  describe("a child keeps its session alive", function()
    it("after the session variable is dropped", function()
      helper.assert_children_keep_session(function(s)
        return { e = assert(s:entity("udp:127.0.0.1:1161", { retries = 0 })),
                 v = assert(s:vbl({ { "1.3.6.1", "int", 7 } })) }
      end, function(h)
        assert.equals("udp:127.0.0.1:1161", h.e:address())
        assert.equals(0, h.e:retries())
        assert.same({ "1.3.6.1", "int", 7 }, { h.v:get(1) })
      end)
    end)

    it("a duplicate keeps it alive too", function()
      helper.assert_children_keep_session(function(s)
        local p = assert(s:pdu("get", { "1.3.6.1" }))
        return { copy = assert(p:dup()) }
      end, function(h)
        assert.equals("1.3.6.1", h.copy:data().varbinds[1].oid)
      end)
    end)
  end)
end)
