--- Starts and stops spec/support/fake_agent.lua in a child process.
--
--     local fake = require("support.fake")
--     local agent = fake.start()      -- {port=, spoof_port=, address=, pid=}
--     fake.oid("noisy")               -- "1.3.6.1.4.1.99999.3"
--     agent:stop()
local snmpd = require("winsnmp.snmpd")

local fake = {}

local MODES = {
  echo = 1, late = 2, noisy = 3, spoof_only = 4, equal = 5, decreasing = 6, silent = 7,
  duplicate = 8,
}

--- The OID that selects a behaviour (see fake_agent.lua); `suffix` is
-- appended (for "late", the delay in milliseconds).
function fake.oid(mode, suffix)
  local n = assert(MODES[mode], "unknown fake agent mode " .. tostring(mode))
  local oid = "1.3.6.1.4.1.99999." .. n
  if suffix then oid = oid .. "." .. suffix end
  return oid
end

local quote, read_file, sleep = snmpd.shell_quote, snmpd.read_file, snmpd.sleep
local alive = snmpd.process_alive

local Fake = {}
Fake.__index = Fake

--- Kills the child and removes its files; safe to call twice.
Fake.stop = snmpd.stop_process

--- What the child wrote to stderr (for failure messages).
function Fake:log()
  return self.dir and read_file(self.dir .. "/stderr") or ""
end

--- Starts a fake agent on a free loopback port; raises if it does not
-- come up within 5 s.
function fake.start()
  local port = assert(snmpd.free_ports(1))[1]
  local dir = os.tmpname()
  os.remove(dir)
  assert(os.execute("mkdir -p " .. quote(dir)))
  local ready = dir .. "/ready"
  -- The child finds winsnmp the way this process does.
  local cmd = string.format(
    "LUA_PATH_5_4=%s LUA_CPATH_5_4=%s lua5.4 spec/support/fake_agent.lua %d %s " ..
    "</dev/null >/dev/null 2>%s & echo $! >%s",
    quote(package.path), quote(package.cpath), port, quote(ready), quote(dir .. "/stderr"),
    quote(dir .. "/pid"))
  assert(os.execute(cmd))
  local self = setmetatable({ dir = dir, port = port,
                              address = "udp:127.0.0.1:" .. port }, Fake)
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
  local log = self:log()
  self:stop()
  error("the fake agent did not start: " .. log, 2)
end

return fake
