--- winsnmp: a WinSNMP-style SNMP session engine for Lua 5.4.
-- The C binding (winsnmp.core) provides the handle model; this module is
-- the public face and the home of the parts written in Lua.
-- @module winsnmp

local core = require("winsnmp.core")

local winsnmp = {}
for name, value in pairs(core) do
  winsnmp[name] = value
end

winsnmp._VERSION = "winsnmp " .. core.vendor_info().version

return winsnmp
