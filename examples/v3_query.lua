-- An SNMPv3 (USM) query: engine discovery, keys and time sync are done by
-- the engine; a wrong passphrase is a clear error that never contains it.
--   lua5.4 examples/v3_query.lua ADDRESS USER AUTH_PASS PRIV_PASS \
--     [SHA|SHA-256|...] [AES|AES-256|DES]
local winsnmp = require("winsnmp")

local address, user, auth_pass, priv_pass, auth, priv = ...
assert(priv_pass, "usage: v3_query.lua ADDRESS USER AUTH_PASS PRIV_PASS [AUTH] [PRIV]")

local session <close> = assert(winsnmp.session())
local agent = assert(session:entity(address, {
  version = "3", user = user, level = "authPriv",
  auth = auth or "SHA", auth_pass = auth_pass,
  priv = priv or "AES", priv_pass = priv_pass,
}))

local vbs, err, name = session:get(agent, { "1.3.6.1.2.1.1.5.0", "1.3.6.1.2.1.1.1.0" })
if not vbs then
  print(("v3 query failed: %s (%s)"):format(err, name))
  os.exit(1)
end
for _, vb in ipairs(vbs) do print(vb.oid, vb.value) end
