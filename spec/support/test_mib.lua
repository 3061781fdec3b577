--- The test MIB (spec/mibs/WINSNMP-TEST-MIB.txt) served by a winsnmp
-- listener, for the specs of MIB names and of the command line.
local winsnmp = require("winsnmp")
local snmpd = require("winsnmp.snmpd")

local test_mib = {
  BASE = "1.3.6.1.4.1.99999.42", -- winsnmpTest
  DIR = "spec/mibs",
  MODULE = "WINSNMP-TEST-MIB",
}

--- Loads the test MIB (process-wide; repeating is harmless).
function test_mib.load()
  assert(winsnmp.mib.load({ dirs = { test_mib.DIR }, modules = { test_mib.MODULE } }))
end

--- Entries for winsnmp.mibview: wtName.0 "test agent", wtState.0 up(1),
-- wtTemperature.0 215, a wtPortTable row for each of `ports` ({index,
-- descr, mac, status}), and `extra` entries ({suffix under BASE, type, value}).
function test_mib.entries(ports, extra)
  local base = test_mib.BASE
  local entries = {
    { base .. ".1.0", "octets", "test agent" },
    { base .. ".2.0", "int", 1 },
    { base .. ".3.0", "int", 215 },
  }
  for _, p in ipairs(ports) do
    entries[#entries + 1] = { base .. ".4.1.2." .. p[1], "octets", p[2] }
    entries[#entries + 1] = { base .. ".4.1.3." .. p[1], "octets", p[3] }
    entries[#entries + 1] = { base .. ".4.1.4." .. p[1], "int", p[4] }
  end
  for _, e in ipairs(extra or {}) do entries[#entries + 1] = { base .. e[1], e[2], e[3] } end
  return entries
end

--- A listener of session `s` on a free loopback port serving `entries`,
-- writable with the community "public" (the CLI's set specs write).
function test_mib.listen(s, entries)
  return assert(s:listen("udp:127.0.0.1:" .. assert(snmpd.free_ports(1))[1],
    winsnmp.mibview(entries).handler, { communities = { public = "rw" } }))
end

return test_mib
