-- Polls many agents concurrently from one session with tasks: straight-line
-- code per agent, thousands of requests in flight, a few descriptors.  Each
-- agent gets at most 4 requests at once, each poll a deadline of its own
-- (a dead agent costs its deadline, not timeout × retries per request), and
-- the figures per agent come out in Prometheus's format at the end.
--   lua5.4 examples/poll_many.lua ADDRESS [ADDRESS ...]
local winsnmp = require("winsnmp")

local addresses = { ... }
assert(#addresses > 0, "usage: poll_many.lua ADDRESS [ADDRESS ...]")

local session <close> = assert(winsnmp.session())
local results, agents = {}, {}

for i, address in ipairs(addresses) do
  agents[i] = assert(session:entity(address, { timeout = 1, retries = 1, max_in_flight = 4 }))
  winsnmp.spawn(function()
    local agent = agents[i]
    -- Inside a task these yield until the answers (or the deadline) arrive.
    local vbs, err, name = session:get(agent, { "1.3.6.1.2.1.1.5.0", "1.3.6.1.2.1.1.3.0" })
    if not vbs then
      results[i] = ("%s (%s)"):format(err, name)
      return
    end
    local interfaces = session:table(agent, "1.3.6.1.2.1.2.2.1", { columns = { 2 }, deadline = 5 })
    local count = 0
    for _ in pairs(interfaces or {}) do count = count + 1 end
    results[i] = ("%s up %d ticks, %d interfaces"):format(vbs[1].value, vbs[2].value, count)
  end)
end

local started = winsnmp.now()
assert(winsnmp.run(30))
for i, address in ipairs(addresses) do
  print(("%-28s %s"):format(address, results[i]))
end
print(("%d agents in %.3f s, %d descriptor(s)"):format(#addresses, winsnmp.now() - started,
                                                       #winsnmp.fds()))
-- What each agent's requests met (the community never appears here)
for line in winsnmp.metrics():gmatch("[^\n]+") do
  if line:match("^winsnmp_agent_requests_total") or line:match("^winsnmp_agent_timeouts_total") then
    print(line)
  end
end
for _, agent in ipairs(agents) do agent:free() end
