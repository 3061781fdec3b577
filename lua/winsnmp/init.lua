--- winsnmp: a WinSNMP-style SNMP session engine for Lua 5.4.
-- The C binding (winsnmp.core) provides the handle model and the engine;
-- the parts written in Lua (polling and tasks, request helpers) live in
-- winsnmp.tasks and winsnmp.requests.
-- @module winsnmp

local core = require("winsnmp.core")
local tasks = require("winsnmp.tasks")
require("winsnmp.requests")
require("winsnmp.walks")
local receiver = require("winsnmp.receiver")
local access = require("winsnmp.access")
require("winsnmp.notifications")
require("winsnmp.snmprec") -- s:record

local winsnmp = {}
for name, value in pairs(core) do
  if not name:match("^_") then winsnmp[name] = value end -- "_name": internal to the modules
end

--- Live counts and drops (see API.md); the agent role's access-control
-- drops (`bad_community`, `bad_source`) are counted on the Lua side.
function winsnmp.stats()
  local t = core.stats()
  for name, n in pairs(access.counts) do t[name] = n end
  return t
end

winsnmp.poll = tasks.poll
winsnmp.fds = tasks.fds -- (the engine's deadline, or the first delayed answer's)
winsnmp.spawn = tasks.spawn
winsnmp.run = tasks.run
winsnmp.agent = receiver -- (its `report` is what handler errors go through)
winsnmp.mibview = require("winsnmp.mibview")
winsnmp.mib = require("winsnmp.mib")
local conf = require("winsnmp.conf")
--- Reads net-snmp's client defaults (snmp.conf's def* directives): the file
-- `path`, or without it the files net-snmp's tools read, in their order
-- (`SNMPCONFPATH`, else /etc/snmp, /usr/share/snmp, net-snmp's library
-- folder, ~/.snmp; snmp.conf then snmp.local.conf in each).  Returns
-- `options, directives, files`: entity options for `s:entity` (`version`,
-- `community`, `user`, `level`, `auth`, `auth_pass`, `priv`, `priv_pass`,
-- `context`, as far as the files set them), every directive's last value,
-- and the files read.  nil, msg, "SNMPAPI_OTHER_ERROR" for an unreadable
-- `path` or a bad value (the message names the file and line, never the
-- value).  See the module winsnmp.conf.
-- @tparam[opt] string path
function winsnmp.conf(path)
  return conf.read(path)
end
winsnmp.metrics = require("winsnmp.metrics")
local agentx = require("winsnmp.agentx")

--- An AgentX subagent (RFC 2741) connected to the master agent at
-- `opts.address` ("unix:/path", default "unix:/var/agentx/master", or
-- "tcp:host:port"); see winsnmp.agentx for `opts` and the object's methods
-- (`register`, `notify`, `is_connected`, `close`).  Returns at once; the
-- connection is made, and made again whenever the master goes away, inside
-- `winsnmp.poll`.
-- @return the AgentX object, or nil, message, NAME
function winsnmp.agentx(opts)
  return agentx.new(opts)
end

winsnmp._VERSION = "winsnmp " .. core.vendor_info().version

return winsnmp
