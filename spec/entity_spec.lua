--- Entities and contexts: address forms, options, SNMPv3 settings, friendly
-- names (define_agent, define_context, load_names) and keeping community
-- strings and passphrases out of every message and tostring.
--
-- Regression: s:entity(address) with no options table once crashed the
-- interpreter (the binding read the new userdata as the options table), so
-- that form is exercised in a child process, where a crash fails the spec
-- instead of killing busted.
local winsnmp = require("winsnmp")
local helper = require("helper")

local fails_with, run_child, temp_file = helper.fails_with, helper.run_child, helper.temp_file

local COMMUNITY = "Sup3rSecretCommunity"
local AUTH_PASS = "AuthPassw0rd-xyz"
local PRIV_PASS = "PrivPassw0rd-xyz"

describe("winsnmp entity and context", function()
  helper.check_no_leaks()

  local s
  before_each(function() s = assert(winsnmp.session()) end)
  after_each(function() s:close() end)

  describe("s:entity(address) without options", function()
    it("returns an Entity for every address form (checked in a child process)", function()
      local out, ok = run_child([[
        local winsnmp = require("winsnmp")
        local s = winsnmp.session()
        for _, address in ipairs({ "127.0.0.1", "127.0.0.1:1161", "udp:127.0.0.1:1161",
                                   "[::1]:1161", "tcp:localhost:1161" }) do
          local e, msg = s:entity(address)
          assert(e, msg)
          io.write(e:address(), ";")
        end
        winsnmp.define_agent("child-agent", { address = "127.0.0.1:1162" })
        io.write(assert(s:entity("child-agent")):name())
        s:close()
      ]])
      assert.is_true(ok, "child process failed: " .. out)
      assert.equals("udp:127.0.0.1:161;udp:127.0.0.1:1161;udp:127.0.0.1:1161;"
        .. "udp6:[::1]:1161;tcp:localhost:1161;child-agent", out)
    end)
  end)

  describe("addresses", function()
    local CANONICAL = {
      ["127.0.0.1"] = "udp:127.0.0.1:161",
      ["127.0.0.1:1161"] = "udp:127.0.0.1:1161",
      ["udp:127.0.0.1:1161"] = "udp:127.0.0.1:1161",
      ["udp:127.0.0.1"] = "udp:127.0.0.1:161",
      ["udp6:[::1]:1161"] = "udp6:[::1]:1161",
      ["[::1]:1161"] = "udp6:[::1]:1161",
      ["tcp:localhost:1161"] = "tcp:localhost:1161",
      ["tcp6:[::1]:1161"] = "tcp6:[::1]:1161",
      ["localhost:1161"] = "udp:localhost:1161",
    }
    for address, canonical in pairs(CANONICAL) do
      it(string.format("%q has the canonical form %q", address, canonical), function()
        local e = assert(s:entity(address, {}))
        assert.equals(canonical, e:address())
      end)
    end

    it("unparseable addresses return SNMPAPI_ENTITY_UNKNOWN", function()
      for _, bad in ipairs({ "", "no such host!!", "udp:[::1", "udp6:[::1]:x",
                             "127.0.0.1:99999", "127.0.0.1:-1", "bogus:127.0.0.1:161" }) do
        fails_with("SNMPAPI_ENTITY_UNKNOWN", s:entity(bad, {}))
        assert.equals("SNMPAPI_ENTITY_UNKNOWN", (s:last_error()))
      end
    end)

    it("a non-string address raises", function()
      assert.has_error(function() s:entity(nil, {}) end)
      assert.has_error(function() s:entity({}, {}) end)
    end)
  end)

  describe("defaults and setters", function()
    it("are version 2c, timeout 1 second, 3 retries", function()
      local e = assert(s:entity("127.0.0.1", {}))
      assert.equals("2c", e:version())
      assert.equals(1.0, e:timeout())
      assert.equals(3, e:retries())
      assert.equals("winsnmp.entity (udp:127.0.0.1:161, v2c)", tostring(e))
    end)

    it("timeout and retries set and return the new value", function()
      local e = assert(s:entity("127.0.0.1", {}))
      assert.equals(2.5, e:timeout(2.5))
      assert.equals(2.5, e:timeout())
      assert.equals(0.25, e:timeout(0.25))
      assert.equals(0, e:retries(0))
      assert.equals(0, e:retries())
      assert.equals(7, e:retries(7))
    end)

    it("timeout and retries raise for bad arguments", function()
      local e = assert(s:entity("127.0.0.1", {}))
      assert.has_error(function() e:timeout(-1) end)
      assert.has_error(function() e:timeout("soon") end)
      assert.has_error(function() e:retries(1.5) end)
      assert.has_error(function() e:retries(-1) end)
      assert.equals(1.0, e:timeout())
      assert.equals(3, e:retries())
    end)

    it("name() is the canonical address for a plain address", function()
      local e = assert(s:entity("127.0.0.1:1161", {}))
      assert.equals("udp:127.0.0.1:1161", e:name())
    end)
  end)

  describe("options", function()
    it("version accepts strings and numbers", function()
      assert.equals("1", assert(s:entity("127.0.0.1", { version = "1" })):version())
      assert.equals("1", assert(s:entity("127.0.0.1", { version = 1 })):version())
      assert.equals("2c", assert(s:entity("127.0.0.1", { version = "2c" })):version())
      assert.equals("2c", assert(s:entity("127.0.0.1", { version = 2 })):version())
      assert.equals("winsnmp.entity (udp:127.0.0.1:161, v1)",
        tostring(assert(s:entity("127.0.0.1", { version = 1 }))))
    end)

    it("an unknown version returns SNMPAPI_MODE_INVALID", function()
      fails_with("SNMPAPI_MODE_INVALID", s:entity("127.0.0.1", { version = "5" }))
      fails_with("SNMPAPI_MODE_INVALID", s:entity("127.0.0.1", { version = 4 }))
      fails_with("SNMPAPI_MODE_INVALID", s:entity("127.0.0.1", { version = "2x" }))
      fails_with("SNMPAPI_MODE_INVALID", s:entity("127.0.0.1", { version = "" }))
    end)

    it("timeout, retries and community are applied", function()
      local e = assert(s:entity("127.0.0.1", { timeout = 0.5, retries = 0, community = "private" }))
      assert.equals(0.5, e:timeout())
      assert.equals(0, e:retries())
    end)

    it("a failed entity is not left behind", function()
      local before = s:stats().entities
      fails_with("SNMPAPI_MODE_INVALID", s:entity("127.0.0.1", { version = "9" }))
      assert.equals(before, s:stats().entities)
    end)

    it("an unknown option key raises", function()
      assert.has_error(function() s:entity("127.0.0.1", { bogus = 1 }) end)
      assert.has_error(function() s:entity("127.0.0.1", { address = "127.0.0.2" }) end)
      assert.has_error(function() s:entity("127.0.0.1", { [1] = "x" }) end)
    end)

    it("wrong option types raise", function()
      assert.has_error(function() s:entity("127.0.0.1", { timeout = "x" }) end)
      assert.has_error(function() s:entity("127.0.0.1", { timeout = -1 }) end)
      assert.has_error(function() s:entity("127.0.0.1", { retries = 1.5 }) end)
      assert.has_error(function() s:entity("127.0.0.1", { retries = "3" }) end)
      assert.has_error(function() s:entity("127.0.0.1", { community = 5 }) end)
      assert.has_error(function() s:entity("127.0.0.1", { user = true }) end)
      assert.has_error(function() s:entity("127.0.0.1", { version = {} }) end)
    end)
  end)

  describe("SNMPv3", function()
    it("giving a user makes the entity version 3", function()
      local e = assert(s:entity("127.0.0.1", { user = "alice" }))
      assert.equals("3", e:version())
      assert.equals("winsnmp.entity (udp:127.0.0.1:161, v3)", tostring(e))
    end)

    it("accepts every auth and priv protocol, inferring the level", function()
      for _, auth in ipairs({ "MD5", "SHA", "SHA-224", "SHA-256", "SHA-384", "SHA-512" }) do
        assert.is_truthy(s:entity("127.0.0.1", { user = "u", auth = auth, auth_pass = AUTH_PASS }))
        for _, priv in ipairs({ "DES", "AES", "AES-192", "AES-256" }) do
          local e, msg = s:entity("127.0.0.1", { user = "u", auth = auth, auth_pass = AUTH_PASS,
                                                 priv = priv, priv_pass = PRIV_PASS })
          assert.is_truthy(e, auth .. "/" .. priv .. ": " .. tostring(msg))
          assert.equals("3", e:version())
        end
      end
    end)

    it("accepts an explicit level and a context", function()
      assert.is_truthy(s:entity("127.0.0.1", { user = "u", level = "noAuthNoPriv" }))
      assert.is_truthy(s:entity("127.0.0.1", { user = "u", level = "authNoPriv", auth = "SHA",
                                              auth_pass = AUTH_PASS, context = "ctx" }))
      assert.is_truthy(s:entity("127.0.0.1", { user = "u", level = "authPriv", auth = "SHA",
                                              auth_pass = AUTH_PASS, priv = "AES",
                                              priv_pass = PRIV_PASS, version = "3" }))
    end)

    it("version 3 without a user returns SNMPAPI_OTHER_ERROR", function()
      fails_with("SNMPAPI_OTHER_ERROR", s:entity("127.0.0.1", { version = "3" }))
      fails_with("SNMPAPI_OTHER_ERROR", s:entity("127.0.0.1", { version = 3 }))
    end)

    it("v3 options without a user return SNMPAPI_OTHER_ERROR", function()
      fails_with("SNMPAPI_OTHER_ERROR", s:entity("127.0.0.1", { auth = "SHA", auth_pass = AUTH_PASS }))
    end)

    it("a user with version 1 or 2c returns SNMPAPI_OTHER_ERROR", function()
      fails_with("SNMPAPI_OTHER_ERROR", s:entity("127.0.0.1", { user = "u", version = "2c" }))
    end)

    it("a level that needs a missing protocol returns SNMPAPI_OTHER_ERROR", function()
      fails_with("SNMPAPI_OTHER_ERROR", s:entity("127.0.0.1", { user = "u", level = "authPriv" }))
    end)

    it("unknown protocol or level names return SNMPAPI_OTHER_ERROR", function()
      fails_with("SNMPAPI_OTHER_ERROR",
        s:entity("127.0.0.1", { user = "u", auth = "MD4", auth_pass = AUTH_PASS }))
      fails_with("SNMPAPI_OTHER_ERROR", s:entity("127.0.0.1", { user = "u", auth = "SHA",
        auth_pass = AUTH_PASS, priv = "3DES", priv_pass = PRIV_PASS }))
      fails_with("SNMPAPI_OTHER_ERROR", s:entity("127.0.0.1", { user = "u", level = "high" }))
    end)

    it("a short auth passphrase fails without showing it", function()
      local msg = fails_with("SNMPAPI_OTHER_ERROR",
        s:entity("127.0.0.1", { user = "u", auth = "SHA", auth_pass = "sekret7" }))
      assert.is_nil(msg:find("sekret7", 1, true))
      assert.is_nil(select(2, s:last_error()):find("sekret7", 1, true))
      assert.is_nil(select(2, winsnmp.last_error()):find("sekret7", 1, true))
    end)

    it("a short priv passphrase fails without showing either passphrase", function()
      local msg = fails_with("SNMPAPI_OTHER_ERROR", s:entity("127.0.0.1", {
        user = "u", auth = "SHA", auth_pass = AUTH_PASS, priv = "AES", priv_pass = "pw4567" }))
      assert.is_nil(msg:find("pw4567", 1, true))
      assert.is_nil(msg:find(AUTH_PASS, 1, true))
    end)
  end)

  describe("no community string or passphrase is ever shown", function()
    it("in tostring of entity, context and session", function()
      local e = assert(s:entity("127.0.0.1", { community = COMMUNITY }))
      local c = assert(s:context(COMMUNITY))
      local v3 = assert(s:entity("127.0.0.1", { user = "u", auth = "SHA", auth_pass = AUTH_PASS,
                                                priv = "AES", priv_pass = PRIV_PASS }))
      for _, text in ipairs({ tostring(e), tostring(c), tostring(s), tostring(v3),
                              e:address(), e:name(), v3:name() }) do
        assert.is_nil(text:find(COMMUNITY, 1, true), text)
        assert.is_nil(text:find(AUTH_PASS, 1, true), text)
        assert.is_nil(text:find(PRIV_PASS, 1, true), text)
      end
      assert.equals("winsnmp.context", tostring(c))
      c:free()
      e:free()
      assert.is_nil(tostring(c):find(COMMUNITY, 1, true))
      assert.is_nil(tostring(e):find(COMMUNITY, 1, true))
    end)

    it("in error messages of calls that were given one", function()
      local long = COMMUNITY .. string.rep("x", 70000)
      local failures = {
        { s:entity("127.0.0.1", { community = COMMUNITY, version = "7" }) },
        { s:entity("no such host!!", { community = COMMUNITY }) },
        { s:entity("127.0.0.1", { community = long }) },
        { s:context(long) },
        { s:entity("127.0.0.1", { community = COMMUNITY, auth_pass = AUTH_PASS }) },
        { winsnmp.define_agent("leaky", { address = "no such host!!", community = COMMUNITY }) },
        { winsnmp.define_agent("leaky", { address = "127.0.0.1", community = COMMUNITY,
                                          version = "9" }) },
        { winsnmp.define_agent("leaky", { address = "127.0.0.1", user = "u", auth = "SHA",
                                          auth_pass = "short12" }) },
      }
      for i, result in ipairs(failures) do
        assert.is_nil(result[1], "case " .. i)
        local msg = result[2]
        assert.is_string(msg, "case " .. i)
        assert.is_nil(msg:find(COMMUNITY, 1, true), msg)
        assert.is_nil(msg:find(AUTH_PASS, 1, true), msg)
        assert.is_nil(msg:find("short12", 1, true), msg)
      end
      assert.is_nil(select(2, winsnmp.last_error()):find(COMMUNITY, 1, true))
    end)

    it("in load_names errors", function()
      local path = temp_file(table.concat({
        "[agent leaky]", "address = 127.0.0.1", "community = " .. COMMUNITY,
        "user = u", "auth = SHA", "auth_pass = tiny12", "" }, "\n"))
      local msg = fails_with("SNMPAPI_OTHER_ERROR", winsnmp.load_names(path))
      os.remove(path)
      assert.is_nil(msg:find(COMMUNITY, 1, true), msg)
      assert.is_nil(msg:find("tiny12", 1, true), msg)
    end)
  end)

  describe("contexts", function()
    it("c:name() returns the exact bytes", function()
      for _, name in ipairs({ "public", "", "a\0b", "\255\254\0", string.rep("z", 1000) }) do
        local c = assert(s:context(name))
        assert.equals(name, c:name())
        assert.equals("context", winsnmp.type(c))
      end
    end)

    it("tostring never shows the name", function()
      local c = assert(s:context("private-community"))
      assert.equals("winsnmp.context", tostring(c))
    end)

    it("a context longer than the limit returns SNMPAPI_SIZE_INVALID", function()
      fails_with("SNMPAPI_SIZE_INVALID", s:context(string.rep("c", 70000)))
    end)
  end)

  describe("friendly names", function()
    after_each(function()
      winsnmp.translate_mode("translated")
      winsnmp.undefine("lab-router")
      winsnmp.undefine("lab-v3")
      winsnmp.undefine("ro")
    end)

    it("define_agent names an agent that s:entity resolves", function()
      assert.is_true(winsnmp.define_agent("lab-router", { address = "udp:127.0.0.1:1161",
        version = "1", community = COMMUNITY, timeout = 2.5, retries = 0 }))
      local e = assert(s:entity("lab-router", {}))
      assert.equals("udp:127.0.0.1:1161", e:address())
      assert.equals("1", e:version())
      assert.equals(2.5, e:timeout())
      assert.equals(0, e:retries())
      assert.equals("lab-router", e:name())
      assert.is_nil(tostring(e):find(COMMUNITY, 1, true))
    end)

    it("options given to s:entity override the agent's", function()
      assert.is_true(winsnmp.define_agent("lab-router", { address = "127.0.0.1:1161",
        timeout = 2 }))
      local e = assert(s:entity("lab-router", { timeout = 5 }))
      assert.equals(5, e:timeout())
    end)

    it("a v3 agent gets version 3 from its user", function()
      assert.is_true(winsnmp.define_agent("lab-v3", { address = "127.0.0.1", user = "bob",
        auth = "SHA", auth_pass = AUTH_PASS }))
      local e = assert(s:entity("lab-v3", {}))
      assert.equals("3", e:version())
      assert.equals("udp:127.0.0.1:161", e:address())
    end)

    it("in untranslated_v2 mode the name is a literal host name", function()
      assert.is_true(winsnmp.define_agent("lab-router", { address = "udp:127.0.0.1:1161" }))
      assert.equals("untranslated_v2", winsnmp.translate_mode("untranslated_v2"))
      local e = assert(s:entity("lab-router", {}))
      assert.equals("udp:lab-router:161", e:address())
      assert.equals("udp:lab-router:161", e:name())
      assert.equals("2c", e:version())
    end)

    it("undefine removes a name", function()
      assert.is_true(winsnmp.define_agent("lab-router", { address = "127.0.0.1:1161" }))
      assert.is_true(winsnmp.undefine("lab-router"))
      local e = assert(s:entity("lab-router", {}))
      assert.equals("udp:lab-router:161", e:address())
      local ok, msg = winsnmp.undefine("lab-router")
      assert.is_nil(ok)
      assert.is_string(msg)
    end)

    it("define_agent returns nil, msg, NAME for bad data", function()
      fails_with("SNMPAPI_ENTITY_UNKNOWN",
        winsnmp.define_agent("lab-router", { address = "no such host!!" }))
      fails_with("SNMPAPI_MODE_INVALID",
        winsnmp.define_agent("lab-router", { address = "127.0.0.1", version = "4" }))
      fails_with("SNMPAPI_OTHER_ERROR",
        winsnmp.define_agent("lab-router", { address = "127.0.0.1", user = "u", auth = "SHA",
                                             auth_pass = "short" }))
    end)

    it("define_agent raises for misuse", function()
      assert.has_error(function() winsnmp.define_agent("x", {}) end)
      assert.has_error(function() winsnmp.define_agent("x") end)
      assert.has_error(function() winsnmp.define_agent(nil, { address = "127.0.0.1" }) end)
      assert.has_error(function() winsnmp.define_agent("x", { address = "127.0.0.1", bogus = 1 }) end)
      assert.has_error(function() winsnmp.define_agent("x", { address = "127.0.0.1", timeout = "1" }) end)
    end)

    it("define_context names a context value", function()
      assert.is_true(winsnmp.define_context("ro", "pub\0lic"))
      local c = assert(s:context("ro"))
      -- translated: the friendly name is shown, never the value
      assert.equals("ro", c:name())
      winsnmp.translate_mode("untranslated_v2")
      assert.equals("pub\0lic", c:name())
      -- untranslated: a new context takes the string literally
      assert.equals("ro", assert(s:context("ro")):name())
    end)
  end)

  describe("load_names", function()
    after_each(function()
      winsnmp.undefine("lab")
      winsnmp.undefine("lab3")
      winsnmp.undefine("mine")
    end)

    it("reads agents and contexts and returns the record count", function()
      local path = temp_file([[
; a comment
[agent lab]
address = udp:127.0.0.1:1162
version = 1
community = public
timeout = 0.5
retries = 7

[agent lab3]
address = [::1]:1161
user = alice
level = authPriv
auth = SHA-256
auth_pass = abcdefghij
priv = AES
priv_pass = abcdefghij
context = ctx

[context mine]
value = abc
]])
      local n, msg = winsnmp.load_names(path)
      os.remove(path)
      assert.equals(3, n, msg)
      local e = assert(s:entity("lab", {}))
      assert.equals("udp:127.0.0.1:1162", e:address())
      assert.equals("1", e:version())
      assert.equals(0.5, e:timeout())
      assert.equals(7, e:retries())
      assert.equals("lab", e:name())
      local e3 = assert(s:entity("lab3", {}))
      assert.equals("udp6:[::1]:1161", e3:address())
      assert.equals("3", e3:version())
      local c = assert(s:context("mine"))
      assert.equals("mine", c:name())
      winsnmp.translate_mode("untranslated_v2")
      local value = c:name()
      winsnmp.translate_mode("translated")
      assert.equals("abc", value)
    end)

    local SYNTAX_ERRORS = {
      ["a broken section header"] = { "[agent ok]\naddress = 127.0.0.1\n[agent bad\n", 3 },
      ["a line without '='"] = { "[agent ok]\naddress = 127.0.0.1\nnonsense line\n", 3 },
      ["an unknown key"] = { "[agent ok]\naddress = 127.0.0.1\n\nbogus = 1\n", 4 },
      ["a bad version"] = { "[agent ok]\naddress = 127.0.0.1\nversion = 9\n", 3 },
      ["a bad retries"] = { "[agent ok]\naddress = 127.0.0.1\nretries = many\n", 3 },
    }
    for what, case in pairs(SYNTAX_ERRORS) do
      it("reports " .. what .. " as path:LINE with SNMPAPI_OTHER_ERROR", function()
        local path = temp_file(case[1])
        local msg = fails_with("SNMPAPI_OTHER_ERROR", winsnmp.load_names(path))
        os.remove(path)
        assert.is_truthy(msg:find(path .. ":" .. case[2], 1, true), msg)
        winsnmp.undefine("ok")
      end)
    end

    it("returns nil, msg, NAME for a missing file", function()
      local ok, msg, name = winsnmp.load_names("/nonexistent/winsnmp-names.ini")
      assert.is_nil(ok)
      assert.is_string(msg)
      assert.is_string(name)
    end)

    it("raises without a path", function()
      assert.has_error(function() winsnmp.load_names() end)
    end)
  end)
end)
