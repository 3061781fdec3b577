-- Quick start: sessions, entities, variable-binding lists and PDUs.
--   lua5.4 examples/quickstart.lua udp:127.0.0.1:1161
local winsnmp = require("winsnmp")

local address = ... or os.getenv("WINSNMP_AGENT") or "udp:127.0.0.1:161"

-- A session owns everything created through it; <close> releases it all.
local session <close> = assert(winsnmp.session())

-- The destination: address, version, community, retransmission policy.
local agent = assert(session:entity(address, { version = "2c", community = "public",
                                                timeout = 0.5, retries = 2 }))
print("agent:   ", agent, "timeout", agent:timeout(), "retries", agent:retries())

-- Varbinds say their type; octet strings stay exactly as given.
local vbl = assert(session:vbl({
  "1.3.6.1.2.1.1.5.0",                                    -- sysName.0, a GET
  { oid = "1.3.6.1.2.1.1.6.0", type = "octets", value = "lab \0\255" },
  { "1.3.6.1.2.1.31.1.1.1.6.1", "cntr64", -1 },           -- 2^64-1
}))
for i = 1, vbl:count() do
  local oid, syntax, value = vbl:get(i)
  print(("varbind %d:"):format(i), oid, syntax,
        syntax == "cntr64" and winsnmp.u64(value) or ("%q"):format(value))
end

local pdu = assert(session:pdu("get", vbl))
local data = pdu:data()
print("pdu:     ", pdu, "type", data.type, "varbinds", #data.varbinds)

-- Failures are values: nil, message, WinSNMP error name.
print("bad OID: ", session:vbl({ "1.3.6.x" }))
print("bad addr:", session:entity("udp6:[::1"))
print("last error of the session:", session:last_error())

print("live objects:", session:stats().entities, "entity,", session:stats().vbls, "vbl,",
      session:stats().pdus, "pdu")
session:close()
print("after close: ", agent, winsnmp.type(agent), "sessions alive:", winsnmp.stats().sessions)
