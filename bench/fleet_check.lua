-- The check of `make bench-fleet`'s winsnmp client (bench/fleet_winsnmp.lua):
-- the rows it collected from one simulated agent against the simulator's
-- formula (bench/fleet_sim.c, cell_value).  Its own file so that a spec
-- (spec/fleet_bench_check_spec.lua) runs it against the simulator and
-- against damaged rows.
--
--   local fleet_check = dofile("bench/fleet_check.lua")
--   fleet_check.check(port, rows, types) --> the number of rows whole and right
--
-- The check is the benchmark's, not the library's, but it runs in this
-- client's process and counts in its CPU (the C client checks in C).  So it
-- is written for the Lua VM: one statement per column, against the
-- formula, with no table of expected values filled per row (that form cost
-- a third more instructions; per cell through a generic lookup, three times
-- more).  It checks every cell's type and value, and that each row of
-- values and of types has exactly the keys 1..COLS.
local ROWS, COLS = 24, 22
local M32 = 0xffffffff
local string_char, math_type = string.char, math.type

local function count_keys(t)
  local n = 0
  for _ in pairs(t) do n = n + 1 end
  return n
end

-- Row r of the agent on `port`: `row` its values, `kinds` its types (the
-- second result of s:table's `types = true`), both with exactly the keys
-- 1..COLS.
local function row_ok(port, r, row, kinds)
  if count_keys(row) ~= COLS or count_keys(kinds) ~= COLS then return false end
  local base = port * 2654435761 + r * 2246822519 -- (a cell's hash: + col * 40503)
  if kinds[1] ~= "int" or row[1] ~= r then return false end
  if kinds[2] ~= "octets" or row[2] ~= ("a%d-if%d"):format(port, r) then return false end
  if kinds[3] ~= "int" or row[3] ~= 6 then return false end
  if kinds[4] ~= "int" or row[4] ~= 1500 then return false end
  if kinds[5] ~= "gauge32" or row[5] ~= (base + 5 * 40503) & M32 then return false end
  if kinds[6] ~= "octets"
    or row[6] ~= string_char(2, (port >> 8) & 0xff, port & 0xff, 0xab, 0xcd, r) then
    return false
  end
  if kinds[7] ~= "int" or row[7] ~= 1 then return false end
  if kinds[8] ~= "int" or row[8] ~= 1 + ((base + 8 * 40503) & M32) % 2 then return false end
  if kinds[9] ~= "timeticks" or row[9] ~= (base + 9 * 40503) & M32 then return false end
  for col = 10, 20 do
    if kinds[col] ~= "cntr32" or row[col] ~= (base + col * 40503) & M32 then return false end
  end
  if kinds[21] ~= "gauge32" or row[21] ~= ((base + 21 * 40503) & M32) % 100 then
    return false
  end
  return kinds[22] == "oid" and row[22] == "0.0"
end

-- Rows of one agent that are whole and right (nothing more, nothing less).
local function check(port, rows, types)
  local good = 0
  if count_keys(types) ~= count_keys(rows) then return 0 end
  for key, row in pairs(rows) do
    local r = tonumber(key)
    local kinds = types[key]
    if r and r >= 1 and r <= ROWS and math_type(r) == "integer" and tostring(r) == key
      and kinds and row_ok(port, r, row, kinds) then
      good = good + 1
    end
  end
  return good
end

return { check = check, ROWS = ROWS, COLS = COLS }
