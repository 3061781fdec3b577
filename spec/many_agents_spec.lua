--- Many agents from one session (issue 3, item 8): one snmpd listening on
-- 50 loopback ports, queried concurrently with tasks from a single session
-- that uses one socket for all of them.
local winsnmp = require("winsnmp")
local helper = require("helper")

local SYS_NAME = "1.3.6.1.2.1.1.5.0"
local SYS_UPTIME = "1.3.6.1.2.1.1.3.0"

describe("many agents from one session #integration", function()
  helper.check_no_leaks()

  local agent = helper.agent({ ports = 50, sysname = "many-ports-agent" })

  after_each(function()
    assert.is_true(winsnmp.run(5))
    assert.equals(0, winsnmp.stats().pending)
  end)

  it("the fixture listens on 50 distinct ports", function()
    assert.equals(50, #agent.addresses)
    local seen = {}
    for _, address in ipairs(agent.addresses) do
      assert.is_nil(seen[address])
      seen[address] = true
    end
  end)

  it("gets sysName.0 from all 50 addresses concurrently, with few descriptors", function()
    local s <close> = assert(winsnmp.session())
    local results, max_fds, in_flight = {}, 0, nil
    for i, address in ipairs(agent.addresses) do
      local e = assert(s:entity(address, { timeout = 2, retries = 2 }))
      winsnmp.spawn(function()
        local got, msg, name = s:get(e, { SYS_NAME, SYS_UPTIME })
        results[i] = got or { msg = msg, name = name }
        local fds = winsnmp.fds()
        if #fds > max_fds then max_fds = #fds end
      end)
    end
    -- Runs after the 50 tasks above have sent their requests and yielded.
    winsnmp.spawn(function()
      in_flight = s:stats().pending
      local fds = winsnmp.fds()
      if #fds > max_fds then max_fds = #fds end
    end)
    assert.is_true(winsnmp.run(20))
    assert.equals(50, in_flight)
    for i = 1, #agent.addresses do
      local got = results[i]
      assert.is_nil(got.name, agent.addresses[i] .. ": " .. tostring(got.msg))
      assert.equals("many-ports-agent", got[1].value)
      assert.equals("timeticks", got[2].type)
    end
    local fds = winsnmp.fds()
    assert.is_true(#fds >= 1)
    assert.is_true(#fds <= 2, #fds .. " descriptors for one session")
    assert.is_true(max_fds <= 2, max_fds .. " descriptors at the peak")
  end)

  it("each reply is matched to its own agent (send/recv, source address)", function()
    local count = 0
    local s <close> = assert(winsnmp.session(function() count = count + 1 end))
    local want = {}
    for _, address in ipairs(agent.addresses) do
      local e = assert(s:entity(address, { timeout = 2, retries = 2 }))
      local id = helper.send_get(s, e, SYS_NAME)
      want[id] = tonumber(address:match("(%d+)$"))
    end
    local deadline = winsnmp.now() + 10
    while count < 50 and winsnmp.now() < deadline do winsnmp.poll(0.1) end
    assert.equals(50, count)
    for _ = 1, 50 do
      local msg = assert(s:recv())
      local port = tonumber(msg.src:address():match("(%d+)$"))
      assert.equals(want[msg.request_id], port)
      assert.equals("many-ports-agent", msg.pdu:data().varbinds[1].value)
      want[msg.request_id] = nil
    end
    assert.same({}, want)
  end)

  it("walks of all 50 agents at once give the same system group", function()
    local s <close> = assert(winsnmp.session())
    local walks = {}
    for i, address in ipairs(agent.addresses) do
      local e = assert(s:entity(address, { timeout = 2, retries = 2 }))
      winsnmp.spawn(function() walks[i] = assert(s:walk(e, "1.3.6.1.2.1.1")) end)
    end
    assert.is_true(winsnmp.run(30))
    local first = {}
    for j, vb in ipairs(walks[1]) do first[j] = vb.oid end
    assert.is_true(#first > 5)
    for i = 2, #agent.addresses do
      local oids = {}
      for j, vb in ipairs(walks[i]) do oids[j] = vb.oid end
      assert.same(first, oids)
    end
  end)
end)
