-- A device simulator: serves a recording of a router (snmpsim's .snmprec
-- format, as `winsnmp record` writes it) whose interface counters and
-- uptime advance with time (snmpsim's numeric variation tags), read-write
-- for community "public" (only the writecache object, sysLocation, takes
-- a SET), from loopback senders only.
--   lua5.4 examples/device_simulator.lua [ADDRESS] [SECONDS] [RECORDING]
--   snmpget -v2c -c public 127.0.0.1:16161 1.3.6.1.2.1.2.2.1.10.1   (twice: it grows)
-- ADDRESS defaults to udp:127.0.0.1:16161 (port 0: a free one); without
-- SECONDS it runs until Ctrl-C.
local winsnmp = require("winsnmp")
local simulator = require("winsnmp.simulator")

local address, seconds, recording = ...
address = address or "udp:127.0.0.1:16161"
recording = recording or "examples/device_simulator.snmprec"

local agent <close> = assert(simulator.start(recording, {
  address = address, community = "public", sources = { "127.0.0.0/8", "::1/128" } }))
local view = agent.views.public
local IF_IN_OCTETS_1 = "1.3.6.1.2.1.2.2.1.10.1"
print(("serving %s on %s (community public); ifInOctets.1 = %d"):format(recording,
  agent.address, view:value(IF_IN_OCTETS_1)))
io.stdout:flush()

-- The simulator answers while this loop polls; once a second it says how
-- far the counter has come.
local deadline = seconds and winsnmp.now() + tonumber(seconds)
local next_report = winsnmp.now() + 1
while not deadline or winsnmp.now() < deadline do
  local wait = math.min(1, next_report - winsnmp.now())
  if deadline then wait = math.min(wait, deadline - winsnmp.now()) end
  winsnmp.poll(math.max(0, wait))
  if winsnmp.now() >= next_report then
    print(("ifInOctets.1 = %d"):format(view:value(IF_IN_OCTETS_1)))
    io.stdout:flush()
    next_report = next_report + 1
  end
end
print("simulator stopped")
