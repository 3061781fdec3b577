--- A MIB subtree served from a Lua table: the handler for s:listen that
-- answers get, getnext, getbulk and set in correct lexicographic order,
-- with endOfMibView, and type checks on set.  For agent simulators and
-- test doubles in a few lines:
--
--     local view = winsnmp.mibview({
--       { "1.3.6.1.2.1.1.5.0", "octets", "simulated" },
--       { oid = "1.3.6.1.2.1.1.6.0", type = "octets", value = "lab", writable = true },
--     })
--     local listener = assert(s:listen("udp:127.0.0.1:1161", view.handler))
-- @module winsnmp.mibview

local core = require("winsnmp.core")

local MAX_BULK_VARBINDS = 1000

local function components(oid)
  local t = {}
  for n in oid:gmatch("%d+") do t[#t + 1] = tonumber(n) end
  return t
end

local function less(a, b) -- component-wise, a proper prefix first
  for i = 1, math.min(#a, #b) do
    if a[i] ~= b[i] then return a[i] < b[i] end
  end
  return #a < #b
end

local View = {}
View.__index = View

-- The types an entry may have: winsnmp's value types, and the exceptions
-- a recording may hold.
local TYPES = {
  int = true, uint32 = true, cntr32 = true, gauge32 = true, timeticks = true, cntr64 = true,
  octets = true, opaque = true, bits = true, nsapaddr = true, ipaddr = true, oid = true,
  null = true, nosuchobject = true, nosuchinstance = true, endofmibview = true,
}

local function check_pair(e, key, i)
  local t = e[key]
  if t ~= nil and (type(t) ~= "table" or math.type(t[1]) ~= "integer" or
      math.type(t[2]) ~= "integer" or t[1] > t[2]) then
    error(("mibview: entry %d: %s must be {min, max} integers"):format(i, key), 3)
  end
end

--- Builds a view from entries {oid, type, value[, writable]} (positional or
-- named).  `opts.writable` makes every entry writable.  An entry may also
-- have `get = function(oid) -> value` (a live value, read at each request),
-- `set = function(oid, value) -> true | nil, "SNMP_ERROR_..."` (applied when a
-- SET commits), and constraints checked before any SET is applied: `size =
-- {min, max}` (octets length: wrongLength), `range = {min, max}` and `enum =
-- {n, ...}` (wrongValue).  An unknown type, a malformed or a duplicated OID
-- raises at once, naming the entry.  This is `winsnmp.mibview(entries,
-- opts)`; the view's `handler` goes to s:listen.
-- @function mibview
local function new(entries, opts)
  opts = opts or {}
  local self = setmetatable({ list = {}, by_oid = {} }, View)
  for i, e in ipairs(entries) do
    local oid, typ, value = e.oid or e[1], e.type or e[2], e.value
    if value == nil then value = e[3] end
    if type(oid) ~= "string" or type(typ) ~= "string" then
      error(("mibview: entry %d needs an OID and a type"):format(i), 2)
    end
    if not TYPES[typ] then error(("mibview: entry %d: unknown type %q"):format(i, typ), 2) end
    local ok, msg = core.oid_compare(oid, oid)
    if not ok then error(("mibview: entry %d: %s"):format(i, msg), 2) end
    oid = oid:gsub("^%.", "")
    if self.by_oid[oid] then
      error(("mibview: entry %d: OID %s is already entry %d"):format(i, oid,
        self.by_oid[oid].position), 2)
    end
    for _, f in ipairs({ "get", "set" }) do
      if e[f] ~= nil and type(e[f]) ~= "function" then
        error(("mibview: entry %d: %s must be a function"):format(i, f), 2)
      end
    end
    check_pair(e, "size", i)
    check_pair(e, "range", i)
    if e.enum ~= nil and type(e.enum) ~= "table" then
      error(("mibview: entry %d: enum must be a list of integers"):format(i), 2)
    end
    local enum
    if e.enum then
      enum = {}
      for _, n in ipairs(e.enum) do enum[n] = true end
    end
    local entry = { oid = oid, type = typ, value = value, key = components(oid), position = i,
                    writable = e.writable or opts.writable or e.set ~= nil or false,
                    get = e.get, set = e.set, size = e.size, range = e.range, enum = enum }
    self.list[#self.list + 1] = entry
    self.by_oid[oid] = entry
  end
  table.sort(self.list, function(a, b) return less(a.key, b.key) end)
  for i, entry in ipairs(self.list) do entry.index = i end
  self.handler = function(req) return self:answer(req) end
  return self
end

--- The first entry strictly after `oid`, or nil.  SNMPv1 has no
-- Counter64: a v1 manager never sees those entries (RFC 3584 4.2.2.1).
function View:next_after(oid, v1)
  local key = components(oid)
  local lo, hi = 1, #self.list
  while lo <= hi do -- first index whose key > key
    local mid = (lo + hi) // 2
    if less(key, self.list[mid].key) then hi = mid - 1 else lo = mid + 1 end
  end
  while v1 and self.list[lo] and self.list[lo].type == "cntr64" do lo = lo + 1 end
  return self.list[lo]
end

local function current(entry)
  if entry.get then return entry.get(entry.oid) end
  return entry.value
end

local function varbind(entry)
  return { oid = entry.oid, type = entry.type, value = current(entry) }
end

function View:get(req)
  local out = {}
  for i, vb in ipairs(req.varbinds) do
    local entry = self.by_oid[vb.oid]
    local v1 = req.version == "1"
    if entry and not (v1 and entry.type == "cntr64") then
      out[i] = varbind(entry)
    elseif v1 then
      return nil, "SNMP_ERROR_NOSUCHNAME", i
    else
      out[i] = { oid = vb.oid, type = "nosuchobject" }
    end
  end
  return out
end

function View:getnext(req)
  local out = {}
  for i, vb in ipairs(req.varbinds) do
    local entry = self:next_after(vb.oid, req.version == "1")
    if entry then
      out[i] = varbind(entry)
    elseif req.version == "1" then
      return nil, "SNMP_ERROR_NOSUCHNAME", i
    else
      out[i] = { oid = vb.oid, type = "endofmibview" }
    end
  end
  return out
end

function View:getbulk(req)
  local vbs = req.varbinds
  local n = math.max(0, math.min(req.non_repeaters or 0, #vbs))
  local m = math.max(0, req.max_repetitions or 0)
  local out = {}
  for i = 1, n do
    local entry = self:next_after(vbs[i].oid)
    out[#out + 1] = entry and varbind(entry) or { oid = vbs[i].oid, type = "endofmibview" }
  end
  local last = {}
  for j = n + 1, #vbs do last[j] = vbs[j].oid end
  -- Each repeater searches the sorted list once; its later steps walk on
  -- from where it is (the list is in OID order).
  local at = {}
  for _ = 1, m do
    local any = false
    for j = n + 1, #vbs do
      if #out >= MAX_BULK_VARBINDS then return out end
      local entry
      if at[j] then entry = self.list[at[j] + 1] else entry = self:next_after(last[j]) end
      if entry then
        out[#out + 1] = varbind(entry)
        last[j], at[j] = entry.oid, entry.index
        any = true
      else
        at[j] = #self.list
        out[#out + 1] = { oid = last[j], type = "endofmibview" }
      end
    end
    if not any then break end -- every repeater is at the end of the view
  end
  return out
end

-- RFC 3584 4.4: the v1 error for a v2 one.
local V1_ERROR = {
  SNMP_ERROR_WRONGTYPE = "SNMP_ERROR_BADVALUE",
  SNMP_ERROR_WRONGLENGTH = "SNMP_ERROR_BADVALUE",
  SNMP_ERROR_WRONGVALUE = "SNMP_ERROR_BADVALUE",
  SNMP_ERROR_WRONGENCODING = "SNMP_ERROR_BADVALUE",
  SNMP_ERROR_INCONSISTENTVALUE = "SNMP_ERROR_BADVALUE",
  SNMP_ERROR_NOCREATION = "SNMP_ERROR_NOSUCHNAME",
  SNMP_ERROR_NOTWRITABLE = "SNMP_ERROR_NOSUCHNAME",
  SNMP_ERROR_INCONSISTENTNAME = "SNMP_ERROR_NOSUCHNAME",
  SNMP_ERROR_NOACCESS = "SNMP_ERROR_NOSUCHNAME",
  SNMP_ERROR_AUTHORIZATIONERROR = "SNMP_ERROR_NOSUCHNAME",
  SNMP_ERROR_RESOURCEUNAVAILABLE = "SNMP_ERROR_GENERR",
  SNMP_ERROR_COMMITFAILED = "SNMP_ERROR_GENERR",
  SNMP_ERROR_UNDOFAILED = "SNMP_ERROR_GENERR",
}

-- Why `value` cannot go into `entry`, as a v2 error name, or nil.
local function refusal(entry, vb)
  if not entry then return "SNMP_ERROR_NOCREATION" end
  if not entry.writable then return "SNMP_ERROR_NOTWRITABLE" end
  if vb.type ~= entry.type then return "SNMP_ERROR_WRONGTYPE" end
  if entry.size and (#vb.value < entry.size[1] or #vb.value > entry.size[2]) then
    return "SNMP_ERROR_WRONGLENGTH"
  end
  if entry.range and (vb.value < entry.range[1] or vb.value > entry.range[2]) then
    return "SNMP_ERROR_WRONGVALUE"
  end
  if entry.enum and not entry.enum[vb.value] then return "SNMP_ERROR_WRONGVALUE" end
  return nil
end

-- Applies a value; false when a `set` function refuses or raises.
local function apply(entry, value)
  if not entry.set then
    entry.value = value
    return true
  end
  local ok, applied = pcall(entry.set, entry.oid, value)
  return ok and applied == true
end

--- SET, atomically (RFC 3416 4.2.5): every varbind is checked before any is
-- applied; a `set` function that fails during the commit has the ones
-- already applied undone (commitFailed), or undoFailed if an undo fails.
function View:set(req)
  local v1 = req.version == "1"
  local function fail(name, i) return nil, v1 and V1_ERROR[name] or name, i end
  for i, vb in ipairs(req.varbinds) do -- check everything before changing anything
    local why = refusal(self.by_oid[vb.oid], vb)
    if why then return fail(why, i) end
  end
  local changes = {}
  for i, vb in ipairs(req.varbinds) do
    local entry = self.by_oid[vb.oid]
    local old = current(entry)
    if not apply(entry, vb.value) then
      for j = #changes, 1, -1 do -- undo, last applied first
        if not apply(self.by_oid[changes[j].oid], changes[j].old) then
          return fail("SNMP_ERROR_UNDOFAILED", i)
        end
      end
      return fail("SNMP_ERROR_COMMITFAILED", i)
    end
    changes[#changes + 1] = { oid = vb.oid, type = vb.type, value = vb.value, old = old }
  end
  if self.hook then self.hook(changes) end
  return req.varbinds
end

--- Runs `fn(changes)` after every SET that commits, with the list of
-- `{oid=, type=, value=, old=}` it applied.
function View:set_hook(fn)
  if fn ~= nil and type(fn) ~= "function" then
    error("bad argument #1 to 'set_hook' (function or nil expected)", 2)
  end
  self.hook = fn
  return true
end

--- Answers a request (the listener handler).
function View:answer(req)
  local method = self[req.type]
  if req.type == "answer" or type(method) ~= "function" then
    return nil, "SNMP_ERROR_GENERR", 0
  end
  return method(self, req)
end

--- The current value of `oid` (a live entry's `get` is called), or nil.
function View:value(oid)
  local entry = self.by_oid[oid]
  return entry and current(entry)
end

--- A view serving a `.snmprec` recording (snmpsim's format, as `s:record`
-- writes it), or nil, "FILE:LINE: why", NAME.  This is
-- `winsnmp.mibview.load(path)`.  Variation modules (`numeric`, `delay`, ...)
-- are not supported yet: a line that uses one is an error naming it.
-- @function load
local function load(path)
  local entries, msg, name = require("winsnmp.snmprec").read(path)
  if not entries then return nil, msg, name end
  return new(entries)
end

-- winsnmp.mibview(entries, opts) builds a view; winsnmp.mibview.load(path)
-- reads one from a recording.
return setmetatable({ load = load }, { __call = function(_, ...) return new(...) end })
