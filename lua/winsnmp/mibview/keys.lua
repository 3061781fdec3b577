--- OIDs as lists of arcs, compared component-wise: the keys a view keeps
-- precomputed so that a lookup never re-parses OID strings.
-- @module winsnmp.mibview.keys

local keys = {}

--- The arcs of a dotted OID string (no checks: the view checks OIDs when
-- they come in).
function keys.components(oid)
  local t = {}
  for n in oid:gmatch("%d+") do t[#t + 1] = tonumber(n) end -- (integers: digits only)
  return t
end

--- Whether a < b, component-wise, a proper prefix first.
function keys.less(a, b)
  local na, nb = #a, #b
  for i = 1, na < nb and na or nb do
    local x, y = a[i], b[i]
    if x ~= y then return x < y end
  end
  return na < nb
end

--- Whether a[from..] < b.
function keys.less_at(a, from, b)
  local na = #a - from + 1
  if na < 0 then na = 0 end
  for i = 1, math.min(na, #b) do
    local x, y = a[from + i - 1], b[i]
    if x ~= y then return x < y end
  end
  return na < #b
end

--- Whether `prefix` is a prefix of (or equal to) `key`.
function keys.is_prefix(prefix, key)
  if #prefix > #key then return false end
  for i = 1, #prefix do
    if prefix[i] ~= key[i] then return false end
  end
  return true
end

local function check_pair(e, key, where, level)
  local t = e[key]
  if t ~= nil and (type(t) ~= "table" or math.type(t[1]) ~= "integer" or
      math.type(t[2]) ~= "integer" or t[1] > t[2]) then
    error(("%s: %s must be {min, max} integers"):format(where, key), level)
  end
end

--- Raises (at `level`, counted from check_pair) when an entry's or a
-- column's size, range or enum is malformed; `where` names it.
function keys.check_constraints(e, where, level)
  check_pair(e, "size", where, level)
  check_pair(e, "range", where, level)
  if e.enum ~= nil and type(e.enum) ~= "table" then
    error(where .. ": enum must be a list of integers", level - 1)
  end
end

return keys
