--- Request ids: unpredictable, and never one already in flight in the
-- session (regression: with tens of thousands pending, bare random ids
-- collided and SnmpSendMsg refused the send).
local winsnmp = require("winsnmp")
local helper = require("helper")

describe("request ids", function()
  helper.check_no_leaks()

  it("100,000 requests in flight in one session all get distinct ids", function()
    local s = assert(winsnmp.session())
    local silent = assert(s:entity(helper.closed_address(), { timeout = 60, retries = 0 }))
    local seen, n = {}, 100000
    for _ = 1, n do
      local id, msg = s:_request("get", silent, { "1.3.6.1.2.1.1.5.0" })
      assert.is_truthy(id, msg)
      assert.is_nil(seen[id])
      seen[id] = true
    end
    assert.equals(n, winsnmp.stats().pending)
    s:close()
    assert.equals(0, winsnmp.stats().pending)
  end)

  it("PDU request ids are positive and differ", function()
    local s = assert(winsnmp.session())
    local ids = {}
    for i = 1, 1000 do
      local p = assert(s:pdu("get", { "1.3.6.1.2.1.1.5.0" }))
      ids[i] = p:data().request_id
      assert.is_true(ids[i] > 0)
      p:free()
    end
    table.sort(ids)
    for i = 2, #ids do assert.is_true(ids[i] ~= ids[i - 1]) end
    s:close()
  end)
end)
