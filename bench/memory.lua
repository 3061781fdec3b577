--- Memory figures for the benchmark and the soak (run from the repository
-- root: require("bench.memory")).
local winsnmp = require("winsnmp")

local memory = {}

--- This process's resident set, in KiB.
function memory.rss_kib()
  for line in io.lines("/proc/self/status") do
    local kib = line:match("^VmRSS:%s+(%d+)")
    if kib then return tonumber(kib) end
  end
end

--- Bytes in use, C heap plus Lua heap, after a full collection: RSS cannot
-- see memory that a free() made available again.
function memory.in_use()
  collectgarbage("collect")
  return winsnmp.heap() + math.floor(collectgarbage("count") * 1024)
end

return memory
