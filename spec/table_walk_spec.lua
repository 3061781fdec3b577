--- s:table asks for whole rows (issue 17): every column at once in each
-- GETBULK, as snmptable does, after one GETNEXT that finds the columns.
-- Checked cell by cell against what each agent serves: snmpd's tables
-- (against the column-by-column walk of the same agent), a winsnmp agent
-- with a wide, sparse table (more columns than one discovery or one
-- request holds, gaps in the numbering, rows missing cells), and the fake
-- agent's misbehaving modes (tooBig, silence above 10 repetitions,
-- truncated answers, no GETBULK at all, OIDs going back).
local winsnmp = require("winsnmp")
local helper = require("helper")
local fake = require("support.fake")

-- rows[index][column] = value from a walk of the entry (the iwalk path,
-- which shares nothing with the table's collector but the request loop).
local function rows_from_walk(s, e, entry)
  local rows = {}
  for vb, msg, name in s:iwalk(e, entry, { max_repetitions = 10 }) do
    assert(vb ~= false, tostring(msg) .. " " .. tostring(name))
    local column, index = vb.oid:sub(#entry + 2):match("^(%d+)%.(.+)$")
    if column then
      rows[index] = rows[index] or {}
      rows[index][tonumber(column)] = vb.value
    end
  end
  return rows
end

-- `types = true`'s second result against the `{type=, value=}` cells of
-- `typed = true`: the same rows, the same columns, the same type names,
-- and rows of plain values.
local function same_as_typed(rows, types, typed, what)
  assert.is_table(types, what)
  local plain = {}
  for index, row in pairs(typed) do
    plain[index] = {}
    local kinds = {}
    for column, cell in pairs(row) do
      plain[index][column] = cell.value
      kinds[column] = cell.type
    end
    assert.same(kinds, types[index], what .. " " .. index)
  end
  assert.same(plain, rows, what)
  for index in pairs(types) do assert.is_table(typed[index], what .. " " .. index) end
end

local function count_cells(rows)
  local n = 0
  for _, row in pairs(rows) do
    for _ in pairs(row) do n = n + 1 end
  end
  return n
end

describe("s:table by whole rows #integration", function()
  helper.check_no_leaks()

  local agent = helper.agent()
  local bad = helper.fake_agent()
  local s
  before_each(function() s = assert(winsnmp.session()) end)
  after_each(function() helper.close_session(s) end)

  it("leaves nothing that keeps a table's rows alive once the script drops them", function()
    -- (one full collection frees them: a collector with a finalizer would
    -- keep every row it collected for another cycle, twice the memory of
    -- a fleet poll)
    local e = assert(s:entity(agent.address, { community = "public" }))
    local seen = setmetatable({}, { __mode = "k" })
    for _, opts in ipairs({ {}, { typed = true }, { columns = { 1, 2 } }, { show_end = true } }) do
      local rows = assert(s:table(e, "1.3.6.1.2.1.2.2.1", opts))
      assert.is_not_nil(next(rows))
      seen[rows] = true
    end
    collectgarbage("collect")
    assert.is_nil(next(seen))
  end)

  it("gives snmpd's tables as the column-by-column walk does, in fewer requests", function()
    local e = assert(s:entity(agent.address, { community = "public" }))
    for _, entry in ipairs({ "1.3.6.1.2.1.2.2.1", "1.3.6.1.2.1.25.4.2.1",
                             "1.3.6.1.2.1.4.20.1", "1.3.6.1.2.1.31.1.1.1" }) do
      local walked = rows_from_walk(s, e, entry)
      local before = e:stats().requests
      local rows = assert(s:table(e, entry))
      local asked = e:stats().requests - before
      assert.same(walked, rows, entry)
      local typed = assert(s:table(e, entry, { typed = true }))
      for index, row in pairs(rows) do
        for column, value in pairs(row) do
          assert.equals(value, typed[index][column].value)
          assert.is_string(typed[index][column].type)
        end
      end
      -- (counters move between requests: the types and the keys must agree,
      -- the values only where they do not count)
      local plain, types = s:table(e, entry, { types = true })
      local kinds = {}
      for index, row in pairs(typed) do
        kinds[index] = {}
        for column, cell in pairs(row) do kinds[index][column] = cell.type end
      end
      assert.same(kinds, types, entry)
      for index, row in pairs(plain) do
        for column, value in pairs(row) do
          assert.equals(math.type(typed[index][column].value) or type(typed[index][column].value),
                        math.type(value) or type(value))
        end
      end
      if count_cells(rows) > 100 then
        -- (a walk of 25 varbinds a request would need cells / 25)
        assert.is_true(asked < count_cells(rows) / 25, entry .. ": " .. asked .. " requests")
      end
    end
    -- An entry with nothing below it: no rows, no error.
    assert.same({}, assert(s:table(e, "1.3.6.1.2.1.2.2.7")))
  end)

  describe("a wide, sparse table of a winsnmp agent", function()
    local ENTRY = "1.3.6.1.4.1.99999.77.1.1"
    -- 70 columns: 1..30, 35, 40..78; 12 rows; row r has no cell in column c
    -- when (r + c) % 7 == 0; a scalar after the table.
    local columns = {}
    for c = 1, 30 do columns[#columns + 1] = c end
    columns[#columns + 1] = 35
    for c = 40, 78 do columns[#columns + 1] = c end
    local expected, objects = {}, {}
    for _, c in ipairs(columns) do
      for r = 1, 12 do
        if (r + c) % 7 ~= 0 then
          local index = ("%d.%d"):format(r, r * 3)
          expected[index] = expected[index] or {}
          local value = c % 3 == 0 and ("r%dc%d"):format(r, c) or r * 1000 + c
          expected[index][c] = value
          objects[#objects + 1] = { ("%s.%d.%s"):format(ENTRY, c, index),
                                    type(value) == "string" and "octets" or "int", value }
        end
      end
    end
    objects[#objects + 1] = { "1.3.6.1.4.1.99999.77.2.0", "int", 7 }

    local listener, e2, e1
    before_each(function()
      listener = assert(s:listen("udp:127.0.0.1:0", winsnmp.mibview(objects).handler,
                                 { communities = { wide = "ro" } }))
      e2 = assert(s:entity(listener.address, { community = "wide", timeout = 1, retries = 0 }))
      e1 = assert(s:entity(listener.address, { community = "wide", version = "1", timeout = 1,
                                                retries = 0 }))
    end)

    it("finds every column past one discovery and one request, and every gap", function()
      assert.same(expected, assert(s:table(e2, ENTRY)))
      assert.same(expected, assert(s:table(e2, ENTRY, { max_repetitions = 3 })))
      assert.same(expected, assert(s:table(e1, ENTRY))) -- v1: column by column
    end)

    it("fetches the columns asked for, also ones the agent lacks", function()
      local want = { 2, 35, 36, 78 }
      local part = {}
      for index, row in pairs(expected) do
        for _, c in ipairs(want) do
          if row[c] ~= nil then
            part[index] = part[index] or {}
            part[index][c] = row[c]
          end
        end
      end
      assert.same(part, assert(s:table(e2, ENTRY, { columns = want })))
      assert.same(part, assert(s:table(e1, ENTRY, { columns = want })))
    end)

    it("keeps names and decoded indexes working on rows collected in C", function()
      local rows = assert(s:table(e2, ENTRY, { typed = true }))
      assert.same({ type = "octets", value = "r1c3" }, rows["1.3"][3])
      assert.same({ type = "int", value = 1001 }, rows["1.3"][1])
    end)

    it("gives each cell's type beside the rows with types = true, on every path", function()
      local kinds = {}
      for index, row in pairs(expected) do
        kinds[index] = {}
        for c, value in pairs(row) do kinds[index][c] = type(value) == "string" and "octets" or "int" end
      end
      for _, case in ipairs({
        { e2, {} }, { e2, { max_repetitions = 3 } }, { e1, {} },
        { e2, { columns = { 2, 35, 36, 78 } } }, { e1, { columns = { 2, 35, 36, 78 } } },
        { e2, { non_increasing = "allow" } }, { e2, { show_end = true } },
      }) do
        local e, opts = case[1], case[2]
        local what = (e == e1 and "v1 " or "v2c ") .. tostring(next(opts) or "")
        local typed_opts = setmetatable({ typed = true }, { __index = opts })
        local types_opts = setmetatable({ types = true }, { __index = opts })
        local rows, types = s:table(e, ENTRY, types_opts)
        same_as_typed(rows, types, assert(s:table(e, ENTRY, typed_opts)), what)
        if not opts.columns then assert.same(expected, rows, what) end
        if not opts.columns then assert.same(kinds, types, what) end
        -- both at once: typed cells, and the types beside them
        local both, types2 = s:table(e, ENTRY, setmetatable({ typed = true, types = true },
                                                            { __index = opts }))
        assert.same(types, types2, what)
        assert.same({ type = "int", value = 1002 }, both["1.3"][2], what)
      end
      assert.equals(1, select("#", s:table(e2, ENTRY)))
      assert.has_error(function() s:table(e2, ENTRY, { types = "yes" }) end)
    end)
  end)

  describe("the fake agent's misbehaviour", function()
    local TABLE = fake.oid("table")
    local expected = {}
    for c = 1, 3 do
      for r = 1, 40 do
        expected[tostring(r)] = expected[tostring(r)] or {}
        expected[tostring(r)][c] = c * 100 + r
      end
    end
    local function entity(community, opts)
      opts = opts or {}
      opts.community = community
      opts.timeout = opts.timeout or 0.3
      opts.retries = 0
      return assert(s:entity(bad.address, opts))
    end

    it("adapts the rows per GETBULK to tooBig, silence, truncation and no GETBULK", function()
      for _, mode in ipairs({ "toobig20", "silent10", "trunc5", "nobulk" }) do
        local e = entity(mode, { timeout = mode == "nobulk" and 0.1 or 0.3 })
        assert.same(expected, assert(s:table(e, TABLE)), mode)
        assert.same(expected, assert(s:table(e, TABLE)), mode .. ", learnt")
        local reps = e:stats().max_repetitions
        if mode == "toobig20" then assert.is_true(reps <= 20, mode .. " " .. reps) end
        if mode == "silent10" then assert.is_true(reps <= 10, mode .. " " .. reps) end
        if mode == "nobulk" then assert.equals(0, reps) end
      end
    end)

    it("walks the table as one subtree when the agent does not answer in rows", function()
      -- (whole rows rely on RFC 3416 4.2.3: varbind i of a GETBULK answer
      -- follows requested varbind i mod N)
      for _, mode in ipairs({ "firstonly", "colmajor" }) do
        local e = entity(mode)
        local before = e:stats().requests
        assert.same(expected, assert(s:table(e, TABLE)), mode)
        -- discovery, the GETBULK that shows it, then the subtree walk
        assert.is_true(e:stats().requests - before <= 2 + 120 // 25 + 2, mode)
        -- (the types of the cells taken before the misorder showed are
        -- dropped with them)
        local rows, types = s:table(e, TABLE, { types = true })
        assert.same(expected, rows, mode)
        local kinds = {}
        for index, row in pairs(expected) do
          kinds[index] = {}
          for c in pairs(row) do kinds[index][c] = "int" end
        end
        assert.same(kinds, types, mode)
      end
    end)

    it("fails on an agent whose columns never end, after 1,024", function()
      local e = entity("widening")
      local before = e:stats().requests
      local ok, msg, name = s:table(e, TABLE)
      assert.is_nil(ok)
      assert.equals("SNMPAPI_OTHER_ERROR", name)
      assert.equals("table: the agent has more than 1024 columns", msg)
      assert.equals(1024 / 32 + 1, e:stats().requests - before) -- 32 columns a discovery
    end)

    it("fails on OIDs that go back", function()
      local ok, msg, name = s:table(entity("loop"), TABLE)
      assert.is_nil(ok)
      assert.equals("SNMPAPI_OTHER_ERROR", name)
      assert.matches("not increasing", msg)
    end)
  end)
end)
