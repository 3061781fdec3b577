--- Tasks and the message layer (issue 3, item 7): spawn/run with many
-- requests in flight, errors in tasks and callbacks, fds for event loops,
-- the send / poll / recv flow, and closing sessions with requests in flight.
local winsnmp = require("winsnmp")
local helper = require("helper")
local cli = require("support.cli")
local fake = require("support.fake")

local SYS_NAME = "1.3.6.1.2.1.1.5.0"
local SYS_OR_DESCR = "1.3.6.1.2.1.1.9.1.3"

local fails_with, poll_for, poll_until = helper.fails_with, helper.poll_for, helper.poll_until

describe("tasks and polling #integration", function()
  helper.check_no_leaks()

  local agent = helper.agent()
  local slow = helper.fake_agent()
  local s

  before_each(function() s = assert(winsnmp.session()) end)
  after_each(function()
    -- No task is left over for the next test.
    assert.is_true(winsnmp.run(5))
    helper.close_session(s)
  end)

  local function entity(opts)
    return assert(s:entity(agent.address,
      helper.merge({ version = "2c", timeout = 2, retries = 2 }, opts)))
  end

  local function slow_entity(opts)
    return assert(s:entity(slow.address,
      helper.merge({ version = "2c", timeout = 2, retries = 0 }, opts)))
  end

  describe("spawn and run #integration", function()
    it("200 concurrent gets all succeed with the right values", function()
      local descr = {}
      for _, vb in ipairs(cli.bulkwalk(agent.address, SYS_OR_DESCR)) do
        descr[vb.oid] = vb.value
      end
      local oids = {}
      for oid in pairs(descr) do oids[#oids + 1] = oid end
      table.sort(oids)
      assert.is_true(#oids >= 5)
      local e = entity()
      local results, running, max_running = {}, 0, 0
      for i = 1, 200 do
        local oid = oids[i % #oids + 1]
        winsnmp.spawn(function()
          running = running + 1
          if running > max_running then max_running = running end
          local got, msg, name = s:get(e, { oid, SYS_NAME })
          running = running - 1
          results[i] = got or { msg = msg, name = name }
        end)
      end
      assert.is_true(winsnmp.run(20))
      assert.is_true(max_running > 100, "requests did not overlap: " .. max_running)
      for i = 1, 200 do
        local oid = oids[i % #oids + 1]
        local got = results[i]
        assert.is_nil(got.name, tostring(got.msg))
        assert.equals(2, #got)
        assert.equals(oid, got[1].oid)
        assert.equals(descr[oid], got[1].value)
        assert.equals("winsnmp-agent", got[2].value)
      end
    end)

    it("request methods inside a task yield: other tasks run meanwhile", function()
      local order = {}
      local e = entity()
      winsnmp.spawn(function()
        order[#order + 1] = "A start"
        assert(s:get(e, { SYS_NAME }))
        order[#order + 1] = "A done"
      end)
      winsnmp.spawn(function()
        order[#order + 1] = "B start"
        order[#order + 1] = "B done"
      end)
      assert.is_true(winsnmp.run(5))
      assert.same({ "A start", "B start", "B done", "A done" }, order)
    end)

    it("slow requests in tasks overlap in time", function()
      local e = slow_entity()
      local values = {}
      for i = 1, 5 do
        winsnmp.spawn(function()
          local got = assert(s:get(e, { fake.oid("late", 300) }))
          values[i] = got[1].value
        end)
      end
      local t0 = winsnmp.now()
      assert.is_true(winsnmp.run(5))
      local elapsed = winsnmp.now() - t0
      assert.is_true(elapsed >= 0.28, "too fast: " .. elapsed)
      assert.is_true(elapsed < 1.2, "the requests ran one after another: " .. elapsed)
      assert.same({ "real", "real", "real", "real", "real" }, values)
    end)

    it("walk, table and set work inside tasks", function()
      local e, pe = entity(), entity({ community = "private" })
      local walked, rows, set
      winsnmp.spawn(function() walked = assert(s:walk(e, "1.3.6.1.2.1.1")) end)
      winsnmp.spawn(function() rows = assert(s:table(e, "1.3.6.1.2.1.2.2.1")) end)
      winsnmp.spawn(function()
        set = assert(s:set(pe, { { "1.3.6.1.2.1.1.6.0", "octets", "in a task" } }))
      end)
      assert.is_true(winsnmp.run(10))
      assert.same(cli.oids(cli.bulkwalk(agent.address, "1.3.6.1.2.1.1")), cli.oids(walked))
      assert.is_table(rows["1"])
      assert.equals("in a task", set[1].value)
    end)

    it("tasks can spawn tasks, and arguments (nil included) are passed", function()
      local e = entity()
      local got = {}
      winsnmp.spawn(function(a, b, c, n)
        assert.equals("x", a)
        assert.is_nil(b)
        assert.equals(3, c)
        for i = 1, n do
          winsnmp.spawn(function(k)
            got[k] = assert(s:get(e, { SYS_NAME }))[1].value
          end, i)
        end
      end, "x", nil, 3, 10)
      assert.is_true(winsnmp.run(10))
      assert.equals(10, #got)
      for i = 1, 10 do assert.equals("winsnmp-agent", got[i]) end
    end)

    it("a failing request inside a task returns nil, msg, NAME", function()
      local e = assert(s:entity(helper.closed_address(), { timeout = 0.1, retries = 0 }))
      local r
      winsnmp.spawn(function() r = table.pack(s:get(e, { SYS_NAME })) end)
      assert.is_true(winsnmp.run(5))
      fails_with("SNMPAPI_TL_TIMEOUT", r[1], r[2], r[3])
    end)

    it("run(timeout) returns SNMPAPI_TL_TIMEOUT while tasks still wait", function()
      local e = slow_entity()
      local value
      winsnmp.spawn(function() value = assert(s:get(e, { fake.oid("late", 300) }))[1].value end)
      fails_with("SNMPAPI_TL_TIMEOUT", winsnmp.run(0.05))
      assert.is_nil(value)
      assert.is_true(winsnmp.run(5))
      assert.equals("real", value)
    end)

    it("an error in a task propagates out of run with the task's traceback", function()
      local e = entity()
      local survivor
      local function exploding_task()
        assert(s:get(e, { SYS_NAME })) -- fail after a yield, not at once
        error("boom from task 4711")
      end
      winsnmp.spawn(exploding_task)
      winsnmp.spawn(function() survivor = assert(s:get(e, { SYS_NAME }))[1].value end)
      local ok, err = pcall(winsnmp.run, 5)
      assert.is_false(ok)
      err = tostring(err)
      assert.matches("boom from task 4711", err, 1, true)
      assert.matches("traceback", err, 1, true)
      assert.matches("tasks_spec.lua", err, 1, true)
      -- The traceback runs through the task's own function.
      local line = debug.getinfo(exploding_task, "S").linedefined
      assert.matches("tasks_spec.lua:" .. line, err, 1, true)
      -- The other task is unharmed and finishes in the next run.
      assert.is_true(winsnmp.run(5))
      assert.equals("winsnmp-agent", survivor)
    end)

    it("an error raised at once in a task propagates too", function()
      winsnmp.spawn(function() error({ code = 42 }) end)
      local ok, err = pcall(winsnmp.run, 5)
      assert.is_false(ok)
      assert.is_not_nil(err)
      -- Nothing is left behind.
      assert.is_true(winsnmp.run(1))
    end)

    it("a session closed by another task wakes its waiting tasks", function()
      local e = slow_entity({ timeout = 5 })
      local r
      winsnmp.spawn(function() r = table.pack(s:get(e, { fake.oid("silent") })) end)
      winsnmp.spawn(function() s:close() end)
      local t0 = winsnmp.now()
      assert.is_true(winsnmp.run(3))
      assert.is_true(winsnmp.now() - t0 < 2)
      assert.is_nil(r[1])
      assert.matches("^SNMPAPI_", r[3])
      assert.equals(0, winsnmp.stats().pending)
    end)
  end)

  describe("send, poll and recv #integration", function()
    it("send returns an id; the callback gets (session, id, nil); recv returns the reply",
      function()
        local calls = {}
        local cs = assert(winsnmp.session(function(session, id, err)
          calls[#calls + 1] = { session = session, id = id, err = err, n = select("#", err) }
        end))
        local e = assert(cs:entity(agent.address, { timeout = 1, retries = 1 }))
        local pdu = assert(cs:pdu("get", { SYS_NAME }))
        local id = cs:send(e, nil, pdu)
        assert.equals("integer", math.type(id))
        assert.equals(pdu:data().request_id, id)
        assert.equals(1, winsnmp.stats().pending)
        assert.is_true(poll_until(function() return #calls > 0 end, 3))
        assert.equals(1, #calls)
        assert.equals(cs, calls[1].session)
        assert.equals(id, calls[1].id)
        assert.is_nil(calls[1].err)
        local msg = assert(cs:recv())
        assert.equals(id, msg.request_id)
        assert.equals("entity", winsnmp.type(msg.src))
        assert.equals("entity", winsnmp.type(msg.dst))
        assert.equals("context", winsnmp.type(msg.context))
        assert.equals("public", msg.context:name())
        assert.equals(agent.port, tonumber(msg.src:address():match("(%d+)$")))
        local data = msg.pdu:data()
        assert.equals("response", data.type)
        assert.equals(id, data.request_id)
        assert.equals(0, data.error_status)
        assert.same({ { oid = SYS_NAME, type = "octets", value = "winsnmp-agent" } },
          data.varbinds)
        fails_with("SNMPAPI_NOOP", cs:recv())
        cs:close()
      end)

    it("a send with a context uses it as the community", function()
      local calls = 0
      local cs = assert(winsnmp.session(function() calls = calls + 1 end))
      local e = assert(cs:entity(agent.address, { community = "wrong", timeout = 1 }))
      local id = assert(cs:send(e, assert(cs:context("public")),
        assert(cs:pdu("get", { SYS_NAME }))))
      assert.is_true(poll_until(function() return calls > 0 end, 3))
      local msg = assert(cs:recv())
      assert.equals(id, msg.request_id)
      assert.equals("winsnmp-agent", msg.pdu:data().varbinds[1].value)
      cs:close()
    end)

    it("a timeout arrives as recv -> nil, msg, SNMPAPI_TL_TIMEOUT, id", function()
      local calls = {}
      local cs = assert(winsnmp.session(function(_, id, err)
        calls[#calls + 1] = { id = id, err = err }
      end))
      local e = assert(cs:entity(helper.closed_address(), { timeout = 0.1, retries = 1 }))
      local id = helper.send_get(cs, e, SYS_NAME)
      local t0 = winsnmp.now()
      assert.is_true(poll_until(function() return #calls > 0 end, 3))
      assert.is_true(winsnmp.now() - t0 >= 0.15)
      assert.same({ { id = id, err = "SNMPAPI_TL_TIMEOUT" } }, calls)
      local ok, msg, name, rid = cs:recv()
      fails_with("SNMPAPI_TL_TIMEOUT", ok, msg, name)
      assert.equals(id, rid)
      fails_with("SNMPAPI_NOOP", cs:recv())
      assert.equals(0, winsnmp.stats().pending)
      cs:close()
    end)

    it("many sends are matched to their replies by request id", function()
      local done = 0
      local cs = assert(winsnmp.session(function() done = done + 1 end))
      local e = assert(cs:entity(agent.address, { timeout = 2, retries = 1 }))
      local want = {}
      for i = 1, 10 do
        local oid = SYS_OR_DESCR .. "." .. i
        want[helper.send_get(cs, e, oid)] = oid
      end
      assert.is_true(poll_until(function() return done >= 10 end, 5))
      for _ = 1, 10 do
        local msg = assert(cs:recv())
        assert.equals(want[msg.request_id], msg.pdu:data().varbinds[1].oid)
        want[msg.request_id] = nil
      end
      assert.same({}, want)
      cs:close()
    end)

    it("fds() lists a descriptor and a finite timeout while a request is pending", function()
      local before_fds, before_timeout = winsnmp.fds()
      assert.is_table(before_fds)
      assert.is_nil(before_timeout)
      local cs = assert(winsnmp.session(function() end))
      local e = assert(cs:entity(agent.address, { timeout = 1.5, retries = 0 }))
      local id = helper.send_get(cs, e, SYS_NAME)
      local fds, timeout = winsnmp.fds()
      assert.is_true(#fds >= 1)
      for _, fd in ipairs(fds) do
        assert.equals("integer", math.type(fd))
        assert.is_true(fd >= 0)
      end
      assert.is_number(timeout)
      assert.is_true(timeout >= 0 and timeout <= 1.5, "timeout " .. tostring(timeout))
      assert.is_true(poll_until(function() return winsnmp.stats().pending == 0 end, 3))
      local msg = assert(cs:recv())
      assert.equals(id, msg.request_id)
      local _, after = winsnmp.fds()
      assert.is_nil(after)
      cs:close()
    end)

    it("closing a session with requests in flight leaves nothing pending", function()
      local cs = assert(winsnmp.session(function() error("must not be called") end))
      local e1 = assert(cs:entity(slow.address, { timeout = 1, retries = 1 }))
      local e2 = assert(cs:entity(agent.address, { timeout = 1, retries = 1 }))
      for _ = 1, 10 do
        helper.send_get(cs, e1, fake.oid("late", 100))
        helper.send_get(cs, e2, SYS_NAME)
      end
      assert.equals(20, winsnmp.stats().pending)
      assert.equals(20, cs:stats().pending)
      cs:close()
      assert.equals(0, winsnmp.stats().pending)
      poll_for(0.25) -- replies arrive for a closed session: nothing happens
      assert.equals(0, winsnmp.stats().pending)
      fails_with("SNMPAPI_SESSION_INVALID", cs:recv())
    end)

    it("a callback error makes poll raise; the engine keeps working", function()
      local good_calls = 0
      local bad_s = assert(winsnmp.session(function() error("callback exploded 99") end))
      local good_s = assert(winsnmp.session(function() good_calls = good_calls + 1 end))
      local be = assert(bad_s:entity(agent.address, { timeout = 1 }))
      local ge = assert(good_s:entity(agent.address, { timeout = 1 }))
      helper.send_get(bad_s, be, SYS_NAME)
      helper.send_get(good_s, ge, SYS_NAME)
      local raised
      local deadline = winsnmp.now() + 3
      while not raised and winsnmp.now() < deadline do
        local ok, err = pcall(winsnmp.poll, 0.05)
        if not ok then raised = tostring(err) end
      end
      assert.is_string(raised, "poll did not raise")
      assert.matches("callback exploded 99", raised, 1, true)
      -- The other session's event is not lost.
      assert.is_true(poll_until(function() return good_calls == 1 end, 3))
      -- The reply of the failing callback is still queued.
      assert.equals("winsnmp-agent", assert(bad_s:recv()).pdu:data().varbinds[1].value)
      assert.equals("winsnmp-agent", assert(good_s:recv()).pdu:data().varbinds[1].value)
      -- Both sessions, and blocking requests, still work.
      assert.is_true(bad_s:is_open())
      assert.equals("winsnmp-agent", assert(bad_s:get(be, { SYS_NAME }))[1].value)
      assert.equals("winsnmp-agent", assert(s:get(entity(), { SYS_NAME }))[1].value)
      bad_s:close()
      good_s:close()
    end)

    it("a blocking request inside a session callback works", function()
      local inner
      local e = entity()
      local cs
      cs = assert(winsnmp.session(function(session)
        inner = assert(session:get(assert(session:entity(agent.address)), { SYS_NAME }))
      end))
      helper.send_get(cs, assert(cs:entity(agent.address)), SYS_NAME)
      assert.is_true(poll_until(function() return inner ~= nil end, 3))
      assert.equals("winsnmp-agent", inner[1].value)
      assert(s:get(e, { SYS_NAME }))
      cs:close()
    end)

    -- A blocking request outside tasks waits in C until its own outcome is
    -- the only event; anything else that happens meanwhile must still reach
    -- its owner, and the request must still get its own answer.
    it("a blocking get hands other sessions' events to their callbacks meanwhile", function()
      local seen = {}
      local cs = assert(winsnmp.session(function(_, id, err)
        seen[#seen + 1] = { id = id, err = err }
      end))
      local fast = assert(cs:entity(slow.address, { version = "2c", timeout = 2, retries = 0 }))
      local id = helper.send_get(cs, fast, fake.oid("late", 100))
      local got = assert(s:get(slow_entity(), { fake.oid("late", 400) }))
      assert.equals("real", got[1].value)
      -- The other session's reply arrived during the get and was handed out.
      assert.same({ { id = id } }, seen)
      assert.equals("real", assert(cs:recv()).pdu:data().varbinds[1].value)
      cs:close()
    end)

    it("a blocking get wakes tasks whose replies arrive meanwhile", function()
      local value
      winsnmp.spawn(function()
        value = assert(s:get(slow_entity(), { fake.oid("late", 100) }))[1].value
      end)
      winsnmp.run(0) -- the task sends and waits
      assert.is_nil(value)
      assert.equals("real", assert(s:get(slow_entity(), { fake.oid("late", 400) }))[1].value)
      assert.is_true(winsnmp.run(2))
      assert.equals("real", value)
    end)

    it("blocking gets from one session in a row each get their own answer", function()
      local e = slow_entity()
      for i = 1, 20 do
        local oid = i % 2 == 0 and fake.oid("late", 5) or fake.oid("echo")
        local got = assert(s:get(e, { oid }))
        assert.equals("real", got[1].value)
      end
      fails_with("SNMPAPI_TL_TIMEOUT", s:get(slow_entity({ timeout = 0.2 }), { fake.oid("silent") }))
      assert.equals(0, winsnmp.stats().pending)
    end)

    it("poll(0) returns at once when nothing is pending", function()
      local t0 = winsnmp.now()
      assert.equals(0, winsnmp.poll(0))
      assert.is_true(winsnmp.now() - t0 < 0.5)
    end)
  end)
end)
