--- SNMPv3 against a real net-snmp snmpd (issue 3, item 5): authPriv with the
-- fixture user, every auth/priv protocol net-snmp offers, wrong
-- credentials (and that messages never show a passphrase), and changing
-- credentials within one process (no stale key cache).
local winsnmp = require("winsnmp")
local helper = require("helper")
local cli = require("support.cli")

local SYS_NAME = "1.3.6.1.2.1.1.5.0"
local SYS_CONTACT = "1.3.6.1.2.1.1.4.0"
local SYSTEM = "1.3.6.1.2.1.1"

--- Extra users: name, protocols, passphrases (at least 8 characters).
local USERS = {
  { user = "uSha256", level = "authPriv", auth = "SHA-256", auth_pass = "sha256-auth-pass",
    priv = "AES-256", priv_pass = "aes256-priv-pass" },
  { user = "uMd5", level = "authPriv", auth = "MD5", auth_pass = "md5-auth-pass",
    priv = "DES", priv_pass = "des-priv-pass" },
  { user = "uSha512", level = "authPriv", auth = "SHA-512", auth_pass = "sha512-auth-pass",
    priv = "AES-192", priv_pass = "aes192-priv-pass" },
  { user = "uSha224", level = "authPriv", auth = "SHA-224", auth_pass = "sha224-auth-pass",
    priv = "AES", priv_pass = "aes128-priv-pass" },
  { user = "uSha384", level = "authPriv", auth = "SHA-384", auth_pass = "sha384-auth-pass",
    priv = "AES-256", priv_pass = "aes256-priv-pass-2" },
  { user = "uAuthOnly", level = "authNoPriv", auth = "SHA-256", auth_pass = "auth-only-pass" },
  { user = "uNoAuth", level = "noAuthNoPriv" },
}

local function config_lines()
  local lines = {}
  for _, u in ipairs(USERS) do
    if u.level == "authPriv" then
      lines[#lines + 1] = string.format('createUser %s %s "%s" %s "%s"', u.user, u.auth,
        u.auth_pass, u.priv, u.priv_pass)
      lines[#lines + 1] = "rwuser " .. u.user .. " priv"
    elseif u.level == "authNoPriv" then
      lines[#lines + 1] = string.format('createUser %s %s "%s"', u.user, u.auth, u.auth_pass)
      lines[#lines + 1] = "rouser " .. u.user .. " auth"
    else
      lines[#lines + 1] = "createUser " .. u.user
      lines[#lines + 1] = "rouser " .. u.user .. " noauth"
    end
  end
  return table.concat(lines, "\n")
end

--- Asserts that a message names none of the secrets.
local function assert_no_secret(msg, ...)
  assert.is_string(msg)
  for _, secret in ipairs({ ... }) do
    assert.is_nil(msg:find(secret, 1, true), "the message shows a secret: " .. msg)
  end
end

describe("SNMPv3 #integration", function()
  helper.check_no_leaks()

  local agent = helper.agent({ extra = config_lines() })
  local s
  before_each(function() s = assert(winsnmp.session()) end)
  after_each(function() helper.close_session(s) end)

  --- A v3 entity for `user` (a table like agent.v3) with `opts` on top.
  local function v3_as(user, opts)
    return assert(s:entity(agent.address,
      helper.merge(user, { version = "3", timeout = 1, retries = 1 }, opts)))
  end

  --- A v3 entity for the fixture user with `opts` on top.
  local function v3(opts)
    return v3_as(agent.v3, opts)
  end

  --- Spawns a task that gets sysName.0 through entity `e` and stores the
  -- value, or the failure as "message NAME", in results[key].
  local function spawn_get_name(results, key, e)
    winsnmp.spawn(function()
      local got, msg, name = s:get(e, { SYS_NAME })
      results[key] = got and got[1].value or (tostring(msg) .. " " .. tostring(name))
    end)
  end

  describe("the fixture user (SHA/AES authPriv) #integration", function()
    it("gets sysName.0", function()
      local got = assert(s:get(v3(), { SYS_NAME }))
      assert.same({ { oid = SYS_NAME, type = "octets", value = "winsnmp-agent" } }, got)
    end)

    it("works with the fixture table as given (agent.v3)", function()
      local e = assert(s:entity(agent.address, agent.v3))
      assert.equals("3", e:version())
      assert.equals("winsnmp-agent", assert(s:get(e, { SYS_NAME }))[1].value)
    end)

    it("walks the system group like a v2c walk", function()
      local v2 = assert(s:entity(agent.address, { version = "2c", timeout = 1 }))
      local a = assert(s:walk(v2, SYSTEM))
      local b = assert(s:walk(v3(), SYSTEM))
      assert.same(cli.oids(a), cli.oids(b))
    end)

    it("getnext and getbulk work over v3", function()
      local got = assert(s:getnext(v3(), { SYSTEM }))
      assert.equals("1.3.6.1.2.1.1.1.0", got[1].oid)
      local bulk = assert(s:getbulk(v3(), { SYSTEM }, 0, 4))
      assert.equals(4, #bulk)
    end)

    it("sets sysContact.0 (rwuser) and v2c reads it back", function()
      local value = "v3 contact " .. math.random(1, 1e6)
      assert(s:set(v3(), { { SYS_CONTACT, "octets", value } }))
      local v2 = assert(s:entity(agent.address, { version = "2c" }))
      assert.equals(value, assert(s:get(v2, { SYS_CONTACT }))[1].value)
    end)

    it("runs many v3 requests in flight at once (one engine discovery)", function()
      local e = v3()
      local results = {}
      for i = 1, 20 do spawn_get_name(results, i, e) end
      assert.is_true(winsnmp.run(10))
      for i = 1, 20 do assert.equals("winsnmp-agent", results[i]) end
    end)
  end)

  describe("other protocols #integration", function()
    for _, u in ipairs(USERS) do
      local label = string.format("%s %s/%s", u.level, tostring(u.auth), tostring(u.priv))
      it("gets sysName.0 as " .. u.user .. " (" .. label .. ")", function()
        local got, msg, name = s:get(v3_as(u), { SYS_NAME })
        assert.is_table(got, tostring(msg) .. " " .. tostring(name))
        assert.equals("winsnmp-agent", got[1].value)
      end)
    end

    it("all protocols side by side from one session, concurrently", function()
      local results = {}
      for i, u in ipairs(USERS) do spawn_get_name(results, i, v3_as(u)) end
      assert.is_true(winsnmp.run(10))
      for i, u in ipairs(USERS) do
        assert.equals("winsnmp-agent", results[i], u.user)
      end
    end)
  end)

  describe("wrong credentials #integration", function()
    local AUTH_SECRET = "definitely-wrong-auth-secret"
    local PRIV_SECRET = "definitely-wrong-priv-secret"

    --- Gets sysName.0 through v3(opts): asserts that it fails with an
    -- SNMPAPI_* name and a message that shows none of the secrets `...`.
    local function fails_hiding(opts, ...)
      local ok, msg, name = s:get(v3(opts), { SYS_NAME })
      assert.is_nil(ok)
      assert.matches("^SNMPAPI_", name)
      assert_no_secret(msg, ...)
    end

    it("a wrong auth passphrase fails, and the message does not show it", function()
      fails_hiding({ auth_pass = AUTH_SECRET, retries = 0 },
        AUTH_SECRET, agent.v3.auth_pass, agent.v3.priv_pass)
      local _, smsg = s:last_error()
      assert_no_secret(smsg, AUTH_SECRET, agent.v3.priv_pass)
      local _, gmsg = winsnmp.last_error()
      assert_no_secret(gmsg, AUTH_SECRET, agent.v3.priv_pass)
    end)

    it("a wrong privacy passphrase fails, and the message does not show it", function()
      fails_hiding({ priv_pass = PRIV_SECRET, timeout = 0.3, retries = 0 },
        PRIV_SECRET, agent.v3.auth_pass, agent.v3.priv_pass)
    end)

    it("a wrong auth protocol fails", function()
      fails_hiding({ auth = "MD5", timeout = 0.3, retries = 0 },
        agent.v3.auth_pass, agent.v3.priv_pass)
    end)

    it("an unknown user fails", function()
      fails_hiding({ user = "nobodyHere", timeout = 0.3, retries = 0 },
        agent.v3.auth_pass, agent.v3.priv_pass)
    end)

    it("a level the user does not have fails (authPriv user as noAuthNoPriv)", function()
      local e = assert(s:entity(agent.address, { version = "3", user = agent.v3.user,
                                                 level = "noAuthNoPriv", timeout = 0.3,
                                                 retries = 0 }))
      local ok, _, name = s:get(e, { SYS_NAME })
      assert.is_nil(ok)
      -- net-snmp answers authorizationError (VACM) or sends a report.
      assert.matches("^SNMP", name)
    end)
  end)

  describe("changing credentials in one process #integration", function()
    it("wrong, then right, then wrong again: each answer follows its credentials", function()
      local wrong = { auth_pass = "not-the-auth-pass", timeout = 0.5, retries = 0 }
      local ok, msg, name = s:get(v3(wrong), { SYS_NAME })
      assert.is_nil(ok, "the wrong passphrase was accepted")
      assert.matches("^SNMPAPI_", name)
      assert_no_secret(msg, "not-the-auth-pass")

      local got, m2, n2 = s:get(v3(), { SYS_NAME })
      assert.is_table(got, "the right passphrase after a wrong one: " .. tostring(m2) .. " " ..
        tostring(n2))
      assert.equals("winsnmp-agent", got[1].value)

      local _
      ok, _, name = s:get(v3(wrong), { SYS_NAME })
      assert.is_nil(ok, "the wrong passphrase was accepted after the right one (stale keys)")
      assert.matches("^SNMPAPI_", name)
    end)

    it("the same for the privacy passphrase", function()
      local wrong = { priv_pass = "not-the-priv-pass", timeout = 0.3, retries = 0 }
      assert.is_nil((s:get(v3(wrong), { SYS_NAME })))
      assert.equals("winsnmp-agent", assert(s:get(v3(), { SYS_NAME }))[1].value)
      assert.is_nil((s:get(v3(wrong), { SYS_NAME })))
      assert.equals("winsnmp-agent", assert(s:get(v3(), { SYS_NAME }))[1].value)
    end)

    it("holds across sessions: a new session with wrong credentials fails", function()
      assert(s:get(v3(), { SYS_NAME }))
      local other <close> = assert(winsnmp.session())
      local e = assert(other:entity(agent.address, helper.merge(agent.v3,
        { auth_pass = "not-the-auth-pass", timeout = 0.3, retries = 0 })))
      assert.is_nil((other:get(e, { SYS_NAME })))
      assert.equals("winsnmp-agent", assert(s:get(v3(), { SYS_NAME }))[1].value)
    end)

    it("a right request succeeds while a wrong one for the same user is in flight", function()
      -- Both go to the same agent and user at the same time: the reply to
      -- the right request must still be accepted.
      local good, bad = v3({ timeout = 1, retries = 0 }),
                        v3({ auth_pass = "not-the-auth-pass", timeout = 1, retries = 0 })
      assert(s:get(good, { SYS_NAME })) -- engine known, keys registered
      local results = {}
      spawn_get_name(results, "good", good)
      winsnmp.spawn(function()
        local got, _, name = s:get(bad, { SYS_NAME })
        results.bad = got and got[1].value or name
      end)
      assert.is_true(winsnmp.run(5))
      assert.equals("winsnmp-agent", results.good)
      assert.matches("^SNMPAPI_", results.bad)
    end)
  end)
end)

describe("SNMPv3 agent replaced #integration", function()
  helper.check_no_leaks()

  -- Regression (found by the hostile-network work): an agent restarted with
  -- another engine id answered with a report the session could not read
  -- (no keys for the new engine), and every later request timed out.
  it("an agent whose engine id changes is discovered again", function()
    local snmpd = require("winsnmp.snmpd")
    local first = assert(snmpd.start({ extra = "engineID winsnmp-first-engine" }))
    local s = assert(winsnmp.session())
    local e = assert(s:entity(first.address,
      helper.merge(first.v3, { version = "3", timeout = 1, retries = 2 })))
    assert.equals("winsnmp-agent", assert(s:get(e, { SYS_NAME }))[1].value)
    local port = first.port
    first:stop()
    local second = assert(snmpd.start({ port = port, extra = "engineID winsnmp-second-engine",
                                        sysname = "second-agent" }))
    local got, msg = s:get(e, { SYS_NAME })
    assert.is_truthy(got, msg)
    assert.equals("second-agent", got[1].value)
    assert.equals("second-agent", assert(s:get(e, { SYS_NAME }))[1].value)
    second:stop()
    helper.close_session(s)
  end)
end)
