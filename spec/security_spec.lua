--- Security (issue 6, item 5), end to end:
--  * no community string or v3 passphrase in any message, tostring, report
--    or last error, over every failure a script can provoke against a real
--    agent;
--  * bounds on what a reply may carry: varbind count, lengths, nesting and
--    OID sizes in hostile messages end in nil, msg, NAME, never a crash;
--  * an error inside any Lua callback (session callback, task, notification
--    or listener handler) leaves the engine consistent and working.
-- Other parts of the item live where the machinery is: unpredictable
-- request ids (request_ids_spec), replies from another address ignored
-- (faults_spec, hostile_network_spec), the bounded trap queue and its
-- dropped counter (notify_spec).
local winsnmp = require("winsnmp")
local helper = require("helper")

local fails_with = helper.fails_with

local SYS_NAME = "1.3.6.1.2.1.1.5.0"
local COMMUNITY = "C0mmunity-S3cret"
local WRONG_COMMUNITY = "Wr0ng-C0mmunity-S3cret"
local SECRET_USER = {
  user = "uSecret", level = "authPriv", auth = "SHA-256", auth_pass = "AuthPass-S3cret-1",
  priv = "AES", priv_pass = "PrivPass-S3cret-2",
}
local WRONG_AUTH = "Wr0ngAuth-S3cret-3"
local WRONG_PRIV = "Wr0ngPriv-S3cret-4"
local SECRETS = { COMMUNITY, WRONG_COMMUNITY, SECRET_USER.auth_pass, SECRET_USER.priv_pass,
                  WRONG_AUTH, WRONG_PRIV, "Sh0rt-S" }

local function hex(s)
  return (s:gsub(".", function(c) return ("%02x"):format(c:byte()) end))
end

--- Asserts that no collected text shows a secret, as text or in hex.
local function assert_no_secret(texts)
  assert.is_true(#texts > 20, "too few texts collected to mean anything")
  for _, text in ipairs(texts) do
    for _, secret in ipairs(SECRETS) do
      assert.is_nil(text:find(secret, 1, true), "a secret is shown: " .. text)
      assert.is_nil(text:lower():find(hex(secret), 1, true), "a secret is shown in hex: " .. text)
    end
  end
end

describe("security #integration", function()
  helper.check_no_leaks()

  local agent = helper.agent({
    extra = table.concat({
      "rocommunity " .. COMMUNITY .. " 127.0.0.1",
      string.format('createUser %s %s "%s" %s "%s"', SECRET_USER.user, SECRET_USER.auth,
        SECRET_USER.auth_pass, SECRET_USER.priv, SECRET_USER.priv_pass),
      "rouser " .. SECRET_USER.user .. " priv",
    }, "\n"),
  })
  local reports = helper.capture_reports()
  local s
  before_each(function() s = assert(winsnmp.session()) end)
  after_each(function() helper.close_session(s) end)

  it("no failure, tostring, report or last error shows a community or passphrase", function()
    local texts = {}
    local function collect(...)
      for i = 1, select("#", ...) do
        local v = select(i, ...)
        if type(v) == "string" then texts[#texts + 1] = v
        elseif v ~= nil and type(v) ~= "table" then texts[#texts + 1] = tostring(v) end
      end
      local _, msg = winsnmp.last_error()
      if msg then texts[#texts + 1] = tostring(msg) end
      local _, smsg = s:last_error()
      if smsg then texts[#texts + 1] = tostring(smsg) end
      return ...
    end
    local silent = helper.closed_address()
    local fast = { timeout = 0.3, retries = 0 }

    -- The right secrets work, and the objects holding them show none.
    local v2 = assert(s:entity(agent.address, helper.merge({ community = COMMUNITY }, fast)))
    local v3 = assert(s:entity(agent.address, helper.merge(SECRET_USER, { version = "3" }, fast)))
    local ctx = assert(s:context(COMMUNITY))
    collect(tostring(v2), tostring(v3), tostring(ctx), tostring(s), v2:address(), v3:address())
    assert.equals("winsnmp-agent", assert(s:get(v2, { SYS_NAME }))[1].value)
    assert.equals("winsnmp-agent", assert(s:get(v3, { SYS_NAME }))[1].value)
    local pdu = assert(s:pdu("get", { SYS_NAME }))
    collect(tostring(pdu), tostring(s:vbl({ SYS_NAME })))

    -- Wrong community: the agent stays silent, a timeout.
    local wrong = assert(s:entity(agent.address, helper.merge({ community = WRONG_COMMUNITY }, fast)))
    fails_with("SNMPAPI_TL_TIMEOUT", collect(s:get(wrong, { SYS_NAME })))
    -- Wrong v3 auth passphrase: a report; wrong priv passphrase: silence.
    local bad_auth = assert(s:entity(agent.address,
      helper.merge(SECRET_USER, { version = "3", auth_pass = WRONG_AUTH }, fast)))
    assert.is_nil(collect(s:get(bad_auth, { SYS_NAME })))
    local bad_priv = assert(s:entity(agent.address,
      helper.merge(SECRET_USER, { version = "3", priv_pass = WRONG_PRIV }, fast)))
    assert.is_nil(collect(s:get(bad_priv, { SYS_NAME })))
    -- Nobody there, v2c and v3.
    local gone2 = assert(s:entity(silent, helper.merge({ community = COMMUNITY }, fast)))
    fails_with("SNMPAPI_TL_TIMEOUT", collect(s:get(gone2, { SYS_NAME })))
    local gone3 = assert(s:entity(silent, helper.merge(SECRET_USER, { version = "3" }, fast)))
    assert.is_nil(collect(s:get(gone3, { SYS_NAME })))
    -- Bad settings next to good secrets, and secrets that are too short.
    assert.is_nil(collect(s:entity(agent.address,
      helper.merge(SECRET_USER, { version = "3", auth = "NO-SUCH-AUTH" }))))
    assert.is_nil(collect(s:entity(agent.address,
      helper.merge(SECRET_USER, { version = "3", priv_pass = "Sh0rt-S" }))))
    assert.is_nil(collect(s:entity("udp:no such host:161", { community = COMMUNITY })))
    -- Send and recv of a timed-out request: the message layer's texts.
    local id = assert(s:send(gone2, ctx, pdu))
    assert.is_true(helper.poll_until(function() return winsnmp.stats().pending == 0 end, 3))
    collect(s:recv())
    assert.is_not_nil(id)
    -- A receiver filtering on the secret community, and a handler failing.
    local inbox = helper.closed_address()
    local reg = assert(s:register({ address = inbox, community = COMMUNITY },
      function() error("handler failed on purpose") end))
    collect(tostring(reg))
    local sender = assert(s:entity(inbox, { community = COMMUNITY }))
    assert(s:trap(sender, "1.3.6.1.6.3.1.1.5.1", {}))
    assert.is_true(helper.poll_until(function() return #reports > 0 end, 3))
    reg:close()
    for _, r in ipairs(reports) do texts[#texts + 1] = r end

    collect(winsnmp.last_error())
    collect(s:last_error())
    assert_no_secret(texts)
  end)
end)

-- ---- hostile messages ---------------------------------------------------------------

local ber = require("support.ber")
local tlv, seq, response = ber.tlv, ber.seq, ber.response
local function oid(bytes) return tlv(0x06, bytes) end
local NULL = "\5\0"
local SYS_NAME_BER = oid("\43\6\1\2\1\1\5\0")

describe("hostile messages", function()
  helper.check_no_leaks()

  local s
  before_each(function() s = assert(winsnmp.session()) end)
  after_each(function() s:close() end)

  --- Decoding must fail cleanly: nil, a message, a WinSNMP name.
  local function rejects(bytes)
    local got, msg, name = s:decode(bytes)
    assert.is_nil(got)
    assert.is_string(msg)
    assert.matches("^SNMPAPI_", name)
  end

  it("a well-formed response decodes (so the rejections below are about the faults)", function()
    local got = assert(s:decode(response(seq(SYS_NAME_BER, tlv(0x04, "x")))))
    assert.same({ { oid = SYS_NAME, type = "octets", value = "x" } }, got.pdu:data().varbinds)
    got.pdu:free()
    got.context:free()
  end)

  it("more varbinds than the engine's bound (16384) are refused", function()
    local vb = seq(SYS_NAME_BER, NULL)
    rejects(response(vb:rep(16385)))
    local ok = assert(s:decode(response(vb:rep(2000))))
    assert.equals(2000, #ok.pdu:data().varbinds)
    ok.pdu:free()
    ok.context:free()
  end)

  it("lengths beyond the message, huge or indefinite, are refused", function()
    local good = response(seq(SYS_NAME_BER, tlv(0x04, "x")))
    rejects(good:sub(1, #good - 1))                       -- one byte short
    rejects("\48\132\127\255\255\255" .. good:sub(3))     -- 2 GiB outer length
    rejects("\48\128" .. good:sub(3) .. "\0\0")           -- indefinite length
    rejects(response(seq(SYS_NAME_BER, "\4\132\127\255\255\255x")))
  end)

  it("OIDs that are too long, overflow 32 bits or are malformed are refused", function()
    rejects(response(seq(oid("\43" .. ("\1"):rep(200)), NULL)))   -- 201 sub-identifiers
    rejects(response(seq(oid("\43\143\255\255\255\255\127"), NULL))) -- > 2^32
    rejects(response(seq(oid("\43\6\129"), NULL)))                 -- unfinished sub-id
  end)

  it("deep nesting and random bytes are refused", function()
    local nested = SYS_NAME_BER
    for _ = 1, 500 do nested = seq(nested) end
    rejects(response(nested))
    local seed = 12345
    for _ = 1, 300 do
      local bytes = {}
      for i = 1, 1 + seed % 200 do
        seed = (seed * 1103515245 + 12345) % 2147483648
        bytes[i] = string.char(seed % 256)
      end
      local got = s:decode(table.concat(bytes))
      if got then
        got.pdu:free()
        got.context:free()
      end
    end
  end)
end)

-- ---- errors in callbacks --------------------------------------------------------------

describe("errors inside Lua callbacks #integration", function()
  helper.check_no_leaks()

  local agent = helper.agent()
  local reports = helper.capture_reports()

  it("leave the engine consistent: every kind in a row, then it still works", function()
    local cs = assert(winsnmp.session(function() error("callback failed on purpose") end))
    local e = assert(cs:entity(agent.address, { timeout = 1, retries = 1 }))
    -- A session callback that raises: poll raises once every event is out.
    helper.send_get(cs, e, SYS_NAME)
    local ok, err = pcall(helper.poll_until, function() return false end, 2)
    assert.is_false(ok)
    assert.matches("callback failed on purpose", err)
    assert.equals(0, winsnmp.stats().pending)
    -- A task that raises: run raises with its traceback.
    local s = assert(winsnmp.session())
    local te = assert(s:entity(agent.address, { timeout = 1, retries = 1 }))
    winsnmp.spawn(function()
      assert(s:get(te, { SYS_NAME }))
      error("task failed on purpose")
    end)
    ok, err = pcall(winsnmp.run, 5)
    assert.is_false(ok)
    assert.matches("task failed on purpose", err)
    -- A notification handler and a listener handler that raise: reported,
    -- and the sender of the request gets genErr.
    local inbox = helper.closed_address()
    local reg = assert(s:register({ address = inbox },
      function() error("notification handler failed on purpose") end))
    local lis = assert(s:listen("udp:127.0.0.1:0", function() error("listener failed on purpose") end))
    assert(s:trap(assert(s:entity(inbox)), "1.3.6.1.6.3.1.1.5.1", {}))
    local other = assert(winsnmp.session())
    fails_with("SNMP_ERROR_GENERR", other:get(assert(other:entity(lis.address,
      { timeout = 1, retries = 0 })), { SYS_NAME }))
    assert.is_true(helper.poll_until(function() return #reports >= 2 end, 3))
    -- Still working, nothing left behind.
    assert.equals("winsnmp-agent", assert(s:get(te, { SYS_NAME }))[1].value)
    assert.equals(0, winsnmp.stats().pending)
    reg:close()
    lis:close()
    other:close()
    s:close()
    cs:close()
  end)
end)
