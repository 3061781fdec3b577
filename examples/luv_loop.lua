-- Driving winsnmp from luv (libuv): the session's descriptors are watched
-- by uv.new_poll, the engine's next deadline by a uv timer; winsnmp.poll(0)
-- runs whenever either fires.  No thread, no blocking call.
--   lua5.4 examples/luv_loop.lua ADDRESS [COUNT]
local uv = require("luv")
local winsnmp = require("winsnmp")

local address, count = ...
assert(address, "usage: luv_loop.lua ADDRESS [COUNT]")
count = tonumber(count) or 5

local answered = 0
local session = assert(winsnmp.session(function(s, request_id, err)
  -- Called from winsnmp.poll for each request outcome.
  if err then
    print(("request %d failed: %s"):format(request_id, err))
  else
    local message = assert(s:recv())
    print(("request %d: sysUpTime = %d"):format(request_id,
                                                 message.pdu:data().varbinds[1].value))
  end
  answered = answered + 1
end))
local agent = assert(session:entity(address))

local watchers, timer = {}, uv.new_timer()

-- Re-arms the watchers after every poll: sockets appear lazily, and the
-- next deadline moves.
local function rearm()
  local fds, timeout = winsnmp.fds()
  for _, fd in ipairs(fds) do
    if not watchers[fd] then
      watchers[fd] = uv.new_poll(fd)
      watchers[fd]:start("r", function()
        winsnmp.poll(0)
        rearm()
      end)
    end
  end
  timer:stop()
  if timeout then
    timer:start(math.max(1, math.ceil(timeout * 1000)), 0, function()
      winsnmp.poll(0)
      rearm()
    end)
  end
end

-- Send a GET every 200 ms, from a uv timer.
local sent = 0
local ticker = uv.new_timer()
ticker:start(0, 200, function()
  if sent == count then
    ticker:stop()
    return
  end
  sent = sent + 1
  session:send(agent, nil, assert(session:pdu("get", { "1.3.6.1.2.1.1.3.0" })))
  rearm()
end)

local idle = uv.new_timer()
idle:start(50, 50, function()
  if answered == count then
    for _, w in pairs(watchers) do w:close() end
    timer:close()
    ticker:close()
    idle:close()
  end
end)

uv.run()
session:close()
print(("%d answers through luv"):format(answered))
