-- winsnmp next to copas (LuaSocket coroutines) in one loop.  copas serves
-- a small TCP service; winsnmp tasks do the SNMP work.  The loop:
--   * a copas thread waits, through copas itself, for winsnmp's socket to
--     become readable (an object with getfd), then runs winsnmp.poll(0) and
--     resumes the winsnmp tasks that became ready;
--   * copas.step waits at most until winsnmp's next deadline, so
--     retransmissions and timeouts run on time.
-- Debian's lua-copas installs copas for Lua 5.1/5.2 only; it is plain Lua
-- and runs on 5.4 from there:
--   LUA_PATH="/usr/share/lua/5.2/?.lua;;" lua5.4 examples/copas_loop.lua ADDRESS [COUNT]
local copas = require("copas")
local socket = require("socket")
local winsnmp = require("winsnmp")

local address, count = ...
assert(address, "usage: copas_loop.lua ADDRESS [COUNT]")
count = tonumber(count) or 5

local session = assert(winsnmp.session())
local agent = assert(session:entity(address))

-- Runs winsnmp once: its I/O and timers, then the tasks that can go on.
local function drive()
  winsnmp.poll(0)
  winsnmp.run(0) -- nil, "…", "SNMPAPI_TL_TIMEOUT" while tasks still wait: expected
end

-- The SNMP side: a winsnmp task reads sysUpTime `count` times; each get
-- yields to the loop until its answer is in.
local uptime, polls = nil, 0
winsnmp.spawn(function()
  for _ = 1, count do
    local got = assert(session:get(agent, { "1.3.6.1.2.1.1.3.0" }))
    uptime, polls = got[1].value, polls + 1
  end
end)
drive() -- starts the task: its first request is now in flight

-- copas waits on winsnmp's socket like on any LuaSocket object.
local fd = winsnmp.fds()[1]
local readable = false
local watcher = {
  getfd = function() return fd end,
  dirty = function() return false end,
  settimeout = function() end,
  -- copas retries receive once select says the descriptor is readable.
  receive = function()
    readable = not readable
    if readable then return nil, "timeout" end
    return ""
  end,
}
copas.addthread(function()
  while true do
    copas.receive(watcher)
    drive()
  end
end)

-- The copas side: a TCP service on a free loopback port answers each line
-- with the latest uptime, and a copas client asks until the task is done.
local server = assert(socket.bind("127.0.0.1", 0))
local port = select(2, server:getsockname())
copas.addserver(server, function(client)
  client = copas.wrap(client)
  while client:receive("*l") do
    client:send(("uptime %s after %d polls\n"):format(tostring(uptime), polls))
  end
end)
local finished = false
copas.addthread(function()
  local tcp = socket.tcp()
  assert(copas.connect(tcp, "127.0.0.1", port))
  local client = copas.wrap(tcp)
  local last
  repeat
    client:send("status\n")
    local line = client:receive("*l")
    if line ~= last then print(line) end -- each new answer once
    last = line
  until polls == count
  tcp:close()
  finished = true
end)

while not finished do
  local _, deadline = winsnmp.fds()
  copas.step(math.min(deadline or 0.05, 0.05))
  drive() -- timers, and the yielding task's next step
end
server:close()
session:close()
print(("%d SNMP answers next to copas"):format(polls))
