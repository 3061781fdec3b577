--- Walks and fleets against agents that misbehave (issue 15, API.md "Walks,
-- tables and fleets"): adaptive GETBULK, GETNEXT fallback, deadlines,
-- the loop guard, max_varbinds, pacing observed by the agent, backoff,
-- any_source, e:stats() and winsnmp.metrics().  The misbehaviour is the
-- fake agent's (spec/support/fake_agent.lua, mode 11: its community says
-- how to misbehave).
local winsnmp = require("winsnmp")
local helper = require("helper")
local fake = require("support.fake")

local TABLE = fake.oid("table")

-- The fake agent's table, as a correct walk gives it.
local function expected_table()
  local out = {}
  for c = 1, 3 do
    for r = 1, 40 do out[#out + 1] = { ("%s.%d.%d"):format(TABLE, c, r), c * 100 + r } end
  end
  return out
end

local function pairs_of(list)
  local out = {}
  for i, vb in ipairs(list) do out[i] = { vb.oid, vb.value } end
  return out
end

describe("walks and fleets #integration", function()
  helper.check_no_leaks()

  local agent = helper.agent()
  local bad = helper.fake_agent()
  local s
  before_each(function() s = assert(winsnmp.session()) end)
  after_each(function() helper.close_session(s) end)

  local function entity(community, opts)
    opts = opts or {}
    opts.community = community
    opts.timeout = opts.timeout or 0.3
    opts.retries = opts.retries or 0
    return assert(s:entity(bad.address, opts))
  end

  it("adapts GETBULK to an agent that answers tooBig above 20 repetitions", function()
    local e = entity("toobig20")
    assert.same(expected_table(), pairs_of(assert(s:walk(e, TABLE))))
    local st = e:stats()
    assert.is_true(st.max_repetitions <= 20, tostring(st.max_repetitions))
    assert.equals(1, st.too_big) -- learnt once, remembered for the rest of the walk
    assert.same(expected_table(), pairs_of(assert(s:walk(e, TABLE))))
    assert.equals(1, e:stats().too_big) -- and for the next walk of this agent
  end)

  it("adapts to an agent that does not answer GETBULKs above 10 repetitions", function()
    local e = entity("silent10")
    assert.same(expected_table(), pairs_of(assert(s:walk(e, TABLE))))
    local st = e:stats()
    assert.is_true(st.max_repetitions <= 10, tostring(st.max_repetitions))
    assert.equals(1, st.timeouts) -- 25 times out, 10 works
    assert(s:walk(e, TABLE))
    assert.equals(st.timeouts, e:stats().timeouts) -- no new timeouts: remembered
  end)

  it("follows an agent that truncates its answers and grows back", function()
    local e = entity("trunc5")
    assert.same(expected_table(), pairs_of(assert(s:walk(e, TABLE))))
    local st = e:stats()
    assert.is_true(st.max_repetitions >= 5 and st.max_repetitions <= 10, tostring(st.max_repetitions))
    assert.equals(0, st.timeouts)
  end)

  it("falls back to GETNEXT when GETBULK never works", function()
    local e = entity("nobulk", { timeout = 0.1 })
    assert.same(expected_table(), pairs_of(assert(s:walk(e, TABLE))))
    assert.equals(0, e:stats().max_repetitions) -- 0: GETNEXT
  end)

  it("fails on an agent that goes back, also in allow mode once an OID repeats", function()
    local e = entity("loop")
    local ok, msg, name = s:walk(e, TABLE)
    assert.is_nil(ok)
    assert.equals("SNMPAPI_OTHER_ERROR", name, msg)
    ok, msg, name = s:walk(e, TABLE, { non_increasing = "allow" })
    assert.is_nil(ok)
    assert.equals("SNMPAPI_OTHER_ERROR", name)
    assert.matches("a second time", msg)
  end)

  it("stops at max_varbinds and checks its options", function()
    local e = entity("public")
    assert.equals(7, #assert(s:walk(e, TABLE, { max_varbinds = 7 })))
    for _, bad_opts in ipairs({ { max_repetitions = 0 }, { max_repetitions = -3 },
                                { max_repetitions = "many" }, { max_varbinds = 0 },
                                { deadline = 0 }, { non_increasing = "sometimes" } }) do
      assert.has_error(function() s:walk(e, TABLE, bad_opts) end)
      assert.has_error(function() s:table(e, TABLE, bad_opts) end)
    end
    assert.has_error(function() s:table(e, TABLE, { columns = { "x" } }) end)
    assert.has_error(function() s:table(e, TABLE, { index = "guessed" }) end)
  end)

  it("treats an agent answering with the root OID itself as not increasing", function()
    local e = entity("public")
    local root = fake.oid("equal") .. ".1" -- the agent always answers ROOT.1
    local ok, msg, name = s:walk(e, root)
    assert.is_nil(ok)
    assert.equals("SNMPAPI_OTHER_ERROR", name, msg)
  end)

  it("records the failures a walk makes itself in the last-error slots", function()
    -- (API.md: every failure updates the session's and the process-wide slot)
    local function slots_say(want_name, want_msg)
      for _, slot in ipairs({ { s:last_error() }, { winsnmp.last_error() } }) do
        assert.equals(want_name, slot[1])
        assert.equals(want_msg, slot[2])
        assert.equals(winsnmp.errors[want_name], slot[3])
      end
    end
    local _, msg, name = s:walk(entity("loop"), TABLE) -- an OID going back
    assert.equals("SNMPAPI_OTHER_ERROR", name)
    slots_say(name, msg)
    _, msg, name = s:table(entity("loop"), TABLE)
    assert.equals("SNMPAPI_OTHER_ERROR", name)
    slots_say(name, msg)
    _, msg, name = s:walk(entity("silent5", { timeout = 30 }), TABLE,
                          { max_repetitions = 25, deadline = 0.2 })
    assert.equals("SNMPAPI_TL_TIMEOUT", name)
    slots_say(name, msg)
    _, msg, name = s:table(entity("silent5", { timeout = 30 }), TABLE,
                           { max_repetitions = 25, deadline = 0.2 })
    assert.equals("SNMPAPI_TL_TIMEOUT", name)
    slots_say(name, msg)
  end)

  it("yields what came before an OID that goes back, then fails with its varbind", function()
    -- The agent answers ...1.1 .. 1.5 and then 1.3 again (in one GETBULK
    -- answer, or one GETNEXT at a time); v1 walks with GETNEXT.
    for _, how in ipairs({ { version = "2c" }, { version = "2c", getnext = true },
                           { version = "1" } }) do
      local e = entity("loop", { version = how.version })
      local got, failure = {}, nil
      for vb, msg, name, extra in s:iwalk(e, TABLE, { getnext = how.getnext }) do
        if vb == false then
          failure = { msg, name, extra }
        else
          got[#got + 1] = vb.oid
        end
      end
      local label = how.version .. (how.getnext and " getnext" or "")
      assert.same({ TABLE .. ".1.1", TABLE .. ".1.2", TABLE .. ".1.3", TABLE .. ".1.4",
                    TABLE .. ".1.5" }, got, label)
      assert.is_table(failure, label)
      assert.equals("SNMPAPI_OTHER_ERROR", failure[2], label)
      assert.equals(("walk: the agent returned %s.1.3 after %s.1.5 (OIDs not increasing)")
        :format(TABLE, TABLE), failure[1], label)
      assert.same({ oid = TABLE .. ".1.3", type = "int", value = 103 }, failure[3], label)
      local ok, msg, name, extra = s:walk(e, TABLE)
      assert.is_nil(ok)
      assert.equals("SNMPAPI_OTHER_ERROR", name, msg)
      assert.equals(TABLE .. ".1.3", extra.oid)
    end
  end)

  it("ends a whole walk at its deadline, blocking and in a task", function()
    local e = entity("silent5", { timeout = 30 })
    local t0 = winsnmp.now()
    helper.fails_with("SNMPAPI_TL_TIMEOUT", s:walk(e, TABLE, { max_repetitions = 25, deadline = 0.3 }))
    assert.is_true(winsnmp.now() - t0 < 10) -- long before the entity's own 30 s timeout
    local got
    winsnmp.spawn(function()
      got = { s:table(e, TABLE, { max_repetitions = 25, deadline = 0.3 }) }
    end)
    assert(winsnmp.run(10))
    assert.is_nil(got[1])
    assert.equals("SNMPAPI_TL_TIMEOUT", got[3])
    assert.equals(0, e:stats().in_flight) -- the request was cancelled
  end)

  it("keeps at most max_in_flight requests at an agent, in order, at the given rate", function()
    local paced = fake.start()
    local e = assert(s:entity(paced.address, { max_in_flight = 2, timeout = 2, retries = 0 }))
    local done = {}
    for i = 1, 6 do
      winsnmp.spawn(function()
        local r = assert(s:get(e, { fake.oid("paced") }))
        done[#done + 1] = { i, r[1].value }
      end)
    end
    assert(winsnmp.run(20))
    assert.equals(6, #done)
    local figures = assert(s:get(e, { fake.oid("pacing_figures") }))
    assert.equals(2, figures[1].value) -- the agent never saw more than two at once
    assert.equals(6, figures[2].value)
    paced:stop()
    -- a rate: the agent sees the requests spaced out
    paced = fake.start()
    e = assert(s:entity(paced.address, { timeout = 2, retries = 0 }))
    assert(e:set({ max_in_flight = 10, rate = 20 }))
    for _ = 1, 5 do
      winsnmp.spawn(function() assert(s:get(e, { fake.oid("paced") })) end)
    end
    assert(winsnmp.run(20))
    figures = assert(s:get(e, { fake.oid("pacing_figures") }))
    assert.equals(5, figures[2].value)
    assert.is_true(figures[3].value >= 40, tostring(figures[3].value)) -- 50 ms apart (20/s)
    paced:stop()
  end)

  it("counts retries with backoff, timeouts and replies in e:stats()", function()
    local e = assert(s:entity(bad.address, { timeout = 0.05, retries = 2, backoff = 2 }))
    helper.fails_with("SNMPAPI_TL_TIMEOUT", s:get(e, { fake.oid("silent") }))
    assert(s:get(e, { fake.oid("echo") }))
    local st = e:stats()
    assert.same({ 2, 1, 2, 1, 0, 0 }, { st.requests, st.responses, st.retries, st.timeouts,
                                        st.too_big, st.in_flight })
    assert.is_true(st.rtt_avg >= 0 and st.rtt_max >= st.rtt_avg)
    assert.equals(25, st.max_repetitions)
    assert.has_error(function() s:entity(bad.address, { backoff = 0.5 }) end)
    assert.has_error(function() s:entity(bad.address, { max_in_flight = 0 }) end)
    assert.has_error(function() s:entity(bad.address, { rate = -1 }) end)
  end)

  it("accepts a multi-homed agent's reply only with any_source, and only with the community", function()
    local plain = entity("public", { timeout = 0.3 })
    helper.fails_with("SNMPAPI_TL_TIMEOUT", s:get(plain, { fake.oid("multihomed") }))
    local homed = entity("public", { any_source = true })
    assert.equals("real", assert(s:get(homed, { fake.oid("multihomed") }))[1].value)
    -- from another port but with another community: still not ours
    helper.fails_with("SNMPAPI_TL_TIMEOUT", s:get(homed, { fake.oid("other_community") }))
    assert(plain:set({ any_source = true }))
    assert.equals("real", assert(s:get(plain, { fake.oid("multihomed") }))[1].value)
  end)

  it("walks snmpd the same way with the adaptive size as with a fixed one", function()
    local e = assert(s:entity(agent.address))
    local auto = assert(s:walk(e, "1.3.6.1.2.1.1"))
    local fixed = assert(s:walk(e, "1.3.6.1.2.1.1", { max_repetitions = 3 }))
    assert.equals(#fixed, #auto)
    for i, vb in ipairs(auto) do assert.equals(fixed[i].oid, vb.oid) end
    assert.equals(25, e:stats().max_repetitions)
  end)

  it("writes winsnmp.metrics() in Prometheus's text format, without secrets", function()
    local e = assert(s:entity(bad.address, { community = "s3cret-community", timeout = 1 }))
    assert(s:get(e, { fake.oid("echo") }))
    local text = winsnmp.metrics()
    assert.is_nil(text:find("s3cret", 1, true))
    -- a strict reading of the exposition format
    local typed, seen, samples = {}, {}, 0
    for line in text:gmatch("([^\n]*)\n") do
      if line:match("^# HELP ") then
        assert.truthy(line:match("^# HELP [%a_:][%w_:]* .+$"), line)
      elseif line:match("^# TYPE ") then
        local name, kind = line:match("^# TYPE ([%a_:][%w_:]*) (%a+)$")
        assert.truthy(name, line)
        assert.truthy(({ counter = true, gauge = true })[kind], line)
        assert.is_nil(typed[name], "TYPE twice: " .. name)
        typed[name] = kind
        if kind == "counter" then assert.matches("_total$", name) end
      else
        local name, labels, value = line:match("^([%a_:][%w_:]*)(%b{}) (%S+)$")
        if not name then name, value = line:match("^([%a_:][%w_:]*) (%S+)$") end
        assert.truthy(name, "not a sample line: " .. line)
        assert.truthy(typed[name], "sample before its TYPE: " .. line)
        assert.truthy(tonumber(value) or value == "NaN", line)
        if labels then
          local rebuilt = {}
          for k, v in labels:gmatch('([%a_][%w_]*)="([^"\\]*)"') do rebuilt[#rebuilt + 1] = k .. '="' .. v .. '"' end
          assert.equals(labels, "{" .. table.concat(rebuilt, ",") .. "}")
        end
        local key = name .. (labels or "")
        assert.is_nil(seen[key], "duplicate series " .. key)
        seen[key] = true
        samples = samples + 1
      end
    end
    assert.is_true(samples > 10)
    local address = e:address():gsub("%p", "%%%0")
    assert.matches('winsnmp_agent_requests_total{agent="' .. address .. '",version="2c"} 1', text)
    assert.matches("\nwinsnmp_sessions %d+\n", text)
  end)
end)

describe("decoded table indexes #integration", function()

  local BASE = "1.3.6.1.4.1.99999.43"
  local s, l, e
  setup(function()
    assert(winsnmp.mib.load({ dirs = { "spec/mibs" }, modules = { "WINSNMP-INDEX-MIB" } }))
    local view = winsnmp.mibview({})
    view:table(BASE .. ".1.1", { index = { "octets" }, columns = { [2] = { type = "int" } } })
      :add({ "eth0" }, { [2] = 1 })
    view:table(BASE .. ".2.1", { index = { "octets_implied" }, columns = { [2] = { type = "int" } } })
      :add({ "lo" }, { [2] = 2 })
    local ip = view:table(BASE .. ".3.1", { index = { "ipaddr", "int" },
                                            columns = { [3] = { type = "int" } } })
    ip:add({ "10.0.0.1", 161 }, { [3] = 3 })
    ip:add({ "192.168.1.20", 22 }, { [3] = 4 })
    local inet = view:table(BASE .. ".4.1", { index = { "int", "octets" },
                                              columns = { [3] = { type = "int" } } })
    inet:add({ 1, "\10\0\0\1" }, { [3] = 5 })
    inet:add({ 2, "\32\1\13\184" .. ("\0"):rep(11) .. "\1" }, { [3] = 6 })
    inet:add({ 16, "example.net" }, { [3] = 7 })
    view:table(BASE .. ".5.1", { index = { { "octets", size = 6 }, "oid" },
                                 columns = { [3] = { type = "int" }, [4] = { type = "octets" } } })
      :add({ "\0\1\2\3\4\5", "1.3.6.1" }, { [3] = 8, [4] = "x" })
    s = assert(winsnmp.session())
    l = assert(s:listen("udp:127.0.0.1:0", view.handler))
    e = assert(s:entity(l.address, { timeout = 1, retries = 0 }))
  end)
  teardown(function()
    l:close()
    s:close()
  end)
  helper.check_no_leaks() -- (after the teardown above: they run in this order)

  local function indexes(entry, opts)
    local rows = assert(s:table(e, entry, opts or { index = "decoded" }))
    local out = {}
    for suffix, row in pairs(rows) do out[suffix] = row.index end
    return out, rows
  end

  it("decodes strings, IMPLIED strings, addresses with ports, InetAddress and fixed sizes", function()
    assert.same({ ["4.101.116.104.48"] = { "eth0" } }, indexes(BASE .. ".1.1"))
    assert.same({ ["108.111"] = { "lo" } }, indexes(BASE .. ".2.1"))
    assert.same({ ["10.0.0.1.161"] = { "10.0.0.1", 161 }, ["192.168.1.20.22"] = { "192.168.1.20", 22 } },
      indexes(BASE .. ".3.1"))
    local inet = indexes(BASE .. ".4.1")
    assert.same({ 1, "10.0.0.1" }, inet["1.4.10.0.0.1"])
    assert.same({ 2, "2001:db8::1" }, inet["2.16.32.1.13.184.0.0.0.0.0.0.0.0.0.0.0.1"])
    assert.same({ 16, "example.net" }, inet["16.11.101.120.97.109.112.108.101.46.110.101.116"])
    local mac = indexes(BASE .. ".5.1")
    assert.same({ "\0\1\2\3\4\5", "1.3.6.1" }, mac["0.1.2.3.4.5.4.1.3.6.1"])
  end)

  it("fetches only the columns asked for, typed when asked", function()
    local _, rows = indexes(BASE .. ".5.1", { columns = { 4 }, typed = true })
    local row = rows["0.1.2.3.4.5.4.1.3.6.1"]
    assert.same({ 4 }, (function() local k = {} for c in pairs(row) do k[#k + 1] = c end return k end)())
    assert.same({ "octets", "x" }, { row[4].type, row[4].value })
    -- types beside the rows: row.index goes into the rows only
    local plain, types = s:table(e, BASE .. ".5.1", { index = "decoded", types = true })
    assert.same({ [3] = "int", [4] = "octets" }, types["0.1.2.3.4.5.4.1.3.6.1"])
    assert.same({ [3] = 8, [4] = "x", index = { "\0\1\2\3\4\5", "1.3.6.1" } },
                plain["0.1.2.3.4.5.4.1.3.6.1"])
    helper.fails_with("SNMPAPI_NOOP", s:table(e, BASE .. ".5", { index = "decoded" }))
  end)
end)

describe("strings C would cut short, and other misuse (issue 15)", function()
  helper.check_no_leaks()

  it("refuses NUL bytes in addresses, OIDs and v3 names instead of cutting them", function()
    local s = assert(winsnmp.session())
    helper.fails_with("SNMPAPI_ENTITY_UNKNOWN", s:entity("127.0.0.1\0:21161"))
    helper.fails_with("SNMPAPI_OID_INVALID", winsnmp.oid_compare("1.3\0.6", "1.3"))
    local e = assert(s:entity("udp:127.0.0.1:9", { timeout = 0.1, retries = 0 }))
    helper.fails_with("SNMPAPI_OID_INVALID", s:get(e, { "1.3.6\0.1" }))
    helper.fails_with("SNMPAPI_ENTITY_UNKNOWN", s:listen("udp:127.0.0.1\0:0", function() end))
    for _, key in ipairs({ "user", "auth_pass", "priv_pass" }) do
      local opts = { user = "u", auth = "SHA", auth_pass = "12345678", priv = "AES",
                     priv_pass = "12345678" }
      opts[key] = opts[key] .. "\0tail"
      local ok, err = pcall(s.entity, s, "udp:127.0.0.1:9", opts)
      assert.is_false(ok)
      assert.matches("NUL byte", err)
      assert.is_nil(err:find("12345678", 1, true))
    end
    s:close()
  end)

  it("compares single-arc OIDs, refuses a string of varbinds, checks run's argument", function()
    assert.equals(-1, winsnmp.oid_compare("1", "2"))
    assert.equals(1, winsnmp.oid_compare("1.3", "1"))
    assert.equals(0, winsnmp.oid_compare("7", ".7"))
    local s = assert(winsnmp.session())
    local e = assert(s:entity("udp:127.0.0.1:9"))
    assert.has_error(function() s:trap(e, "1.3.6.1.6.3.1.1.5.1", "not a list") end)
    assert.has_error(function() winsnmp.run(s) end, nil)
    s:close()
  end)
end)
