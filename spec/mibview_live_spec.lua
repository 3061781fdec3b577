--- winsnmp.mibview's live values, constraints and atomic SET (API.md "Agent
-- toolkit"): values computed when read, size/range/enum checked before any
-- change (v1 errors per RFC 3584), a commit that fails is undone, and a view
-- built with a bad entry raises at once naming it.
local helper = require("helper")
local tools = require("support.notify_tools")
local winsnmp = require("winsnmp")

local BASE = "1.3.6.1.4.1.99.61"
local function oid(n) return BASE .. "." .. n .. ".0" end

describe("mibview live values and atomic SET #integration", function()
  helper.check_no_leaks()

  local function serve(entries)
    local view = winsnmp.mibview(entries)
    local s = assert(winsnmp.session())
    local l = assert(s:listen("udp:127.0.0.1:0", view.handler, { communities = { rw = "rw" } }))
    local e2 = assert(s:entity(l.address, { community = "rw", timeout = 1, retries = 0 }))
    local e1 = assert(s:entity(l.address, { community = "rw", version = "1", timeout = 1,
                                            retries = 0 }))
    return view, s, e2, e1, l
  end

  it("raises at once on an unknown type, a malformed or a duplicated OID", function()
    local cases = {
      { { { oid(1), "octet", "x" } }, "entry 1: unknown type \"octet\"" },
      { { { oid(1), "int", 1 }, { "1.3..6", "int", 1 } }, "entry 2:" },
      { { { oid(1), "int", 1 }, { oid(2), "int", 2 }, { "." .. oid(1), "int", 3 } },
        "entry 3: OID " .. oid(1) .. " is already entry 1" },
      { { { oid = oid(1), type = "int", value = 1, range = { 5, 1 } } }, "range" },
      { { { oid = oid(1), type = "int", value = 1, get = "nope" } }, "get must be a function" },
    }
    for _, case in ipairs(cases) do
      local ok, err = pcall(winsnmp.mibview, case[1])
      assert.is_false(ok)
      assert.truthy(tostring(err):find(case[2], 1, true), tostring(err))
    end
  end)

  it("reads live values at each request", function()
    local n = 0
    local view, s, e2, _, l = serve({
      { oid = oid(1), type = "cntr32", get = function() n = n + 1; return n * 10 end },
    })
    assert.equals(10, assert(s:get(e2, { oid(1) }))[1].value)
    assert.equals(20, assert(s:get(e2, { oid(1) }))[1].value)
    assert.equals(30, assert(s:getnext(e2, { BASE }))[1].value)
    assert.equals(40, view:value(oid(1)))
    l:close()
    s:close()
  end)

  it("checks size, range and enum before changing anything (v1: badValue)", function()
    local view, s, e2, e1, l = serve({
      { oid = oid(1), type = "octets", value = "abc", writable = true, size = { 1, 4 } },
      { oid = oid(2), type = "int", value = 5, writable = true, range = { 1, 10 } },
      { oid = oid(3), type = "int", value = 1, writable = true, enum = { 1, 2, 3 } },
    })
    local function refused(e, vbs, name, index)
      local got, _, err, at = s:set(e, vbs)
      assert.is_nil(got)
      assert.equals(name, err)
      assert.equals(index, at)
    end
    refused(e2, { { oid(2), "int", 7 }, { oid(1), "octets", "too long" } },
      "SNMP_ERROR_WRONGLENGTH", 2)
    refused(e2, { { oid(2), "int", 11 } }, "SNMP_ERROR_WRONGVALUE", 1)
    refused(e2, { { oid(3), "int", 4 } }, "SNMP_ERROR_WRONGVALUE", 1)
    refused(e2, { { oid(3), "octets", "x" } }, "SNMP_ERROR_WRONGTYPE", 1)
    refused(e1, { { oid(2), "int", 11 } }, "SNMP_ERROR_BADVALUE", 1)
    assert.equals(5, view:value(oid(2))) -- nothing applied
    assert(s:set(e2, { { oid(2), "int", 7 }, { oid(3), "int", 2 } }))
    assert.equals(7, view:value(oid(2)))
    local out = tools.run(tools.cmd("snmpset", ("-v2c -c rw %s %s i 42"):format(
      tools.peer(l.address), oid(2))))
    assert.matches("wrongValue", out)
    l:close()
    s:close()
  end)

  it("undoes a commit that fails, and tells when the undo fails too", function()
    local store = { a = 1, b = 2 }
    local undo_breaks = false
    local function setter(key)
      return function(_, value)
        if value == 99 then return nil, "SNMP_ERROR_GENERR" end
        if undo_breaks and value == 1 then error("the undo fails") end
        store[key] = value
        return true
      end
    end
    local view, s, e2, e1, l = serve({
      { oid = oid(1), type = "int", get = function() return store.a end, set = setter("a") },
      { oid = oid(2), type = "int", get = function() return store.b end, set = setter("b") },
    })
    local changes
    view:set_hook(function(c) changes = c end)
    local _, _, name, index = s:set(e2, { { oid(1), "int", 5 }, { oid(2), "int", 99 } })
    assert.equals("SNMP_ERROR_COMMITFAILED", name)
    assert.equals(2, index)
    assert.same({ a = 1, b = 2 }, store) -- the first change was undone
    assert.is_nil(changes)
    _, _, name = s:set(e1, { { oid(1), "int", 5 }, { oid(2), "int", 99 } })
    assert.equals("SNMP_ERROR_GENERR", name) -- v1 (RFC 3584)
    undo_breaks = true
    _, _, name = s:set(e2, { { oid(1), "int", 5 }, { oid(2), "int", 99 } })
    assert.equals("SNMP_ERROR_UNDOFAILED", name)
    undo_breaks = false
    assert(s:set(e2, { { oid(1), "int", 8 }, { oid(2), "int", 9 } }))
    assert.same({ a = 8, b = 9 }, store)
    assert.same({ { oid = oid(1), type = "int", value = 8, old = 5 },
                  { oid = oid(2), type = "int", value = 9, old = 2 } }, changes)
    l:close()
    s:close()
  end)
end)
