--- winsnmp: a WinSNMP-style SNMP session engine for Lua 5.4.
-- The C binding (winsnmp.core) provides the handle model and the engine;
-- the parts written in Lua (polling and tasks, request helpers) live in
-- winsnmp.tasks and winsnmp.requests.
-- @module winsnmp

local core = require("winsnmp.core")
local tasks = require("winsnmp.tasks")
require("winsnmp.requests")
local receiver = require("winsnmp.receiver")
require("winsnmp.notifications")

local winsnmp = {}
for name, value in pairs(core) do
  if not name:match("^_") then winsnmp[name] = value end -- "_name": internal to the modules
end

winsnmp.poll = tasks.poll
winsnmp.spawn = tasks.spawn
winsnmp.run = tasks.run
winsnmp.agent = receiver -- (its `report` is what handler errors go through)
winsnmp.mibview = require("winsnmp.mibview")
winsnmp.mib = require("winsnmp.mib")

winsnmp._VERSION = "winsnmp " .. core.vendor_info().version

return winsnmp
