--- The names of the SNMPv3 (USM) authentication and privacy protocols, as
-- the `auth` and `priv` options of s:entity and s:register take them: the
-- names of API.md and the aliases the core also accepts (SHA1, AES128, ...),
-- matched without regard to case.  The one Lua copy of the core's table
-- (src/core/names.c); the command line checks -a and -x with it.
-- @module winsnmp.usm

local usm = {}

--- Authentication protocols: upper-cased name or alias -> winsnmp's name.
usm.AUTH = {
  MD5 = "MD5", SHA = "SHA", SHA1 = "SHA", ["SHA-1"] = "SHA",
  ["SHA-224"] = "SHA-224", SHA224 = "SHA-224", ["SHA-256"] = "SHA-256", SHA256 = "SHA-256",
  ["SHA-384"] = "SHA-384", SHA384 = "SHA-384", ["SHA-512"] = "SHA-512", SHA512 = "SHA-512",
}

--- Privacy protocols: upper-cased name or alias -> winsnmp's name.
usm.PRIV = {
  DES = "DES", AES = "AES", AES128 = "AES", ["AES-128"] = "AES",
  ["AES-192"] = "AES-192", AES192 = "AES-192", ["AES-256"] = "AES-256", AES256 = "AES-256",
}

--- winsnmp's name of an authentication protocol ("sha256" -> "SHA-256"),
-- or nil for an unknown one.
function usm.auth(name)
  return usm.AUTH[tostring(name):upper()]
end

--- winsnmp's name of a privacy protocol ("aes128" -> "AES"), or nil.
function usm.priv(name)
  return usm.PRIV[tostring(name):upper()]
end

return usm
