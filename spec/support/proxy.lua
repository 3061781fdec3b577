--- Starts and stops spec/support/fault_proxy.lua, a hostile loopback UDP
-- proxy in front of an agent, in a child process.
--
--     local proxy = require("support.proxy")
--     local net = proxy.start{ target_port = agent.port, drop = 0.1, forge = 0.2, seed = 7 }
--     -- net.address == "udp:127.0.0.1:PORT", net.port, net.spoof_port, net.pid
--     local counts = net:stats()   -- {drop=, dup=, forge=, ...}, current
--     net:stop()
--
-- Options: `target_port` (required), the fault probabilities (`drop`,
-- `dup`, `reorder`, `delay`, `forge`, `truncate`, `garbage`, `flip`,
-- `replay`), `seed`, `forger` (the port of a second agent that forges v3
-- replies), `forge_from` ("spoof" or "listen"), `lifetime` (seconds); see
-- fault_proxy.lua.
local snmpd = require("winsnmp.snmpd")
local child = require("support.child")

local proxy = {}

local OPTIONS = { "drop", "dup", "reorder", "delay", "forge", "truncate", "garbage", "flip",
                  "replay", "seed", "forger", "forge_from", "lifetime" }
proxy.FAULTS = { "drop", "dup", "reorder", "delay", "forge", "truncate", "garbage", "flip",
                 "replay" }

local read_file, sleep, alive = snmpd.read_file, snmpd.sleep, snmpd.process_alive

-- stop (the child writes its counts on SIGTERM) and log come from support.child.
local Proxy = setmetatable({}, { __index = child.methods })
Proxy.__index = Proxy

local function parse_stats(text)
  local out = {}
  for key, value in (text or ""):gmatch("([%w_]+)=(%-?%d+)") do
    out[key] = math.tointeger(tonumber(value))
  end
  return out
end

--- The child's counts as they are now: asks for them with SIGUSR1 and waits
-- (up to 5 s) until the file shows the answer.  Raises if it does not come.
function Proxy:stats()
  assert(self.pid and self.dir, "the proxy is stopped")
  self.asked = (self.asked or 0) + 1
  os.execute("kill -USR1 " .. self.pid .. " 2>/dev/null")
  for _ = 1, 500 do
    local stats = parse_stats(read_file(self.dir .. "/stats"))
    if (stats.signals or 0) >= self.asked then
      stats.signals = nil
      return stats
    end
    if not alive(self.pid) then break end
    sleep(0.01)
  end
  error("the fault proxy did not report its counts: " .. self:log(), 2)
end

--- The counts as one line, e.g. for io.stderr.
function proxy.format(stats)
  local keys = {}
  for key in pairs(stats) do keys[#keys + 1] = key end
  table.sort(keys)
  local parts = {}
  for i, key in ipairs(keys) do parts[i] = key .. "=" .. stats[key] end
  return table.concat(parts, " ")
end

--- Starts a proxy on a free loopback port in front of 127.0.0.1:target_port;
-- raises if it does not come up.
function proxy.start(opts)
  assert(type(opts) == "table" and math.tointeger(opts.target_port),
    "proxy.start{target_port = PORT, ...}")
  local args = {}
  for _, key in ipairs(OPTIONS) do
    if opts[key] ~= nil then args[#args + 1] = key .. "=" .. tostring(opts[key]) end
  end
  return child.start("the fault proxy", "spec/support/fault_proxy.lua", Proxy, args,
    function(dir) return { tostring(opts.target_port), dir .. "/stats" } end)
end

return proxy
