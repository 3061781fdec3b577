-- Quick start: get, walk, table, set and read back.
--   lua5.4 examples/quickstart.lua udp:127.0.0.1:1161
-- (make demo runs it against a private snmpd: community "public" reads,
-- "private" writes.)
local winsnmp = require("winsnmp")

local address = ... or os.getenv("WINSNMP_AGENT") or "udp:127.0.0.1:161"

-- A session owns everything created through it; <close> releases it all.
local session <close> = assert(winsnmp.session())
local agent = assert(session:entity(address, { version = "2c", community = "public",
                                                timeout = 1, retries = 2 }))

-- GET: varbinds come back in request order, each saying its type.
local system = assert(session:get(agent, { "1.3.6.1.2.1.1.1.0", "1.3.6.1.2.1.1.3.0",
                                           "1.3.6.1.2.1.1.5.0" }))
for _, vb in ipairs(system) do
  print(("%-22s %-10s %s"):format(vb.oid, vb.type, vb.value))
end

-- WALK: every varbind inside a subtree, by GETBULK.
local walked = assert(session:walk(agent, "1.3.6.1.2.1.1"))
print(("\nwalk of system: %d varbinds, last %s"):format(#walked, walked[#walked].oid))

-- TABLE: rows by instance index, columns by number (ifTable: 2 = ifDescr).
local interfaces = assert(session:table(agent, "1.3.6.1.2.1.2.2.1"))
local indexes = {}
for index in pairs(interfaces) do indexes[#indexes + 1] = index end
table.sort(indexes, function(a, b) return winsnmp.oid_compare("0." .. a, "0." .. b) < 0 end)
print("\ninterfaces:")
for _, index in ipairs(indexes) do
  local row = interfaces[index]
  print(("  %s  %-10s mtu %s"):format(index, row[2], row[4]))
end

-- SET and read back, with the read-write community.
local writer = assert(session:entity(address, { community = "private" }))
local stamp = "winsnmp quickstart " .. os.date("!%H:%M:%S")
local ok, err, name, index = session:set(writer, {
  { oid = "1.3.6.1.2.1.1.6.0", type = "octets", value = stamp },
})
if not ok then
  print(("\nset failed: %s (%s, varbind %s)"):format(err, name, index))
else
  local back = assert(session:get(agent, { "1.3.6.1.2.1.1.6.0" }))
  print(("\nsysLocation set to %q, read back %q"):format(stamp, back[1].value))
end

-- Failures are values: nil, message, WinSNMP (or agent) error name.
print("\nmissing object:", session:get(agent, { "1.3.6.1.2.1.1.99.0" })[1].type)
print("bad OID:       ", session:get(agent, { "1.3.6.x" }))
print("live handles:  ", session:stats().entities, "entities,", winsnmp.stats().pending,
      "pending")
