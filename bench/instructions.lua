-- Instructions per GET only (figure (e) of bench/run.lua), for checking a
-- change quickly: callgrind's instruction count of 22,000 GETs minus 2,000
-- (as bench/run.lua: enough GETs for the Lua client's garbage collector),
-- for winsnmp and the C reference client, against one private snmpd.
--   make build && sh bench/build.sh && \
--   LUA_PATH="./lua/?.lua;./lua/?/init.lua;;" LUA_CPATH="./build/?.so;;" \
--   lua5.4 bench/instructions.lua
-- Instruction counts, unlike times, repeat run to run: exactly for the C
-- client, within about 100 for winsnmp (request ids are random, and the
-- garbage collector's cycles fall differently).
local snmpd = require("winsnmp.snmpd")

local function instructions(cmd, n, address)
  local p = assert(io.popen(("sh bench/callgrind_ir.sh %s count %d %s 2>/dev/null")
    :format(cmd, n, address)))
  local out = p:read("a")
  p:close()
  return assert(tonumber(out:match("(%d+)%s*$")), "callgrind gave no count: " .. cmd)
end

local agent = assert(snmpd.start())
for _, client in ipairs({
  { name = "winsnmp (Lua)", cmd = "lua5.4 bench/winsnmp_client.lua" },
  { name = "C reference", cmd = "bench/ref_client" },
}) do
  local per_get = (instructions(client.cmd, 22000, agent.address)
    - instructions(client.cmd, 2000, agent.address)) / 20000
  print(("%-14s %.0f instructions per GET"):format(client.name, per_get))
end
agent:stop()
