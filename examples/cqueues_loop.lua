-- Driving winsnmp from cqueues: one cqueues coroutine waits on the
-- session's descriptors and the engine's next deadline with cqueues.poll,
-- then runs winsnmp.poll(0); other coroutines make requests with the
-- message layer (send, then wait for the callback).  No thread, no
-- blocking call.
--   lua5.4 examples/cqueues_loop.lua ADDRESS [COUNT]
local cqueues = require("cqueues")
local condition = require("cqueues.condition")
local winsnmp = require("winsnmp")

local address, count = ...
assert(address, "usage: cqueues_loop.lua ADDRESS [COUNT]")
count = tonumber(count) or 5

-- Request outcomes wake the coroutine waiting for them.
local outcomes, arrived = {}, condition.new()
local session = assert(winsnmp.session(function(_, request_id, err)
  outcomes[request_id] = err or true
  arrived:signal()
end))
local agent = assert(session:entity(address))

--- Sends a GET and waits (inside cqueues) for its answer.
local function get(oid)
  local id = assert(session:send(agent, nil, assert(session:pdu("get", { oid }))))
  while not outcomes[id] do arrived:wait() end
  local outcome = outcomes[id]
  outcomes[id] = nil
  if outcome ~= true then return nil, outcome end
  return assert(session:recv()).pdu:data().varbinds[1]
end

local loop = cqueues.new()
local done = false

-- The engine's driver: cqueues.poll takes objects with pollfd/events.
loop:wrap(function()
  while not done do
    local fds, timeout = winsnmp.fds()
    local watched = {}
    for i, fd in ipairs(fds) do
      watched[i] = { pollfd = function() return fd end, events = function() return "r" end }
    end
    watched[#watched + 1] = arrived -- also wake when requests were sent
    watched[#watched + 1] = math.min(timeout or 1, 1)
    cqueues.poll(table.unpack(watched))
    winsnmp.poll(0)
  end
end)

local answered = 0
loop:wrap(function()
  for _ = 1, count do
    local vb = assert(get("1.3.6.1.2.1.1.3.0"))
    print(("sysUpTime = %d"):format(vb.value))
    answered = answered + 1
  end
  done = true
  arrived:signal()
end)

assert(loop:loop())
session:close()
print(("%d answers through cqueues"):format(answered))
