--- Interoperability with an independent SNMP stack: Debian's python3-pysnmp4
-- as the agent (spec/support/pysnmp_agent.py), pysnmp's own command
-- responder rather than net-snmp's.  Whole-row tables (RFC 3416 4.2.3
-- read by s:table), GETBULK walks against GETNEXT walks, and SNMPv3
-- authPriv (SHA, AES-128) with pysnmp's USM.
local winsnmp = require("winsnmp")
local helper = require("helper")
local child = require("support.child")

local SYS_DESCR = "1.3.6.1.2.1.1.1.0"
local USM_USER_ENTRY = "1.3.6.1.6.3.15.1.2.2.1" -- 30 users × 13 columns
local VACM_GROUP_ENTRY = "1.3.6.1.6.3.16.1.2.1" -- vacmSecurityToGroupEntry: 31 rows

local Agent = setmetatable({}, { __index = child.methods })
Agent.__index = Agent

-- rows[suffix][column] as a GETNEXT walk, one varbind at a time, gives them.
local function rows_by_getnext(s, e, entry)
  local rows = {}
  for vb, msg, name in s:iwalk(e, entry, { getnext = true }) do
    assert(vb, tostring(msg) .. " " .. tostring(name))
    local column, suffix = vb.oid:match("^(%d+)%.(.+)$", #entry + 2)
    rows[suffix] = rows[suffix] or {}
    rows[suffix][tonumber(column)] = { type = vb.type, value = vb.value }
  end
  return rows
end

local function count(rows)
  local n, cells = 0, 0
  for _, row in pairs(rows) do
    n = n + 1
    for _ in pairs(row) do cells = cells + 1 end
  end
  return n, cells
end

describe("interoperability with pysnmp's agent #integration", function()
  helper.check_no_leaks()
  local agent, s

  setup(function() agent = child.start("pysnmp's agent", "spec/support/pysnmp_agent.py", Agent) end)
  teardown(function() if agent then agent:stop() end end)
  before_each(function() s = assert(winsnmp.session()) end)
  after_each(function() helper.close_session(s) end)

  local function v2c()
    return assert(s:entity(agent.address, { community = "public", timeout = 2, retries = 1 }))
  end
  local function v3(n, opts)
    opts = opts or {}
    return assert(s:entity(agent.address, {
      version = "3", user = ("user%02d"):format(n), level = "authPriv",
      auth = "sha", auth_pass = opts.auth_pass or ("auth-pass-%02d"):format(n),
      priv = "aes", priv_pass = ("priv-pass-%02d"):format(n), timeout = opts.timeout or 2,
      retries = opts.retries or 1 }))
  end

  it("reads sysDescr with v2c and with v3 authPriv (SHA, AES-128)", function()
    local a = assert(s:get(v2c(), { SYS_DESCR }))
    assert.equals("octets", a[1].type)
    assert.matches("^PySNMP engine version", a[1].value)
    local b = assert(s:get(v3(3), { SYS_DESCR }))
    assert.same(a, b)
    -- A wrong passphrase: pysnmp answers with a message made with the
    -- user's real keys, which fails authentication here and is dropped, so
    -- the request times out (net-snmp's snmpget says "Authentication
    -- failed", then times out too).
    local e = v3(4, { auth_pass = "not-the-pass", timeout = 0.5, retries = 0 })
    helper.fails_with("SNMPAPI_TL_TIMEOUT", s:get(e, { SYS_DESCR }))
  end)

  it("s:table reads usmUserTable in whole rows as a GETNEXT walk reads it", function()
    local e = v2c()
    local before = e:stats().requests
    local rows = assert(s:table(e, USM_USER_ENTRY, { typed = true }))
    local requests = e:stats().requests - before
    local expected = rows_by_getnext(s, e, USM_USER_ENTRY)
    assert.same(expected, rows)
    local n, cells = count(rows)
    assert.equals(30, n)
    assert.equals(390, cells)
    assert.is_true(requests < 30, tostring(requests)) -- (GETNEXT took 391)
  end)

  it("reads a table over v3 as over v2c", function()
    local by_v3 = assert(s:table(v3(11), VACM_GROUP_ENTRY, { typed = true }))
    assert.same(assert(s:table(v2c(), VACM_GROUP_ENTRY, { typed = true })), by_v3)
    assert.equals(31, (count(by_v3)))
  end)

  it("walks the SNMPv3 MIBs with GETBULK as with GETNEXT, in order", function()
    local e = v2c()
    local function oids(list)
      local out = {}
      for i, vb in ipairs(list) do out[i] = vb.oid .. " " .. vb.type end
      return out
    end
    local bulk = assert(s:walk(e, "1.3.6.1.6.3"))
    local next = assert(s:walk(e, "1.3.6.1.6.3", { getnext = true }))
    assert.is_true(#bulk > 400, tostring(#bulk))
    assert.same(oids(next), oids(bulk))
    for i = 2, #bulk do
      assert.is_true(winsnmp.oid_compare(bulk[i - 1].oid, bulk[i].oid) < 0, bulk[i].oid)
    end
  end)

  it("gets non-repeaters and repetitions of a GETBULK in RFC 3416 order", function()
    local vbs = assert(s:getbulk(v2c(), { "1.3.6.1.2.1.1", USM_USER_ENTRY .. ".2" }, 1, 5))
    assert.equals(6, #vbs)
    assert.equals(SYS_DESCR, vbs[1].oid)
    for i = 2, 6 do assert.matches("^1%.3%.6%.1%.6%.3%.15%.1%.2%.2%.1%.2%.", vbs[i].oid) end
  end)
end)

-- Runs spec/support/pysnmp_manager.py against `address` while this process
-- keeps polling (our agent and receiver only work inside winsnmp.poll); its
-- output lines.
local function pysnmp_manager(address, credentials, mode, oid, ...)
  local tools = require("support.notify_tools")
  local host, port = address:match("^udp:(.+):(%d+)$")
  local words = { "/usr/bin/python3", "spec/support/pysnmp_manager.py", host, port, credentials,
                  mode, oid, ... }
  for i, word in ipairs(words) do words[i] = tools.quote(word) end
  local out, status = tools.run(table.concat(words, " "), 30)
  assert.equals(0, status, out)
  local lines = {}
  for line in out:gmatch("[^\n]+") do lines[#lines + 1] = line end
  return lines
end

describe("pysnmp's manager against a winsnmp agent #integration", function()
  local ENTRY = "1.3.6.1.4.1.99.17.1.1"
  local SCALAR = "1.3.6.1.4.1.99.17.2.0"
  local WRITABLE = "1.3.6.1.4.1.99.17.3.0"
  local V3 = "v3:interop:interop-auth-pass:interop-priv-pass"
  local s, listener

  setup(function()
    s = assert(winsnmp.session())
    local entries = {
      { SCALAR, "octets", "plain text" },
      { oid = WRITABLE, type = "int", value = 5, writable = true },
    }
    for r = 1, 40 do
      entries[#entries + 1] = { ENTRY .. ".1." .. r, "int", r }
      entries[#entries + 1] = { ENTRY .. ".2." .. r, "octets", "row " .. r }
      entries[#entries + 1] = { ENTRY .. ".3." .. r, "cntr32", r * 1000 }
    end
    listener = assert(s:listen("udp:127.0.0.1:0", winsnmp.mibview(entries).handler, {
      communities = { public = "ro", private = "rw" },
      users = { { user = "interop", level = "authPriv", auth = "SHA", auth_pass = "interop-auth-pass",
                  priv = "AES", priv_pass = "interop-priv-pass", access = "rw" } },
    }))
  end)
  teardown(function()
    listener:close()
    s:close()
  end)
  helper.check_no_leaks() -- (after the teardown above: teardowns run in order)

  local function manager(...) return pysnmp_manager(listener.address, ...) end

  it("answers a GET over v2c and over v3 authPriv (SHA, AES-128)", function()
    local want = { SCALAR .. " OctetString plain text" }
    assert.same(want, manager("public", "get", SCALAR))
    assert.same(want, manager(V3, "get", SCALAR))
    -- no answer to a community it was not given
    assert.matches("^ERROR No SNMP response", manager("secret", "get", SCALAR)[1])
  end)

  it("answers a GETBULK walk of a 40-row table in order", function()
    local want = {}
    for c = 1, 3 do
      for r = 1, 40 do
        local value = c == 1 and ("Integer " .. r) or c == 2 and ("OctetString row " .. r)
          or ("Counter32 " .. r * 1000)
        want[#want + 1] = ("%s.%d.%d %s"):format(ENTRY, c, r, value)
      end
    end
    assert.same(want, manager("public", "walk", ENTRY))
  end)

  it("takes a SET with the read-write community and refuses it read-only", function()
    assert.same({ WRITABLE .. " Integer 42" }, manager("private", "set", WRITABLE, "int", "42"))
    assert.same({ WRITABLE .. " Integer 42" }, manager("public", "get", WRITABLE))
    assert.same({ "ERROR noAccess" }, manager("public", "set", WRITABLE, "int", "7"))
    assert.same({ WRITABLE .. " Integer 42" }, manager(V3, "get", WRITABLE))
  end)
end)

describe("pysnmp's notifications to s:register #integration", function()
  local TRAP_OID = "1.3.6.1.4.1.99.17.0.1"
  local V3 = "v3:interop:interop-auth-pass:interop-priv-pass"
  local s, address, got, registrations

  setup(function()
    s = assert(winsnmp.session())
    address = "udp:127.0.0.1:" .. assert(require("winsnmp.snmpd").free_ports(1))[1]
    got = {}
    local function keep(n) got[#got + 1] = n end
    registrations = {
      assert(s:register({ address = address, community = "public" }, keep)),
      assert(s:register({ address = address, user = "interop", level = "authPriv", auth = "sha",
                          auth_pass = "interop-auth-pass", priv = "aes",
                          priv_pass = "interop-priv-pass" }, keep)),
    }
  end)
  teardown(function()
    for _, r in ipairs(registrations) do r:close() end
    s:close()
  end)
  helper.check_no_leaks() -- (after the teardown above)

  it("takes a v2c trap, and acknowledges v2c and v3 authPriv informs", function()
    assert.same({}, pysnmp_manager(address, "public", "trap", TRAP_OID))
    -- an inform returns what the receiver acknowledged: the varbinds sent
    local acknowledged = {
      "1.3.6.1.6.3.1.1.4.1.0 ObjectIdentifier " .. TRAP_OID,
      "1.3.6.1.4.1.99.17.9.0 OctetString hello",
    }
    local function without_uptime(lines) return { lines[2], lines[3] } end
    assert.same(acknowledged, without_uptime(pysnmp_manager(address, "public", "inform", TRAP_OID)))
    assert.same(acknowledged, without_uptime(pysnmp_manager(address, V3, "inform", TRAP_OID)))
    assert.is_true(helper.poll_until(function() return #got >= 3 end, 5))
    local hello = { { oid = "1.3.6.1.4.1.99.17.9.0", type = "octets", value = "hello" } }
    for i, want in ipairs({ { "trap", "2c" }, { "inform", "2c" }, { "inform", "3" } }) do
      local n = got[i]
      assert.same(want, { n.type, n.version })
      assert.equals(TRAP_OID, n.trap_oid)
      assert.same(hello, n.varbinds)
    end
    assert.equals("public", got[1].community)
    -- (pysnmp's engine id, as the inform's contextEngineID carries it)
    assert.same({ "interop", "authPriv" }, { got[3].user, got[3].level })
    assert.matches("^80001f88%x+$", got[3].engine_id)
    assert.is_nil(got[1].user)
  end)
end)
