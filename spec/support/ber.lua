--- A minimal BER writer for specs that build SNMP messages by hand, so that
-- what they test is the decoder, not winsnmp's own encoder.
local ber = {}

--- The length octets of `n` (short form below 128, else long form).
function ber.length(n)
  if n < 0x80 then return string.char(n) end
  local out = ""
  while n > 0 do
    out = string.char(n & 0xFF) .. out
    n = n >> 8
  end
  return string.char(0x80 + #out) .. out
end

--- Tag, length, contents.
function ber.tlv(tag, body) return string.char(tag) .. ber.length(#body) .. body end

--- An INTEGER 0..127.
function ber.int(n) return ber.tlv(0x02, string.char(n)) end

--- A SEQUENCE of the arguments.
function ber.seq(...) return ber.tlv(0x30, table.concat({ ... })) end

--- Bytes from hex text ("06 08 2b ...", spaces ignored).
function ber.hex(text)
  return (text:gsub("%s", ""):gsub("..", function(h) return string.char(tonumber(h, 16)) end))
end

--- A v2c Response message (request id 1, community "public") around the
-- varbind-list contents `varbinds` (the bytes of the varbinds).
function ber.response(varbinds)
  return ber.seq(ber.int(1), ber.tlv(0x04, "public"),
    ber.tlv(0xA2, ber.int(1) .. ber.int(0) .. ber.int(0) .. ber.seq(varbinds)))
end

return ber
