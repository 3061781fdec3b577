--- Notifications out: s:trap and s:inform, and the layout of a
-- notification's varbinds (sysUpTime.0, then snmpTrapOID.0, then the rest)
-- that the receiver (winsnmp.receiver) and the command line read back.
-- @module winsnmp.notifications

local core = require("winsnmp.core")
local tasks = require("winsnmp.tasks")

local Session = core.Session
local notifications = {}

--- sysUpTime.0, the first varbind of every SNMPv2 notification.
notifications.SYS_UPTIME_0 = "1.3.6.1.2.1.1.3.0"
--- snmpTrapOID.0, the second varbind: the notification's OID.
notifications.SNMP_TRAP_OID_0 = "1.3.6.1.6.3.1.1.4.1.0"

local SYS_UPTIME_0, SNMP_TRAP_OID_0 = notifications.SYS_UPTIME_0, notifications.SNMP_TRAP_OID_0
local STARTED = core.now()

--- This process's uptime in hundredths of a second (what s:trap sends as
-- sysUpTime.0), wrapped to 32 bits.
function notifications.uptime()
  return math.floor((core.now() - STARTED) * 100) & 0xFFFFFFFF
end

--- The varbinds of a notification to send: sysUpTime.0 (`uptime`, default
-- notifications.uptime()), snmpTrapOID.0 (`trap_oid`), then `varbinds`.
function notifications.varbinds(trap_oid, varbinds, uptime)
  if varbinds ~= nil and type(varbinds) ~= "table" then
    -- (ipairs over a string would send no varbinds at all, silently)
    error("bad argument #3 (list of varbinds expected, got " .. type(varbinds) .. ")", 3)
  end
  local list = {
    { SYS_UPTIME_0, "timeticks", uptime or notifications.uptime() },
    { SNMP_TRAP_OID_0, "oid", trap_oid },
  }
  for _, vb in ipairs(varbinds or {}) do list[#list + 1] = vb end
  return list
end

--- A received notification's varbinds (`n` as s:register's handler gets
-- it), with sysUpTime.0 and snmpTrapOID.0 put back in front when it had them.
function notifications.received_varbinds(n)
  local list = {}
  if n.uptime then
    list[#list + 1] = { oid = SYS_UPTIME_0, type = "timeticks", value = n.uptime }
  end
  if n.trap_oid then
    list[#list + 1] = { oid = SNMP_TRAP_OID_0, type = "oid", value = n.trap_oid }
  end
  for _, vb in ipairs(n.varbinds) do list[#list + 1] = vb end
  return list
end

--- Sends a trap (a v1 Trap-PDU to a v1 entity, a v2 trap otherwise), with
-- sysUpTime.0 and snmpTrapOID.0 filled in.  Returns true.
function Session:trap(dst, trap_oid, varbinds, ctx)
  local id, msg, name = self:_request("trap", dst, notifications.varbinds(trap_oid, varbinds), ctx)
  if not id then return nil, msg, name end
  return true
end

--- Sends an inform and waits for the acknowledgement (retrying by the
-- entity's policy): the response varbinds.
function Session:inform(dst, trap_oid, varbinds, ctx)
  local id, msg, name = self:_request("inform", dst, notifications.varbinds(trap_oid, varbinds),
                                      ctx)
  if not id then return nil, msg, name end
  return tasks.await(self, id)
end

return notifications
