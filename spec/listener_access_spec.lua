--- Access control of the agent role (s:listen options, API.md "Agent access
-- control"): nothing is answered that the listener was not configured to
-- answer, read-only communities cannot write, answers fit max_size, and a
-- handler may close its own session.  Checked with our own sessions and with
-- net-snmp's tools.
local helper = require("helper")
local tools = require("support.notify_tools")
local winsnmp = require("winsnmp")

local BASE = "1.3.6.1.4.1.99.7"
local function oid(n) return BASE .. "." .. n .. ".0" end

local cleanups = {}
local function defer(fn) cleanups[#cleanups + 1] = fn end

local function session()
  local s = assert(winsnmp.session())
  defer(function() s:close() end)
  return s
end

--- A listener serving a mibview of `n` 100-byte strings, with `opts`; the
-- number of times its handler ran is `calls.n`.
local function listener(opts, n)
  local entries = {}
  for i = 1, n or 3 do
    entries[i] = { oid = oid(i), type = "octets", value = ("x"):rep(100), writable = true }
  end
  local view = winsnmp.mibview(entries)
  local calls = { n = 0 }
  local s = session()
  local l = assert(s:listen("udp:127.0.0.1:0", function(req)
    calls.n = calls.n + 1
    calls.last = req
    return view.handler(req)
  end, opts))
  defer(function() l:close() end)
  return l, calls, view
end

--- An entity of a new session for the listener's address.
local function client(address, opts)
  local m = session()
  return m, assert(m:entity(address, helper.merge({ timeout = 0.3, retries = 0 }, opts)))
end

local function tool(name, version, address, community, args)
  return tools.cmd(name, ("-v%s -c %s -t 0.5 -r 0 %s %s"):format(version, community,
    tools.peer(address), args))
end

describe("agent access control #integration", function()
  helper.check_no_leaks()
  local reports = helper.capture_reports()
  after_each(function()
    while #cleanups > 0 do table.remove(cleanups)() end
  end)

  it("answers the community public read-only by default, and nothing else", function()
    local l, calls = listener()
    local m, public = client(l.address)
    local got = assert(m:get(public, { oid(1) }))
    assert.equals(("x"):rep(100), got[1].value)
    assert.equals("ro", calls.last.access)
    local before = winsnmp.stats().bad_community
    local _, wrong = client(l.address, { community = "private" })
    helper.fails_with("SNMPAPI_TL_TIMEOUT", m:get(wrong, { oid(1) }))
    local out, status = tools.run(tool("snmpget", "2c", l.address, "''", oid(1))) -- empty
    assert.is_not.equals(0, status)
    assert.matches("Timeout", out)
    assert.equals(before + 2, winsnmp.stats().bad_community)
    -- (s:stats(), "the same counts", for the listening session only)
    assert.equals(2, l.session:stats().bad_community)
    assert.equals(0, m:stats().bad_community)
    assert.equals(1, calls.n) -- the handler never saw the refused ones
    assert.same({}, reports)
    -- a freed context is no context: SNMPAPI_CONTEXT_INVALID, nothing sent
    local ctx = assert(m:context("public"))
    ctx:free()
    helper.fails_with("SNMPAPI_CONTEXT_INVALID", m:get(public, { oid(1) }, ctx))
    helper.fails_with("SNMPAPI_CONTEXT_INVALID", m:walk(public, oid(1), { context = ctx }))
    assert.equals(1, calls.n)
  end)

  it("communities = {} answers no v1/v2c request at all", function()
    local l, calls = listener({ communities = {} })
    local m, e = client(l.address)
    helper.fails_with("SNMPAPI_TL_TIMEOUT", m:get(e, { oid(1) }))
    local _, v1 = client(l.address, { version = "1" })
    helper.fails_with("SNMPAPI_TL_TIMEOUT", m:get(v1, { oid(1) }))
    assert.equals(0, calls.n)
  end)

  it("refuses a SET with a read-only community before the handler runs", function()
    local l, calls, view = listener({ communities = { public = "ro", private = "rw" } })
    local m, ro = client(l.address)
    local _, msg, name, index = m:set(ro, { { oid(1), "octets", "changed" } })
    assert.is_nil(_, msg)
    assert.equals("SNMP_ERROR_NOACCESS", name)
    assert.equals(1, index)
    local _, ro1 = client(l.address, { version = "1" })
    _, _, name = m:set(ro1, { { oid(1), "octets", "changed" } })
    assert.equals("SNMP_ERROR_NOSUCHNAME", name)
    assert.equals(0, calls.n)
    assert.equals(("x"):rep(100), view:value(oid(1)))
    local out, status = tools.run(tool("snmpset", "2c", l.address, "public", oid(1) .. " s no"))
    assert.is_not.equals(0, status)
    assert.matches("noAccess", out)
    -- the read-write community writes
    local _, rw = client(l.address, { community = "private" })
    assert(m:set(rw, { { oid(1), "octets", "changed" } }))
    assert.equals("changed", view:value(oid(1)))
    assert.equals("rw", calls.last.access)
  end)

  it("drops senders outside `sources`, and counts them", function()
    local far = listener({ sources = { "10.0.0.0/8", "fd00::/8" } })
    local near, calls = listener({ sources = { "127.0.0.0/8" } })
    local m, e = client(far.address)
    local before = winsnmp.stats().bad_source
    helper.fails_with("SNMPAPI_TL_TIMEOUT", m:get(e, { oid(1) }))
    assert.equals(before + 1, winsnmp.stats().bad_source)
    assert.equals(1, far.session:stats().bad_source)
    assert.equals(0, near.session:stats().bad_source)
    local _, ok = client(near.address)
    assert(m:get(ok, { oid(1) }))
    assert.equals(1, calls.n)
  end)

  it("parses IPv4 and IPv6 prefixes and matches them bit by bit", function()
    local access = require("winsnmp.access")
    local function matches(prefix, address)
      return access._prefix_matches(assert(access._parse_prefix(prefix)),
        assert(access._source_bytes(address)))
    end
    assert.is_true(matches("127.0.0.0/8", "udp:127.1.2.3:161"))
    assert.is_false(matches("127.0.0.0/8", "udp:128.0.0.1:161"))
    assert.is_true(matches("192.168.4.0/22", "udp:192.168.7.255:9"))
    assert.is_false(matches("192.168.4.0/22", "udp:192.168.8.0:9"))
    assert.is_true(matches("::1/128", "udp6:[::1]:161"))
    assert.is_false(matches("::1/128", "udp6:[::2]:161"))
    assert.is_true(matches("fe80::/10", "udp6:[febf:1::2]:161"))
    assert.is_false(matches("fe80::/10", "udp6:[fec0::1]:161"))
    assert.is_true(matches("10.1.2.3", "udp:10.1.2.3:5")) -- a bare address: all its bits
    assert.is_false(matches("10.0.0.0/8", "udp6:[::ffff:10.0.0.1]:5")) -- families differ
    assert.is_true(matches("::ffff:10.0.0.0/104", "udp6:[::ffff:10.0.0.1]:5"))
    for _, bad in ipairs({ "300.1.1.1/8", "1.2.3.4/33", "::1/129", "1:2:3:4:5:6:7:8:9", "x",
                           "1::2::3", "" }) do
      assert.is_nil(access._parse_prefix(bad), bad)
    end
  end)

  it("caps GETBULK max-repetitions at max_repetitions", function()
    local l, calls = listener({ max_repetitions = 2 }, 6)
    local m, e = client(l.address)
    local got = assert(m:getbulk(e, { BASE }, 0, 50))
    assert.equals(2, calls.last.max_repetitions)
    assert.equals(2, #got)
  end)

  it("answers tooBig with no varbinds when a GET answer exceeds max_size", function()
    local l = listener({ max_size = 484 }, 6)
    local m, e = client(l.address)
    local _, _, name = m:get(e, { oid(1), oid(2), oid(3), oid(4), oid(5) })
    assert.equals("SNMP_ERROR_TOOBIG", name)
    assert(m:get(e, { oid(1), oid(2), oid(3) })) -- what fits is answered
    local out = tools.run(tool("snmpget", "2c", l.address, "public",
      table.concat({ oid(1), oid(2), oid(3), oid(4), oid(5) }, " ")))
    assert.matches("tooBig", out)
  end)

  it("cuts a GETBULK answer to fit max_size, as RFC 3416 4.2.3 says", function()
    local l = listener({ max_size = 600 }, 20)
    local m, e = client(l.address)
    local got = assert(m:getbulk(e, { BASE }, 0, 20))
    -- each varbind is about 120 bytes: 4 fit in 600, with the headers
    assert.is_true(#got >= 3 and #got <= 4, tostring(#got))
    for i, vb in ipairs(got) do assert.equals(oid(i), vb.oid) end
    local bytes = assert(m:encode(e, nil, assert(m:pdu("response", got))))
    assert.is_true(#bytes <= 600)
    -- a walk still gets everything, a piece at a time
    assert.equals(20, #assert(m:walk(e, BASE, { max_repetitions = 20 })))
  end)

  it("answers an unknown community's GETBULK with nothing: no amplification", function()
    local l, calls = listener(nil, 20)
    local m, e = client(l.address, { community = "guess" })
    helper.fails_with("SNMPAPI_TL_TIMEOUT", m:getbulk(e, { BASE }, 0, 1000))
    assert.equals(0, calls.n)
    local _, known = client(l.address)
    local got = assert(m:getbulk(known, { BASE }, 0, 1000))
    local bytes = assert(m:encode(known, nil, assert(m:pdu("response", got))))
    assert.is_true(#bytes <= 1472, tostring(#bytes))
  end)

  it("keeps poll and blocking calls working when a handler closes its session", function()
    local s = session()
    local l = assert(s:listen("udp:127.0.0.1:0", function(req)
      s:close()
      return req.varbinds
    end))
    local m, e = client(l.address)
    helper.fails_with("SNMPAPI_TL_TIMEOUT", m:get(e, { oid(1) })) -- nobody answers
    assert.is_number(winsnmp.poll(0))
    local l2, calls = listener()
    local _, e2 = client(l2.address)
    assert(m:get(e2, { oid(1) })) -- unrelated blocking calls still work
    assert.equals(1, calls.n)
  end)

  it("keeps poll working when a notification handler closes its session", function()
    local s = session()
    local address = "udp:127.0.0.1:" .. assert(require("winsnmp.snmpd").free_ports(1))[1]
    local seen = 0
    assert(s:register({ address = address }, function()
      seen = seen + 1
      s:close()
    end))
    local m, e = client(address)
    for i = 1, 3 do assert(m:trap(e, BASE .. ".0.1", { { BASE .. ".1." .. i, "int", i } })) end
    helper.poll_for(0.3)
    assert.equals(1, seen) -- the rest went with the session
    assert.is_number(winsnmp.poll(0))
    local l, calls = listener()
    local _, e2 = client(l.address)
    assert(m:get(e2, { oid(1) }))
    assert.equals(1, calls.n)
  end)

  it("keeps poll working when a handler calls winsnmp.cleanup()", function()
    local out, ok = helper.run_child([[
      local winsnmp = require("winsnmp")
      local s = assert(winsnmp.session())
      local l = assert(s:listen("udp:127.0.0.1:0", function(req)
        winsnmp.cleanup()
        return req.varbinds
      end))
      local m = assert(winsnmp.session())
      local e = assert(m:entity(l.address, { timeout = 0.3, retries = 0 }))
      local _, _, name = m:get(e, { "1.3.6.1.2.1.1.5.0" })
      print("get", name)
      print("poll", select(3, winsnmp.poll(0)))
      winsnmp.startup()
      local again = assert(winsnmp.session())
      print("sessions", winsnmp.stats().sessions)
      again:close()
    ]])
    assert.is_true(ok, out)
    assert.matches("get%s+SNMPAPI_NOT_INITIALIZED", out)
    assert.matches("poll%s+SNMPAPI_NOT_INITIALIZED", out)
    assert.matches("sessions%s+1", out)
  end)

  it("shows a principal with a view only its subtrees (VACM-like)", function()
    -- objects 1..6 under BASE; "limited" sees 2 and 5 only, "private" writes in 3
    local l, calls, view = listener({
      communities = { public = "ro", limited = "ro", private = "rw" },
      views = { limited = { BASE .. ".2", BASE .. ".5" }, private = { BASE .. ".3" } },
    }, 6)
    local m, limited = client(l.address, { community = "limited" })
    local got = assert(m:get(limited, { oid(1), oid(2), oid(5) }))
    assert.same({ oid = oid(1), type = "nosuchobject" }, got[1])
    assert.equals(oid(2), got[2].oid)
    assert.equals("octets", got[2].type)
    assert.equals(oid(5), got[3].oid)
    -- a walk steps over what is outside, and GETBULK too
    local walked = assert(m:walk(limited, BASE))
    assert.same({ oid(2), oid(5) }, { walked[1].oid, walked[2].oid })
    assert.equals(2, #walked)
    local bulk = assert(m:getbulk(limited, { BASE }, 0, 5))
    assert.same({ oid(2), oid(5) }, { bulk[1].oid, bulk[2].oid })
    assert.equals("endofmibview", bulk[3].type)
    -- v1: noSuchName for what is outside
    local _, v1 = client(l.address, { community = "limited", version = "1" })
    local _, _, name, index = m:get(v1, { oid(2), oid(3) })
    assert.equals("SNMP_ERROR_NOSUCHNAME", name)
    assert.equals(2, index)
    -- writes outside the view: noAccess, and nothing changes
    local _, private = client(l.address, { community = "private" })
    _, _, name, index = m:set(private, { { oid(3), "octets", "in" }, { oid(4), "octets", "out" } })
    assert.equals("SNMP_ERROR_NOACCESS", name)
    assert.equals(2, index)
    assert.equals(("x"):rep(100), view:value(oid(3)))
    assert(m:set(private, { { oid(3), "octets", "in" } }))
    assert.equals("in", view:value(oid(3)))
    -- a principal without a view sees everything
    local _, public = client(l.address)
    assert.equals(6, #assert(m:walk(public, BASE)))
    assert.is_true(calls.n > 0)
    local out = tools.run(tool("snmpwalk", "2c", l.address, "limited", BASE))
    assert.matches(oid(2):gsub("%.", "%%."), out)
    assert.not_matches(oid(1):gsub("%.", "%%.") .. " ", out)
  end)

  it("bounds a session's queue in bytes under a trap flood, and counts the drops", function()
    local saved = winsnmp.limits().queue_bytes
    assert.equals(64 * 1024 * 1024, saved) -- the default
    winsnmp.limits({ queue_bytes = 20000 })
    defer(function() winsnmp.limits({ queue_bytes = saved }) end)
    local s = session()
    local address = "udp:127.0.0.1:" .. assert(require("winsnmp.snmpd").free_ports(1))[1]
    local got = 0
    local reg = assert(s:register({ address = address }, function() got = got + 1 end))
    defer(function() reg:close() end)
    local m, e = client(address)
    local before = winsnmp.stats().queue_dropped
    local big = ("y"):rep(1000)
    for i = 1, 60 do
      assert(m:trap(e, BASE .. ".0.1", { { BASE .. ".1." .. i, "octets", big } }))
    end
    helper.poll_for(0.3) -- one poll reads them all before any handler runs
    local dropped = winsnmp.stats().queue_dropped - before
    -- about 1,100 bytes each: fewer than 20 fit in 20,000 bytes
    assert.is_true(got >= 10 and got < 20, "got " .. got)
    assert.equals(60, got + dropped)
    -- the queue is empty again, so the next trap fits
    assert(m:trap(e, BASE .. ".0.1", { { BASE .. ".1.99", "octets", big } }))
    assert.is_true(helper.poll_until(function() return got + dropped == 61 end, 2))
  end)

  it("raises on misused options; says plainly what is not available", function()
    local s = session()
    local h = function() return {} end
    assert.has_error(function() s:listen("udp:127.0.0.1:0", h, { communities = { x = "rx" } }) end)
    assert.has_error(function() s:listen("udp:127.0.0.1:0", h, { sources = { "nonsense" } }) end)
    assert.has_error(function() s:listen("udp:127.0.0.1:0", h, { max_size = 100 }) end)
    assert.has_error(function() s:listen("udp:127.0.0.1:0", h, { max_repetitions = 0 }) end)
    assert.has_error(function() s:listen("udp:127.0.0.1:0", h, "public") end)
    assert.has_error(function() s:listen("udp:127.0.0.1:0", h, { users = { { level = "x" } } }) end)
    helper.fails_with("SNMPAPI_OTHER_ERROR", s:listen("udp:127.0.0.1:0", h,
      { users = { { user = "u", level = "authNoPriv", auth = "SHA", auth_pass = "short" } } }))
    assert.has_error(function() s:listen("udp:127.0.0.1:0", h, { views = { public = "1.3" } }) end)
    assert.has_error(function() s:listen("udp:127.0.0.1:0", h, { views = { public = { "1..3" } } })
    end)
  end)
end)
