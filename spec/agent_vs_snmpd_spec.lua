--- The agent role next to net-snmp's snmpd, serving the same objects (a walk
-- of snmpd, replayed by a mibview listener): the same GETBULK gets answers
-- that are never larger than snmpd's and hold the same objects in the same
-- order; a GET answer beyond max_size is tooBig, and within it holds what
-- snmpd's holds.
local helper = require("helper")
local winsnmp = require("winsnmp")

local ROOT = "1.3.6.1.2.1"
local EXCEPTIONS = { nosuchobject = true, nosuchinstance = true, endofmibview = true }

describe("agent role and snmpd on the same objects #integration", function()
  helper.check_no_leaks()
  local agent = helper.agent()

  it("answers the same GETBULKs no larger than snmpd, with the same objects", function()
    local s = assert(winsnmp.session())
    local real = assert(s:entity(agent.address, { timeout = 2, retries = 1 }))
    local entries = {}
    for _, vb in ipairs(assert(s:walk(real, ROOT))) do
      if not EXCEPTIONS[vb.type] then entries[#entries + 1] = { vb.oid, vb.type, vb.value } end
    end
    assert.is_true(#entries > 50, "snmpd serves " .. #entries .. " objects")
    local listener = assert(s:listen("udp:127.0.0.1:0", winsnmp.mibview(entries).handler))
    local mine = assert(s:entity(listener.address, { timeout = 2, retries = 1 }))
    -- (with one request id for both: a PDU without one gets a random id,
    -- whose BER length is 3 or 4 bytes, and the sizes compared would then
    -- differ by chance)
    local function size(e, list)
      local pdu = assert(s:pdu("response", list, { request_id = 0x12345678 }))
      local bytes = assert(s:encode(e, nil, pdu))
      pdu:free()
      return #bytes
    end
    for _, reps in ipairs({ 5, 25, 100, 500 }) do
      local theirs = assert(s:getbulk(real, { ROOT }, 0, reps))
      local ours = assert(s:getbulk(mine, { ROOT }, 0, reps))
      assert.is_true(#ours >= 1)
      assert.is_true(size(mine, ours) <= size(real, theirs),
        ("max-repetitions %d: ours %d bytes, snmpd's %d"):format(reps, size(mine, ours),
          size(real, theirs)))
      assert.is_true(size(mine, ours) <= 1472)
      for i, vb in ipairs(ours) do
        if theirs[i] then assert.equals(theirs[i].oid, vb.oid) end
      end
    end
    -- a GET for 800 long strings (about 55 KB): snmpd answers it whole; our
    -- listener answers tooBig at its default max_size (1,472), and the same
    -- objects as snmpd once max_size allows 64 KiB
    local long = {}
    for _, e in ipairs(entries) do
      if e[2] == "octets" and #e[3] > 40 then long[#long + 1] = e[1] end
    end
    assert.is_true(#long > 0)
    local function names_of(n)
      local names = {}
      while #names < n do
        for _, oid in ipairs(long) do names[#names + 1] = oid end
      end
      return names
    end
    local names = names_of(800)
    local theirs = assert(s:get(real, names))
    local _, _, our_error = s:get(mine, names)
    assert.equals("SNMP_ERROR_TOOBIG", our_error)
    local wide = assert(s:listen("udp:127.0.0.1:0", winsnmp.mibview(entries).handler,
      { max_size = 65507 }))
    local roomy = assert(s:entity(wide.address, { timeout = 2, retries = 1 }))
    local ours = assert(s:get(roomy, names))
    assert.equals(#theirs, #ours)
    for i = 1, #ours do assert.equals(theirs[i].oid, ours[i].oid) end
    -- beyond 64 KiB snmpd sends nothing at all; we say tooBig (RFC 3416 4.2.1)
    names = names_of(1500)
    helper.fails_with("SNMPAPI_TL_TIMEOUT", s:get(real, names))
    _, _, our_error = s:get(roomy, names)
    assert.equals("SNMP_ERROR_TOOBIG", our_error)
    wide:close()
    listener:close()
    s:close()
  end)
end)
