--- Secrets stay secret (issue 18): the CLI's argv as other users see it in
-- /proc/PID/cmdline, snmp.conf and the environment against net-snmp's own
-- tools reading the same files, winsnmp.conf, and the localised-key cache
-- emptied, wiped, when the last user of a passphrase closes.
local winsnmp = require("winsnmp")
local helper = require("helper")
local tool = require("support.cli_tool")
local snmpd = require("winsnmp.snmpd")

local SYS_NAME = "1.3.6.1.2.1.1.5.0"

local function usm_stats()
  return winsnmp.stats().usm
end

describe("the key cache #integration", function()
  helper.check_no_leaks()
  local agent = helper.agent()

  it("empties when the last entity using the passphrases closes, not at cleanup", function()
    assert.equals(0, usm_stats().cached_keys)
    local s = assert(winsnmp.session())
    local e = assert(s:entity(agent.address, helper.merge(agent.v3, { version = "3" })))
    assert.equals("winsnmp-agent", assert(s:get(e, { SYS_NAME }))[1].value)
    local st = usm_stats()
    assert.is_true(st.cached_keys >= 2, "Ku digests and a localised user are cached")
    assert.is_true(st.passphrase_keys >= 1)
    assert.equals(1, st.localized_users)
    assert.is_true(st.passphrases >= 1)
    -- a second entity with the same passphrases shares the cached keys
    local e2 = assert(s:entity(agent.address, helper.merge(agent.v3, { version = "3" })))
    assert(s:get(e2, { SYS_NAME }))
    assert.equals(st.cached_keys, usm_stats().cached_keys)
    e:close()
    assert.equals(st.cached_keys, usm_stats().cached_keys, "e2 still uses them")
    e2:close()
    st = usm_stats()
    assert.equals(0, st.cached_keys)
    assert.equals(0, st.passphrases)
    s:close()
  end)

  it("empties when the session that owned the entities closes", function()
    local s = assert(winsnmp.session())
    local e = assert(s:entity(agent.address, helper.merge(agent.v3, { version = "3" })))
    assert(s:get(e, { SYS_NAME }))
    assert.is_true(usm_stats().cached_keys > 0)
    s:close()
    assert.equals(0, usm_stats().cached_keys)
    assert.equals(0, usm_stats().passphrases)
  end)

  it("forgets a notification user's passphrases when its registration closes", function()
    local s = assert(winsnmp.session())
    local address = "udp:127.0.0.1:" .. assert(snmpd.free_ports(1))[1]
    local reg = assert(s:register({ address = address, user = "informUser", level = "authPriv",
      auth = "SHA", auth_pass = "inform-auth-pass", priv = "AES",
      priv_pass = "inform-priv-pass" }, function() end))
    assert.is_true(usm_stats().passphrases >= 2)
    reg:close()
    assert.equals(0, usm_stats().passphrases)
    assert.equals(0, usm_stats().cached_keys)
    s:close()
  end)

  it("keeps passphrases on pages excluded from core dumps", function()
    local s = assert(winsnmp.session())
    local e = assert(s:entity(agent.address, helper.merge(agent.v3, { version = "3" })))
    local sec = winsnmp.stats().secure
    assert.is_true(sec.blocks > 0 and sec.mapped > 0)
    assert.equals(sec.mapped, sec.dontdump)
    assert.is_true(sec.locked <= sec.mapped)
    e:close()
    s:close()
  end)
end)
