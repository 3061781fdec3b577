--- Table indexes (RFC 2578 7.7): how a row's index values become the OID
-- arcs after a column number, and back.  The syntaxes are API.md's: "int",
-- "uint32", "ipaddr", "octets" (length-prefixed), "octets_implied", "oid"
-- (length-prefixed), "oid_implied" and {"octets", size = n} (fixed length).
-- IMPLIED syntaxes may only be the last index.
-- @module winsnmp.mibview.index

local index = {}

local MAX_ARC = 4294967295

local function arc_ok(n)
  return math.type(n) == "integer" and n >= 0 and n <= MAX_ARC
end

local function oid_arcs(text)
  if type(text) ~= "string" then return nil end
  text = text:gsub("^%.", "")
  if not text:match("^%d+$") and not text:match("^%d+[%d.]*%d$") or text:find("..", 1, true) then
    return nil
  end
  local arcs = {}
  for n in text:gmatch("%d+") do
    local v = math.tointeger(tonumber(n))
    if not v or not arc_ok(v) then return nil end
    arcs[#arcs + 1] = v
  end
  return arcs
end

-- Each syntax: encode(value, out) appends arcs (false if the value does not
-- fit); decode(arcs, at, last) -> value, next position (nil if malformed).
local SYNTAX = {}

SYNTAX.int = {
  encode = function(v, out)
    -- an INTEGER index is one arc: only its non-negative values can be
    if not arc_ok(v) or v > 2147483647 then return false end
    out[#out + 1] = v
    return true
  end,
  decode = function(arcs, at)
    local v = arcs[at]
    if v == nil or v > 2147483647 then return nil end
    return v, at + 1
  end,
}

SYNTAX.uint32 = {
  encode = function(v, out)
    if not arc_ok(v) then return false end
    out[#out + 1] = v
    return true
  end,
  decode = function(arcs, at)
    local v = arcs[at]
    if v == nil then return nil end
    return v, at + 1
  end,
}

SYNTAX.ipaddr = {
  encode = function(v, out)
    if type(v) ~= "string" then return false end
    local a, b, c, d = v:match("^(%d+)%.(%d+)%.(%d+)%.(%d+)$")
    if not a then return false end
    for _, part in ipairs({ a, b, c, d }) do
      local n = tonumber(part)
      if n > 255 then return false end
      out[#out + 1] = n
    end
    return true
  end,
  decode = function(arcs, at)
    for i = at, at + 3 do
      if arcs[i] == nil or arcs[i] > 255 then return nil end
    end
    return ("%d.%d.%d.%d"):format(arcs[at], arcs[at + 1], arcs[at + 2], arcs[at + 3]), at + 4
  end,
}

local function bytes_encode(v, out)
  for i = 1, #v do out[#out + 1] = v:byte(i) end
end

local function bytes_decode(arcs, from, to)
  if to > #arcs then return nil end
  local chars = {}
  for i = from, to do
    if arcs[i] > 255 then return nil end
    chars[#chars + 1] = string.char(arcs[i])
  end
  return table.concat(chars)
end

SYNTAX.octets = {
  encode = function(v, out)
    if type(v) ~= "string" then return false end
    out[#out + 1] = #v
    bytes_encode(v, out)
    return true
  end,
  decode = function(arcs, at)
    local n = arcs[at]
    if n == nil then return nil end
    local v = bytes_decode(arcs, at + 1, at + n)
    if v == nil then return nil end
    return v, at + 1 + n
  end,
}

SYNTAX.octets_implied = {
  implied = true,
  encode = function(v, out)
    if type(v) ~= "string" then return false end
    bytes_encode(v, out)
    return true
  end,
  decode = function(arcs, at)
    local v = bytes_decode(arcs, at, #arcs)
    if v == nil then return nil end
    return v, #arcs + 1
  end,
}

SYNTAX.oid = {
  encode = function(v, out)
    local arcs = oid_arcs(v)
    if not arcs then return false end
    out[#out + 1] = #arcs
    table.move(arcs, 1, #arcs, #out + 1, out)
    return true
  end,
  decode = function(arcs, at)
    local n = arcs[at]
    if n == nil or at + n > #arcs or n > 128 then return nil end
    return table.concat(arcs, ".", at + 1, at + n), at + 1 + n
  end,
}

SYNTAX.oid_implied = {
  implied = true,
  encode = function(v, out)
    local arcs = oid_arcs(v)
    if not arcs then return false end
    table.move(arcs, 1, #arcs, #out + 1, out)
    return true
  end,
  decode = function(arcs, at)
    if at > #arcs then return nil end
    return table.concat(arcs, ".", at), #arcs + 1
  end,
}

local function fixed(size)
  return {
    encode = function(v, out)
      if type(v) ~= "string" or #v ~= size then return false end
      bytes_encode(v, out)
      return true
    end,
    decode = function(arcs, at)
      local v = bytes_decode(arcs, at, at + size - 1)
      if v == nil then return nil end
      return v, at + size
    end,
  }
end

--- Compiles a table's `spec.index` into a list of syntaxes, raising with
-- `where` in the message when a syntax is unknown or misplaced.
function index.compile(list, where)
  if type(list) ~= "table" or #list == 0 then
    error(where .. ": spec.index must be a non-empty list of index syntaxes", 4)
  end
  local compiled = {}
  for i, s in ipairs(list) do
    local syntax
    if type(s) == "table" and s[1] == "octets" and math.type(s.size) == "integer" and
        s.size > 0 then
      syntax = fixed(s.size)
    elseif type(s) == "string" then
      syntax = SYNTAX[s]
    end
    if not syntax then
      error(("%s: index %d: unknown index syntax %s"):format(where, i,
        type(s) == "string" and ("%q"):format(s) or type(s)), 4)
    end
    if syntax.implied and i ~= #list then
      error(("%s: index %d: an IMPLIED index must be the last one"):format(where, i), 4)
    end
    compiled[i] = syntax
  end
  return compiled
end

--- The arcs of index values `values` (a list), or nil if one does not fit
-- its syntax.
function index.encode(syntaxes, values)
  if type(values) ~= "table" or #values ~= #syntaxes then return nil end
  local out = {}
  for i, syntax in ipairs(syntaxes) do
    if not syntax.encode(values[i], out) then return nil end
  end
  return out
end

--- The index values encoded in `arcs[at..]`, or nil when the arcs are not
-- exactly one well-formed index.
function index.decode(syntaxes, arcs, at)
  local values = {}
  for i, syntax in ipairs(syntaxes) do
    local v
    v, at = syntax.decode(arcs, at)
    if v == nil then return nil end
    values[i] = v
  end
  if at ~= #arcs + 1 then return nil end
  return values
end

--- The arcs of a dotted OID string (nil when malformed).
index.oid_arcs = oid_arcs

return index
