--- Faults (issue 3, item 6): timeouts, unknown hosts, cancel, late,
-- duplicate, spoofed, garbage and truncated replies, and agents whose walk
-- does not advance.  A misbehaving agent runs in a child process
-- (spec/support/fake_agent.lua); a real snmpd covers the rest.
local winsnmp = require("winsnmp")
local helper = require("helper")
local fake = require("support.fake")

local SYS_NAME = "1.3.6.1.2.1.1.5.0"

local fails_with, poll_for, poll_until = helper.fails_with, helper.poll_for, helper.poll_until

local function dropped()
  local n = winsnmp.stats().dropped
  assert(math.type(n) == "integer",
    "winsnmp.stats().dropped is " .. tostring(n) .. ", expected a count")
  return n
end

describe("faults #integration", function()
  helper.check_no_leaks()

  local agent = helper.agent()
  local bad = helper.fake_agent()
  local s, events

  before_each(function()
    events = {}
    -- Events nobody awaits (after s:send) land here.
    s = assert(winsnmp.session(function(session, id, err)
      events[#events + 1] = { session = session, id = id, err = err }
    end))
  end)

  after_each(function() helper.close_session(s) end)

  local function fake_entity(opts)
    return assert(s:entity(bad.address,
      helper.merge({ version = "2c", community = "public", timeout = 1, retries = 0 }, opts)))
  end

  --- Sends a get of `oid` to entity `e` without waiting; returns the request id.
  local function send_get(e, oid)
    return helper.send_get(s, e, oid)
  end

  --- Asserts that an event arrives within 3 s.
  local function await_event()
    assert.is_true(poll_until(function() return #events > 0 end, 3))
  end

  --- Awaits an event, polls `seconds` more, and asserts that it is the only
  -- one and is for request `id`; returns it.
  local function only_event(id, seconds)
    await_event()
    poll_for(seconds)
    assert.equals(1, #events)
    assert.equals(id, events[1].id)
    return events[1]
  end

  describe("no answer #integration", function()
    it("a closed port times out after about timeout * (retries + 1)", function()
      local e = assert(s:entity(helper.closed_address(), { timeout = 0.2, retries = 1 }))
      local t0 = winsnmp.now()
      fails_with("SNMPAPI_TL_TIMEOUT", s:get(e, { SYS_NAME }))
      local elapsed = winsnmp.now() - t0
      assert.is_true(elapsed >= 0.35, "timed out after only " .. elapsed .. " s")
      assert.is_true(elapsed < 5, "timed out after " .. elapsed .. " s")
    end)

    it("a closed port times out for v1 and for v3 (engine discovery) too", function()
      local address = helper.closed_address()
      local e1 = assert(s:entity(address, { version = "1", timeout = 0.2, retries = 0 }))
      fails_with("SNMPAPI_TL_TIMEOUT", s:get(e1, { SYS_NAME }))
      local e3 = assert(s:entity(address, helper.merge(agent.v3, { timeout = 0.2, retries = 1 })))
      local t0 = winsnmp.now()
      fails_with("SNMPAPI_TL_TIMEOUT", s:get(e3, { SYS_NAME }))
      assert.is_true(winsnmp.now() - t0 >= 0.35)
    end)

    it("a wrong community times out (the agent stays silent)", function()
      local e = assert(s:entity(agent.address,
        { community = "no-such-community", timeout = 0.2, retries = 1 }))
      local t0 = winsnmp.now()
      local msg = fails_with("SNMPAPI_TL_TIMEOUT", s:get(e, { SYS_NAME }))
      assert.is_true(winsnmp.now() - t0 >= 0.35)
      assert.is_nil(msg:find("no-such-community", 1, true))
      -- The same agent still answers the right community.
      local ok = assert(s:get(assert(s:entity(agent.address, { timeout = 1 })), { SYS_NAME }))
      assert.equals("winsnmp-agent", ok[1].value)
    end)

    it("many requests to a closed port time out together, not one after another", function()
      local e = assert(s:entity(helper.closed_address(), { timeout = 0.2, retries = 1 }))
      local names = {}
      for i = 1, 50 do
        winsnmp.spawn(function()
          local _, _, name = s:get(e, { SYS_NAME })
          names[i] = name
        end)
      end
      local t0 = winsnmp.now()
      assert.is_true(winsnmp.run(10))
      assert.is_true(winsnmp.now() - t0 < 2.5)
      for i = 1, 50 do assert.equals("SNMPAPI_TL_TIMEOUT", names[i]) end
    end)

    it("an agent that never answers times out and produces one failure event", function()
      local e = fake_entity({ timeout = 0.2, retries = 1 })
      local id = send_get(e, fake.oid("silent"))
      assert.equals("SNMPAPI_TL_TIMEOUT", only_event(id, 0.1).err)
      local ok, msg, name, rid = s:recv()
      fails_with("SNMPAPI_TL_TIMEOUT", ok, msg, name)
      assert.equals(id, rid)
      fails_with("SNMPAPI_NOOP", s:recv())
    end)
  end)

  describe("bad addresses #integration", function()
    it("an unknown host name fails with an SNMPAPI_* name, not a crash", function()
      local e = s:entity("no-such-host.invalid", { timeout = 0.2, retries = 0 })
      if e then
        local ok, msg, name = s:get(e, { SYS_NAME })
        assert.is_nil(ok)
        assert.is_string(msg)
        assert.matches("^SNMPAPI_", name)
        local wok, _, wname = s:walk(e, "1.3.6.1.2.1.1")
        assert.is_nil(wok)
        assert.matches("^SNMPAPI_", wname)
        local sok, _, sname = s:send(e, nil, assert(s:pdu("get", { SYS_NAME })))
        assert.is_nil(sok)
        assert.matches("^SNMPAPI_", sname)
      else
        local _, msg, name = s:entity("no-such-host.invalid")
        assert.is_string(msg)
        assert.matches("^SNMPAPI_", name)
      end
      -- The session still works.
      local got = assert(s:get(assert(s:entity(agent.address)), { SYS_NAME }))
      assert.equals("winsnmp-agent", got[1].value)
    end)

    it("an unparseable address fails with an SNMPAPI_* name", function()
      for _, address in ipairs({ "udp:127.0.0.1:99999", "udp:[::1:161", "" }) do
        local e, msg, name = s:entity(address)
        if e then
          local ok, m2, n2 = s:get(e, { SYS_NAME })
          assert.is_nil(ok, address)
          assert.is_string(m2)
          assert.matches("^SNMPAPI_", n2)
        else
          assert.is_string(msg)
          assert.matches("^SNMPAPI_", name)
        end
      end
    end)
  end)

  describe("cancel #integration", function()
    it("a cancelled request in flight never delivers an event or a response", function()
      local e = fake_entity({ timeout = 0.15, retries = 1 })
      local id = send_get(e, fake.oid("late", 100))
      assert.equals(1, winsnmp.stats().pending)
      assert.is_true(s:cancel(id))
      assert.equals(0, winsnmp.stats().pending)
      poll_for(0.5) -- past the reply (0.1 s) and every timeout (0.3 s)
      assert.same({}, events)
      fails_with("SNMPAPI_NOOP", s:recv())
    end)

    it("a reply that arrived but was not received is discarded by cancel", function()
      local quiet = assert(winsnmp.session()) -- no callback: the reply stays queued
      local e = assert(quiet:entity(agent.address, { timeout = 1, retries = 0 }))
      local id = helper.send_get(quiet, e, SYS_NAME)
      local handled = 0
      assert.is_true(poll_until(function()
        handled = handled + (winsnmp.poll(0.05) or 0)
        return handled > 0
      end, 3))
      assert.equals(0, winsnmp.stats().pending)
      assert.is_true(quiet:cancel(id))
      fails_with("SNMPAPI_NOOP", quiet:recv())
      fails_with("SNMPAPI_PDU_INVALID", quiet:cancel(id))
      quiet:close()
    end)

    it("cancel of an unknown id fails with SNMPAPI_PDU_INVALID", function()
      fails_with("SNMPAPI_PDU_INVALID", s:cancel(12345))
      local e = fake_entity({ timeout = 0.2, retries = 0 })
      local id = send_get(e, fake.oid("silent"))
      assert.is_true(s:cancel(id))
      fails_with("SNMPAPI_PDU_INVALID", s:cancel(id)) -- a second time
      poll_for(0.3)
      assert.same({}, events)
    end)

    it("cancel of a v3 request waiting for engine discovery", function()
      local e = assert(s:entity(agent.address,
        helper.merge({ timeout = 1, retries = 0 }, agent.v3)))
      local id = send_get(e, SYS_NAME)
      assert.is_true(s:cancel(id))
      -- The discovery probe still completes, and nothing is delivered.
      assert.is_true(poll_until(function() return winsnmp.stats().pending == 0 end, 3))
      poll_for(0.1)
      assert.same({}, events)
      fails_with("SNMPAPI_NOOP", s:recv())
      -- The engine is now known: a later request works.
      assert.equals("winsnmp-agent", assert(s:get(e, { SYS_NAME }))[1].value)
    end)

    it("cancel of one request leaves the others alone", function()
      local e = fake_entity({ timeout = 1, retries = 0 })
      local ids = {}
      for i = 1, 5 do
        ids[i] = send_get(e, fake.oid("late", 50))
      end
      assert.is_true(s:cancel(ids[3]))
      assert.is_true(poll_until(function() return #events >= 4 end, 3))
      poll_for(0.1)
      local seen = {}
      for _, ev in ipairs(events) do
        assert.is_nil(ev.err)
        seen[ev.id] = true
      end
      assert.same({ [ids[1]] = true, [ids[2]] = true, [ids[4]] = true, [ids[5]] = true }, seen)
      for _ = 1, 4 do
        local msg = assert(s:recv())
        assert.is_true(seen[msg.request_id])
        assert.are_not.equal(ids[3], msg.request_id)
        assert.equals("real", msg.pdu:data().varbinds[1].value)
      end
      fails_with("SNMPAPI_NOOP", s:recv())
    end)
  end)

  describe("replies that must be ignored #integration", function()
    it("a late reply (after the timeout) is never delivered", function()
      local e = fake_entity({ timeout = 0.15, retries = 0 })
      fails_with("SNMPAPI_TL_TIMEOUT", s:get(e, { fake.oid("late", 400) }))
      poll_for(0.5) -- the reply arrives meanwhile
      assert.same({}, events)
      fails_with("SNMPAPI_NOOP", s:recv())
    end)

    it("a late reply is counted in stats().dropped", function()
      local e = fake_entity({ timeout = 0.15, retries = 0 })
      local before = dropped()
      fails_with("SNMPAPI_TL_TIMEOUT", s:get(e, { fake.oid("late", 300) }))
      assert.is_true(poll_until(function() return dropped() > before end, 2),
        "the late reply was not counted as dropped")
    end)

    it("garbage, truncated, spoofed and mismatched datagrams are ignored", function()
      local e = fake_entity({ timeout = 2, retries = 0 })
      for _ = 1, 3 do
        local got = assert(s:get(e, { fake.oid("noisy") }))
        assert.same({ { oid = fake.oid("noisy"), type = "octets", value = "real" } }, got)
      end
      poll_for(0.1)
      assert.same({}, events)
    end)

    it("the same through send/recv: only the real reply is delivered", function()
      local e = fake_entity({ timeout = 2, retries = 0 })
      local id = send_get(e, fake.oid("noisy"))
      assert.is_nil(only_event(id, 0.1).err)
      local msg = assert(s:recv())
      assert.equals(id, msg.request_id)
      local data = msg.pdu:data()
      assert.equals("response", data.type)
      assert.equals(id, data.request_id)
      assert.equals("real", data.varbinds[1].value)
      assert.equals(bad.port, tonumber(msg.src:address():match("(%d+)$")))
      fails_with("SNMPAPI_NOOP", s:recv())
    end)

    it("the noise is counted in stats().dropped", function()
      local e = fake_entity({ timeout = 2, retries = 0 })
      local before = dropped()
      assert(s:get(e, { fake.oid("noisy") }))
      poll_for(0.05)
      -- 12 datagrams precede the real answer; one (trailing junk) may
      -- decode.  Each of the others is dropped.
      assert.is_true(dropped() - before >= 10, "dropped only " .. (dropped() - before))
    end)

    it("a reply from another port (spoofed) is never delivered", function()
      local e = fake_entity({ timeout = 0.2, retries = 1 })
      local ok, msg, name = s:get(e, { fake.oid("spoof_only") })
      fails_with("SNMPAPI_TL_TIMEOUT", ok, msg, name)
      e:retries(0)
      local id = send_get(e, fake.oid("spoof_only"))
      await_event()
      assert.equals(id, events[1].id)
      assert.equals("SNMPAPI_TL_TIMEOUT", events[1].err)
    end)

    it("a duplicate reply is delivered once", function()
      local e = fake_entity({ timeout = 1, retries = 0 })
      local id = send_get(e, fake.oid("duplicate"))
      only_event(id, 0.15) -- the duplicate comes 20 ms later
      assert.equals("real", assert(s:recv()).pdu:data().varbinds[1].value)
      fails_with("SNMPAPI_NOOP", s:recv())
    end)

    it("a reply for a closed session goes nowhere", function()
      local other = assert(winsnmp.session(function() error("must not be called") end))
      local e = assert(other:entity(bad.address, { timeout = 1, retries = 0 }))
      helper.send_get(other, e, fake.oid("late", 50))
      other:close()
      assert.equals(0, winsnmp.stats().pending)
      poll_for(0.2)
    end)
  end)

  describe("agents whose walk does not advance #integration", function()
    for _, version in ipairs({ "2c", "1" }) do
      for _, mode in ipairs({ "equal", "decreasing" }) do
        it(string.format("walk fails with SNMPAPI_OTHER_ERROR (v%s, %s OID)", version, mode),
          function()
            local e = fake_entity({ version = version, timeout = 1 })
            local t0 = winsnmp.now()
            local ok, msg, name = s:walk(e, fake.oid(mode))
            fails_with("SNMPAPI_OTHER_ERROR", ok, msg, name)
            assert.is_true(winsnmp.now() - t0 < 1, "the walk did not stop at once")
          end)

        it(string.format("iwalk yields false once, then stops (v%s, %s OID)", version, mode),
          function()
            local e = fake_entity({ version = version, timeout = 1 })
            local good, failures, last_name = 0, 0, nil
            local steps = 0
            for vb, msg, name in s:iwalk(e, fake.oid(mode)) do
              steps = steps + 1
              if steps > 10 then break end
              if vb == false then
                failures = failures + 1
                assert.is_string(msg)
                last_name = name
              else
                good = good + 1
              end
            end
            assert.equals(1, good)      -- the first step did advance
            assert.equals(1, failures)
            assert.equals(2, steps)
            assert.equals("SNMPAPI_OTHER_ERROR", last_name)
          end)
      end
    end

    it("table fails the same way", function()
      local ok, msg, name = s:table(fake_entity(), fake.oid("equal"))
      fails_with("SNMPAPI_OTHER_ERROR", ok, msg, name)
    end)
  end)

  describe("the fake agent itself #integration", function()
    it("answered every request without an internal error", function()
      assert.equals("", bad:log())
    end)
  end)
end)
