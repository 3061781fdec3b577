--- The agent role answers SNMPv3 (s:listen's `users`), as the authoritative
-- engine: net-snmp's snmpget / snmpwalk / snmpbulkget / snmpset -v3 discover
-- it and are answered at their level, for every auth/priv pair; a request
-- below the user's level, a wrong key or an unknown user is refused with its
-- RFC 3414 report; ro users cannot write.
local helper = require("helper")
local tools = require("support.notify_tools")
local winsnmp = require("winsnmp")

local BASE = "1.3.6.1.4.1.99.41"
local function oid(n) return BASE .. "." .. n .. ".0" end

local USERS = {
  { user = "privUser", level = "authPriv", auth = "SHA", auth_pass = "agent-auth-pass",
    priv = "AES", priv_pass = "agent-priv-pass", access = "rw" },
  { user = "authUser", level = "authNoPriv", auth = "SHA-256", auth_pass = "agent-auth-pass2" },
  { user = "plainUser", level = "noAuthNoPriv" },
}

local function args(u, level)
  level = level or u.level
  local a = ("-v3 -u %s -l %s"):format(u.user, level)
  if level ~= "noAuthNoPriv" then
    a = a .. (" -a %s -A %s"):format(u.auth, tools.quote(u.auth_pass))
  end
  if level == "authPriv" then a = a .. (" -x %s -X %s"):format(u.priv, tools.quote(u.priv_pass)) end
  return a
end

describe("v3 agent role #integration", function()
  helper.check_no_leaks()
  describe("a listener with v3 users #integration", function()
    local s, view, listener, address, seen
    setup(function()
      s = assert(winsnmp.session())
      view = winsnmp.mibview({
        { oid(1), "octets", "secret value" },
        { oid(2), "int", 42 },
        { oid = oid(3), type = "octets", value = "writable", writable = true },
      })
      seen = {}
      listener = assert(s:listen("udp:127.0.0.1:0", function(req)
        seen[#seen + 1] = req
        return view.handler(req)
      end, { users = USERS }))
      address = tools.peer(listener.address)
    end)
    teardown(function()
      listener:close()
      s:close()
    end)

    local function run(tool, u, rest, level)
      return tools.run(tools.cmd(tool, ("%s %s %s"):format(args(u, level), address, rest)), 8)
    end

    it("answers snmpget at each user's level, telling the handler who asked", function()
      for _, u in ipairs(USERS) do
        local out, status = run("snmpget", u, oid(1))
        assert.equals(0, status, u.user .. ": " .. out)
        assert.matches('STRING: "secret value"', out)
        local req = seen[#seen]
        assert.equals("3", req.version)
        assert.equals(u.user, req.user)
        assert.equals(u.level, req.level)
        assert.equals("", req.context)
        assert.is_nil(req.community)
      end
    end)

    it("walks and bulk-gets over authPriv", function()
      local out, status = run("snmpwalk", USERS[1], BASE)
      assert.equals(0, status, out)
      assert.matches("secret value", out)
      assert.matches("INTEGER: 42", out)
      out, status = run("snmpbulkget", USERS[1], "-Cn0 -Cr3 " .. BASE)
      assert.equals(0, status, out)
      assert.matches("INTEGER: 42", out)
    end)

    it("lets a read-write user set, and refuses a read-only one", function()
      local out, status = run("snmpset", USERS[1], oid(3) .. " s changed")
      assert.equals(0, status, out)
      assert.equals("changed", view:value(oid(3)))
      out, status = run("snmpset", USERS[2], oid(3) .. " s nope")
      assert.is_not.equals(0, status)
      assert.matches("noAccess", out)
      assert.equals("changed", view:value(oid(3)))
    end)

    it("answers every auth and priv protocol pair", function()
      local users = {}
      for _, auth in ipairs({ "MD5", "SHA", "SHA-224", "SHA-256", "SHA-384", "SHA-512" }) do
        for _, priv in ipairs({ "DES", "AES", "AES-192", "AES-256" }) do
          users[#users + 1] = { user = ("u%s%s"):format(auth:gsub("%-", ""), priv),
            level = "authPriv", auth = auth, auth_pass = "pair-auth-pass", priv = priv,
            priv_pass = "pair-priv-pass" }
          if priv == "DES" then -- and each auth protocol alone, at authNoPriv
            users[#users + 1] = { user = ("a%s"):format(auth:gsub("%-", "")),
              level = "authNoPriv", auth = auth, auth_pass = "pair-auth-pass" }
          end
        end
      end
      local l = assert(s:listen("udp:127.0.0.1:0", view.handler, { users = users }))
      local saved = address
      address = tools.peer(l.address)
      local ok, err = pcall(function()
        for _, u in ipairs(users) do
          local out, status = run("snmpget", u, oid(2))
          assert.equals(0, status, u.user .. ": " .. out)
          assert.matches("INTEGER: 42", out)
        end
      end)
      address = saved
      l:close()
      assert(ok, err)
    end)

    it("answers a user above its level when it has the keys for it", function()
      -- (a user at authNoPriv with a privacy key is also taken at authPriv)
      local u = { user = "upward", level = "authNoPriv", auth = "SHA", auth_pass = "upward-auth",
                  priv = "AES", priv_pass = "upward-priv" }
      local l = assert(s:listen("udp:127.0.0.1:0", view.handler, { users = { u } }))
      local saved = address
      address = tools.peer(l.address)
      local ok, err = pcall(function()
        for _, level in ipairs({ "authNoPriv", "authPriv" }) do
          local out, status = run("snmpget", u, oid(2), level)
          assert.equals(0, status, level .. ": " .. out)
          assert.matches("INTEGER: 42", out)
        end
      end)
      address = saved
      l:close()
      assert(ok, err)
    end)

    it("refuses a lower level, a wrong key and an unknown user with their reports", function()
      local before = winsnmp.stats().usm
      local out, status = run("snmpget", USERS[1], oid(1), "authNoPriv")
      assert.is_not.equals(0, status)
      assert.matches("[Uu]nsupported security level", out)
      out, status = run("snmpget", helper.merge(USERS[1], { auth_pass = "wrong-auth-pass" }), oid(1))
      assert.is_not.equals(0, status)
      assert.matches("[Aa]uthentication failure", out)
      out, status = run("snmpget", helper.merge(USERS[3], { user = "nobody" }), oid(1))
      assert.is_not.equals(0, status)
      assert.matches("[Uu]nknown user name", out)
      -- a wrong privacy key decrypts to garbage, which no AES/DES decryption can
      -- tell from a malformed message: no answer at all, as from snmpd
      out, status = run("snmpget", helper.merge(USERS[1], { priv_pass = "wrong-priv-pass" }),
        oid(1))
      assert.is_not.equals(0, status, out)
      assert.matches("Timeout", out)
      local after = winsnmp.stats().usm
      assert.equals(before.unsupported_sec_levels + 1, after.unsupported_sec_levels)
      assert.equals(before.wrong_digests + 1, after.wrong_digests)
      assert.equals(before.unknown_users + 1, after.unknown_users)
    end)

    it("keeps v3 answers within max_size: tooBig, or a GETBULK cut to fit", function()
      local entries = {}
      for i = 1, 40 do entries[i] = { BASE .. ".9." .. i .. ".0", "octets", ("z"):rep(60) } end
      local big = winsnmp.mibview(entries)
      local l = assert(s:listen("udp:127.0.0.1:0", big.handler, { users = USERS, max_size = 600 }))
      local saved = address
      address = tools.peer(l.address)
      local ok, err = pcall(function()
        local out, status = run("snmpbulkget", USERS[1], "-Cn0 -Cr40 " .. BASE .. ".9")
        assert.equals(0, status, out)
        local lines = select(2, out:gsub("\n", "\n"))
        assert.is_true(lines >= 3 and lines < 10, out) -- 600 bytes hold a few 60-byte strings
        local oids = {}
        for i = 1, 12 do oids[i] = BASE .. ".9." .. i .. ".0" end
        out = run("snmpget", USERS[1], table.concat(oids, " "))
        assert.matches("tooBig", out)
      end)
      address = saved
      l:close()
      assert(ok, err)
    end)

    it("passes the context name, and keeps each listener's users its own", function()
      local out, status = run("snmpget", USERS[1], "-n lab " .. oid(1))
      assert.equals(0, status, out)
      assert.equals("lab", seen[#seen].context)
      -- another listener in the same process, with another user: net-snmp's
      -- user table is process-wide, ours is per listener
      local other = { user = "otherUser", level = "authNoPriv", auth = "SHA",
                      auth_pass = "other-auth-pass" }
      local l = assert(s:listen("udp:127.0.0.1:0", view.handler, { users = { other } }))
      local saved = address
      address = tools.peer(l.address)
      local ok, err = pcall(function()
        local o, st = run("snmpget", USERS[1], oid(1)) -- privUser is the first listener's
        assert.is_not.equals(0, st, o)
        o, st = run("snmpget", other, oid(1))
        assert.equals(0, st, o)
      end)
      address = saved
      l:close()
      assert(ok, err)
      out, status = run("snmpget", other, oid(1)) -- and not the first listener's
      assert.is_not.equals(0, status, out)
    end)

    it("a v3-only listener (communities = {}) answers no v1/v2c request", function()
      local l = assert(s:listen("udp:127.0.0.1:0", view.handler, { users = USERS, communities = {} }))
      local out, status = tools.run(tools.cmd("snmpget", ("-v2c -c public %s %s"):format(
        tools.peer(l.address), oid(1))))
      local out3, status3 = tools.run(tools.cmd("snmpget", ("%s %s %s"):format(args(USERS[1]),
        tools.peer(l.address), oid(1))), 8)
      l:close()
      assert.is_not.equals(0, status)
      assert.matches("Timeout", out)
      assert.equals(0, status3, out3)
    end)
  end)
  it("reports a stale time window after a restart, and the manager catches up", function()
    local snmpd = require("winsnmp.snmpd")
    local state = os.tmpname()
    os.remove(state)
    local port = assert(snmpd.free_ports(1))[1]
    local u = USERS[1]
    local agent = ([[
      local winsnmp = require("winsnmp")
      assert(winsnmp.engine{ id = "800007e580aabbccdd0304", state = %q })
      local s = assert(winsnmp.session())
      local l = assert(s:listen("udp:127.0.0.1:%d", winsnmp.mibview({
        { "1.3.6.1.4.1.99.41.1.0", "octets", "up" } }).handler, { users = { {
        user = %q, level = "authPriv", auth = %q, auth_pass = %q, priv = %q, priv_pass = %q } } }))
      local deadline = winsnmp.now() + 3
      while winsnmp.now() < deadline do winsnmp.poll(0.05) end
      print("stale", winsnmp.stats().usm.not_in_time_windows, winsnmp.engine().boots)
      l:close()
      s:close()
    ]]):format(state, port, u.user, u.auth, u.auth_pass, u.priv, u.priv_pass)
    local file = helper.temp_file(agent)
    local function start()
      local job = tools.spawn(("LUA_PATH=%s LUA_CPATH=%s lua5.4 %s"):format(
        tools.quote(package.path), tools.quote(package.cpath), tools.quote(file)), true)
      snmpd.sleep(0.4)
      return job
    end
    local m = assert(winsnmp.session())
    local e = assert(m:entity("udp:127.0.0.1:" .. port, { version = "3", user = u.user,
      level = u.level, auth = u.auth, auth_pass = u.auth_pass, priv = u.priv,
      priv_pass = u.priv_pass, timeout = 1, retries = 2 }))
    local first = start()
    local got = assert(m:get(e, { "1.3.6.1.4.1.99.41.1.0" }))
    assert.equals("up", got[1].value)
    local out1 = first:wait(6)
    local second = start() -- boots 2: the manager still has boots 1 and its time
    got = assert(m:get(e, { "1.3.6.1.4.1.99.41.1.0" }))
    assert.equals("up", got[1].value)
    local out2 = second:wait(6)
    m:close()
    os.remove(file)
    os.remove(state)
    assert.matches("stale%s+0%s+1", out1)
    assert.matches("stale%s+1%s+2", out2) -- one notInTimeWindow report, then the answer
  end)
end)
