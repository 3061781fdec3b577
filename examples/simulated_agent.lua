-- A simulated agent: serves the MIB subtree in a Lua data file, so it can
-- be walked with snmpwalk.  It answers the community "public" read-only and
-- "private" read-write, from loopback senders only; nothing else.
--   lua5.4 examples/simulated_agent.lua [DATAFILE] [ADDRESS] [SECONDS]
--   snmpwalk -v2c -c public 127.0.0.1:16100 1.3.6.1
local winsnmp = require("winsnmp")

local datafile, address, seconds = ...
datafile = datafile or "examples/simulated_agent_data.lua"
address = address or "udp:127.0.0.1:16100"

local entries = assert(dofile(datafile), "the data file returns a list of {oid, type, value}")
local view = winsnmp.mibview(entries)

local session <close> = assert(winsnmp.session())
local listener <close> = assert(session:listen(address, view.handler, {
  communities = { public = "ro", private = "rw" },
  sources = { "127.0.0.0/8", "::1/128" },
}))
print(("serving %d objects from %s on %s"):format(#entries, datafile, listener.address))
io.stdout:flush()

local deadline = seconds and winsnmp.now() + tonumber(seconds)
while not deadline or winsnmp.now() < deadline do
  winsnmp.poll(deadline and math.min(1, deadline - winsnmp.now()) or 1)
end
