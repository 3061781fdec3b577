--- snmpsim's `.snmprec` recordings: one `OID|TAG|VALUE` line per object, in
-- OID order.  TAG is the BER type in decimal (2 Integer32, 4 OCTET STRING, 5
-- NULL, 6 OID, 64 IpAddress, 65 Counter32, 66 Gauge32, 67 TimeTicks, 68
-- Opaque, 69 NsapAddress, 70 Counter64; 128-130 the exceptions); a trailing
-- `x` says the value is hexadecimal, which is how bytes that are not
-- printable text are written.  `s:record` writes them; `winsnmp.mibview.load`
-- serves them.
-- @module winsnmp.snmprec

local core = require("winsnmp.core")
local variations = require("winsnmp.variations")

local Session = core.Session
local snmprec = {}

local TAG_OF = {
  int = 2, octets = 4, bits = 4, null = 5, oid = 6, ipaddr = 64, cntr32 = 65, gauge32 = 66,
  uint32 = 66, timeticks = 67, opaque = 68, nsapaddr = 69, cntr64 = 70,
  nosuchobject = 128, nosuchinstance = 129, endofmibview = 130,
}
local TYPE_OF = {
  [2] = "int", [4] = "octets", [5] = "null", [6] = "oid", [64] = "ipaddr", [65] = "cntr32",
  [66] = "gauge32", [67] = "timeticks", [68] = "opaque", [69] = "nsapaddr", [70] = "cntr64",
  [128] = "nosuchobject", [129] = "nosuchinstance", [130] = "endofmibview",
}
local BYTES = { octets = true, bits = true, opaque = true, nsapaddr = true }
local UNSIGNED = { cntr32 = true, gauge32 = true, timeticks = true }
local EMPTY = { null = true, nosuchobject = true, nosuchinstance = true, endofmibview = true }

local function hex(s)
  return (s:gsub(".", function(c) return ("%02x"):format(c:byte()) end))
end

--- The `.snmprec` line of a varbind `{oid=, type=, value=}` (no newline).
function snmprec.line(vb)
  local tag = TAG_OF[vb.type]
  if not tag then error(("snmprec: no tag for type %q"):format(tostring(vb.type)), 2) end
  local oid, value = vb.oid:gsub("^%.", ""), vb.value
  if EMPTY[vb.type] then return ("%s|%d|"):format(oid, tag) end
  if BYTES[vb.type] then
    -- text stays text; anything else (and bits, opaque, nsap) in hex
    if vb.type == "octets" and not value:find("[^\32-\126]") then
      return ("%s|%d|%s"):format(oid, tag, value)
    end
    return ("%s|%dx|%s"):format(oid, tag, hex(value))
  end
  if vb.type == "cntr64" then return ("%s|%d|%s"):format(oid, tag, core.u64(value)) end
  return ("%s|%d|%s"):format(oid, tag, tostring(value))
end

-- Decimal text of an unsigned 64-bit number into a Lua integer (wrapping,
-- as Counter64 values are kept).
local function u64(text)
  if not text:match("^%d+$") or #text > 20 then return nil end
  local n = 0
  for d in text:gmatch("%d") do n = n * 10 + tonumber(d) end
  if #text == 20 and text > "18446744073709551615" then return nil end
  return n
end

local function unhex(text)
  if #text % 2 == 1 or text:find("[^%x]") then return nil end
  return (text:gsub("%x%x", function(h) return string.char(tonumber(h, 16)) end))
end

-- The value of type `typ` written as `text` (`is_hex`: hexadecimal digits
-- of its bytes), or nil and why.
local function parse_value(typ, text, is_hex)
  if is_hex then
    text = unhex(text)
    if not text then return nil, "malformed hexadecimal value" end
  end
  if EMPTY[typ] then return nil end
  if typ == "int" then
    local n = math.tointeger(tonumber(text))
    if not n or n < -2147483648 or n > 2147483647 then return nil, "bad Integer32" end
    return n
  end
  if UNSIGNED[typ] then
    local n = math.tointeger(tonumber(text))
    if not n or n < 0 or n > 4294967295 then return nil, "bad unsigned 32-bit value" end
    return n
  end
  if typ == "cntr64" then
    local n = u64(text)
    if not n then return nil, "bad Counter64" end
    return n
  end
  if typ == "ipaddr" then
    if is_hex then
      if #text ~= 4 then return nil, "an IpAddress is 4 bytes" end
      return ("%d.%d.%d.%d"):format(text:byte(1, 4))
    elseif not text:match("^%d+%.%d+%.%d+%.%d+$") then
      return nil, "bad IpAddress"
    end
    return text
  end
  if typ == "oid" then
    text = text:gsub("^%.", "")
    if not text:match("^%d+[%d.]*$") then return nil, "bad OID value" end
  end
  return text
end

--- Parses one line: an entry `{oid, type, value}`, or nil and why.  A line
-- whose tag names a variation module (`65:numeric`) gives an entry with the
-- functions and settings of winsnmp.variations (`loaded`: the clock,
-- `core.now()`, its time counts from; default now).
function snmprec.parse_line(line, loaded)
  local oid, tag, value = line:match("^([^|]*)|([^|]*)|(.*)$")
  if not oid then return nil, "not OID|TAG|VALUE" end
  oid = oid:gsub("^%.", "")
  if not oid:match("^%d+[%d.]*$") or oid:find("..", 1, true) or oid:sub(-1) == "." then
    return nil, ("malformed OID %q"):format(oid:sub(1, 64))
  end
  local module = tag:match(":(.*)$")
  if module then tag = tag:match("^[^:]*") end
  local number, is_hex = tag:match("^(%d+)(x?)$")
  local typ = number and TYPE_OF[tonumber(number)]
  if module then
    if not variations.MODULES[module] then
      return nil, ("variation module %q is not supported"):format(module:sub(1, 40))
    end
    if tag == "" then return nil, ("variation module %q needs a type tag"):format(module) end
    if not typ or EMPTY[typ] then return nil, ("unknown tag %q"):format(tag) end
    return variations.entry(oid, typ, module, value, parse_value, loaded)
  end
  if not typ then return nil, ("unknown tag %q"):format(tag) end
  if EMPTY[typ] then
    if is_hex == "x" and not unhex(value) then return nil, "malformed hexadecimal value" end
    return { oid, typ, nil }
  end
  local v, why = parse_value(typ, value, is_hex == "x")
  if v == nil then return nil, why end
  return { oid, typ, v }
end

--- Reads a recording: a list of entries for winsnmp.mibview, or nil,
-- "FILE:LINE: why", "SNMPAPI_OTHER_ERROR".  Blank lines and `#` comments
-- are skipped.  Entries of variation lines carry their live `get`, their
-- `set` and `writable`, and `variation` (the settings); the `error` and
-- `delay` variations take effect only through the handler of
-- `snmprec.view`.
function snmprec.read(path)
  local f, err = io.open(path, "rb")
  if not f then return core._fail(nil, tostring(err), "SNMPAPI_OTHER_ERROR") end
  local entries, n, loaded, seen = {}, 0, core.now(), {}
  for line in f:lines() do
    n = n + 1
    line = line:gsub("\r$", "")
    if line ~= "" and not line:match("^%s*#") then
      local entry, why = snmprec.parse_line(line, loaded)
      local oid = entry and (entry.oid or entry[1])
      if entry and seen[oid] then
        entry, why = nil, ("OID %s is already on line %d"):format(oid, seen[oid])
      end
      if entry then seen[oid] = n end
      if not entry then
        f:close()
        return core._fail(nil, ("%s:%d: %s"):format(path, n, why), "SNMPAPI_OTHER_ERROR")
      end
      entries[#entries + 1] = entry
    end
  end
  f:close()
  return entries
end

--- A winsnmp.mibview View serving a recording, with every variation
-- module in effect: `view.handler` (for s:listen) flags the `error`
-- variations' statuses and asks the listener to delay or drop answers
-- (`req.delay`, `req.drop`) for the `delay` ones.  Returns the View, or
-- nil, "FILE:LINE: why", NAME.  This is what `winsnmp.mibview.load(path)`
-- serves.
function snmprec.view(path)
  local entries, msg, name = snmprec.read(path)
  if not entries then return nil, msg, name end
  local ok, view = pcall(require("winsnmp.mibview"), entries)
  if not ok then
    -- (a duplicated OID: the view names the entry; say the file)
    return core._fail(nil, ("%s: %s"):format(path, (tostring(view):gsub("^.-mibview: ", ""))),
      "SNMPAPI_OTHER_ERROR")
  end
  view.handler = variations.handler(view, entries)
  return view
end

--- Walks `root` (default "1.3.6") of `dst` and writes what it gets to
-- `path` as a `.snmprec` recording; returns the number of varbinds
-- written, or nil, msg, NAME.  `opts` are s:walk's.
function Session:record(dst, root, path, opts)
  local list, msg, name = self:walk(dst, root or "1.3.6", opts)
  if not list then return nil, msg, name end
  local f, err = io.open(path, "wb")
  if not f then return core._fail(nil, tostring(err), "SNMPAPI_OTHER_ERROR") end
  for _, vb in ipairs(list) do f:write(snmprec.line(vb), "\n") end
  local ok, werr = f:close()
  if not ok then return core._fail(nil, tostring(werr), "SNMPAPI_OTHER_ERROR") end
  return #list
end

return snmprec
