--- The iwalk options the command line's snmpwalk behaviour rests on:
-- getnext, non_repeaters, non_increasing = "allow" and show_end, against
-- a real snmpd and the misbehaving fake agent (spec/support/fake_agent.lua).
local winsnmp = require("winsnmp")
local helper = require("helper")
local fake = require("support.fake")

local SYSTEM = "1.3.6.1.2.1.1"
local SYS_NAME = "1.3.6.1.2.1.1.5.0"

--- Every item an iwalk yields, failures as {false, msg, name, extra}.
local function collect(iterator)
  local out = {}
  for vb, msg, name, extra in iterator do
    out[#out + 1] = vb or { false, msg, name, extra }
    if #out > 1000 then error("the walk does not end") end
  end
  return out
end

describe("iwalk options #integration", function()
  helper.check_no_leaks()

  local agent = helper.agent()
  local bad = helper.fake_agent()
  local s
  before_each(function() s = assert(winsnmp.session()) end)
  after_each(function() helper.close_session(s) end)

  local function entity(address, version)
    return assert(s:entity(address, { version = version or "2c", timeout = 1, retries = 0 }))
  end

  --- The OIDs and types of a walk (values such as sysUpTime move).
  local function shape(vbs)
    local out = {}
    for i, vb in ipairs(vbs) do out[i] = vb.oid .. " " .. vb.type end
    return out
  end

  it("getnext and non_repeaters walk the same subtree as the default", function()
    local e = entity(agent.address)
    local want = shape(assert(s:walk(e, SYSTEM)))
    assert.same(want, shape(assert(s:walk(e, SYSTEM, { getnext = true }))))
    assert.same(want, shape(assert(s:walk(e, SYSTEM, { non_repeaters = 1 }))))
  end)

  it("show_end yields the endOfMibView that ends a walk; by default it is quiet", function()
    local e = entity(agent.address)
    assert.same({}, assert(s:walk(e, "2.99")))
    local got = assert(s:walk(e, "2.99", { show_end = true }))
    assert.equals(1, #got)
    assert.equals("endofmibview", got[1].type)
    assert.equals("2.99", got[1].oid)
    -- v1: the agent's noSuchName becomes the walk's failure.
    local v1 = entity(agent.address, "1")
    assert.same({}, assert(s:walk(v1, "2.99")))
    local items = collect(s:iwalk(v1, "2.99", { show_end = true }))
    assert.equals(1, #items)
    assert.equals("SNMP_ERROR_NOSUCHNAME", items[1][3])
    assert.equals(1, items[1][4])
  end)

  it("a leaf instance gives nothing, with or without show_end", function()
    local e = entity(agent.address)
    assert.same({}, assert(s:walk(e, SYS_NAME)))
    assert.same({}, assert(s:walk(e, SYS_NAME, { show_end = true, getnext = true })))
  end)

  it("non_increasing = 'allow' takes out-of-order OIDs and stops on a repeated one", function()
    local e = entity(bad.address)
    local root = fake.oid("decreasing")
    local items = collect(s:iwalk(e, root, { non_increasing = "allow" }))
    assert.equals(3, #items)
    assert.equals(root .. ".9", items[1].oid)
    assert.equals(root .. ".5", items[2].oid)
    assert.same({ false, "SNMPAPI_OTHER_ERROR" }, { items[3][1], items[3][3] })
    assert.equals(root .. ".5", items[3][4].oid)
    -- by default the decreasing OID already fails, with the varbind as 4th value
    items = collect(s:iwalk(e, root))
    assert.equals(2, #items)
    assert.equals("SNMPAPI_OTHER_ERROR", items[2][3])
    assert.equals(root .. ".5", items[2][4].oid)
  end)

  it("a bad non_increasing value is a Lua error", function()
    local e = entity(agent.address)
    assert.has_error(function() s:iwalk(e, SYSTEM, { non_increasing = "sometimes" }) end)
  end)
end)
