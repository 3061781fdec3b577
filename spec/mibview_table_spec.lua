--- winsnmp.mibview tables (API.md "Agent toolkit"): every index syntax in
-- OID order, rows coming and going during walks, GET exceptions, RowStatus
-- (RFC 2579) driven by net-snmp's snmpset, atomic SETs across scalars and
-- rows, snmptable through a MIB, and the SET phases AgentX uses.
local helper = require("helper")
local tools = require("support.notify_tools")
local winsnmp = require("winsnmp")

local BASE = "1.3.6.1.4.1.99999.42"
local CONF = BASE .. ".5.1" -- wtConfEntry in spec/mibs/WINSNMP-TEST-MIB.txt

local function sorted(oids)
  table.sort(oids, function(a, b) return winsnmp.oid_compare(a, b) < 0 end)
  return oids
end

local function lines_of(text)
  local t = {}
  for line in text:gmatch("[^\n]+") do t[#t + 1] = line end
  return t
end

local function conf_table(view, opts)
  return view:table(CONF, {
    index = { "octets" },
    columns = {
      [2] = { type = "int", access = "rc", range = { 0, 65535 } },
      [3] = { rowstatus = true },
    },
    apply = opts and opts.apply,
  })
end

local function octets_arcs(s)
  local t = { #s }
  for i = 1, #s do t[#t + 1] = s:byte(i) end
  return table.concat(t, ".")
end

describe("mibview tables #integration", function()
  helper.check_no_leaks()

  local function serve(view)
    local s = assert(winsnmp.session())
    local l = assert(s:listen("udp:127.0.0.1:0", view.handler, { communities = { rw = "rw" } }))
    local e2 = assert(s:entity(l.address, { community = "rw", timeout = 1, retries = 0 }))
    local e1 = assert(s:entity(l.address, { community = "rw", version = "1", timeout = 1,
                                            retries = 0 }))
    return s, e2, e1, l
  end

  local function tool(name, l, args)
    local out, status = tools.run(tools.cmd(name, ("-v2c -c rw %s %s"):format(
      tools.peer(l.address), args)))
    return out, status
  end

  it("encodes every index syntax and walks them in OID order (snmpwalk, snmpbulkwalk)", function()
    local view = winsnmp.mibview({ { BASE .. ".1.0", "octets", "before" },
                                   { BASE .. ".9.0", "octets", "after" } })
    local cases = {
      { "int", { 7 }, "7" },
      { "uint32", { 4000000000 }, "4000000000" },
      { "ipaddr", { "10.0.0.1" }, "10.0.0.1" },
      { "octets", { "ab" }, "2.97.98" },
      { "octets_implied", { "ab" }, "97.98" },
      { { "octets", size = 2 }, { "ab" }, "97.98" },
      { "oid", { "1.3.6" }, "3.1.3.6" },
      { "oid_implied", { "1.3.6" }, "1.3.6" },
    }
    local expected = { BASE .. ".1.0", BASE .. ".9.0" }
    for i, case in ipairs(cases) do
      local entry = BASE .. ".3." .. i .. ".1"
      local tbl = view:table(entry, { index = { case[1] },
                                      columns = { [2] = { type = "int" }, [5] = { type = "octets" } } })
      assert.is_true(tbl:add(case[2], { [2] = i, [5] = "x" }))
      expected[#expected + 1] = entry .. ".2." .. case[3]
      expected[#expected + 1] = entry .. ".5." .. case[3]
    end
    -- several index columns, rows added out of order
    local multi = view:table(BASE .. ".4.1", { index = { "ipaddr", "int", "octets_implied" },
                                               columns = { [3] = { type = "int" } } })
    local rows = { { "10.0.0.2", 1, "z" }, { "10.0.0.1", 161, "eth10" }, { "10.0.0.1", 161, "eth1" },
                   { "10.0.0.1", 20, "b" }, { "9.255.255.255", 4, "" } }
    for i, index in ipairs(rows) do
      multi:add(index, { [3] = i })
      local arcs = index[1] .. "." .. index[2]
      for c in index[3]:gmatch(".") do arcs = arcs .. "." .. c:byte() end
      expected[#expected + 1] = BASE .. ".4.1.3." .. arcs
    end
    sorted(expected)
    local s, e2, _, l = serve(view)
    for _, walker in ipairs({ "snmpwalk", "snmpbulkwalk" }) do
      local out, status = tool(walker, l, BASE)
      assert.equals(0, status, out)
      local got = {}
      for _, line in ipairs(lines_of(out)) do
        if not line:find("No more variables", 1, true) then got[#got + 1] = line:match("^%.([%d.]+) =") end
      end
      assert.same(expected, got)
    end
    -- winsnmp's own walk agrees, and rows() lists rows in OID order
    local list = assert(s:walk(e2, BASE))
    assert.equals(#expected, #list)
    local order = {}
    for index in multi:rows() do order[#order + 1] = table.concat(index, "/") end
    assert.same({ "9.255.255.255/4/", "10.0.0.1/20/b", "10.0.0.1/161/eth1",
                  "10.0.0.1/161/eth10", "10.0.0.2/1/z" }, order)
    l:close()
    s:close()
  end)

  it("answers GET with the cell, noSuchInstance or noSuchObject (v1: noSuchName)", function()
    local view = winsnmp.mibview({})
    local tbl = view:table(BASE .. ".6.1", { index = { "int" },
                                             columns = { [2] = { type = "octets" } } })
    tbl:add({ 1 }, { [2] = "one" })
    local s, e2, e1, l = serve(view)
    local r = assert(s:get(e2, { BASE .. ".6.1.2.1", BASE .. ".6.1.2.9", BASE .. ".6.1.7.1",
                                 BASE .. ".6.1" }))
    assert.same({ "one", "nosuchinstance", "nosuchobject", "nosuchobject" },
      { r[1].value, r[2].type, r[3].type, r[4].type })
    helper.fails_with("SNMP_ERROR_NOSUCHNAME", s:get(e1, { BASE .. ".6.1.2.9" }))
    assert.equals("one", view:value(BASE .. ".6.1.2.1"))
    assert.same({ [2] = "one" }, tbl:row({ 1 }))
    assert.is_nil(tbl:row({ 2 }))
    l:close()
    s:close()
  end)

  it("answers snmpget, snmpgetnext and snmpbulkget on table cells (v1 and v2c)", function()
    local view = winsnmp.mibview({})
    local tbl = view:table(BASE .. ".8.1", { index = { "ipaddr", "int" }, columns = {
      [2] = { type = "uint32", access = "rw" }, [3] = { type = "cntr64" } } })
    tbl:add({ "10.0.0.1", 2 }, { [2] = 7, [3] = 5 })
    tbl:add({ "10.0.0.1", 1 }, { [2] = 6, [3] = 4 })
    local s, _, _, l = serve(view)
    local cell = BASE .. ".8.1.2.10.0.0.1.1"
    local out = tool("snmpget", l, cell .. " " .. BASE .. ".8.1.2.10.0.0.1.3")
    assert.matches("%.8%.1%.2%.10%.0%.0%.1%.1 = %D-6\n", out)
    assert.matches("%.8%.1%.2%.10%.0%.0%.1%.3 = No Such Instance", out)
    out = tool("snmpgetnext", l, cell)
    assert.matches("%.8%.1%.2%.10%.0%.0%.1%.2 = %D-7\n", out)
    out = tool("snmpbulkget", l, "-Cn0 -Cr5 " .. BASE .. ".8")
    local got = {}
    for oid in out:gmatch("%.8%.1%.([%d.]+) =") do got[#got + 1] = oid end
    assert.same({ "2.10.0.0.1.1", "2.10.0.0.1.2", "3.10.0.0.1.1", "3.10.0.0.1.2" },
      { got[1], got[2], got[3], got[4] })
    -- a v1 walk never sees the Counter64 column (RFC 3584)
    local v1 = tools.run(tools.cmd("snmpwalk", ("-v1 -c rw %s %s"):format(tools.peer(l.address),
      BASE .. ".8")))
    assert.is_nil(v1:find("%.8%.1%.3%."), v1)
    assert.matches("%.8%.1%.2%.10%.0%.0%.1%.2 = %D-7\n", v1)
    -- Unsigned32 arrives as Gauge32's tag: a uint32 column takes it
    assert.equals(0, select(2, tool("snmpset", l, cell .. " u 9")))
    assert.equals(9, tbl:row({ "10.0.0.1", 1 })[2])
    l:close()
    s:close()
  end)

  it("keeps a walk in order while rows are added and removed between steps", function()
    local view = winsnmp.mibview({})
    local tbl = view:table(BASE .. ".7.1", { index = { "int" }, columns = { [2] = { type = "int" } } })
    for i = 1, 10, 2 do tbl:add({ i }, { [2] = i }) end -- 1 3 5 7 9
    local s, e2, _, l = serve(view)
    local seen, oid = {}, BASE .. ".7.1"
    while true do
      local r = assert(s:getnext(e2, { oid }))
      if r[1].type == "endofmibview" then break end
      assert.is_true(winsnmp.oid_compare(r[1].oid, oid) > 0)
      oid = r[1].oid
      seen[#seen + 1] = r[1].value
      if r[1].value == 3 then
        tbl:remove({ 5 }) -- ahead: never seen
        tbl:add({ 4 }, { [2] = 4 }) -- ahead: seen
        tbl:add({ 2 }, { [2] = 2 }) -- behind: not seen
        assert.is_false(tbl:remove({ 99 }))
      end
    end
    assert.same({ 1, 3, 4, 7, 9 }, seen)
    l:close()
    s:close()
  end)

  it("creates, changes and destroys rows through RowStatus from snmpset", function()
    local view = winsnmp.mibview({})
    local tbl = conf_table(view)
    local s, _, _, l = serve(view)
    local function name(n) return CONF .. "." .. n .. "." .. octets_arcs("mtu") end
    local function set(args)
      local out, status = tool("snmpset", l, args)
      return out, status
    end
    -- createAndGo without the required value: inconsistentValue
    local out = set(name(3) .. " i 4")
    assert.truthy(out:find("inconsistentValue", 1, true), out)
    assert.is_nil(tbl:row({ "mtu" }))
    -- another column of a row that does not exist: inconsistentName
    out = set(name(2) .. " i 5")
    assert.truthy(out:find("inconsistentName", 1, true), out)
    -- createAndGo with the value in the same PDU: active
    local _, status = set(name(2) .. " i 1500 " .. name(3) .. " i 4")
    assert.equals(0, status, _)
    assert.same({ [2] = 1500, [3] = 1 }, tbl:row({ "mtu" }))
    -- active -> createAndGo again: inconsistentValue; notReady is not settable
    assert.truthy(set(name(3) .. " i 4"):find("inconsistentValue", 1, true))
    assert.truthy(set(name(3) .. " i 3"):find("wrongValue", 1, true))
    -- range checked on the column
    assert.truthy(set(name(2) .. " i 70000"):find("wrongValue", 1, true))
    -- notInService, change, active, destroy
    assert.equals(0, select(2, set(name(3) .. " i 2")))
    assert.equals(2, tbl:row({ "mtu" })[3])
    assert.equals(0, select(2, set(name(2) .. " i 9000 " .. name(3) .. " i 1")))
    assert.same({ [2] = 9000, [3] = 1 }, tbl:row({ "mtu" }))
    assert.equals(0, select(2, set(name(3) .. " i 6")))
    assert.is_nil(tbl:row({ "mtu" }))
    -- destroying what does not exist is noError (RFC 2579)
    assert.equals(0, select(2, set(name(3) .. " i 6")))
    l:close()
    s:close()
  end)

  it("walks createAndWait: notReady until complete, then notInService, then active", function()
    local view = winsnmp.mibview({})
    local tbl = conf_table(view)
    local s, e2, e1, l = serve(view)
    local function vb(col, value) return { CONF .. "." .. col .. "." .. octets_arcs("x"), "int", value } end
    assert(s:set(e2, { vb(3, 5) }))
    assert.same({ [3] = 3 }, tbl:row({ "x" })) -- notReady: the value is missing
    helper.fails_with("SNMP_ERROR_INCONSISTENTVALUE", s:set(e2, { vb(3, 1) }))
    -- the status column reads notReady in a walk; the missing cell is skipped
    local list = assert(s:walk(e2, CONF))
    assert.equals(1, #list)
    assert.equals(3, list[1].value)
    assert(s:set(e2, { vb(2, 7) }))
    assert.equals(2, tbl:row({ "x" })[3]) -- notInService once complete
    assert(s:set(e2, { vb(3, 1) }))
    assert.equals(1, tbl:row({ "x" })[3])
    -- v1 gets RFC 3584's mapping: inconsistentValue -> badValue,
    -- inconsistentName -> noSuchName
    helper.fails_with("SNMP_ERROR_BADVALUE", s:set(e1, { vb(3, 5) }))
    helper.fails_with("SNMP_ERROR_NOSUCHNAME", s:set(e1, {
      { CONF .. ".2." .. octets_arcs("new"), "int", 1 } }))
    -- a malformed index cannot be created
    helper.fails_with("SNMP_ERROR_NOCREATION", s:set(e2, { { CONF .. ".3.5.1", "int", 4 } }))
    l:close()
    s:close()
  end)

  it("applies a SET across scalars and rows atomically; a failed apply undoes it", function()
    local applied, refuse = {}, false
    local view = winsnmp.mibview({ { oid = BASE .. ".1.0", type = "int", value = 1, writable = true } })
    local tbl = conf_table(view, { apply = function(index, row, old)
      if refuse then return nil, "SNMP_ERROR_RESOURCEUNAVAILABLE" end
      applied[#applied + 1] = { index[1], row and row[2], old and old[2] }
      return true
    end })
    tbl:add({ "a" }, { [2] = 10 })
    local changes
    view:set_hook(function(c) changes = c end)
    local s, e2, _, l = serve(view)
    local a2 = CONF .. ".2." .. octets_arcs("a")
    local b3 = CONF .. ".3." .. octets_arcs("b")
    local b2 = CONF .. ".2." .. octets_arcs("b")
    assert(s:set(e2, { { BASE .. ".1.0", "int", 2 }, { a2, "int", 11 }, { b2, "int", 20 },
                       { b3, "int", 4 } }))
    assert.same({ { "a", 11, 10 }, { "b", 20, nil } }, applied)
    assert.equals(2, view:value(BASE .. ".1.0"))
    assert.same({ [2] = 20, [3] = 1 }, tbl:row({ "b" }))
    assert.same({ BASE .. ".1.0", a2, b2, b3 }, { changes[1].oid, changes[2].oid, changes[3].oid,
                                                   changes[4].oid })
    assert.same({ 1, 10 }, { changes[1].old, changes[2].old })
    -- the row's apply refuses: the scalar set before it is undone
    refuse, changes = true, nil
    helper.fails_with("SNMP_ERROR_COMMITFAILED", s:set(e2, { { BASE .. ".1.0", "int", 3 },
                                                            { a2, "int", 12 } }))
    assert.equals(2, view:value(BASE .. ".1.0"))
    assert.equals(11, tbl:row({ "a" })[2])
    assert.is_nil(changes)
    -- a check failure anywhere changes nothing
    refuse = false
    helper.fails_with("SNMP_ERROR_WRONGVALUE", s:set(e2, { { a2, "int", 13 }, { b2, "int", -1 } }))
    assert.equals(11, tbl:row({ "a" })[2])
    l:close()
    s:close()
  end)

  it("is read by snmptable through the table's MIB", function()
    local view = winsnmp.mibview({})
    local tbl = conf_table(view)
    tbl:add({ "mtu" }, { [2] = 1500 })
    tbl:add({ "ttl" }, { [2] = 64 })
    local s, _, _, l = serve(view)
    local out, status = tools.run(("snmptable -M spec/mibs -m WINSNMP-TEST-MIB -v2c -c rw " ..
      "-t 1 -r 1 -Cf , -Ci %s WINSNMP-TEST-MIB::wtConfTable"):format(tools.peer(l.address)))
    assert.equals(0, status, out)
    assert.truthy(out:find('"mtu",1500,active', 1, true), out)
    assert.truthy(out:find('"ttl",64,active', 1, true), out)
    l:close()
    s:close()
  end)

  it("runs the SET phases AgentX uses: test, commit, undo, cleanup", function()
    local view = winsnmp.mibview({ { oid = BASE .. ".1.0", type = "int", value = 1, writable = true } })
    local tbl = conf_table(view)
    local hooked = 0
    view:set_hook(function() hooked = hooked + 1 end)
    local req = { type = "set", version = "2c", varbinds = {
      { oid = BASE .. ".1.0", type = "int", value = 5 },
      { oid = CONF .. ".2." .. octets_arcs("q"), type = "int", value = 3 },
      { oid = CONF .. ".3." .. octets_arcs("q"), type = "int", value = 4 } } }
    assert.is_true(view:test_set(req))
    assert.equals(1, view:value(BASE .. ".1.0")) -- testing changes nothing
    assert.is_true(view:commit_set(req))
    assert.equals(5, view:value(BASE .. ".1.0"))
    assert.same({ [2] = 3, [3] = 1 }, tbl:row({ "q" }))
    assert.is_true(view:undo_set(req))
    assert.equals(1, view:value(BASE .. ".1.0"))
    assert.is_nil(tbl:row({ "q" }))
    assert.is_true(view:cleanup_set(req))
    assert.equals(0, hooked) -- undone: the hook never saw it
    local bad = { type = "set", version = "2c", varbinds = {
      { oid = BASE .. ".1.0", type = "octets", value = "x" } } }
    assert.same({ nil, "SNMP_ERROR_WRONGTYPE", 1 }, { view:test_set(bad) })
    assert.is_true(view:commit_set(req) and view:cleanup_set(req))
    assert.equals(1, hooked)
  end)

  it("raises when a table is malformed, overlaps, or is given a bad index", function()
    local view = winsnmp.mibview({ { BASE .. ".1.0", "int", 1 } })
    local function raises(fn, text)
      local ok, err = pcall(fn)
      assert.is_false(ok)
      assert.truthy(tostring(err):find(text, 1, true), tostring(err))
    end
    local cols = { [2] = { type = "int" } }
    raises(function() view:table(BASE .. ".2.1", { index = { "string" }, columns = cols }) end,
      'unknown index syntax "string"')
    raises(function() view:table(BASE .. ".2.1", { index = { "octets_implied", "int" },
                                                   columns = cols }) end, "IMPLIED")
    raises(function() view:table(BASE .. ".2.1", { index = { "int" }, columns = {
      [2] = { rowstatus = true }, [3] = { rowstatus = true } } }) end, "only one column")
    raises(function() view:table(BASE .. ".2.1", { index = { "int" },
                                                   columns = { [2] = { type = "int32" } } }) end,
      "unknown type")
    raises(function() view:table(BASE .. ".1", { index = { "int" }, columns = cols }) end,
      "overlaps entry " .. BASE .. ".1.0")
    raises(function() view:table("1..3", { index = { "int" }, columns = cols }) end, "table")
    local tbl = view:table(BASE .. ".2.1", { index = { "int", "ipaddr" }, columns = cols })
    raises(function() view:table(BASE .. ".2.1.5", { index = { "int" }, columns = cols }) end,
      "overlaps table")
    raises(function() tbl:add({ 1 }, {}) end, "index values")
    raises(function() tbl:add({ -1, "1.2.3.4" }, {}) end, "index values")
    raises(function() tbl:add({ 1, "1.2.3.400" }, {}) end, "index values")
    raises(function() tbl:add({ 1, "1.2.3.4" }, { [9] = 1 }) end, "no column 9")
    assert.matches("winsnmp.mibview.table %(" .. BASE:gsub("%.", "%%.") .. "%.2%.1, 0 rows%)",
      tostring(tbl))
  end)
end)
