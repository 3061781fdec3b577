-- An AgentX subagent (RFC 2741): extends the system's snmpd with a small
-- configuration table written in Lua, under a private enterprise OID.
-- Managers read and change it through snmpd, with snmpd's own access
-- control; rows are created and destroyed through a RowStatus column
-- (RFC 2579).  When snmpd restarts, the subagent connects again and
-- registers its table again by itself.
--
-- snmpd.conf needs:
--     master agentx
--     agentXSocket unix:/var/agentx/master      (the default; or tcp:127.0.0.1:705)
--
--   lua5.4 examples/agentx_subagent.lua [AGENTX_ADDRESS] [SECONDS]
--   snmpwalk -v2c -c public localhost 1.3.6.1.4.1.99999.8
--   snmpset -v2c -c private localhost \
--     1.3.6.1.4.1.99999.8.1.1.2.3.119.101.98 i 8080 \
--     1.3.6.1.4.1.99999.8.1.1.3.3.119.101.98 i 4          # "web": port 8080, createAndGo
local winsnmp = require("winsnmp")

local address, seconds = ...
address = address or "unix:/var/agentx/master"

-- serviceEntry = 1.3.6.1.4.1.99999.8.1.1, INDEX { serviceName } (a string):
-- 2 servicePort (read-create, 1..65535), 3 serviceStatus (RowStatus)
local ROOT = "1.3.6.1.4.1.99999.8"
local ENTRY = ROOT .. ".1.1"
local PORT, STATUS = 2, 3

local view = winsnmp.mibview({
  { ROOT .. ".2.0", "octets", "services of this host, via winsnmp AgentX" },
})
view:table(ENTRY, {
  index = { "octets" },
  columns = {
    [PORT] = { type = "int", access = "rc", range = { 1, 65535 } },
    [STATUS] = { rowstatus = true },
  },
  -- runs inside the SET's commit: anything but true fails the SET
  -- (commitFailed) and the master has it undone
  apply = function(index, row)
    if row and row[PORT] == 1 then
      print(("refusing %s: port 1 is reserved"):format(index[1]))
      return nil
    end
    print(row and ("%s: port %d"):format(index[1], row[PORT]) or ("%s removed"):format(index[1]))
    io.stdout:flush()
    return true
  end,
}):add({ "ssh" }, { [PORT] = 22 })

local ax <close> = assert(winsnmp.agentx({ address = address,
                                           description = "winsnmp example subagent" }))
ax:register(ROOT, view)
print(("subagent of %s serving %s"):format(address, ROOT))
io.stdout:flush()

local connected = false
local deadline = seconds and winsnmp.now() + tonumber(seconds)
while not deadline or winsnmp.now() < deadline do
  winsnmp.poll(deadline and math.min(1, deadline - winsnmp.now()) or 1)
  if ax:is_connected() ~= connected then
    connected = ax:is_connected()
    print(connected and "registered with the master" or "master gone; reconnecting")
    io.stdout:flush()
  end
end
