-- A configuration push: set values, verify them, and roll everything back
-- if any step fails.
--   lua5.4 examples/config_push.lua ADDRESS [COMMUNITY]
-- The change set below writes sysContact and sysLocation; a third, bad
-- entry can be added with WINSNMP_FAIL=1 to see the rollback.
local winsnmp = require("winsnmp")

local address, community = ...
assert(address, "usage: config_push.lua ADDRESS [COMMUNITY]")

local changes = {
  { oid = "1.3.6.1.2.1.1.4.0", type = "octets", value = "noc@example.net" },
  { oid = "1.3.6.1.2.1.1.6.0", type = "octets", value = "rack 7, row C" },
}
if os.getenv("WINSNMP_FAIL") then -- sysUpTime is read-only: this step fails
  changes[#changes + 1] = { oid = "1.3.6.1.2.1.1.3.0", type = "timeticks", value = 0 }
end

local session <close> = assert(winsnmp.session())
local agent = assert(session:entity(address, { community = community or "private" }))

-- 1. Save what is there now.
local oids = {}
for i, change in ipairs(changes) do oids[i] = change.oid end
local saved = assert(session:get(agent, oids))

-- 2. Apply one by one, verifying each; on failure undo what was applied.
local applied = {}
local function rollback(reason)
  print("push failed: " .. reason .. "; rolling back")
  for i = #applied, 1, -1 do
    local old = saved[applied[i]]
    local ok, err = session:set(agent, { { oid = old.oid, type = old.type, value = old.value } })
    print(("  restore %s: %s"):format(old.oid, ok and "ok" or err))
  end
  os.exit(1)
end

for i, change in ipairs(changes) do
  local ok, err, name, index = session:set(agent, { change })
  if not ok then rollback(("%s: %s (%s, varbind %s)"):format(change.oid, err, name, index)) end
  applied[#applied + 1] = i
  local now = assert(session:get(agent, { change.oid }))[1]
  if now.value ~= change.value then
    rollback(("%s reads back %q"):format(change.oid, tostring(now.value)))
  end
  print(("set %s = %q, verified"):format(change.oid, change.value))
end
print("push complete")
