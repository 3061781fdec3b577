--- Regressions found by the libFuzzer targets in fuzz/ (fuzz/run.sh).  Each
-- input here once made a target fail; the same inputs are in the targets'
-- corpora (fuzz/corpus/*/regress-*).  Messages are built byte by byte, so
-- what is tested is the decoder, not our encoder.
local winsnmp = require("winsnmp")
local helper = require("helper")

local fails_with = helper.fails_with

local ber = require("support.ber")
local tlv, hex, int = ber.tlv, ber.hex, ber.int

local NAME = hex("06 0a 2b 06 01 04 01 83 8f 0f 01 01") -- 1.3.6.1.4.1.51087.1.1

--- A v2c Response with one varbind: NAME = `value` (BER bytes).
local function response(value)
  return ber.response(tlv(0x30, NAME .. value))
end

--- A v1 Trap-PDU with the given varbind list contents.
local function v1_trap(varbinds)
  local pdu = tlv(0xa4, hex("06 08 2b 06 01 04 01 83 87 0f") .. tlv(0x40, "\192\0\2\1") ..
    int(6) .. int(1) .. tlv(0x43, "\1") .. tlv(0x30, varbinds))
  return tlv(0x30, int(0) .. tlv(0x04, "public") .. pdu)
end

describe("fuzz regressions", function()
  helper.check_no_leaks()

  local s
  before_each(function() s = assert(winsnmp.session()) end)
  after_each(function() s:close() end)

  --- s:decode(bytes), then the varbinds; or nil, msg, NAME.
  local function decode(bytes)
    local msg, err, name = s:decode(bytes)
    if not msg then return nil, err, name end
    local d = assert(msg.pdu:data())
    msg.pdu:free()
    msg.context:free()
    return d.varbinds
  end

  -- net-snmp decodes an Opaque holding one of its special types (float,
  -- double, Counter64, Integer64, Unsigned64) into a native value: the v3
  -- path (and every v1/v2c message the direct decoder left to net-snmp)
  -- delivered host memory (a 4-byte little-endian float, a 16-byte struct
  -- counter64) while v1/v2c delivered the wire bytes, and the direct decoder
  -- accepted malformed ones net-snmp refuses.  fuzz_decode_msg, on a seed:
  -- UCD-SNMP's laLoadFloat.
  describe("Opaque special types", function()
    it("an Opaque float keeps its wire bytes", function()
      local vbs = assert(decode(response(hex("44 07 9f 78 04 3f 84 30 00"))))
      assert.equals("opaque", vbs[1].type)
      assert.equals(hex("9f 78 04 3f 84 30 00"), vbs[1].value)
    end)

    it("an Opaque Counter64 is its contents in network byte order, not host memory", function()
      local vbs = assert(decode(response(hex("44 05 9f 76 02 00 ff"))))
      assert.equals(hex("9f 76 02 00 ff"), vbs[1].value)
      -- a non-minimal encoding comes back in its canonical form
      vbs = assert(decode(response(hex("44 04 9f 76 01 ff"))))
      assert.equals(hex("9f 76 02 00 ff"), vbs[1].value)
    end)

    it("a malformed Opaque float is refused, as net-snmp refuses it", function()
      fails_with("SNMPAPI_MESSAGE_INVALID", decode(response(hex("44 03 9f 78 00"))))
    end)

    it("an Opaque that is no special type stays plain octets", function()
      local vbs = assert(decode(response(hex("44 02 9f 77"))))
      assert.equals(hex("9f 77"), vbs[1].value)
    end)
  end)

  describe("Opaque float from a real agent #integration", function()
    local agent = helper.agent()

    it("v2c and v3 deliver laLoadFloat alike: the Opaque's wire bytes", function()
      local v2 = assert(s:entity(agent.address, { version = "2c", community = "public" }))
      local u = agent.v3
      local v3 = assert(s:entity(agent.address, { version = "3", user = u.user, level = u.level,
        auth = u.auth, auth_pass = u.auth_pass, priv = u.priv, priv_pass = u.priv_pass }))
      for _, e in ipairs({ v2, v3 }) do
        local vbs = assert(s:get(e, { "1.3.6.1.4.1.2021.10.1.6.1" }))
        assert.equals("opaque", vbs[1].type)
        assert.equals(7, #vbs[1].value)
        assert.equals(hex("9f 78 04"), vbs[1].value:sub(1, 3))
      end
    end)
  end)

  -- A msgSecurityParameters longer than the message: net-snmp's v3 parser
  -- read past the end of the buffer (heap-buffer-overflow in asn_parse_string,
  -- under snmpv3_parse).  fuzz_decode_msg; `make asan` shows the over-read.
  describe("malformed SNMPv3 headers", function()
    it("a msgSecurityParameters longer than the message is refused", function()
      fails_with("SNMPAPI_MESSAGE_INVALID", decode(hex([[
        30 27 02 01 03 30 11 02 04 6f cf d5 d8 02 03 00 ff e3 04 01 05 02 01 03
        04 3f 30 3d 04 17 80 00 1f 88 04 77 73 6e 06 82 00]])))
    end)

    it("security parameters whose SEQUENCE is longer than their OCTET STRING are refused",
      function()
        local global = tlv(0x30, int(1) .. tlv(0x02, "\0\255\227") .. tlv(0x04, "\4") .. int(3))
        local usm = "\48\127" .. tlv(0x04, "\128\0\31\136\4abc") .. int(0) .. int(0) ..
          tlv(0x04, "") .. tlv(0x04, "") .. tlv(0x04, "")
        local scoped = tlv(0x30, tlv(0x04, "") .. tlv(0x04, "") ..
          tlv(0xa0, int(1) .. int(0) .. int(0) .. tlv(0x30, "")))
        fails_with("SNMPAPI_MESSAGE_INVALID",
          decode(tlv(0x30, int(3) .. global .. tlv(0x04, usm) .. scoped)))
      end)
  end)

  -- An empty BIT STRING (no unused-bits octet) was accepted by the direct
  -- decoder and refused by net-snmp.  fuzz_decode_msg.
  describe("BIT STRING", function()
    it("an empty one is refused, as net-snmp refuses it", function()
      fails_with("SNMPAPI_MESSAGE_INVALID", decode(response(hex("03 00"))))
    end)

    it("one with its unused-bits octet is read as bits", function()
      local vbs = assert(decode(response(hex("03 02 00 80"))))
      assert.equals("bits", vbs[1].type)
      assert.equals("\0\128", vbs[1].value)
    end)
  end)

  -- net-snmp reads an empty OID (06 00) as the single arc 0, which no API
  -- call takes back (oid_compare, s:vbl, SnmpStrToOid refuse it); the direct
  -- decoder refused it already.  fuzz_lua_values (values go back in).
  describe("empty OIDs", function()
    it("an empty OID value is refused on net-snmp's path too (a v1 trap)", function()
      fails_with("SNMPAPI_MESSAGE_INVALID", decode(v1_trap(tlv(0x30, NAME .. hex("06 00")))))
    end)

    it("an empty variable name is refused on net-snmp's path too", function()
      fails_with("SNMPAPI_MESSAGE_INVALID", decode(v1_trap(hex("30 04 06 00 05 00"))))
    end)

    it("a v1 trap with proper OIDs still decodes", function()
      local vbs = assert(decode(v1_trap(tlv(0x30, NAME .. hex("06 02 2b 06")))))
      assert.equals("1.3.6", vbs[1].value)
    end)
  end)

  -- An address whose canonical form ("udp:" .. host .. ":161") is longer
  -- than WSNMP_MAX_ADDRESS was accepted, and its canonical form refused.
  -- fuzz_parsers.
  describe("long host names", function()
    --- A host name of `n` characters: labels of 61 letters.
    local function host(n)
      local name = ("a"):rep(61)
      while #name < n do name = name .. "." .. ("a"):rep(math.min(61, n - #name - 1)) end
      return name
    end

    it("an address whose canonical form would be too long is refused", function()
      local msg = fails_with("SNMPAPI_ENTITY_UNKNOWN", s:entity(host(252)))
      assert.matches("too long", msg)
    end)

    it("the canonical form of an accepted address is accepted again", function()
      local e = assert(s:entity(host(246)))
      local canonical = assert(e:address())
      assert.equals("udp:" .. host(246) .. ":161", canonical)
      local again = assert(s:entity(canonical))
      assert.equals(canonical, again:address())
      again:free()
      e:free()
    end)
  end)

  -- Every datagram naming a v3 user registered for notifications, under a
  -- new engine id, made the engine register a key set with net-snmp for
  -- good (about 800 bytes each, with lookups getting slower); datagrams
  -- naming any other user, and v3 datagrams to a session's socket that
  -- answer no request, reached net-snmp's parser, which keeps a record per
  -- engine id.  fuzz_lua_values (net-snmp's USM table must stay bounded).
  describe("v3 datagrams from many engine ids", function()
    local socket = require("socket")
    local USER = "floodUser"
    local PASSES = { auth = "SHA", auth_pass = "flood-auth-pass", priv = "AES",
                     priv_pass = "flood-priv-pass" }

    --- A v3 trap as an unauthenticated sender would make it: header, user,
    -- engine id, zero digest.
    local function v3_trap(engine, user)
      local global = tlv(0x30, int(1) .. tlv(0x02, "\0\255\227") .. tlv(0x04, "\1") .. int(3))
      local usm = tlv(0x30, tlv(0x04, engine) .. int(1) .. int(1) .. tlv(0x04, user) ..
        tlv(0x04, ("\0"):rep(12)) .. tlv(0x04, ""))
      local scoped = tlv(0x30, tlv(0x04, engine) .. tlv(0x04, "") ..
        tlv(0xa7, int(1) .. int(0) .. int(0) .. tlv(0x30, "")))
      return tlv(0x30, int(3) .. global .. tlv(0x04, usm) .. scoped)
    end

    --- Sends `count` such traps to `port`, each from another engine id, and
    -- returns how much the C heap grew meanwhile.
    local function flood(port, user, count)
      local udp = assert(socket.udp())
      helper.full_gc()
      winsnmp.poll(0)
      local before = winsnmp.heap()
      for i = 1, count do
        udp:sendto(v3_trap("\128\0\31\136\4" .. string.pack(">I4", i) .. "flood", user),
          "127.0.0.1", port)
        if i % 32 == 0 then winsnmp.poll(0) end
      end
      for _ = 1, 10 do winsnmp.poll(0.01) end
      udp:close()
      helper.full_gc()
      return winsnmp.heap() - before
    end

    local COUNT = 5000

    it("stay bounded in memory, and a real v3 trap still arrives", function()
      local port = assert(require("winsnmp.snmpd").free_ports(1))[1]
      local got = {}
      local filter = helper.merge({ address = "udp:127.0.0.1:" .. port, user = USER }, PASSES)
      local reg = assert(s:register(filter, function(n) got[#got + 1] = n end))
      -- unknown user: dropped before net-snmp parses anything
      local other = flood(port, "someoneElse", COUNT)
      assert.is_true(other < 200 * 1024, ("heap grew by %d bytes"):format(other))
      -- the registered user: at most 1024 key sets stay registered
      local registered = flood(port, USER, COUNT)
      assert.is_true(registered < 2500 * 1024, ("heap grew by %d bytes"):format(registered))
      assert.equals(0, #got)
      -- a real one: keys for its engine are registered again on demand
      local ss <close> = assert(winsnmp.session())
      local e = assert(ss:entity("udp:127.0.0.1:" .. port, helper.merge({ version = "3",
        user = USER }, PASSES)))
      assert.is_true(ss:trap(e, "1.3.6.1.4.1.51087.0.1", { { "1.3.6.1.4.1.51087.1.1", "int", 7 } }))
      assert.is_true(helper.poll_until(function() return #got == 1 end))
      assert.equals("3", got[1].version)
      e:free()
      reg:close()
    end)
  end)

  -- fuzz_decode_msg: a v1 trap whose own varbinds include an
  -- snmpTrapEnterprise.0 came back from v1 -> v2 -> v1 with that value as
  -- its enterprise, instead of the one the v2 form appends last.
  describe("traps with more than one snmpTrapEnterprise.0 #integration", function()
    it("a generic trap sent to a v1 agent takes the last one as its enterprise", function()
      local ENTERPRISE_0 = "1.3.6.1.6.3.1.1.4.3.0"
      local inbox = helper.closed_address()
      local got
      local reg = assert(s:register({ address = inbox }, function(n) got = n end))
      local v1 = assert(s:entity(inbox, { version = "1" }))
      assert(s:trap(v1, "1.3.6.1.6.3.1.1.5.4", { -- linkUp
        { ENTERPRISE_0, "oid", "1.3.6.1.4.1.7" },
        { "1.3.6.1.2.1.2.2.1.1.3", "int", 3 },
        { ENTERPRISE_0, "oid", "1.3.6.1.4.1.99999" },
      }))
      assert.is_true(helper.poll_until(function() return got ~= nil end, 3))
      assert.equals("1", got.version)
      local last = got.varbinds[#got.varbinds]
      assert.same({ oid = ENTERPRISE_0, type = "oid", value = "1.3.6.1.4.1.99999" }, last)
      v1:free()
      reg:close()
    end)
  end)
end)
