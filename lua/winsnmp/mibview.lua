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
local keys = require("winsnmp.mibview.keys")
local Table = require("winsnmp.mibview.table")
local set = require("winsnmp.mibview.set")

local components, less, is_prefix = keys.components, keys.less, keys.is_prefix
local current = set.current

local MAX_BULK_VARBINDS = 1000

local View = {}
View.__index = View
View.__name = "winsnmp.mibview"

-- The types an entry may have: winsnmp's value types, and the exceptions
-- a recording may hold.
local TYPES = {
  int = true, uint32 = true, cntr32 = true, gauge32 = true, timeticks = true, cntr64 = true,
  octets = true, opaque = true, bits = true, nsapaddr = true, ipaddr = true, oid = true,
  null = true, nosuchobject = true, nosuchinstance = true, endofmibview = true,
}

local function check_oid(oid, where, level)
  local ok, msg = core.oid_compare(oid, oid)
  if not ok then error(("%s: %s"):format(where, msg), level + 1) end
  return (oid:gsub("^%.", ""))
end

local function entry_of(e, i, opts)
  local where = ("mibview: entry %d"):format(i)
  local oid, typ, value = e.oid or e[1], e.type or e[2], e.value
  if value == nil then value = e[3] end
  if type(oid) ~= "string" or type(typ) ~= "string" then
    error(where .. " needs an OID and a type", 4)
  end
  if not TYPES[typ] then error(("%s: unknown type %q"):format(where, typ), 4) end
  oid = check_oid(oid, where, 4)
  for _, f in ipairs({ "get", "set" }) do
    if e[f] ~= nil and type(e[f]) ~= "function" then
      error(("%s: %s must be a function"):format(where, f), 4)
    end
  end
  keys.check_constraints(e, where, 5)
  local enum
  if e.enum then
    enum = {}
    for _, n in ipairs(e.enum) do enum[n] = true end
  end
  return { oid = oid, type = typ, value = value, key = components(oid), position = i,
           writable = e.writable or opts.writable or e.set ~= nil or false,
           get = e.get, set = e.set, size = e.size, range = e.range, enum = enum }
end

--- Builds a view from entries {oid, type, value[, writable]} (positional or
-- named).  `opts.writable` makes every entry writable.  An entry may also
-- have `get = function(oid, req) -> value` (a live value, read at each
-- request), `set = function(oid, value, req) -> true | nil,
-- "SNMP_ERROR_..."` (applied when a SET commits), and constraints checked
-- before any SET is applied: `size = {min, max}` (octets length:
-- wrongLength), `range = {min, max}` and `enum = {n, ...}` (wrongValue).
-- An unknown type, a malformed or a duplicated OID raises at once, naming
-- the entry.  Tables are added with `view:table`.  This is
-- `winsnmp.mibview(entries, opts)`; the view's `handler` goes to s:listen.
-- @function mibview
local function new(entries, opts)
  opts = opts or {}
  if type(entries) ~= "table" then error("bad argument #1 to 'mibview' (table expected)", 2) end
  -- nodes: scalar entries and tables, in OID order (a table stands for its
  -- whole subtree); by_oid: the scalars by OID string
  local self = setmetatable({ nodes = {}, by_oid = {}, tables = {}, plans = {} }, View)
  for i, e in ipairs(entries) do
    if type(e) ~= "table" then error(("mibview: entry %d is not a table"):format(i), 2) end
    local entry = entry_of(e, i, opts)
    local twin = self.by_oid[entry.oid]
    if twin then
      error(("mibview: entry %d: OID %s is already entry %d"):format(i, entry.oid,
        twin.position), 2)
    end
    self.nodes[#self.nodes + 1] = entry
    self.by_oid[entry.oid] = entry
  end
  table.sort(self.nodes, function(a, b) return less(a.key, b.key) end)
  for i, node in ipairs(self.nodes) do node.pos = i end
  self.handler = function(req) return self:answer(req) end
  return self
end

function View:__tostring()
  return ("winsnmp.mibview (%d scalars, %d tables)"):format(#self.nodes - #self.tables,
    #self.tables)
end

--- Adds a conceptual table under `entry_oid` (API.md): `spec.index` lists
-- the index syntaxes, `spec.columns` the columns (`type`, `access` "ro",
-- "rw" or "rc", `size`, `range`, `enum`, `default`, and at most one
-- `rowstatus = true`); `spec.apply = function(index, row, old) -> true`,
-- optional, runs during a SET's commit for each row it creates, changes
-- (row and old are the cells after and before) or destroys (row is nil);
-- anything else than true fails the SET with commitFailed and undoes it.
-- Returns the Table (`tbl:add`, `tbl:remove`, `tbl:row`, `tbl:rows`).
function View:table(entry_oid, spec)
  if type(entry_oid) ~= "string" then
    error("bad argument #1 to 'table' (OID string expected)", 2)
  end
  entry_oid = check_oid(entry_oid, "mibview: table " .. entry_oid, 2)
  local tbl = Table.new(entry_oid, spec, TYPES)
  for _, node in ipairs(self.nodes) do
    if is_prefix(node.key, tbl.key) or is_prefix(tbl.key, node.key) then
      error(("mibview: table %s overlaps %s %s"):format(entry_oid,
        getmetatable(node) == Table and "table" or "entry", node.oid), 2)
    end
  end
  local at = #self.nodes + 1
  for i, node in ipairs(self.nodes) do
    if less(tbl.key, node.key) then
      at = i
      break
    end
  end
  table.insert(self.nodes, at, tbl)
  for i = at, #self.nodes do self.nodes[i].pos = i end
  self.tables[#self.tables + 1] = tbl
  return tbl
end

--- The table whose subtree holds `oid` (a string), or nil.
function View:table_of(oid)
  for _, tbl in ipairs(self.tables) do
    if oid:sub(1, #tbl.dot) == tbl.dot then return tbl end
  end
  return nil
end

-- ---- walking: a position is (node number, column position, row position) --------

local function skips(node, v1)
  -- SNMPv1 has no Counter64: a v1 manager never sees it (RFC 3584 4.2.2.1)
  return v1 and node.type == "cntr64"
end

-- The first object of node n or a later one: n, cp, r, or nil.
function View:first_from(n, v1)
  local nodes = self.nodes
  for k = n, #nodes do
    local node = nodes[k]
    if getmetatable(node) == Table then
      local cp, r = node:settle(1, 1, v1)
      if cp then return k, cp, r end
    elseif not skips(node, v1) then
      return k
    end
  end
  return nil
end

--- The position of the first object strictly after `key` (a list of
-- arcs): n, cp, r, or nil at the end of the view.
function View:seek(key, v1)
  local nodes = self.nodes
  local lo, hi = 1, #nodes -- first node whose key > key
  while lo <= hi do
    local mid = (lo + hi) // 2
    if less(key, nodes[mid].key) then hi = mid - 1 else lo = mid + 1 end
  end
  local before = nodes[lo - 1]
  if before and getmetatable(before) == Table and is_prefix(before.key, key) then
    local cp, r = before:seek(key, #before.key + 1, v1)
    if cp then return lo - 1, cp, r end
  end
  return self:first_from(lo, v1)
end

--- The position after (n, cp, r), or nil at the end of the view.
function View:advance(n, cp, r, v1)
  local node = self.nodes[n]
  if cp then
    cp, r = node:settle(cp, r + 1, v1)
    if cp then return n, cp, r end
  end
  return self:first_from(n + 1, v1)
end

function View:varbind(n, cp, r, req)
  local node = self.nodes[n]
  if cp then return node:varbind(cp, r) end
  return { oid = node.oid, type = node.type, value = current(node, req) }
end

--- The position of the first object strictly after `oid` (a string):
-- n, cp, r, or nil.  A walk asks for what follows an OID it was just given,
-- so an existing scalar or an OID inside a table is found without
-- searching the whole view.
function View:locate(oid, v1)
  local entry = self.by_oid[oid]
  if entry then return self:advance(entry.pos, nil, nil, v1) end
  local tbl = self:table_of(oid)
  if tbl then
    local cp, r = tbl:seek(components(oid:sub(#tbl.dot + 1)), 1, v1)
    if cp then return tbl.pos, cp, r end
    return self:first_from(tbl.pos + 1, v1)
  end
  return self:seek(components(oid), v1)
end

--- The first object strictly after `oid` as a varbind, or nil.
function View:next_after(oid, v1, req)
  local n, cp, r = self:locate(oid, v1)
  return n and self:varbind(n, cp, r, req)
end

function View:get(req)
  local out = {}
  local v1 = req.version == "1"
  for i, vb in ipairs(req.varbinds) do
    local entry, exception = self.by_oid[vb.oid], "nosuchobject"
    if entry and not skips(entry, v1) then
      out[i] = { oid = entry.oid, type = entry.type, value = current(entry, req) }
    else
      local tbl = not entry and self:table_of(vb.oid)
      if tbl then out[i], exception = tbl:get(vb.oid, v1) end
      if out[i] == nil then
        if v1 then return nil, "SNMP_ERROR_NOSUCHNAME", i end
        out[i] = { oid = vb.oid, type = exception }
      end
    end
  end
  return out
end

function View:getnext(req)
  local out = {}
  local v1 = req.version == "1"
  for i, vb in ipairs(req.varbinds) do
    out[i] = self:next_after(vb.oid, v1, req)
    if not out[i] then
      if v1 then return nil, "SNMP_ERROR_NOSUCHNAME", i end
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
    out[#out + 1] = self:next_after(vbs[i].oid, false, req) or
      { oid = vbs[i].oid, type = "endofmibview" }
  end
  -- Each repeater seeks once; its later steps advance from its position.
  local at_n, at_cp, at_r, last = {}, {}, {}, {}
  for j = n + 1, #vbs do
    last[j] = vbs[j].oid
    at_n[j], at_cp[j], at_r[j] = self:locate(vbs[j].oid, false)
  end
  for step = 1, m do
    local any = false
    for j = n + 1, #vbs do
      if #out >= MAX_BULK_VARBINDS then return out end
      if step > 1 and at_n[j] then
        at_n[j], at_cp[j], at_r[j] = self:advance(at_n[j], at_cp[j], at_r[j], false)
      end
      if at_n[j] then
        local vb = self:varbind(at_n[j], at_cp[j], at_r[j], req)
        out[#out + 1] = vb
        last[j] = vb.oid
        any = true
      else
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

local function failure(req, name, index)
  return nil, req.version == "1" and V1_ERROR[name] or name, index
end

--- SET phase 1 (also AgentX TestSet): checks every varbind of `req` (type,
-- length, range, enum, access, RowStatus transition) and changes nothing:
-- true, or nil, "SNMP_ERROR_...", index.
function View:test_set(req)
  local plan, name, index = set.check(self, req)
  if not plan then return failure(req, name, index) end
  self.plans[req] = plan
  return true
end

--- SET phase 2 (AgentX CommitSet): applies what test_set checked (testing
-- first if it was not): true, or nil, SNMP_ERROR_COMMITFAILED and the
-- failed varbind's index once what was applied is undone, or
-- SNMP_ERROR_UNDOFAILED and 0.
function View:commit_set(req)
  if not self.plans[req] then
    local ok, name, index = self:test_set(req)
    if not ok then return nil, name, index end
  end
  local ok, name, index = set.commit(self.plans[req])
  if not ok then
    self.plans[req] = nil
    return failure(req, name, index)
  end
  return true
end

--- AgentX UndoSet: undoes a committed SET: true, or nil,
-- SNMP_ERROR_UNDOFAILED, 0.
function View:undo_set(req)
  local plan = self.plans[req]
  if not plan then return true end
  local ok, name, index = set.undo(plan)
  if not ok then return failure(req, name, index) end
  return true
end

--- The last phase (AgentX CleanupSet): forgets the SET; when it stayed
-- committed, the set_hook sees its changes.  True.
function View:cleanup_set(req)
  local plan = self.plans[req]
  self.plans[req] = nil
  if plan and plan.committed and self.hook then self.hook(set.changes(plan)) end
  return true
end

--- SET, atomically (RFC 3416 4.2.5): every varbind is checked before any
-- is applied; a `set` function (or a table's `apply`) that fails during
-- the commit has the ones already applied undone (commitFailed), or
-- undoFailed if an undo fails too.
function View:set(req)
  local ok, name, index = self:test_set(req)
  if ok then ok, name, index = self:commit_set(req) end
  if not ok then
    self.plans[req] = nil
    return nil, name, index
  end
  self:cleanup_set(req)
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

local ANSWER = { get = View.get, getnext = View.getnext, getbulk = View.getbulk, set = View.set }

--- Answers a request (the listener handler).
function View:answer(req)
  local method = ANSWER[req.type]
  if not method then return nil, "SNMP_ERROR_GENERR", 0 end
  return method(self, req)
end

--- The current value of `oid`, a scalar (a live entry's `get` is called)
-- or a table cell, or nil.
function View:value(oid)
  if type(oid) ~= "string" then error("bad argument #1 to 'value' (OID string expected)", 2) end
  oid = oid:gsub("^%.", "")
  local entry = self.by_oid[oid]
  if entry then return current(entry) end
  local tbl = self:table_of(oid)
  local vb = tbl and tbl:get(oid, false)
  return vb and vb.value
end

--- A view serving a `.snmprec` recording (snmpsim's format, as `s:record`
-- writes it, with its numeric, delay, error and writecache variation tags),
-- or nil, "FILE:LINE: why", NAME.  This is `winsnmp.mibview.load(path)`.
-- @function load
local function load(path)
  return require("winsnmp.snmprec").view(path)
end

-- winsnmp.mibview(entries, opts) builds a view; winsnmp.mibview.load(path)
-- reads one from a recording.
return setmetatable({ load = load }, { __call = function(_, ...) return new(...) end })
