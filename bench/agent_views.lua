-- The agent role side by side with snmpd (issue 13 item 4): a winsnmp
-- mibview of 100,000 objects (a 10,000-row table of 9 columns plus 10,000
-- scalars) in a child process, and net-snmp's snmpd serving MIB-2, each
-- asked GET, GETNEXT and GETBULK(25) at positions spread over what it serves
-- (snmpd: its mib-2 objects below host resources).  One client (a winsnmp
-- session, one request at a time) for both; the figures are requests per
-- second (wall, sequential: the client's round trip included) and the
-- agent's CPU per request from /proc (what serving costs the agent).
-- Prints a Markdown table; `make bench` puts it in bench/results.md.
--   make build && LUA_PATH="./lua/?.lua;./lua/?/init.lua;;" \
--     LUA_CPATH="./build/?.so;;" lua5.4 bench/agent_views.lua [N]
local winsnmp = require("winsnmp")
local snmpd = require("winsnmp.snmpd")

local N = tonumber(arg[1]) or 3000
local HZ = 100 -- clock ticks per second of /proc/PID/stat (sysconf(_SC_CLK_TCK) on Linux)
local ROOT = "1.3.6.1.4.1.99.50"
local ROWS, COLUMNS, SCALARS = 10000, 9, 10000

local function cpu_seconds(pid)
  local stat = assert(snmpd.read_file("/proc/" .. pid .. "/stat"))
  local fields = {}
  for f in stat:gsub("^.-%) ", ""):gmatch("%S+") do fields[#fields + 1] = f end
  return (tonumber(fields[12]) + tonumber(fields[13])) / HZ -- utime, stime
end

-- The agent: the view is built the way a device simulator would build it.
local port = assert(snmpd.free_ports(1))[1]
local agent_code = ([[
  local winsnmp = require("winsnmp")
  local ROOT, ROWS, COLUMNS, SCALARS = %q, %d, %d, %d
  local scalars = {}
  for i = 1, SCALARS do
    scalars[i] = { ("%%s.1.%%d.0"):format(ROOT, i), i %% 2 == 0 and "int" or "octets",
                   i %% 2 == 0 and i or ("scalar %%d"):format(i) }
  end
  local view = winsnmp.mibview(scalars)
  local types = { "int", "octets", "cntr32", "gauge32", "timeticks", "cntr64", "ipaddr", "octets",
                  "int" }
  local columns = {}
  for c = 1, COLUMNS do columns[c + 1] = { type = types[c] } end
  local tbl = view:table(ROOT .. ".2.1", { index = { "int" }, columns = columns })
  for r = 1, ROWS do
    tbl:add({ r }, { [2] = r, [3] = "port " .. r, [4] = r * 7, [5] = 1000000000, [6] = r * 100,
                     [7] = r * 1000, [8] = "10.0." .. r // 256 .. "." .. r %% 256,
                     [9] = "\0\1\2\3\4\5", [10] = 1 })
  end
  local s = assert(winsnmp.session())
  assert(s:listen("udp:127.0.0.1:%d", view.handler))
  io.stdout:write("ready\n") io.stdout:flush()
  while true do winsnmp.poll(1) end
]]):format(ROOT, ROWS, COLUMNS, SCALARS, port)
local file = os.tmpname()
local f = assert(io.open(file, "w"))
f:write(agent_code)
f:close()
local ready = os.tmpname()
local pidfile = os.tmpname()
os.execute(("lua5.4 %s >%s 2>&1 & echo $! > %s"):format(file, ready, pidfile))
local agent_pid = tonumber(snmpd.read_file(pidfile))
local real = assert(snmpd.start())

for _ = 1, 300 do -- building 100,000 objects takes a moment
  if (snmpd.read_file(ready) or ""):find("ready") then break end
  snmpd.sleep(0.1)
end
assert((snmpd.read_file(ready) or ""):find("ready"), "the winsnmp agent did not start")

local s = assert(winsnmp.session())

-- Positions spread over everything an agent serves.
local function view_positions()
  local list = {}
  for i = 1, 997 do
    if i % 2 == 0 then
      list[#list + 1] = ("%s.1.%d.0"):format(ROOT, (i * 7919) % SCALARS + 1)
    else
      list[#list + 1] = ("%s.2.1.%d.%d"):format(ROOT, i % COLUMNS + 2, (i * 104729) % ROWS + 1)
    end
  end
  return list
end

local function snmpd_positions(e)
  local all = assert(s:walk(e, "1.3.6.1.2.1", { max_repetitions = 50 }))
  local list = {}
  for _, vb in ipairs(all) do
    if winsnmp.oid_compare(vb.oid, "1.3.6.1.2.1.25") < 0 then list[#list + 1] = vb.oid end
  end
  return list, #list
end

local OPS = {
  { "GET", function(e, oid) return s:get(e, { oid }) end },
  { "GETNEXT", function(e, oid) return s:getnext(e, { oid }) end },
  { "GETBULK(25)", function(e, oid) return s:getbulk(e, { oid }, 0, 25) end },
}

-- Best of ROUNDS, the two agents taking turns: the machine's other load
-- only ever slows a run down, and then both alike.
local ROUNDS = 3

local function measure(address, pid, positions, results)
  local e = assert(s:entity(address, { timeout = 2, retries = 1 }))
  for _, op in ipairs(OPS) do
    assert(op[2](e, positions[1])) -- warm up
    local cpu0, t0 = cpu_seconds(pid), winsnmp.now()
    for i = 1, N do assert(op[2](e, positions[i % #positions + 1])) end
    local cpu, wall = cpu_seconds(pid) - cpu0, winsnmp.now() - t0
    local best = results[op[1]] or { per_second = 0, cpu_us = math.huge }
    best.per_second = math.max(best.per_second, N / wall)
    best.cpu_us = math.min(best.cpu_us, cpu / N * 1e6)
    results[op[1]] = best
  end
  e:free()
end

snmpd.sleep(0.3)
local positions, count = snmpd_positions(assert(s:entity(real.address)))
local theirs, mine = {}, {}
for _ = 1, ROUNDS do
  measure(real.address, real.pid, positions, theirs)
  measure("udp:127.0.0.1:" .. port, agent_pid, view_positions(), mine)
end
local rss = (snmpd.read_file("/proc/" .. agent_pid .. "/status") or ""):match("VmRSS:%s*(%d+)")

print(("Best of %d rounds of %d requests of each kind, one at a time; snmpd serves %d mib-2 "
  .. "objects there, the winsnmp view 100,000 (agent RSS %s KiB)."):format(ROUNDS, N, count,
  rss or "?"))
print("")
print("| request | winsnmp mibview: req/s | snmpd: req/s | winsnmp: agent CPU µs/req "
  .. "| snmpd: agent CPU µs/req | CPU ratio (snmpd ÷ winsnmp) |")
print("|---|---|---|---|---|---|")
for _, op in ipairs(OPS) do
  local a, b = mine[op[1]], theirs[op[1]]
  print(("| %s | %.0f | %.0f | %.1f | %.1f | %.2f× |"):format(op[1], a.per_second, b.per_second,
    a.cpu_us, b.cpu_us, b.cpu_us / math.max(a.cpu_us, 0.001)))
end
s:close()
snmpd.kill(agent_pid)
real:stop()
for _, path in ipairs({ file, ready, pidfile }) do os.remove(path) end
