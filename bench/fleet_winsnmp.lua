-- The winsnmp client of `make bench-fleet`: collects every agent's ifTable
-- with one task per agent (at most WINDOW agents at once), s:table with
-- adaptive GETBULK and a deadline, and checks every cell's type and value
-- against the simulator's formula (bench/fleet_sim.c).  The types come
-- from `types = true` (a table of type names per row beside the rows of
-- values): with `typed = true` instead, a {type=, value=} table per cell
-- (5.25 million of them) cost 40% more instructions.  Prints one JSON line.
--
--   lua5.4 bench/fleet_winsnmp.lua PORTSFILE [MODE] [WINDOW] [DEADLINE] [MAX_IN_FLIGHT]
--
-- MODE "table" (the default): one s:table of ifEntry per agent.  MODE
-- "columns": the agent's task walks the 22 columns in tasks of their own at
-- once (s:table with `columns`), at most MAX_IN_FLIGHT requests to the agent
-- at a time, so that a slow agent costs one round trip per column rather
-- than one per GETBULK of the whole table.
--
-- SNMPv2c, community public, timeout 1 s, 2 retries, 127.0.0.1.
local winsnmp = require("winsnmp")

local ports_file, MODE = arg[1], arg[2] or "table"
local WINDOW, DEADLINE = tonumber(arg[3] or 1000), tonumber(arg[4] or 60)
local MAX_IN_FLIGHT = tonumber(arg[5] or (MODE == "columns" and 8 or 1))
if not ports_file or (MODE ~= "table" and MODE ~= "columns") then
  io.stderr:write("usage: fleet_winsnmp.lua PORTSFILE [table|columns] [WINDOW] [DEADLINE] "
    .. "[MAX_IN_FLIGHT]\n")
  os.exit(2)
end
local ports = {}
for line in io.lines(ports_file) do ports[#ports + 1] = tonumber(line) end

local IF_ENTRY = "1.3.6.1.2.1.2.2.1"

-- The check of every cell: bench/fleet_check.lua, beside this file.
local fleet_check = dofile((arg[0]:match("^(.*)/[^/]*$") or ".") .. "/fleet_check.lua")
local check, ROWS, COLS = fleet_check.check, fleet_check.ROWS, fleet_check.COLS

-- ---- the fleet -----------------------------------------------------------------------
local session = assert(winsnmp.session())
local rows_ok, agents_ok, failed, reasons = 0, 0, {}, {}
local next_agent = 1

-- (rows, types: s:table's results; or nil, msg, NAME)
local function finish(port, e, rows, types, name)
  if rows then
    local good = check(port, rows, types)
    rows_ok = rows_ok + good
    if good == ROWS then agents_ok = agents_ok + 1 else failed[#failed + 1] = port end
  else
    failed[#failed + 1] = port
    local why = name or types -- (types is the message when rows is nil)
    reasons[why] = (reasons[why] or 0) + 1
  end
  e:free()
end

local function entity(port)
  return assert(session:entity("udp:127.0.0.1:" .. port,
                               { timeout = 1, retries = 2, max_in_flight = MAX_IN_FLIGHT }))
end

local start_next

-- MODE table: the agent's task walks the table, checks it, starts the next.
local function by_table(port)
  winsnmp.spawn(function()
    local e = entity(port)
    local deadline = DEADLINE > 0 and DEADLINE or nil -- (0: none)
    finish(port, e, session:table(e, IF_ENTRY, { types = true, deadline = deadline }))
    start_next()
  end)
end

-- MODE columns: one task per column; the last to finish merges, checks and
-- starts the next agent.  (No join in the public API: a counter does.)
local function by_columns(port)
  local e = entity(port)
  local rows, types, pending, msg, name, bad = {}, {}, COLS, nil, nil, false
  local function merge(into_all, part)
    for key, row in pairs(part) do
      local into = into_all[key]
      if not into then
        into = {}
        into_all[key] = into
      end
      for col, cell in pairs(row) do into[col] = cell end
    end
  end
  for c = 1, COLS do
    winsnmp.spawn(function()
      local part, m, n = session:table(e, IF_ENTRY, { columns = { c }, types = true,
                                                      deadline = DEADLINE })
      if part then
        merge(rows, part)
        merge(types, m)
      elseif not bad then
        bad, msg, name = true, m, n
      end
      pending = pending - 1
      if pending == 0 then
        if bad then finish(port, e, nil, msg, name) else finish(port, e, rows, types) end
        start_next()
      end
    end)
  end
end

-- At most WINDOW agents at once; each finished one starts the next.
function start_next()
  local i = next_agent
  if i > #ports then return end
  next_agent = i + 1
  if MODE == "columns" then by_columns(ports[i]) else by_table(ports[i]) end
end

local t0 = winsnmp.now()
for _ = 1, math.min(WINDOW, #ports) do start_next() end
assert(winsnmp.run())
local seconds = winsnmp.now() - t0
table.sort(failed)
local why = {}
for k, n in pairs(reasons) do why[#why + 1] = k .. "=" .. n end
print(('{"client":"winsnmp","mode":"%s","seconds":%.3f,"agents":%d,"agents_ok":%d,'
  .. '"rows_ok":%d,"window":%d,"deadline":%g,"max_in_flight":%d,"failed_ports":"%s","why":"%s"}')
  :format(MODE, seconds, #ports, agents_ok, rows_ok, WINDOW, DEADLINE, MAX_IN_FLIGHT,
          table.concat(failed, " "), table.concat(why, " ")))
session:close()
