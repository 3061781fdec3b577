--- iwalk's `flat` form: `oid, type, value` per step instead of a table,
-- from a C iterator over each answer's batch (src/lua/collect.c).  It must
-- yield exactly what the table form yields, nil values included, keep
-- max_varbinds across answers, fail the same way, and yield inside a task.
local winsnmp = require("winsnmp")
local helper = require("helper")
local fake = require("support.fake")

local BASE = "1.3.6.1.4.1.99.71"
local ROWS = 70 -- (three GETBULK answers of 25 and more)

--- Every step of an iterator, each as the list of what it yielded.
local function steps(iterator)
  local out = {}
  while true do
    local got = table.pack(iterator())
    if got[1] == nil then return out end
    out[#out + 1] = got
    if #out > 10000 then error("the walk does not end") end
  end
end

--- The table form's varbinds as the flat form's steps.
local function as_steps(vbs)
  local out = {}
  for i, vb in ipairs(vbs) do out[i] = table.pack(vb.oid, vb.type, vb.value) end
  return out
end

describe("iwalk flat #integration", function()
  helper.check_no_leaks()

  local bad = helper.fake_agent()
  local s, l, e2, e1
  before_each(function()
    -- Rows of every kind of value, a null (a nil value) among them.
    local entries = {}
    for i = 1, ROWS do
      local kinds = {
        { "int", -i }, { "octets", ("row %d\0x"):format(i) }, { "oid", "1.3.6." .. i },
        { "ipaddr", "10.0.0." .. i }, { "cntr64", i * 2 ^ 40 // 1 }, { "null" },
        { "timeticks", i }, { "gauge32", i },
      }
      local kind = kinds[i % #kinds + 1] -- (cntr64 where i % 8 == 4)
      entries[#entries + 1] = { BASE .. ".1." .. i, kind[1], kind[2] }
    end
    entries[#entries + 1] = { BASE .. ".2.0", "int", 1 } -- (beyond the walked subtree)
    s = assert(winsnmp.session())
    l = assert(s:listen("udp:127.0.0.1:0", winsnmp.mibview(entries).handler))
    e2 = assert(s:entity(l.address, { timeout = 1, retries = 0 }))
    e1 = assert(s:entity(l.address, { version = "1", timeout = 1, retries = 0 }))
  end)
  after_each(function()
    l:close()
    helper.close_session(s)
  end)

  it("yields what the table form yields, nil values included (v2c and v1)", function()
    -- (v1 has no Counter64: a v1 GETNEXT skips them, RFC 3584 4.2.2.1)
    local cntr64_rows = 0
    for i = 1, ROWS do if i % 8 == 4 then cntr64_rows = cntr64_rows + 1 end end
    for e, count in pairs({ [e2] = ROWS, [e1] = ROWS - cntr64_rows }) do
      local want = as_steps(assert(s:walk(e, BASE .. ".1")))
      assert.equals(count, #want)
      local got = steps(s:iwalk(e, BASE .. ".1", { flat = true }))
      assert.same(want, got)
      local null -- (row 5's value is a null)
      for _, step in ipairs(got) do
        if step[1] == BASE .. ".1.5" then null = step end
      end
      assert.same(table.pack(BASE .. ".1.5", "null", nil), null)
    end
  end)

  it("keeps max_varbinds across answers and ends quietly", function()
    for _, limit in ipairs({ 1, 25, 26, 30, ROWS, ROWS + 5 }) do
      local opts = { flat = true, max_varbinds = limit, max_repetitions = 25 }
      local got = steps(s:iwalk(e2, BASE .. ".1", opts))
      assert.equals(math.min(limit, ROWS), #got)
      assert.equals(BASE .. ".1." .. #got, got[#got][1])
    end
  end)

  it("keeps saying nil after the end, and a break leaks nothing", function()
    local step = s:iwalk(e2, BASE .. ".1", { flat = true })
    assert.equals(ROWS, #steps(step))
    assert.is_nil(step())
    assert.is_nil(step())
    for oid in s:iwalk(e2, BASE .. ".1", { flat = true }) do
      if oid == BASE .. ".1.30" then break end
    end
  end)

  it("keeps an answer only while its varbinds are yielded; a break gives it back", function()
    -- (the 4th value, the for's closing value, is the walk's collector)
    local step, _, _, walker = s:iwalk(e2, BASE .. ".1", { flat = true, max_repetitions = 25 })
    assert.is_false(walker:holds())
    assert.equals(BASE .. ".1.1", step())
    assert.is_true(walker:holds())
    for _ = 2, 25 do step() end
    assert.is_true(walker:holds())
    assert.equals(BASE .. ".1.26", step()) -- (the next answer)
    getmetatable(walker).__close(walker)
    assert.is_false(walker:holds())
    assert.is_nil(step())

    local kept
    local function iwalk(...)
      local f, st, ctl, w = s:iwalk(...)
      kept = w
      return f, st, ctl, w
    end
    for oid in iwalk(e2, BASE .. ".1", { flat = true }) do
      if oid == BASE .. ".1.3" then break end
    end
    assert.is_false(kept:holds())
    -- an error in the loop's body closes it too
    assert.has_error(function()
      for _ in iwalk(e2, BASE .. ".1", { flat = true }) do error("stop") end
    end, "stop")
    assert.is_false(kept:holds())
    -- and a walk run to its end keeps nothing
    for _ in iwalk(e2, BASE .. ".1", { flat = true }) do end
    assert.is_false(kept:holds())
  end)

  it("reads the kept answer right across garbage collections", function()
    local want = as_steps(assert(s:walk(e2, BASE .. ".1")))
    local got = {}
    for oid, typ, value in s:iwalk(e2, BASE .. ".1", { flat = true }) do
      collectgarbage()
      got[#got + 1] = table.pack(oid, typ, value)
    end
    assert.same(want, got)
  end)

  it("yields inside tasks, several walks at once", function()
    local got = {}
    for k = 1, 3 do
      winsnmp.spawn(function()
        local n = 0
        for oid, typ in s:iwalk(e2, BASE .. ".1", { flat = true, max_repetitions = 10 }) do
          assert.is_string(oid)
          assert.is_string(typ)
          n = n + 1
        end
        got[k] = n
      end)
    end
    assert(winsnmp.run())
    assert.same({ ROWS, ROWS, ROWS }, got)
  end)

  it("shows how the agent ended the walk with show_end", function()
    local got = steps(s:iwalk(e2, "2.99", { flat = true, show_end = true }))
    assert.same({ table.pack("2.99", "endofmibview", nil) }, got)
  end)

  it("fails as the table form does: unreachable, non-increasing", function()
    local dead = assert(s:entity("udp:127.0.0.1:9", { timeout = 0.2, retries = 0 }))
    local got = steps(s:iwalk(dead, BASE, { flat = true }))
    assert.equals(1, #got)
    assert.same({ false, "SNMPAPI_TL_TIMEOUT" }, { got[1][1], got[1][3] })

    local e = assert(s:entity(bad.address, { timeout = 1, retries = 0 }))
    local root = fake.oid("decreasing")
    got = steps(s:iwalk(e, root, { flat = true }))
    assert.equals(2, #got)
    assert.equals(root .. ".9", got[1][1])
    assert.same({ false, "SNMPAPI_OTHER_ERROR" }, { got[2][1], got[2][3] })
    assert.equals(root .. ".5", got[2][4].oid)
    -- non_increasing = "allow": the out-of-order OID is taken, the repeat fails
    got = steps(s:iwalk(e, root, { flat = true, non_increasing = "allow" }))
    assert.equals(3, #got)
    assert.same({ root .. ".9", root .. ".5" }, { got[1][1], got[2][1] })
    assert.same({ false, "SNMPAPI_OTHER_ERROR" }, { got[3][1], got[3][3] })
    assert.equals("SNMPAPI_OTHER_ERROR", (s:last_error()))
  end)

  it("a bad flat value is a Lua error", function()
    assert.has_error(function() s:iwalk(e2, BASE, { flat = "yes" }) end,
                     "bad option flat (a boolean expected)")
  end)
end)
