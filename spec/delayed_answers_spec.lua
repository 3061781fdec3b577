--- Delayed and dropped answers in the agent role: a listener handler sets
-- req.delay (seconds) or req.drop; the loop keeps running meanwhile, poll
-- waits no longer than the first answer is due, winsnmp.fds() reports it,
-- and the handles kept for the answer are freed once it is sent or dropped.
local helper = require("helper")
local tools = require("support.notify_tools")
local winsnmp = require("winsnmp")

local OID = "1.3.6.1.4.1.99.14.1.0"

describe("delayed and dropped answers #integration", function()
  helper.check_no_leaks()
  local reports = helper.capture_reports()

  -- A listener whose handler answers `OID = n`, delayed as `how(req)` says.
  local function serve(how)
    local s = assert(winsnmp.session())
    local n = 0
    local l = assert(s:listen("udp:127.0.0.1:0", function(req)
      n = n + 1
      how(req)
      return { { oid = OID, type = "int", value = n } }
    end))
    return s, l
  end

  it("sends the answer req.delay seconds later, answering others meanwhile", function()
    local delays = { 0.5, 0 }
    local s, l = serve(function(req) req.delay = table.remove(delays, 1) end)
    local m = assert(winsnmp.session())
    local e = assert(m:entity(l.address, { timeout = 2, retries = 0 }))
    local t0, took = winsnmp.now(), {}
    winsnmp.spawn(function() assert(m:get(e, { OID })) took[1] = winsnmp.now() - t0 end)
    winsnmp.spawn(function() assert(m:get(e, { OID })) took[2] = winsnmp.now() - t0 end)
    assert(winsnmp.run(3))
    assert.is_true(took[1] >= 0.45 and took[1] < 0.9, tostring(took[1]))
    assert.is_true(took[2] < 0.25, tostring(took[2]))
    m:close()
    s:close()
    assert.same({}, reports)
  end)

  it("keeps at most max_delayed answers waiting; beyond, a delayed request gets none", function()
    local s = assert(winsnmp.session())
    local calls = 0
    local l = assert(s:listen("udp:127.0.0.1:0", function(req)
      calls = calls + 1
      req.delay = 0.3
      return { { oid = OID, type = "int", value = calls } }
    end, { max_delayed = 2 }))
    local m = assert(winsnmp.session())
    local e = assert(m:entity(l.address, { timeout = 1, retries = 0 }))
    local answered, timed_out = 0, 0
    for _ = 1, 4 do
      winsnmp.spawn(function()
        local vbs, _, name = m:get(e, { OID })
        if vbs then answered = answered + 1 end
        if name == "SNMPAPI_TL_TIMEOUT" then timed_out = timed_out + 1 end
      end)
    end
    assert(winsnmp.run(5))
    assert.equals(4, calls)
    assert.equals(2, answered)
    assert.equals(2, timed_out)
    assert.equals(1, #reports) -- said once, not per request
    assert.matches("max_delayed", reports[1])
    -- once they are sent, delayed answers are taken again
    assert(m:get(e, { OID }))
    assert.has_error(function() s:listen("udp:127.0.0.1:0", function() end, { max_delayed = -1 }) end)
    m:close()
    s:close()
  end)

  it("reports the delayed answer's time through fds() and bounds poll's wait", function()
    local s, l = serve(function(req) req.delay = 0.4 end)
    local job = tools.spawn(tools.cmd("snmpget", ("-v2c -c public %s %s"):format(
      tools.peer(l.address), OID)))
    assert.is_truthy(helper.poll_until(function() return require("winsnmp.tasks").next_due() end))
    local fds, timeout = winsnmp.fds()
    assert.is_table(fds)
    assert.is_number(timeout)
    assert.is_true(timeout > 0.1 and timeout <= 0.4, tostring(timeout))
    local t0 = winsnmp.now()
    assert.is_true(winsnmp.poll(5) >= 1) -- the timer ends the wait, not the 5 s
    assert.is_true(winsnmp.now() - t0 < 0.6)
    local out, status = job:wait(4)
    assert.equals(0, status, out)
    assert.matches("INTEGER: 1", out)
    s:close()
  end)

  it("sends nothing for req.drop, and frees every handle either way", function()
    local s, l = serve(function(req) req.drop = true end)
    local m = assert(winsnmp.session())
    local e = assert(m:entity(l.address, { timeout = 0.3, retries = 0 }))
    helper.fails_with("SNMPAPI_TL_TIMEOUT", m:get(e, { OID }))
    helper.full_gc()
    local before = winsnmp.stats()
    local s2, l2 = serve(function(req) req.delay = 0.1 end)
    local e2 = assert(m:entity(l2.address, { timeout = 1, retries = 0 }))
    assert(m:get(e2, { OID }))
    helper.poll_for(0.05)
    helper.full_gc()
    local after = winsnmp.stats()
    -- (the second listener added its session and entity; the request's
    -- source and context were freed with the answer)
    assert.equals(before.contexts, after.contexts)
    assert.equals(before.entities + 2, after.entities)
    m:close()
    s:close()
    s2:close()
  end)

  it("drops a delayed answer whose session is closed meanwhile", function()
    local s, l = serve(function(req) req.delay = 0.3 end)
    local m = assert(winsnmp.session())
    local e = assert(m:entity(l.address, { timeout = 0.6, retries = 0 }))
    local id = helper.send_get(m, e, OID)
    assert.is_truthy(helper.poll_until(function() return require("winsnmp.tasks").next_due() end))
    s:close()
    local failed
    local deadline = winsnmp.now() + 2
    while not failed and winsnmp.now() < deadline do
      winsnmp.poll(0.1)
      local ok, _, name = m:recv()
      if ok == nil and name == "SNMPAPI_TL_TIMEOUT" then failed = true end
      assert.is_falsy(ok)
    end
    assert.is_true(failed, "request " .. id .. " should time out")
    assert.is_nil(require("winsnmp.tasks").next_due())
    m:close()
    assert.same({}, reports)
  end)

  it("answers at once when req.delay is not a number, and says so", function()
    local s, l = serve(function(req) req.delay = "soon" end)
    local m = assert(winsnmp.session())
    local e = assert(m:entity(l.address, { timeout = 1, retries = 0 }))
    assert(m:get(e, { OID }))
    assert.matches("req.delay", reports[1])
    m:close()
    s:close()
  end)
end)
