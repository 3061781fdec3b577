--- Notifications: s:register (traps and informs in, with WinSNMP's
-- filters), s:trap and s:inform (out), against net-snmp's snmptrap,
-- snmpinform and snmptrapd and against our own receiver, and the faults a
-- receiver must survive.  Our receiver only works while winsnmp.poll runs,
-- so the tools run in the background while the specs poll.
local helper = require("helper")
local tools = require("support.notify_tools")
local winsnmp = require("winsnmp")
local snmpd = require("winsnmp.snmpd")

local SYS_UPTIME_0 = "1.3.6.1.2.1.1.3.0"
local SNMP_TRAP_OID_0 = "1.3.6.1.6.3.1.1.4.1.0"
local SNMP_TRAP_ADDRESS_0 = "1.3.6.1.6.3.18.1.3.0"
local SNMP_TRAP_ENTERPRISE_0 = "1.3.6.1.6.3.1.1.4.3.0"
local LINK_UP = "1.3.6.1.6.3.1.1.5.4"
local ENTERPRISE = "1.3.6.1.4.1.99"

--- The snmptrap/snmpinform sender's engine id for v3 traps (snmptrap is
-- authoritative for its traps), and the user our receiver registers.
local SENDER_ENGINE = "0x8000000001020304"
local V3 = { user = "trapUser", level = "authPriv", auth = "SHA", auth_pass = "trap-auth-pass",
             priv = "AES", priv_pass = "trap-priv-pass" }

local function dropped() return winsnmp.stats().dropped end

-- busted keeps one `finally` per test: defer(fn) collects any number of
-- clean-ups, run in reverse order after each test.
local cleanups = {}
local function defer(fn) cleanups[#cleanups + 1] = fn end
local function run_cleanups()
  while #cleanups > 0 do
    local fn = table.remove(cleanups)
    fn()
  end
end




--- A fresh session, closed after the test (see defer).
local function setup_session()
  local s = assert(winsnmp.session())
  defer(function() s:close() end)
  return s
end

local function free_address()
  local port = assert(snmpd.free_ports(1))[1]
  return "udp:127.0.0.1:" .. port, port
end

--- Registers `filter` (address defaults to a free port) on session `s`;
-- returns the registration and the list the handler appends to.
local function collect(s, filter)
  local got = {}
  local reg, msg, name = s:register(filter, function(n) got[#got + 1] = n end)
  assert(reg, tostring(msg) .. " " .. tostring(name))
  -- A Registration that is collected stops receiving: keep it until the
  -- test ends.
  defer(function() reg:close() end)
  return reg, got
end

local function snmptrap(args) return tools.cmd("snmptrap", args) end

--- snmptrap -v2c to `address` with trap OID and extra args (varbinds).
local function v2c_trap(address, trap_oid, varbinds, community)
  return snmptrap(("-v2c -c %s %s '' %s %s"):format(community or "public",
    tools.peer(address), trap_oid, varbinds or ""))
end

local function v3_args(user, auth_pass, priv_pass)
  return ("-v3 -u %s -l authPriv -a SHA -A %s -x AES -X %s -e %s"):format(user,
    tools.quote(auth_pass), tools.quote(priv_pass), SENDER_ENGINE)
end

describe("notifications #integration", function()
  helper.check_no_leaks()

  local reports = helper.capture_reports()
  after_each(function()
    run_cleanups()
    assert.equals(0, winsnmp.stats().pending)
  end)

  describe("receiving #integration", function()
    it("a v2c trap from snmptrap reaches the handler with its trap OID and varbinds", function()
      local s = setup_session()
      local address = free_address()
      local _, got = collect(s, { address = address })
      local _, status = tools.run(v2c_trap(address, ENTERPRISE .. ".0.1",
        ENTERPRISE .. ".1.1 s hello " .. ENTERPRISE .. ".1.2 i -7 " .. ENTERPRISE
        .. ".1.3 x 00FF10", "tcommunity"))
      assert.equals(0, status)
      assert.is_true(helper.poll_until(function() return #got >= 1 end, 3))
      helper.poll_for(0.1)
      assert.equals(1, #got)
      local n = got[1]
      assert.equals("2c", n.version)
      assert.equals("trap", n.type)
      assert.equals("tcommunity", n.community)
      assert.equals(ENTERPRISE .. ".0.1", n.trap_oid)
      assert.is_number(n.uptime)
      assert.is_number(n.request_id)
      assert.matches("^udp:127%.0%.0%.1:%d+$", n.source)
      assert.same({
        { oid = ENTERPRISE .. ".1.1", type = "octets", value = "hello" },
        { oid = ENTERPRISE .. ".1.2", type = "int", value = -7 },
        { oid = ENTERPRISE .. ".1.3", type = "octets", value = "\0\255\16" },
      }, n.varbinds)
    end)

    it("a v1 generic trap (linkUp) arrives in v2c form (RFC 3584)", function()
      local s = setup_session()
      local address = free_address()
      local _, got = collect(s, { address = address })
      local _, status = tools.run(snmptrap(("-v1 -c public %s %s 127.0.0.1 3 0 '' "
        .. "1.3.6.1.2.1.2.2.1.1.1 i 1"):format(tools.peer(address), ENTERPRISE)))
      assert.equals(0, status)
      assert.is_true(helper.poll_until(function() return #got >= 1 end, 3))
      local n = got[1]
      assert.equals("1", n.version)
      assert.equals("trap", n.type)
      assert.equals("public", n.community)
      assert.equals(LINK_UP, n.trap_oid)
      assert.is_number(n.uptime)
      assert.same({
        { oid = "1.3.6.1.2.1.2.2.1.1.1", type = "int", value = 1 },
        { oid = SNMP_TRAP_ADDRESS_0, type = "ipaddr", value = "127.0.0.1" },
        { oid = SNMP_TRAP_ENTERPRISE_0, type = "oid", value = ENTERPRISE },
      }, n.varbinds)
    end)

    it("a v1 enterprise-specific trap (6/17) arrives as enterprise.0.17", function()
      local s = setup_session()
      local address = free_address()
      local _, got = collect(s, { address = address })
      local _, status = tools.run(snmptrap(("-v1 -c public %s %s 127.0.0.1 6 17 '' "
        .. "%s.1.1 s v1payload"):format(tools.peer(address), ENTERPRISE, ENTERPRISE)))
      assert.equals(0, status)
      assert.is_true(helper.poll_until(function() return #got >= 1 end, 3))
      local n = got[1]
      assert.equals("1", n.version)
      assert.equals(ENTERPRISE .. ".0.17", n.trap_oid)
      assert.same({
        { oid = ENTERPRISE .. ".1.1", type = "octets", value = "v1payload" },
        { oid = SNMP_TRAP_ADDRESS_0, type = "ipaddr", value = "127.0.0.1" },
        { oid = SNMP_TRAP_ENTERPRISE_0, type = "oid", value = ENTERPRISE },
      }, n.varbinds)
    end)

    it("a v2c inform from snmpinform is delivered and acknowledged", function()
      local s = setup_session()
      local address = free_address()
      local _, got = collect(s, { address = address })
      local out, status = tools.run(tools.cmd("snmpinform", ("-v2c -c public %s '' %s.0.2 "
        .. "%s.1.1 i 5"):format(tools.peer(address), ENTERPRISE, ENTERPRISE)))
      assert.equals(0, status, out) -- acknowledged: snmpinform did not time out
      assert.is_true(#got >= 1)
      local n = got[1]
      assert.equals("inform", n.type)
      assert.equals("2c", n.version)
      assert.equals(ENTERPRISE .. ".0.2", n.trap_oid)
      assert.same({ { oid = ENTERPRISE .. ".1.1", type = "int", value = 5 } }, n.varbinds)
      for _, other in ipairs(got) do -- a retransmission repeats the same inform
        assert.equals(n.request_id, other.request_id)
      end
    end)

    it("a v3 authPriv trap from a registered user arrives with version 3", function()
      local s = setup_session()
      local address = free_address()
      local _, got = collect(s, helper.merge({ address = address }, V3))
      local _, status = tools.run(snmptrap(("%s %s '' %s.0.3 %s.1.1 s secret"):format(
        v3_args(V3.user, V3.auth_pass, V3.priv_pass), tools.peer(address), ENTERPRISE,
        ENTERPRISE)))
      assert.equals(0, status)
      assert.is_true(helper.poll_until(function() return #got >= 1 end, 3))
      local n = got[1]
      assert.equals("3", n.version)
      assert.equals("trap", n.type)
      assert.equals(ENTERPRISE .. ".0.3", n.trap_oid)
      -- (API.md: v3 adds user, level and the sender's engine id in hex: the
      -- contextEngineID, RFC 3413's originator, which snmptrap sets to its
      -- own engine id whatever security engine -e names)
      assert.equals(V3.user, n.user)
      assert.equals("authPriv", n.level)
      assert.matches("^%x+$", n.engine_id)
      assert.is_true(#n.engine_id >= 10 and #n.engine_id <= 64, n.engine_id)
      assert.same({ { oid = ENTERPRISE .. ".1.1", type = "octets", value = "secret" } },
        n.varbinds)
    end)

    it("a v3 trap with a wrong passphrase or from an unknown user is dropped", function()
      local s = setup_session()
      local address = free_address()
      local _, got = collect(s, helper.merge({ address = address }, V3))
      local before = dropped()
      local _, status = tools.run(snmptrap(("%s %s '' %s.0.4"):format(
        v3_args(V3.user, "not-the-auth-pass", V3.priv_pass), tools.peer(address), ENTERPRISE)))
      assert.equals(0, status)
      helper.poll_until(function() return dropped() > before end, 2)
      assert.equals(before + 1, dropped())
      local _, status2 = tools.run(snmptrap(("%s %s '' %s.0.5"):format(
        v3_args("someoneElse", V3.auth_pass, V3.priv_pass), tools.peer(address), ENTERPRISE)))
      assert.equals(0, status2)
      helper.poll_until(function() return dropped() > before + 1 end, 2)
      assert.equals(before + 2, dropped())
      helper.poll_for(0.1)
      assert.same({}, got)
      -- the right user still gets through afterwards
      tools.run(snmptrap(("%s %s '' %s.0.6"):format(v3_args(V3.user, V3.auth_pass,
        V3.priv_pass), tools.peer(address), ENTERPRISE)))
      assert.is_true(helper.poll_until(function() return #got >= 1 end, 3))
      assert.equals(ENTERPRISE .. ".0.6", got[1].trap_oid)
    end)
    it("a v3 registration takes its user at its level or above, given the keys", function()
      -- (API.md: "at least the filter's level"; above it, the keys for that
      -- level have to be in the filter, or the message cannot be read)
      local s = setup_session()
      local address = free_address()
      local _, got = collect(s, helper.merge({ address = address }, V3, { level = "authNoPriv" }))
      local function auth_no_priv(n)
        return snmptrap(("-v3 -u %s -l authNoPriv -a SHA -A %s -e %s %s '' %s.0.%d"):format(
          V3.user, tools.quote(V3.auth_pass), SENDER_ENGINE, tools.peer(address), ENTERPRISE, n))
      end
      tools.run(auth_no_priv(10))
      tools.run(snmptrap(("%s %s '' %s.0.11"):format(v3_args(V3.user, V3.auth_pass,
        V3.priv_pass), tools.peer(address), ENTERPRISE)))
      assert.is_true(helper.poll_until(function() return #got >= 2 end, 3))
      assert.same({ ENTERPRISE .. ".0.10", "authNoPriv" }, { got[1].trap_oid, got[1].level })
      assert.same({ ENTERPRISE .. ".0.11", "authPriv" }, { got[2].trap_oid, got[2].level })
      -- without the privacy keys an authPriv trap cannot be read: dropped
      local address2 = free_address()
      local keys = helper.merge({ address = address2 }, V3, { level = "authNoPriv" })
      keys.priv, keys.priv_pass = nil, nil
      local _, got2 = collect(s, keys)
      local before = dropped()
      tools.run(snmptrap(("%s %s '' %s.0.12"):format(v3_args(V3.user, V3.auth_pass,
        V3.priv_pass), tools.peer(address2), ENTERPRISE)))
      helper.poll_until(function() return dropped() > before end, 2)
      assert.equals(before + 1, dropped())
      assert.same({}, got2)
    end)

    it("a v3 registration takes no v1/v2c trap and no lower level from its user", function()
      local s = setup_session()
      local address = free_address()
      local _, got = collect(s, helper.merge({ address = address }, V3))
      local before = dropped()
      tools.run(v2c_trap(address, ENTERPRISE .. ".0.7"))
      tools.run(snmptrap(("-v1 -c public %s %s '' 6 7 ''"):format(tools.peer(address),
        ENTERPRISE)))
      tools.run(snmptrap(("-v3 -u %s -l authNoPriv -a SHA -A %s -e %s %s '' %s.0.8"):format(
        V3.user, tools.quote(V3.auth_pass), SENDER_ENGINE, tools.peer(address), ENTERPRISE)))
      helper.poll_until(function() return dropped() >= before + 3 end, 3)
      assert.equals(before + 3, dropped())
      helper.poll_for(0.1)
      assert.same({}, got)
      tools.run(snmptrap(("%s %s '' %s.0.9"):format(v3_args(V3.user, V3.auth_pass,
        V3.priv_pass), tools.peer(address), ENTERPRISE)))
      assert.is_true(helper.poll_until(function() return #got >= 1 end, 3))
      assert.equals(ENTERPRISE .. ".0.9", got[1].trap_oid)
    end)
  end)

  describe("filters #integration", function()
    it("a community filter passes only its community; no filter passes all", function()
      local s = setup_session()
      local address = free_address()
      local _, only = collect(s, { address = address, community = "secret" })
      local _, all = collect(s, { address = address, notification = "1.3.6" })
      tools.run(v2c_trap(address, ENTERPRISE .. ".0.1", "", "public"))
      tools.run(v2c_trap(address, ENTERPRISE .. ".0.2", "", "secret"))
      assert.is_true(helper.poll_until(function() return #all >= 2 end, 3))
      helper.poll_for(0.1)
      assert.equals(2, #all)
      assert.equals(1, #only)
      assert.equals("secret", only[1].community)
      assert.equals(ENTERPRISE .. ".0.2", only[1].trap_oid)
    end)

    it("a notification filter is an OID prefix of snmpTrapOID.0", function()
      local s = setup_session()
      local address = free_address()
      local _, mine = collect(s, { address = address, notification = ENTERPRISE .. ".0" })
      local _, links = collect(s, { address = address, notification = LINK_UP })
      local _, any = collect(s, { address = address })
      tools.run(v2c_trap(address, ENTERPRISE .. ".0.1"))
      tools.run(v2c_trap(address, LINK_UP))
      tools.run(v2c_trap(address, ENTERPRISE .. ".1")) -- shorter than the prefix
      tools.run(v2c_trap(address, ENTERPRISE .. "9.0.1")) -- 1.3.6.1.4.1.999: not a prefix match
      assert.is_true(helper.poll_until(function() return #any >= 4 end, 3))
      helper.poll_for(0.1)
      assert.equals(4, #any)
      assert.equals(1, #mine)
      assert.equals(ENTERPRISE .. ".0.1", mine[1].trap_oid)
      assert.equals(1, #links)
      assert.equals(LINK_UP, links[1].trap_oid)
    end)

    it("a source filter matches the sender's address only, any port", function()
      local s = setup_session()
      local address, port = free_address()
      local _, other = collect(s, { address = address, source = "udp:127.0.0.2:9" })
      local _, ours = collect(s, { address = address, source = "udp:127.0.0.1:9" })
      tools.run(v2c_trap(address, ENTERPRISE .. ".0.1"))
      assert.is_true(helper.poll_until(function() return #ours >= 1 end, 3))
      assert.equals(0, #other)
      -- from 127.0.0.2 (loopback): only the other registration
      local sender = tools.sender("127.0.0.2")
      defer(function() sender:close() end)
      sender:send(tools.trap_bytes(s, address, ENTERPRISE .. ".0.2"), port)
      assert.is_true(sender:poll_until(function() return #other >= 1 end, 3))
      helper.poll_for(0.1)
      assert.equals(1, #ours)
      assert.equals(1, #other)
      assert.matches("^udp:127%.0%.0%.2:%d+$", other[1].source)
    end)

    it("a source that never sends gets nothing, and the trap counts as dropped", function()
      local s = setup_session()
      local address = free_address()
      local _, got = collect(s, { address = address, source = "udp:127.0.0.2" })
      local before = dropped()
      tools.run(v2c_trap(address, ENTERPRISE .. ".0.1"))
      helper.poll_until(function() return dropped() > before end, 2)
      assert.equals(before + 1, dropped())
      assert.same({}, got)
    end)

    it("each matching registration of a session is called once per trap", function()
      local s = setup_session()
      local address = free_address()
      local _, a = collect(s, { address = address })
      local _, b = collect(s, { address = address, community = "public" })
      local _, c = collect(s, { address = address, notification = ENTERPRISE })
      local _, d = collect(s, { address = address, notification = LINK_UP })
      assert.equals(4, winsnmp.stats().registrations)
      tools.run(v2c_trap(address, ENTERPRISE .. ".0.1"))
      assert.is_true(helper.poll_until(function() return #a >= 1 and #b >= 1 and #c >= 1 end, 3))
      helper.poll_for(0.1)
      assert.equals(1, #a)
      assert.equals(1, #b)
      assert.equals(1, #c)
      assert.equals(0, #d)
    end)

    it("s:stats().registrations counts the session's registrations", function()
      local s, other = setup_session(), setup_session()
      local address = free_address()
      collect(s, { address = address })
      collect(s, { address = address, community = "public" })
      collect(other, { address = address })
      assert.equals(3, winsnmp.stats().registrations)
      assert.equals(1, other:stats().registrations)
      assert.equals(2, s:stats().registrations)
    end)

    it("two registrations with the same filter in one session both get called", function()
      -- WinSNMP: a redundant SnmpRegister succeeds and does nothing.  The Lua
      -- layer has a handler per Registration, so neither may be lost, and
      -- closing one must not stop the other.
      local s = setup_session()
      local address = free_address()
      local first, a = collect(s, { address = address })
      local second, b = collect(s, { address = address })
      tools.run(v2c_trap(address, ENTERPRISE .. ".0.1"))
      helper.poll_until(function() return #a >= 1 and #b >= 1 end, 2)
      assert.equals(1, #b)
      assert.equals(1, #a) -- the first handler must not be replaced silently
      second:close()
      tools.run(v2c_trap(address, ENTERPRISE .. ".0.2"))
      helper.poll_until(function() return #a >= 2 end, 2)
      assert.equals(2, #a) -- closing the second registration must not close the first
      first:close()
    end)

    it("two sessions registered on the same port both receive", function()
      local s1, s2 = setup_session(), setup_session()
      local address = free_address()
      local _, one = collect(s1, { address = address })
      local _, two = collect(s2, { address = address })
      tools.run(v2c_trap(address, ENTERPRISE .. ".0.1"))
      assert.is_true(helper.poll_until(function() return #one >= 1 and #two >= 1 end, 3))
      helper.poll_for(0.1)
      assert.equals(1, #one)
      assert.equals(1, #two)
      assert.equals(one[1].request_id, two[1].request_id)
    end)

    it("Registration:close() stops delivery and the count goes down", function()
      local s = setup_session()
      local address = free_address()
      local before = winsnmp.stats().registrations
      local reg, got = collect(s, { address = address })
      local _, kept = collect(s, { address = address, community = "public" })
      assert.equals(before + 2, winsnmp.stats().registrations)
      assert.matches("winsnmp.registration", tostring(reg))
      tools.run(v2c_trap(address, ENTERPRISE .. ".0.1"))
      assert.is_true(helper.poll_until(function() return #got >= 1 and #kept >= 1 end, 3))
      assert.is_true(reg:close())
      assert.is_true(reg:close()) -- idempotent
      assert.equals(before + 1, winsnmp.stats().registrations)
      tools.run(v2c_trap(address, ENTERPRISE .. ".0.2"))
      assert.is_true(helper.poll_until(function() return #kept >= 2 end, 3))
      helper.poll_for(0.1)
      assert.equals(1, #got)
    end)

    it("closing the session frees its registrations and the port", function()
      local s = assert(winsnmp.session())
      local address, port = free_address()
      local before = winsnmp.stats().registrations
      collect(s, { address = address })
      collect(s, { address = address, community = "x" })
      assert.equals(before + 2, winsnmp.stats().registrations)
      s:close()
      assert.equals(before, winsnmp.stats().registrations)
      local busy = tools.occupy(port) -- the port is free again
      busy:close()
    end)
  end)

  describe("sending #integration", function()
    local trapd
    setup(function() trapd = tools.start_trapd() end)
    teardown(function() if trapd then trapd:stop() end end)

    it("s:trap sends a v2c trap that snmptrapd logs", function()
      local s = setup_session()
      local e = assert(s:entity(trapd.address))
      assert.is_true(s:trap(e, ENTERPRISE .. ".0.7", {
        { ENTERPRISE .. ".1.1", "octets", "hello-from-winsnmp" },
        { ENTERPRISE .. ".1.2", "gauge32", 4000000000 },
      }))
      local log = trapd:wait_for({ "hello-from-winsnmp" })
      assert.truthy(log:find("OID: iso.3.6.1.4.1.99.0.7", 1, true), log)
      assert.truthy(log:find("Gauge32: 4000000000", 1, true), log)
      assert.truthy(log:find("iso.3.6.1.2.1.1.3.0 = Timeticks", 1, true), log)
    end)

    it("s:trap to a v1 entity sends a v1 Trap-PDU (enterprise, generic, specific)", function()
      local s = setup_session()
      local e = assert(s:entity(trapd.address, { version = "1", community = "v1community" }))
      assert.is_true(s:trap(e, ENTERPRISE .. ".0.17", { { ENTERPRISE .. ".1.1", "int", 4242 } }))
      local log = trapd:wait_for({ "INTEGER: 4242" })
      assert.truthy(log:find("TRAP, SNMP v1, community v1community", 1, true), log)
      assert.truthy(log:find("iso.3.6.1.4.1.99 Enterprise Specific Trap (17)", 1, true), log)
      -- a generic trap keeps its snmpTrapEnterprise.0 as the enterprise
      assert.is_true(s:trap(e, LINK_UP, { { "1.3.6.1.2.1.2.2.1.1.7", "int", 7 },
        { SNMP_TRAP_ENTERPRISE_0, "oid", ENTERPRISE .. ".5" } }))
      log = trapd:wait_for({ "iso.3.6.1.2.1.2.2.1.1.7 = INTEGER: 7" })
      assert.truthy(log:find("iso.3.6.1.4.1.99.5 Link Up Trap (0)", 1, true), log)
    end)

    it("s:inform to snmptrapd returns the acknowledged varbinds", function()
      local s = setup_session()
      local e = assert(s:entity(trapd.address, { timeout = 1, retries = 1 }))
      local list, msg, name = s:inform(e, ENTERPRISE .. ".0.8", { { ENTERPRISE .. ".1.1", "int", 8 } })
      assert.is_table(list, tostring(msg) .. " " .. tostring(name))
      assert.equals(3, #list)
      assert.equals(SYS_UPTIME_0, list[1].oid)
      assert.same({ oid = SNMP_TRAP_OID_0, type = "oid", value = ENTERPRISE .. ".0.8" }, list[2])
      assert.same({ oid = ENTERPRISE .. ".1.1", type = "int", value = 8 }, list[3])
      assert.truthy(trapd:wait_for({ "OID: iso.3.6.1.4.1.99.0.8" }):find("INTEGER: 8", 1, true))
    end)

    it("a v3 authPriv inform to snmptrapd is acknowledged", function()
      local s = setup_session()
      local e = assert(s:entity(trapd.address, helper.merge({ version = "3", timeout = 1,
                                                              retries = 1 }, tools.TRAPD_V3)))
      local list, msg, name = s:inform(e, ENTERPRISE .. ".0.9",
        { { ENTERPRISE .. ".1.1", "octets", "v3-inform" } })
      assert.is_table(list, tostring(msg) .. " " .. tostring(name))
      assert.equals(ENTERPRISE .. ".0.9", list[2].value)
      trapd:wait_for({ "v3-inform" })
    end)

    it("s:inform to a silent port times out", function()
      local s = setup_session()
      local e = assert(s:entity(free_address(), { timeout = 0.2, retries = 1 }))
      local t0 = winsnmp.now()
      helper.fails_with("SNMPAPI_TL_TIMEOUT", s:inform(e, ENTERPRISE .. ".0.1", {}))
      assert.is_true(winsnmp.now() - t0 >= 0.35)
    end)
  end)

  describe("to our own receiver #integration", function()
    it("s:trap from another session reaches the handler", function()
      local rs, ss = setup_session(), setup_session()
      local address = free_address()
      local _, got = collect(rs, { address = address, community = "own" })
      local e = assert(ss:entity(address, { community = "own" }))
      assert.is_true(ss:trap(e, ENTERPRISE .. ".0.1", { { ENTERPRISE .. ".1.1", "cntr64", 1 << 40 } }))
      assert.is_true(helper.poll_until(function() return #got >= 1 end, 2))
      assert.equals("2c", got[1].version)
      assert.equals("own", got[1].community)
      assert.equals(ENTERPRISE .. ".0.1", got[1].trap_oid)
      assert.same({ { oid = ENTERPRISE .. ".1.1", type = "cntr64", value = 1 << 40 } },
        got[1].varbinds)
    end)

    it("s:trap from a v1 entity arrives translated back to v2c form", function()
      local rs, ss = setup_session(), setup_session()
      local address = free_address()
      local _, got = collect(rs, { address = address })
      local e = assert(ss:entity(address, { version = "1" }))
      assert.is_true(ss:trap(e, ENTERPRISE .. ".0.3", { { ENTERPRISE .. ".1.1", "int", 3 } }))
      assert.is_true(helper.poll_until(function() return #got >= 1 end, 2))
      assert.equals("1", got[1].version)
      assert.equals(ENTERPRISE .. ".0.3", got[1].trap_oid)
      assert.same({ oid = ENTERPRISE .. ".1.1", type = "int", value = 3 }, got[1].varbinds[1])
      assert.same({ oid = SNMP_TRAP_ENTERPRISE_0, type = "oid", value = ENTERPRISE },
        got[1].varbinds[3])
    end)

    it("a blocking s:inform from another session: the handler runs and inform returns", function()
      local rs, ss = setup_session(), setup_session()
      local address = free_address()
      local _, got = collect(rs, { address = address })
      local e = assert(ss:entity(address, { timeout = 0.5, retries = 1 }))
      local list, msg, name = ss:inform(e, ENTERPRISE .. ".0.2", { { ENTERPRISE .. ".1.1", "int", 2 } })
      assert.is_table(list, tostring(msg) .. " " .. tostring(name))
      assert.same({ oid = ENTERPRISE .. ".1.1", type = "int", value = 2 }, list[3])
      assert.equals(1, #got)
      assert.equals("inform", got[1].type)
    end)

    it("informs from tasks to another session are handled and acknowledged", function()
      local rs, ss = setup_session(), setup_session()
      local address = free_address()
      local _, got = collect(rs, { address = address })
      local e = assert(ss:entity(address, { timeout = 0.5, retries = 1 }))
      local results = {}
      for i = 1, 20 do
        winsnmp.spawn(function()
          results[i] = { ss:inform(e, ENTERPRISE .. ".0." .. i, {}) }
        end)
      end
      winsnmp.run(5)
      for i = 1, 20 do
        assert.is_table(results[i][1], tostring(results[i][2]))
        assert.equals(ENTERPRISE .. ".0." .. i, results[i][1][2].value)
      end
      helper.poll_for(0.05)
      assert.equals(20, #got)
    end)

    it("s:inform to a receiver in the same session: the handler runs and inform returns", function()
      local s = setup_session()
      local address = free_address()
      local _, got = collect(s, { address = address })
      local e = assert(s:entity(address, { timeout = 0.5, retries = 1 }))
      local list, msg, name = s:inform(e, ENTERPRISE .. ".0.2", { { ENTERPRISE .. ".1.1", "int", 2 } })
      assert.is_table(list, tostring(msg) .. " " .. tostring(name))
      helper.poll_for(0.2)
      assert.equals(1, #got) -- the handler must see the inform
    end)

    it("s:inform inside a task to a receiver in the same session", function()
      local s = setup_session()
      local address = free_address()
      local _, got = collect(s, { address = address })
      local e = assert(s:entity(address, { timeout = 0.5, retries = 1 }))
      local result
      winsnmp.spawn(function() result = { s:inform(e, ENTERPRISE .. ".0.3", {}) } end)
      winsnmp.run(3)
      helper.poll_for(0.2)
      assert.is_table(result[1], "s:inform returned " .. tostring(result[1]) .. ", "
        .. tostring(result[2]) .. ", " .. tostring(result[3]))
      assert.equals(1, #got)
    end)

    it("s:trap to a receiver in the same session reaches its handler", function()
      local s = setup_session()
      local address = free_address()
      local _, got = collect(s, { address = address })
      local e = assert(s:entity(address))
      assert.is_true(s:trap(e, ENTERPRISE .. ".0.4", {}))
      assert.is_true(helper.poll_until(function() return #got >= 1 end, 2))
      assert.equals(ENTERPRISE .. ".0.4", got[1].trap_oid)
    end)

    it("a v3 trap from s:trap reaches a v3 registration for its user", function()
      -- The sender of a trap is the authoritative engine (RFC 3412 4.1.1,
      -- RFC 3414 1.5.1): no discovery, the receiver localises the keys for
      -- the sender's engine id, as it does for snmptrap's v3 traps above.
      local rs, ss = setup_session(), setup_session()
      local address = free_address()
      local _, got = collect(rs, helper.merge({ address = address }, V3))
      local e = assert(ss:entity(address, helper.merge({ version = "3", timeout = 0.3,
                                                         retries = 1 }, V3)))
      assert.is_true(ss:trap(e, ENTERPRISE .. ".0.5", { { ENTERPRISE .. ".1.1", "octets", "v3" } }))
      helper.poll_until(function() return #got >= 1 end, 2)
      assert.equals(1, #got)
      assert.equals("3", got[1].version)
      assert.equals(ENTERPRISE .. ".0.5", got[1].trap_oid)
    end)
  end)

  describe("faults #integration", function()
    it("malformed and truncated datagrams are dropped and the receiver keeps working", function()
      local s = setup_session()
      local address, port = free_address()
      local _, got = collect(s, { address = address })
      local sender = tools.sender()
      defer(function() sender:close() end)
      local trap = tools.trap_bytes(s, address, ENTERPRISE .. ".0.1",
        { { ENTERPRISE .. ".1.1", "octets", "payload" } })
      local bad = {
        "garbage, not BER at all",
        "\48\130\255\255\2\1\1",                              -- a length past the end
        trap:sub(1, #trap - 5),                                -- truncated
        trap:sub(1, 10),
        "\0",
        tools.encode(s, address, "trap", { { SYS_UPTIME_0, "timeticks", 1 } }), -- no snmpTrapOID.0
        tools.encode(s, address, "trap", { { SYS_UPTIME_0, "timeticks", 1 },
                                           { SNMP_TRAP_OID_0, "int", 5 } }), -- not an OID
        tools.encode(s, address, "response", { { ENTERPRISE .. ".1.1", "int", 1 } }),
      }
      local before = dropped()
      for _, bytes in ipairs(bad) do sender:send(bytes, port) end
      sender:run()
      sender:poll_until(function() return dropped() >= before + #bad end, 2)
      assert.equals(before + #bad, dropped())
      assert.same({}, got)
      sender:send(trap, port)
      assert.is_true(sender:poll_until(function() return #got >= 1 end, 2))
      assert.equals("payload", got[1].varbinds[1].value)
      assert.same({}, reports)
    end)

    it("a trap with an unknown community is dropped", function()
      local s = setup_session()
      local address = free_address()
      local _, got = collect(s, { address = address, community = "known" })
      local before = dropped()
      tools.run(v2c_trap(address, ENTERPRISE .. ".0.1", "", "unknown"))
      helper.poll_until(function() return dropped() > before end, 2)
      assert.equals(before + 1, dropped())
      tools.run(v2c_trap(address, ENTERPRISE .. ".0.1", "", "known"))
      assert.is_true(helper.poll_until(function() return #got >= 1 end, 2))
      assert.equals(1, #got)
    end)

    it("a flood of 11000 traps: the engine stays consistent and keeps receiving", function()
      local s = setup_session()
      local address, port = free_address()
      local delivered = 0
      collect(s, { address = address })
      local reg = assert(s:register({ address = address, community = "public" },
        function() delivered = delivered + 1 end))
      defer(function() reg:close() end)
      local sender = tools.sender()
      defer(function() sender:close() end)
      local trap = tools.trap_bytes(s, address, ENTERPRISE .. ".0.1")
      local queue_before, dropped_before = winsnmp.stats().queue_dropped, dropped()
      local SENT = 11000
      for _ = 1, SENT do pcall(sender.send, sender, trap, port) end -- no polling meanwhile
      sender:run()
      helper.poll_for(0.5)
      local queue_dropped = winsnmp.stats().queue_dropped - queue_before
      assert.is_true(delivered >= 1)
      assert.is_true(delivered <= SENT)
      assert.is_true(delivered + queue_dropped <= SENT)
      assert.equals(dropped_before, dropped()) -- nothing malformed was sent
      assert.equals(0, winsnmp.stats().pending)
      local after = delivered
      sender:send(tools.trap_bytes(s, address, ENTERPRISE .. ".0.2"), port)
      assert.is_true(sender:poll_until(function() return delivered > after end, 2))
    end)

    -- White-box: the Lua layer drains a session's queue on every event it
    -- dispatches, so the queue only fills while the engine is driven
    -- without dispatching (core.poll).  Sends 10100 copies of `bytes` to
    -- `port` that way; returns how many were sent and how many the engine
    -- dropped because the queue was full.
    local function fill_queue(sender, bytes, port)
      local core = require("winsnmp.core")
      local queue_before = winsnmp.stats().queue_dropped
      local sent = 0
      while sent < 10100 do
        for _ = 1, 100 do sender:send(bytes, port) end
        sent = sent + 100
        sender:run()
        for _ = 1, 20 do -- read them all without dispatching
          local n = core.poll(0.001)
          if n == 0 then break end
        end
      end
      return sent, winsnmp.stats().queue_dropped - queue_before
    end

    it("a full session queue drops notifications and counts them in queue_dropped", function()
      local s, other = setup_session(), setup_session()
      local address, port = free_address()
      local delivered = 0
      local reg = assert(s:register({ address = address },
        function() delivered = delivered + 1 end))
      defer(function() reg:close() end)
      local view = winsnmp.mibview({ { "1.3.6.1.2.1.1.5.0", "octets", "x" } })
      local listener = assert(other:listen("udp:127.0.0.1:0", view.handler))
      defer(function() listener:close() end)
      local sender = tools.sender()
      defer(function() sender:close() end)
      local sent, queue_dropped = fill_queue(sender, tools.trap_bytes(s, address,
        ENTERPRISE .. ".0.1"), port)
      assert.is_true(queue_dropped > 0, "queue_dropped did not grow")
      -- any event on s drains its queue: the answer to a get
      local e = assert(s:entity(listener.address))
      helper.send_get(s, e, "1.3.6.1.2.1.1.5.0")
      helper.poll_until(function() return delivered >= 10000 end, 5)
      helper.poll_for(0.1)
      while s:recv() do end -- the answer to the get
      assert.equals(10000, delivered)
      assert.is_true(delivered + queue_dropped <= sent)
    end)

    it("an inform dropped because the queue is full is not acknowledged", function()
      -- RFC 3416 4.2.7: the Response acknowledges that the inform was passed
      -- to the application.  One the engine dropped must stay unanswered,
      -- so that the sender retries.
      local s = setup_session()
      local address, port = free_address()
      local delivered = 0
      local reg = assert(s:register({ address = address },
        function() delivered = delivered + 1 end))
      defer(function() reg:close() end)
      local sender = tools.sender()
      defer(function() sender:close() end)
      local _, queue_dropped = fill_queue(sender, tools.trap_bytes(s, address,
        ENTERPRISE .. ".0.1"), port)
      assert.is_true(queue_dropped > 0, "queue_dropped did not grow")
      sender:listen()
      local before = winsnmp.stats().queue_dropped
      sender:send(tools.trap_bytes(s, address, ENTERPRISE .. ".0.2", {}, nil, "inform"), port)
      local core = require("winsnmp.core")
      local deadline = winsnmp.now() + 0.5
      while winsnmp.now() < deadline do -- still without dispatching
        sender:run()
        core.poll(0.01)
      end
      sender:run()
      assert.equals(before + 1, winsnmp.stats().queue_dropped) -- it was dropped
      assert.equals(0, #sender.received) -- and must not have been acknowledged
    end)

    it("an error in a notification handler is reported and the next trap is delivered", function()
      local s = setup_session()
      local address = free_address()
      local calls = 0
      local reg = assert(s:register({ address = address }, function(n)
        calls = calls + 1
        if calls == 1 then error("handler exploded on " .. n.trap_oid) end
      end))
      defer(function() reg:close() end)
      local _, got = collect(s, { address = address, community = "public" })
      local e = assert(s:entity(address))
      assert.is_true(s:trap(e, ENTERPRISE .. ".0.1", {}))
      assert.is_true(helper.poll_until(function() return #got >= 1 end, 2))
      assert.equals(1, #reports)
      assert.matches("handler exploded on 1%.3%.6%.1%.4%.1%.99%.0%.1", reports[1])
      assert.is_true(s:trap(e, ENTERPRISE .. ".0.2", {}))
      assert.is_true(helper.poll_until(function() return calls >= 2 end, 2))
      assert.equals(2, #got)
      assert.equals(1, #reports)
    end)

    it("registering on a port in use fails with SNMPAPI_TL_IN_USE", function()
      local s = setup_session()
      local address, port = free_address()
      local busy = tools.occupy(port)
      defer(function() busy:close() end)
      local before = winsnmp.stats().registrations
      helper.fails_with("SNMPAPI_TL_IN_USE", s:register({ address = address }, function() end))
      assert.equals(before, winsnmp.stats().registrations)
      -- two registrations on one free address share its socket
      local other = free_address()
      local r1 = s:register({ address = other }, function() end)
      local r2 = s:register({ address = other, community = "c" }, function() end)
      assert.truthy(r1)
      assert.truthy(r2)
      assert.equals(before + 2, winsnmp.stats().registrations)
    end)

    it("unparseable filters fail cleanly", function()
      local s = setup_session()
      local address = free_address()
      local before = winsnmp.stats().registrations
      local ok, msg, name = s:register({ address = address, notification = "not.an.oid" },
        function() end)
      assert.is_nil(ok)
      assert.is_string(msg)
      assert.equals("SNMPAPI_OID_INVALID", name)
      local _
      ok, _, name = s:register({ address = "udp:no such host:1" }, function() end)
      assert.is_nil(ok)
      assert.is_string(name)
      assert.equals(before, winsnmp.stats().registrations)
      assert.has_error(function() s:register({ address = address }) end)
      assert.has_error(function() s:register("udp:127.0.0.1:1", function() end) end)
    end)
  end)

  describe("examples/trap_listener.lua #integration", function()
    it("prints one JSON line per trap", function()
      local address = free_address()
      local build = os.getenv("WINSNMP_BUILD") or "./build"
      local job = tools.spawn(("LUA_PATH='./lua/?.lua;./lua/?/init.lua;;' LUA_CPATH='%s/?.so;;' "
        .. "lua5.4 examples/trap_listener.lua %s 2"):format(build, address), true)
      assert.is_true(helper.poll_until(function()
        return job:output():find("listening for notifications", 1, true) ~= nil
      end, 3))
      tools.run(v2c_trap(address, ENTERPRISE .. ".0.1", ENTERPRISE .. ".1.1 s 'say \"hi\"' "
        .. ENTERPRISE .. ".1.2 i 12"))
      tools.run(snmptrap(("-v1 -c public %s %s 127.0.0.1 6 17 ''"):format(tools.peer(address),
        ENTERPRISE)))
      local out, status = job:wait(5)
      assert.equals(0, status, out)
      local lines = {}
      for line in out:gmatch("[^\n]+") do
        if line:sub(1, 1) == "{" then lines[#lines + 1] = line end
      end
      assert.equals(2, #lines, out)
      assert.matches('"version":"2c","type":"trap","trap_oid":"1.3.6.1.4.1.99.0.1"', lines[1])
      assert.matches('{"oid":"1.3.6.1.4.1.99.1.1","type":"octets","value":"say \\"hi\\""}',
        lines[1], 1, true)
      assert.matches('{"oid":"1.3.6.1.4.1.99.1.2","type":"int","value":12}', lines[1], 1, true)
      assert.matches('"version":"1","type":"trap","trap_oid":"1.3.6.1.4.1.99.0.17"', lines[2])
      assert.matches('"source":"udp:127.0.0.1:%d+"', lines[2])
    end)
  end)
end)
