-- A trap and inform receiver printing one JSON line per notification
-- (informs are acknowledged automatically).  v1/v2c: any community, or only
-- COMMUNITY.  SNMPv3 too when WINSNMP_TRAP_USER, WINSNMP_TRAP_AUTH_PASS and
-- WINSNMP_TRAP_PRIV_PASS are set (authPriv, SHA and AES; passphrases come
-- from the environment, never the command line): winsnmp is then the
-- authoritative engine of the informs, and acknowledges them.
--   lua5.4 examples/trap_listener.lua [ADDRESS] [SECONDS] [COMMUNITY]
--   snmptrap -v2c -c public 127.0.0.1:16200 '' 1.3.6.1.4.1.8072.2.3.0.1
--   snmpinform -v3 -u USER -l authPriv -a SHA -A ... -x AES -X ... 127.0.0.1:16200 '' ...
local winsnmp = require("winsnmp")

local address, seconds, community = ...
address = address or "udp:127.0.0.1:16200"

local function json_string(s)
  return '"' .. tostring(s):gsub('[%c"\\\128-\255]', function(c)
    local escapes = { ['"'] = '\\"', ["\\"] = "\\\\", ["\n"] = "\\n" }
    return escapes[c] or ("\\u%04x"):format(c:byte())
  end) .. '"'
end

local function json_value(vb)
  if vb.value == nil then return "null" end
  if math.type(vb.value) == "integer" and vb.type ~= "cntr64" then return tostring(vb.value) end
  return json_string(vb.type == "cntr64" and winsnmp.u64(vb.value) or vb.value)
end

local function print_notification(n)
  local parts = {}
  for _, vb in ipairs(n.varbinds) do
    parts[#parts + 1] = ('{"oid":"%s","type":"%s","value":%s}'):format(vb.oid, vb.type,
                                                                       json_value(vb))
  end
  io.write(('{"source":%s,"version":"%s","type":"%s","trap_oid":"%s","uptime":%s,'
            .. '"varbinds":[%s]}\n'):format(json_string(n.source), n.version, n.type,
    tostring(n.trap_oid), tostring(n.uptime or "null"), table.concat(parts, ",")))
  io.stdout:flush()
end

local session <close> = assert(winsnmp.session())
local _ <close> = assert(session:register({ address = address, community = community },
  print_notification))
local user = os.getenv("WINSNMP_TRAP_USER")
local v3 = user and assert(session:register({ address = address, user = user,
  level = "authPriv", auth = "SHA", auth_pass = os.getenv("WINSNMP_TRAP_AUTH_PASS"),
  priv = "AES", priv_pass = os.getenv("WINSNMP_TRAP_PRIV_PASS") }, print_notification))
io.stderr:write(("listening for notifications on %s\n"):format(address))

local deadline = seconds and winsnmp.now() + tonumber(seconds)
while not deadline or winsnmp.now() < deadline do
  winsnmp.poll(deadline and math.min(1, deadline - winsnmp.now()) or 1)
end
if v3 then v3:close() end
