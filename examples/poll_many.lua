-- Polls many agents concurrently from one session with tasks: straight-line
-- code per agent, thousands of requests in flight, a few descriptors.
--   lua5.4 examples/poll_many.lua ADDRESS [ADDRESS ...]
local winsnmp = require("winsnmp")

local addresses = { ... }
assert(#addresses > 0, "usage: poll_many.lua ADDRESS [ADDRESS ...]")

local session <close> = assert(winsnmp.session())
local results = {}

for i, address in ipairs(addresses) do
  winsnmp.spawn(function()
    local agent = assert(session:entity(address, { timeout = 1, retries = 1 }))
    -- Inside a task this yields until the answer (or the timeout) arrives.
    local vbs, err, name = session:get(agent, { "1.3.6.1.2.1.1.5.0", "1.3.6.1.2.1.1.3.0" })
    results[i] = vbs and ("%s up %d ticks"):format(vbs[1].value, vbs[2].value)
                 or ("%s (%s)"):format(err, name)
    agent:free()
  end)
end

local started = winsnmp.now()
assert(winsnmp.run(30))
for i, address in ipairs(addresses) do
  print(("%-28s %s"):format(address, results[i]))
end
print(("%d agents in %.3f s, %d descriptor(s)"):format(#addresses, winsnmp.now() - started,
                                                       #winsnmp.fds()))
