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

local proxy = {}

local OPTIONS = { "drop", "dup", "reorder", "delay", "forge", "truncate", "garbage", "flip",
                  "replay", "seed", "forger", "forge_from", "lifetime" }
proxy.FAULTS = { "drop", "dup", "reorder", "delay", "forge", "truncate", "garbage", "flip",
                 "replay" }

local quote, read_file, sleep = snmpd.shell_quote, snmpd.read_file, snmpd.sleep
local alive = snmpd.process_alive

local Proxy = {}
Proxy.__index = Proxy

--- Kills the child (it writes its counts on SIGTERM) and removes its files;
-- safe to call twice.
Proxy.stop = snmpd.stop_process

--- What the child wrote to stderr (for failure messages; "" when all went well).
function Proxy:log()
  return self.dir and read_file(self.dir .. "/stderr") or ""
end

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
    if opts[key] ~= nil then args[#args + 1] = quote(key .. "=" .. tostring(opts[key])) end
  end
  local log = ""
  for _ = 1, 5 do -- the port may be taken between the check and the bind
    local port = assert(snmpd.free_ports(1))[1]
    local dir = os.tmpname()
    os.remove(dir)
    assert(os.execute("mkdir -p " .. quote(dir)))
    local ready = dir .. "/ready"
    -- The child finds winsnmp the way this process does.
    local cmd = string.format(
      "LUA_PATH_5_4=%s LUA_CPATH_5_4=%s lua5.4 spec/support/fault_proxy.lua %d %d %s %s %s " ..
      "</dev/null >/dev/null 2>%s & echo $! >%s",
      quote(package.path), quote(package.cpath), port, opts.target_port, quote(ready),
      quote(dir .. "/stats"), table.concat(args, " "), quote(dir .. "/stderr"),
      quote(dir .. "/pid"))
    assert(os.execute(cmd))
    local self = setmetatable({ dir = dir, port = port, address = "udp:127.0.0.1:" .. port },
      Proxy)
    self.pid = tonumber((read_file(dir .. "/pid") or ""):match("%d+"))
    for _ = 1, 250 do
      local text = read_file(ready)
      if text then
        self.spoof_port = tonumber(text:match("^%d+ (%d+)"))
        return self
      end
      if self.pid and not alive(self.pid) then break end
      sleep(0.02)
    end
    log = self:log()
    self:stop()
    if not log:find("address already in use", 1, true) then break end
  end
  error("the fault proxy did not start: " .. log, 2)
end

return proxy
