--- winsnmp as the authoritative SNMPv3 engine of its receiver (API.md "Local
-- engine", s:register): net-snmp's snmpinform -v3 discovers our engine,
-- its informs are acknowledged at the user's level, and what the USM refuses
-- gets the report RFC 3414 names, counted in winsnmp.stats().usm.
local helper = require("helper")
local tools = require("support.notify_tools")
local winsnmp = require("winsnmp")

local ENTERPRISE = "1.3.6.1.4.1.99.31"
local USER = { user = "informUser", level = "authPriv", auth = "SHA",
  auth_pass = "inform-auth-pass", priv = "AES", priv_pass = "inform-priv-pass" }

local cleanups = {}
local function defer(fn) cleanups[#cleanups + 1] = fn end

--- A registration for USER on a free loopback port; returns its address and
-- the list the handler fills.
local function receiver(filter)
  local s = assert(winsnmp.session())
  defer(function() s:close() end)
  local address = "udp:127.0.0.1:" .. assert(require("winsnmp.snmpd").free_ports(1))[1]
  local got = {}
  local reg = assert(s:register(helper.merge({ address = address }, filter or USER),
    function(n) got[#got + 1] = n end))
  defer(function() reg:close() end)
  return address, got
end

--- snmpinform -v3 to `address` as `user` with `level` and passphrases.
local function inform(address, opts, text)
  local o = helper.merge(USER, opts)
  local security = ("-u %s -l %s"):format(o.user, o.level)
  if o.level ~= "noAuthNoPriv" then
    security = security .. (" -a %s -A %s"):format(o.auth, tools.quote(o.auth_pass))
  end
  if o.level == "authPriv" then
    security = security .. (" -x %s -X %s"):format(o.priv, tools.quote(o.priv_pass))
  end
  return tools.run(tools.cmd("snmpinform", ("-v3 %s %s '' %s.0.1 %s.1.1 s %s"):format(
    security, tools.peer(address), ENTERPRISE, ENTERPRISE, tools.quote(text or "v3 inform"))), 8)
end

local function usm(name) return winsnmp.stats().usm[name] end

describe("v3 receiver as the authoritative engine #integration", function()
  helper.check_no_leaks()
  after_each(function()
    while #cleanups > 0 do table.remove(cleanups)() end
  end)

  it("acknowledges snmpinform -v3 authPriv after answering its discovery", function()
    local address, got = receiver()
    local probes = usm("unknown_engine_ids")
    local out, status = inform(address)
    assert.equals(0, status, out)
    assert.equals(1, #got)
    assert.equals("3", got[1].version)
    assert.equals("inform", got[1].type)
    assert.equals(ENTERPRISE .. ".0.1", got[1].trap_oid)
    assert.same({ { oid = ENTERPRISE .. ".1.1", type = "octets", value = "v3 inform" } },
      got[1].varbinds)
    assert.is_true(usm("unknown_engine_ids") > probes) -- the discovery probe, reported
  end)

  it("acknowledges every auth and priv protocol net-snmp offers", function()
    for _, auth in ipairs({ "MD5", "SHA", "SHA-224", "SHA-256", "SHA-384", "SHA-512" }) do
      for _, priv in ipairs({ "DES", "AES", "AES-192", "AES-256" }) do
        local user = helper.merge(USER, { user = "u" .. auth:gsub("%-", "") .. priv,
                                          auth = auth, priv = priv })
        local address, got = receiver(user)
        local out, status = inform(address, user, auth .. "/" .. priv)
        assert.equals(0, status, auth .. "/" .. priv .. ": " .. out)
        assert.equals(auth .. "/" .. priv, got[1] and got[1].varbinds[1].value)
        while #cleanups > 0 do table.remove(cleanups)() end
      end
    end
  end)

  it("reports a wrong passphrase and an unknown user, and delivers nothing", function()
    local address, got = receiver()
    local digests, users = usm("wrong_digests"), usm("unknown_users")
    local out, status = inform(address, { auth_pass = "not-the-auth-pass" })
    assert.is_not.equals(0, status)
    assert.matches("[Aa]uthentication failure", out)
    assert.equals(digests + 1, usm("wrong_digests"))
    out, status = inform(address, { user = "nobodyHere" })
    assert.is_not.equals(0, status)
    assert.matches("[Uu]nknown user name", out)
    assert.equals(users + 1, usm("unknown_users"))
    assert.same({}, got)
  end)

  it("refuses an inform below the registration's level with its report", function()
    local address, got = receiver()
    local levels = usm("unsupported_sec_levels")
    local out, status = inform(address, { level = "authNoPriv" })
    assert.is_not.equals(0, status) -- not acknowledged
    assert.matches("[Uu]nsupported security level", out)
    assert.equals(levels + 1, usm("unsupported_sec_levels"))
    assert.same({}, got)
  end)

  it("keeps acknowledging across restarts that share a state file", function()
    local state = os.tmpname()
    os.remove(state)
    local address = "udp:127.0.0.1:" .. assert(require("winsnmp.snmpd").free_ports(1))[1]
    local code = ([[
      local winsnmp = require("winsnmp")
      local engine = assert(winsnmp.engine{ id = "800007e580aabbccdd0203", state = %q })
      local s = assert(winsnmp.session())
      local got = 0
      local reg = assert(s:register({ address = %q, user = %q, level = "authPriv", auth = "SHA",
        auth_pass = %q, priv = "AES", priv_pass = %q }, function() got = got + 1 end))
      local deadline = winsnmp.now() + 6
      while got == 0 and winsnmp.now() < deadline do winsnmp.poll(0.05) end
      print("boots", engine.boots, "got", got)
      reg:close()
      s:close()
    ]]):format(state, address, USER.user, USER.auth_pass, USER.priv_pass)
    for boots = 1, 2 do
      local child = tools.spawn(("LUA_PATH=%s LUA_CPATH=%s lua5.4 %s"):format(
        tools.quote(package.path), tools.quote(package.cpath), tools.quote(helper.temp_file(code))),
        true)
      require("winsnmp.snmpd").sleep(0.3) -- the receiver is listening
      local out, status = inform(address, nil, "boot " .. boots)
      local log = child:wait(8)
      assert.equals(0, status, out .. log)
      assert.matches("boots%s+" .. boots .. "%s+got%s+1", log)
    end
    os.remove(state)
  end)
end)
