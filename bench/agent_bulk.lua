-- The agent role's GETBULK service time, side by side with snmpd: the same
-- client (a winsnmp session, one request at a time) asks each agent for
-- GETBULK max-repetitions 25 from the start of a subtree, N times, and the
-- agent's CPU time is read from /proc before and after.  The winsnmp agent
-- is a mibview of 1,000 objects in a child process (examples-like data:
-- strings, integers, counters), with the default access control (public,
-- read-only; answers capped at 1,472 bytes, as snmpd's are).
--   make build && LUA_PATH="./lua/?.lua;./lua/?/init.lua;;" \
--     LUA_CPATH="./build/?.so;;" lua5.4 bench/agent_bulk.lua [N]
local winsnmp = require("winsnmp")
local snmpd = require("winsnmp.snmpd")

local N = tonumber(arg[1]) or 2000
local HZ = 100 -- clock ticks per second of /proc/PID/stat (sysconf(_SC_CLK_TCK) on Linux)

local function cpu_seconds(pid)
  local stat = assert(snmpd.read_file("/proc/" .. pid .. "/stat"))
  local fields = {}
  for f in stat:gsub("^.-%) ", ""):gmatch("%S+") do fields[#fields + 1] = f end
  return (tonumber(fields[12]) + tonumber(fields[13])) / HZ -- utime, stime
end

local port = assert(snmpd.free_ports(1))[1]
local agent_code = ([[
  local winsnmp = require("winsnmp")
  local entries = {}
  for i = 1, 1000 do
    local kind = i %% 3
    entries[i] = { ("1.3.6.1.4.1.99.50.%%d.%%d.0"):format(i // 100 + 1, i),
      kind == 0 and "octets" or kind == 1 and "int" or "cntr32",
      kind == 0 and ("object number %%d"):format(i) or i }
  end
  local s = assert(winsnmp.session())
  local l = assert(s:listen("udp:127.0.0.1:%d", winsnmp.mibview(entries).handler))
  io.stdout:write("ready\n") io.stdout:flush()
  while true do winsnmp.poll(1) end
]]):format(port)
local file = os.tmpname()
local f = assert(io.open(file, "w"))
f:write(agent_code)
f:close()
local pidfile = os.tmpname()
os.execute(("lua5.4 %s >/dev/null 2>&1 & echo $! > %s"):format(file, pidfile))
local agent_pid = tonumber(snmpd.read_file(pidfile))
local real = assert(snmpd.start())
local real_pid = real.pid

local s = assert(winsnmp.session())
local function measure(name, address, root, pid)
  local e = assert(s:entity(address, { timeout = 2, retries = 1 }))
  assert(s:getbulk(e, { root }, 0, 25)) -- warm up, and the agent is up
  local cpu0, t0 = cpu_seconds(pid), winsnmp.now()
  local varbinds = 0
  for _ = 1, N do varbinds = varbinds + #assert(s:getbulk(e, { root }, 0, 25)) end
  local cpu, wall = cpu_seconds(pid) - cpu0, winsnmp.now() - t0
  print(("%-26s %6.3f ms agent CPU per GETBULK, %6.3f ms round trip, %d varbinds each")
    :format(name, cpu / N * 1000, wall / N * 1000, varbinds // N))
  return cpu / N
end

snmpd.sleep(0.3)
local mine = measure("winsnmp mibview listener", "udp:127.0.0.1:" .. port,
  "1.3.6.1.4.1.99.50", agent_pid)
local theirs = measure("net-snmp snmpd", real.address, "1.3.6.1.2.1", real_pid)
print(("ratio: %.2fx snmpd's CPU per GETBULK"):format(mine / theirs))
s:close()
snmpd.kill(agent_pid)
real:stop()
os.remove(file)
os.remove(pidfile)
