--- snmpsim's variation modules for `.snmprec` recordings: a line whose tag is
-- `TAG-ID:MODULE` (`65:numeric`, `2:delay`, `4:error`, `4:writecache`) has
-- a value of comma-separated `key=value` settings instead of a value.
--
-- * `numeric` — a number that changes with time: `min` (0), `max` (the
--   type's largest), `initial` (min), `atime` (non-zero: the wall clock as
--   TIME, else the time since the recording was loaded), `wrap` (non-zero:
--   past `max` start again from `min`; else stay at `max`), `function`
--   (`sin`, `cos`, `log`, ... from Lua's math; `name%arg%<time>` passes
--   arguments; default the identity), `rate`, `scale`, `offset`,
--   `deviation`, `cumulative`.  As snmpsim computes it:
--   `v = f(TIME * rate) * scale + offset + random(-deviation, deviation) + initial`;
--   with `cumulative` the previous value takes the place of `initial` (and
--   the offset grows with the time since it).
-- * `delay` — `value`/`hexvalue`, `wait` (ms, default 500), `deviation`
--   (ms), `vlist` (`eq|lt|gt:CONSTANT:WAIT` triples, for the value of a
--   SET), `tlist` (`eq|lt|gt:UNIXTIME:WAIT`).  A wait above 999999 drops the
--   request.  The answer is sent later without blocking anything else; an
--   answer carrying several delayed objects waits for the longest.
-- * `error` — `op` (`get` — which includes GETNEXT and GETBULK —, `set` or
--   `any`, the default), `status` (snmpsim's names: tooBig, noSuchName,
--   badValue, readOnly, genError, noAccess, wrongType, wrongValue,
--   noCreation, inconsistentValue, resourceUnavailable, commitFailed,
--   undoFailed, authorizationError, notWritable, inconsistentName; and
--   noSuchObject, noSuchInstance, endOfMib, which are answered as those
--   exception values), `value`/`hexvalue`, `vlist`
--   (`eq|lt|gt:CONSTANT:STATUS`, for the value of a SET).  A SET that no
--   error stops is stored.  For SNMPv1 a v2 status is mapped as RFC 3584 says.
-- * `writecache` — `value`/`hexvalue`; the object is writable and a SET is
--   kept in memory; `vlist` as for `error`.
--
-- A doubled separator (`,,` or `==`) stands for the character itself.
-- The tag's `x` suffix is ignored on these lines, as by snmpsim.
-- @module winsnmp.variations

local core = require("winsnmp.core")

local variations = {}

-- ---- settings ------------------------------------------------------------------------

-- `text` cut at single `sep` characters; a doubled one is the character.
local function split(text, sep)
  local parts, current, i = {}, {}, 1
  while i <= #text do
    local c = text:sub(i, i)
    if c == sep then
      if text:sub(i + 1, i + 1) == sep then
        current[#current + 1] = sep
        i = i + 2
      else
        parts[#parts + 1] = table.concat(current)
        current = {}
        i = i + 1
      end
    else
      current[#current + 1] = c
      i = i + 1
    end
  end
  parts[#parts + 1] = table.concat(current)
  return parts
end
variations.split = split

-- key=value,... -> {key = value}, or nil and why.
local function settings_of(text, known)
  local out = {}
  if text == "" then return out end
  for _, item in ipairs(split(text, ",")) do
    local kv = split(item, "=")
    if #kv ~= 2 or kv[1] == "" then
      return nil, ("malformed setting %q (key=value expected)"):format(item:sub(1, 40))
    end
    local key = kv[1]:lower()
    if not known[key] then return nil, ("unknown setting %q"):format(kv[1]:sub(1, 40)) end
    out[key] = kv[2]
  end
  return out
end

local function number_of(settings, key, default)
  local text = settings[key]
  if text == nil then return default end
  local n = tonumber(text)
  if not n or n ~= n then return nil, ("%s must be a number"):format(key) end
  return n
end

local function flag_of(settings, key)
  local text = settings[key]
  if text == nil then return false end
  local n = tonumber(text)
  if n then return n ~= 0 end
  return text ~= "" and text:lower() ~= "false" and text:lower() ~= "no"
end

local INTEGER_TYPES = { int = true, uint32 = true, cntr32 = true, gauge32 = true,
                        timeticks = true, cntr64 = true }

-- The range a numeric value of each type takes (floats: cntr64's top is
-- the largest double below 2^64).
local RANGE = {
  int = { -2147483648, 2147483647 },
  uint32 = { 0, 4294967295 }, cntr32 = { 0, 4294967295 }, gauge32 = { 0, 4294967295 },
  timeticks = { 0, 4294967295 }, cntr64 = { 0, 18446744073709549568.0 },
}

-- The value of a `value=`/`hexvalue=` setting, through the line parser's
-- `parse(typ, text, is_hex)`.
local function value_of(settings, typ, parse, module)
  if settings.hexvalue then return parse(typ, settings.hexvalue, true) end
  if settings.value then return parse(typ, settings.value, false) end
  return nil, module .. " needs value= or hexvalue="
end

-- A constant of a vlist, compared with a SET's value.
local function constant_of(typ, text, parse)
  if INTEGER_TYPES[typ] then
    local n = tonumber(text)
    if not n then return nil, ("vlist constant %q is not a number"):format(text:sub(1, 40)) end
    return n
  end
  return parse(typ, text, false)
end

-- snmpsim's error names (any case) -> an SNMP_ERROR_ name, or an exception.
local STATUS = {
  toobig = "SNMP_ERROR_TOOBIG", nosuchname = "SNMP_ERROR_NOSUCHNAME",
  badvalue = "SNMP_ERROR_BADVALUE", readonly = "SNMP_ERROR_READONLY",
  generror = "SNMP_ERROR_GENERR", generr = "SNMP_ERROR_GENERR",
  noaccess = "SNMP_ERROR_NOACCESS", wrongtype = "SNMP_ERROR_WRONGTYPE",
  wrongvalue = "SNMP_ERROR_WRONGVALUE", nocreation = "SNMP_ERROR_NOCREATION",
  inconsistentvalue = "SNMP_ERROR_INCONSISTENTVALUE",
  resourceunavailable = "SNMP_ERROR_RESOURCEUNAVAILABLE",
  commitfailed = "SNMP_ERROR_COMMITFAILED", undofailed = "SNMP_ERROR_UNDOFAILED",
  authorizationerror = "SNMP_ERROR_AUTHORIZATIONERROR",
  notwritable = "SNMP_ERROR_NOTWRITABLE", inconsistentname = "SNMP_ERROR_INCONSISTENTNAME",
  nosuchobject = "nosuchobject", nosuchinstance = "nosuchinstance",
  endofmib = "endofmibview", endofmibview = "endofmibview",
}

local function status_of(text)
  local status = text and STATUS[text:lower()]
  if not status then return nil, ("unknown error status %q"):format(tostring(text):sub(1, 40)) end
  return status
end

-- "eq:1:X:lt:5:Y" -> {eq = {[1] = X}, lt = {5, Y}, gt = ...}; `result(text)`
-- reads the third part of each triple.
local function vlist_of(text, typ, parse, result)
  local parts = split(text, ":")
  if #parts % 3 ~= 0 then return nil, "vlist needs comparison:constant:result triples" end
  local list = { eq = {} }
  for i = 1, #parts, 3 do
    local op = parts[i]:lower()
    local constant, why = constant_of(typ, parts[i + 1], parse)
    if constant == nil then return nil, why end
    local r
    r, why = result(parts[i + 2])
    if r == nil then return nil, why end
    if op == "eq" then
      list.eq[constant] = r
    elseif op == "lt" or op == "gt" then
      list[op] = { constant, r }
    else
      return nil, ("vlist comparison %q is not eq, lt or gt"):format(parts[i]:sub(1, 20))
    end
  end
  return list
end

local function vlist_match(list, value)
  if not list then return nil end
  if list.eq[value] ~= nil then return list.eq[value] end
  local ok, r = pcall(function()
    if list.lt and value < list.lt[1] then return list.lt[2] end
    if list.gt and value > list.gt[1] then return list.gt[2] end
  end)
  return ok and r or nil
end

-- ---- the modules -------------------------------------------------------------------

local modules = {}

-- The functions `function=` may name.
local FUNCTIONS = {
  sin = math.sin, cos = math.cos, tan = math.tan, asin = math.asin, acos = math.acos,
  atan = math.atan, exp = math.exp, log = math.log, sqrt = math.sqrt, abs = math.abs,
  floor = math.floor, ceil = math.ceil, fmod = math.fmod,
  log10 = function(x) return math.log(x, 10) end,
  pow = function(x, y) return x ^ y end,
}

-- A float into the Lua integer of a value of type `typ`.
local function to_value(typ, v)
  v = math.floor(v)
  if typ == "cntr64" and v >= 2 ^ 63 then return math.tointeger(v - 2 ^ 64) end
  return math.tointeger(v)
end

function modules.numeric(typ, text, _, loaded)
  if not INTEGER_TYPES[typ] then return nil, "numeric needs an integer type (2, 65, 66, 67, 70)" end
  local s, why = settings_of(text, {
    min = true, max = true, initial = true, atime = true, wrap = true, ["function"] = true,
    rate = true, scale = true, offset = true, deviation = true, cumulative = true,
    increasing = true, -- (older snmpsim recordings; the value only grows then anyway)
  })
  if not s then return nil, why end
  local range = RANGE[typ]
  local n = {}
  for _, key in ipairs({ "min", "max", "initial", "rate", "scale", "offset", "deviation" }) do
    local defaults = { min = range[1], max = range[2], rate = 1, scale = 1, offset = 0,
                       deviation = 0 }
    local v, e = number_of(s, key, defaults[key])
    if e then return nil, e end
    n[key] = v
  end
  n.min = math.max(range[1], math.min(range[2], n.min))
  n.max = math.max(range[1], math.min(range[2], n.max))
  if n.min > n.max then return nil, "min is above max" end
  n.initial = n.initial or n.min
  local fn, args = function(x) return x end, nil
  if s["function"] then
    local parts = split(s["function"], "%")
    fn = FUNCTIONS[parts[1]:lower()]
    if not fn then return nil, ("unknown function %q"):format(parts[1]:sub(1, 20)) end
    if #parts > 1 then
      args = {}
      for i = 2, #parts do
        local a = parts[i] == "<time>" and "<time>" or tonumber(parts[i])
        if not a then return nil, ("bad function argument %q"):format(parts[i]:sub(1, 20)) end
        args[#args + 1] = a
      end
    end
  end
  local atime, wrap, cumulative = flag_of(s, "atime"), flag_of(s, "wrap"), flag_of(s, "cumulative")
  local prev, prev_t = nil, nil
  local function get()
    local now = core.now()
    local t = atime and os.time() or now - loaded
    local v
    if args then
      local a = {}
      for i, x in ipairs(args) do a[i] = x == "<time>" and t * n.rate or x end
      v = fn(table.unpack(a))
    else
      v = fn(t * n.rate)
    end
    if v ~= v or v == math.huge or v == -math.huge then v = 0 end
    v = v * n.scale
    local base = n.initial
    if cumulative then
      base = prev or n.initial
      v = v + n.offset * (now - (prev_t or loaded)) * n.rate
    else
      v = v + n.offset
    end
    if n.deviation ~= 0 then v = v + (math.random() * 2 - 1) * n.deviation end
    if cumulative and v < 0 then v = 0 end
    v = v + base
    if v < n.min then
      v = n.min
    elseif v > n.max then
      if wrap then v = n.min + math.fmod(v - n.min, n.max - n.min + 1) else v = n.max end
    end
    if cumulative then prev, prev_t = v, now end
    return to_value(typ, v)
  end
  return { module = "numeric", get = get }
end

local function wait_of(text)
  local n = tonumber(text)
  if not n then return nil, ("delay %q is not a number of milliseconds"):format(text:sub(1, 20)) end
  return n
end

function modules.delay(typ, text, parse)
  local s, why = settings_of(text, { value = true, hexvalue = true, wait = true, deviation = true,
                                     vlist = true, tlist = true })
  if not s then return nil, why end
  local value
  value, why = value_of(s, typ, parse, "delay")
  if value == nil then return nil, why end
  local spec = { module = "delay", value = value }
  spec.wait, why = number_of(s, "wait", 500)
  if not spec.wait then return nil, why end
  spec.deviation, why = number_of(s, "deviation", 0)
  if not spec.deviation then return nil, why end
  if s.vlist then
    spec.vlist, why = vlist_of(s.vlist, typ, parse, wait_of)
    if not spec.vlist then return nil, why end
  end
  if s.tlist then
    spec.tlist, why = vlist_of(s.tlist, "int", parse, wait_of)
    if not spec.tlist then return nil, why end
  end
  -- (a SET is answered, and not stored, as snmpsim does)
  spec.set = function() return true end
  return spec
end

-- Milliseconds to wait before answering a request that carries `vb`; nil
-- when the request must be dropped.
local function delay_ms(spec, vb, set)
  local ms = spec.wait
  local chosen = nil
  if set then chosen = vlist_match(spec.vlist, vb.value) end
  if chosen == nil and spec.tlist then chosen = vlist_match(spec.tlist, os.time()) end
  if chosen ~= nil then ms = chosen end
  if spec.deviation ~= 0 then ms = ms + (math.random() * 2 - 1) * spec.deviation end
  if ms > 999999 then return nil end
  return math.max(0, ms)
end

local function status_list(typ, text, parse)
  return vlist_of(text, typ, parse, status_of)
end

local OPS = { get = true, set = true, any = true }

function modules.error(typ, text, parse)
  local s, why = settings_of(text, { op = true, status = true, value = true, hexvalue = true,
                                     vlist = true })
  if not s then return nil, why end
  local spec = { module = "error", op = (s.op or "any"):lower(), writable = true }
  if not OPS[spec.op] then return nil, ("op must be get, set or any, not %q"):format(s.op) end
  if s.status then
    spec.status, why = status_of(s.status)
    if not spec.status then return nil, why end
  end
  if s.vlist then
    spec.vlist, why = status_list(typ, s.vlist, parse)
    if not spec.vlist then return nil, why end
  end
  local on_get = spec.status and spec.op ~= "set"
  if s.value or s.hexvalue or not on_get then
    spec.value, why = value_of(s, typ, parse, "error")
    if spec.value == nil then return nil, why end
  end
  return spec
end

function modules.writecache(typ, text, parse)
  local s, why = settings_of(text, { value = true, hexvalue = true, vlist = true })
  if not s then return nil, why end
  local spec = { module = "writecache", writable = true }
  spec.value, why = value_of(s, typ, parse, "writecache")
  if spec.value == nil then return nil, why end
  if s.vlist then
    spec.vlist, why = status_list(typ, s.vlist, parse)
    if not spec.vlist then return nil, why end
  end
  return spec
end

--- The variation modules this version implements.
variations.MODULES = { numeric = true, delay = true, error = true, writecache = true }

--- Reads one variation line's settings: an entry `{oid, type, value,
-- get=, set=, writable=, variation=}` for winsnmp.mibview, or nil and why.
-- `parse(typ, text, is_hex)` reads a value of a type (the line parser's);
-- `loaded` is the clock (`core.now()`) at which the recording was loaded.
function variations.entry(oid, typ, module, text, parse, loaded)
  local make = modules[module]
  if not make then
    return nil, ("variation module %q is not supported"):format(module:sub(1, 40))
  end
  local spec, why = make(typ, text, parse, loaded or core.now())
  if not spec then return nil, why end
  local value = spec.value
  if value == nil and not spec.get then -- never read (every read is an error)
    value = ({ octets = "", opaque = "", bits = "", nsapaddr = "", ipaddr = "0.0.0.0",
               oid = "0.0" })[typ] or 0
  end
  return { oid = oid, type = typ, value = value, get = spec.get, set = spec.set,
           writable = spec.writable, variation = spec }
end

-- ---- the handler ---------------------------------------------------------------------

-- RFC 3584 4.4: the v1 error for a v2 one.
local V1_ERROR = {
  SNMP_ERROR_WRONGTYPE = "SNMP_ERROR_BADVALUE", SNMP_ERROR_WRONGLENGTH = "SNMP_ERROR_BADVALUE",
  SNMP_ERROR_WRONGVALUE = "SNMP_ERROR_BADVALUE", SNMP_ERROR_WRONGENCODING = "SNMP_ERROR_BADVALUE",
  SNMP_ERROR_INCONSISTENTVALUE = "SNMP_ERROR_BADVALUE",
  SNMP_ERROR_NOCREATION = "SNMP_ERROR_NOSUCHNAME", SNMP_ERROR_NOTWRITABLE = "SNMP_ERROR_NOSUCHNAME",
  SNMP_ERROR_INCONSISTENTNAME = "SNMP_ERROR_NOSUCHNAME",
  SNMP_ERROR_NOACCESS = "SNMP_ERROR_NOSUCHNAME",
  SNMP_ERROR_AUTHORIZATIONERROR = "SNMP_ERROR_NOSUCHNAME",
  SNMP_ERROR_RESOURCEUNAVAILABLE = "SNMP_ERROR_GENERR",
  SNMP_ERROR_COMMITFAILED = "SNMP_ERROR_GENERR", SNMP_ERROR_UNDOFAILED = "SNMP_ERROR_GENERR",
}
variations.V1_ERROR = V1_ERROR

local EXCEPTION = { nosuchobject = true, nosuchinstance = true, endofmibview = true }

local function failure(req, status, index)
  if EXCEPTION[status] then status = "SNMP_ERROR_NOSUCHNAME" end
  if req.version == "1" then status = V1_ERROR[status] or status end
  return nil, status, index
end

-- The request varbind that answer `k` of a GETBULK answers.
local function bulk_index(req, k)
  local n = #req.varbinds
  local nonrep = math.max(0, math.min(req.non_repeaters or 0, n))
  if k <= nonrep or n == nonrep then return math.min(k, n) end
  return nonrep + (k - nonrep - 1) % (n - nonrep) + 1
end

-- The status an object flags when a GET* reads it, or nil.
local function get_status(spec)
  if spec.module == "error" and spec.status and spec.op ~= "set" then return spec.status end
  return nil
end

-- The status an object flags when a SET writes `vb` to it, or nil.
local function set_status(spec, vb)
  if spec.module ~= "error" and spec.module ~= "writecache" then return nil end
  if spec.vlist then
    local status = vlist_match(spec.vlist, vb.value)
    if status then return status end
    if spec.module == "writecache" then return nil end
  end
  if spec.module == "error" and not spec.vlist and spec.status and spec.op ~= "get" then
    if EXCEPTION[spec.status] then return "SNMP_ERROR_NOCREATION" end
    return spec.status
  end
  return nil
end

--- The handler of a view built from a recording's entries: `view.handler`
-- with what the `error` and `delay` variations add — an error status (or an
-- exception value) in the answer, and `req.delay`/`req.drop` for the
-- listener (see `s:listen`).
function variations.handler(view, entries)
  local specs = {}
  for _, e in ipairs(entries) do
    if e.variation and (e.variation.module == "error" or e.variation.module == "delay" or
        e.variation.module == "writecache") then
      specs[(e.oid or e[1]):gsub("^%.", "")] = e.variation
    end
  end
  local inner = view.handler
  if next(specs) == nil then return inner end
  local function delay(req, list, set)
    local longest = nil
    for _, vb in ipairs(list) do
      local spec = specs[vb.oid]
      if spec and spec.module == "delay" then
        local ms = delay_ms(spec, vb, set)
        if not ms then
          req.drop = true
          return
        end
        longest = math.max(longest or 0, ms)
      end
    end
    if longest then req.delay = math.max(req.delay or 0, longest / 1000) end
  end
  return function(req)
    local set = req.type == "set"
    if set then
      delay(req, req.varbinds, true)
      for i, vb in ipairs(req.varbinds) do
        local spec = specs[vb.oid]
        local status = spec and set_status(spec, vb)
        if status then return failure(req, status, i) end
      end
      return inner(req)
    end
    local list, name, index = inner(req)
    if not list then
      delay(req, req.varbinds, false)
      return list, name, index
    end
    delay(req, list, false)
    for k, vb in ipairs(list) do
      local spec = specs[vb.oid]
      local status = spec and not EXCEPTION[vb.type] and get_status(spec)
      if status then
        local i = req.type == "getbulk" and bulk_index(req, k) or k
        if EXCEPTION[status] and req.version ~= "1" then
          list[k] = { oid = vb.oid, type = status }
        else
          return failure(req, status, i)
        end
      end
    end
    return list
  end
end

return variations
