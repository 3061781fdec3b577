-- The README's demo: starts a private snmpd on a free loopback port, runs
-- examples/quickstart.lua against it, and stops the agent again.
local snmpd = require("winsnmp.snmpd")

local agent <close> = assert(snmpd.start())
print(("demo: private snmpd (pid %d) listening on %s\n"):format(agent.pid, agent.address))

local quickstart = assert(loadfile("examples/quickstart.lua"))
local ok, err = pcall(quickstart, agent.address)
agent:stop()
if not ok then
  io.stderr:write("demo failed: ", tostring(err), "\n")
  os.exit(1)
end
print("\ndemo: agent stopped")
