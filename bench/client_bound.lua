-- The client-bound benchmark (issue 17 item 2): every client against
-- bench/responder, which answers canned GET responses as fast as the
-- kernel allows, so the client is the bottleneck.  For each client: GETs
-- per second with 64 in flight (sequential for a client without an async
-- API) and the client's CPU seconds per 100,000 GETs (user + system of the
-- client process, from the shell's `times`: steadier than wall time on a
-- shared machine).  Best of ROUNDS, the clients taking turns.  Prints a
-- Markdown table; `make bench` puts it in bench/results.md.
--   sh bench/build.sh && LUA_PATH="./lua/?.lua;./lua/?/init.lua;;" \
--     LUA_CPATH="./build/?.so;;" lua5.4 bench/client_bound.lua [N]
local snmpd = require("winsnmp.snmpd")

local N = tonumber(arg[1]) or 100000
local ROUNDS = 3

local common = require("bench.common")
local run = common.run

local have = common.have

local port = assert(snmpd.free_ports(1))[1]
local address = "127.0.0.1:" .. port
local ready = os.tmpname()
local pidfile = os.tmpname()
os.execute(("bench/responder %d >%s 2>&1 & echo $! >%s"):format(port, ready, pidfile))
for _ = 1, 50 do
  if (snmpd.read_file(ready) or ""):find("ready") then break end
  snmpd.sleep(0.1)
end
assert((snmpd.read_file(ready) or ""):find("ready"), "bench/responder did not start")

local clients = {
  { name = "winsnmp (Lua)", cmd = "lua5.4 bench/winsnmp_client.lua", async = true },
  { name = "C reference (net-snmp async)", cmd = "bench/ref_client", async = true },
  { name = "node net-snmp", cmd = "node bench/node_client.js", async = true,
    available = have("node") and io.open("bench/node_modules/net-snmp/package.json") ~= nil },
  { name = "python3-easysnmp (sequential)", cmd = "/usr/bin/python3 bench/easysnmp_client.py",
    available = os.execute("/usr/bin/python3 -c 'import easysnmp' 2>/dev/null") == true },
}

-- One run: {per_second=, cpu=} with cpu the client's CPU seconds.
local function measure(client)
  local args = client.async and ("pipe %d 64 %s"):format(N, address)
    or ("seq %d %s"):format(N // 10, address)
  local out = run(("bash -c %s"):format(snmpd.shell_quote(client.cmd .. " " .. args .. "; times")))
  local rate = tonumber(out:match('"per_second":%s*([%d.]+)'))
  -- `times`: the shell's own line, then its children's ("0m0.47s 0m0.55s")
  local um, us, sm, ss = out:match("\n(%d+)m([%d.]+)s (%d+)m([%d.]+)s\n?$")
  if not rate or not um then return nil end
  local cpu = tonumber(um) * 60 + tonumber(us) + tonumber(sm) * 60 + tonumber(ss)
  local n = tonumber(out:match('"n":%s*(%d+)')) or N
  return { per_second = rate, cpu_per_100k = cpu / n * 100000 }
end

local best = {}
for _ = 1, ROUNDS do
  for _, client in ipairs(clients) do
    if client.available ~= false then
      local r = measure(client)
      local b = best[client.name]
      if r and (not b or r.cpu_per_100k < b.cpu_per_100k) then
        best[client.name] = { per_second = math.max(r.per_second, b and b.per_second or 0),
                              cpu_per_100k = r.cpu_per_100k }
      elseif r then
        b.per_second = math.max(b.per_second, r.per_second)
      end
    end
  end
end
snmpd.kill(tonumber(snmpd.read_file(pidfile)))
os.remove(ready)
os.remove(pidfile)

local ref = best["C reference (net-snmp async)"]
print(("%d GETs with 64 in flight per client (easysnmp: %d, one at a time), best of %d, "
  .. "against bench/responder; CPU is the client process's user + system time."):format(N,
  N // 10, ROUNDS))
print("")
print("| client | GET/s | client CPU s per 100,000 GETs | CPU vs C reference |")
print("|---|---|---|---|")
for _, client in ipairs(clients) do
  local r = best[client.name]
  if client.available == false then
    print(("| %s | not installed | | |"):format(client.name))
  elseif not r then
    print(("| %s | failed | | |"):format(client.name))
  else
    print(("| %s | %.0f | %.3f | %s |"):format(client.name, r.per_second, r.cpu_per_100k,
      ref and ("%.2f×"):format(r.cpu_per_100k / ref.cpu_per_100k) or ""))
  end
end
