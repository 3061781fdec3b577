--- Batched first sends (issue 17, src/core/engine/outbox.c): the requests
-- that tasks woken together send go out in one sendmmsg once they have all
-- run; a request sent outside a task goes out at once; a request cancelled
-- before the batch goes is never sent; a datagram that cannot be sent
-- fails its request with SNMPAPI_TL_UNDELIVERABLE in a task as it does
-- outside one.
local winsnmp = require("winsnmp")
local core = require("winsnmp.core")
local helper = require("helper")

local SYS_NAME = "1.3.6.1.2.1.1.5.0"

local function batches()
  local calls, datagrams = core._batch_stats()
  return { calls = calls, datagrams = datagrams }
end

local function since(before)
  local now = batches()
  return now.calls - before.calls, now.datagrams - before.datagrams
end

describe("batched sends #integration", function()
  helper.check_no_leaks()

  local agent = helper.agent()
  local s
  before_each(function() s = assert(winsnmp.session()) end)
  after_each(function() helper.close_session(s) end)

  it("sends the requests of tasks woken together in one sendmmsg", function()
    local e = assert(s:entity(agent.address, { community = "public", timeout = 2, retries = 2 }))
    local TASKS, EACH = 32, 20
    local answers = 0
    local before = batches()
    for _ = 1, TASKS do
      winsnmp.spawn(function()
        for _ = 1, EACH do
          local vbs = assert(s:get(e, { SYS_NAME }))
          assert.equals(SYS_NAME, vbs[1].oid)
          answers = answers + 1
        end
      end)
    end
    assert(winsnmp.run(30))
    assert.equals(TASKS * EACH, answers)
    local calls, datagrams = since(before)
    -- Every first send went through the outbox (retransmissions do not:
    -- they leave from poll), in fewer calls than datagrams: how many
    -- replies a poll brings together depends on the agent's pace.
    assert.is_true(datagrams >= TASKS * EACH, datagrams .. " datagrams")
    assert.is_true(calls < datagrams, calls .. " calls for " .. datagrams .. " datagrams")
  end)

  it("sends the first requests of tasks started together in exactly one call", function()
    local e = assert(s:entity(agent.address, { community = "public", timeout = 2, retries = 2 }))
    local before, answers = batches(), 0
    for _ = 1, 40 do
      winsnmp.spawn(function()
        assert(s:get(e, { SYS_NAME }))
        answers = answers + 1
      end)
    end
    assert(winsnmp.run(30))
    assert.equals(40, answers)
    local calls, datagrams = since(before)
    assert.equals(40, datagrams)
    assert.equals(1, calls)
  end)

  it("sends a request outside a task at once, without the outbox", function()
    local e = assert(s:entity(agent.address, { community = "public" }))
    local before = batches()
    assert(s:get(e, { SYS_NAME }))
    local calls, datagrams = since(before)
    assert.equals(0, calls)
    assert.equals(0, datagrams)
  end)

  it("never sends a request cancelled before its batch went", function()
    local e = assert(s:entity(agent.address, { community = "public" }))
    local before = batches()
    winsnmp.spawn(function()
      local id = assert(s:_request("get", e, { SYS_NAME }))
      assert(s:cancel(id))
    end)
    assert(winsnmp.run(5))
    local calls, datagrams = since(before)
    assert.equals(0, datagrams)
    assert.equals(0, calls)
    assert.equals(0, e:stats().in_flight)
  end)

  it("fails a datagram too big to send with SNMPAPI_TL_UNDELIVERABLE, in a task too", function()
    local e = assert(s:entity("udp:127.0.0.1:9", { community = "public", timeout = 1,
                                                    retries = 0 }))
    local huge = { { SYS_NAME, "octets", string.rep("x", 65500) } }
    local outside = { s:set(e, huge) }
    helper.fails_with("SNMPAPI_TL_UNDELIVERABLE", table.unpack(outside, 1, 3))
    local inside
    winsnmp.spawn(function() inside = { s:set(e, huge) } end)
    assert(winsnmp.run(5))
    helper.fails_with("SNMPAPI_TL_UNDELIVERABLE", table.unpack(inside, 1, 3))
    assert.equals(0, e:stats().in_flight)
  end)
end)
