--- A conceptual table in a view (`view:table(entry_oid, spec)`): rows kept
-- in index order, so GETNEXT and GETBULK walk them column by column in OID
-- order however rows come and go; SETs that create, change and destroy rows
-- through a RowStatus column (RFC 2579) or change `rw` columns.
-- @module winsnmp.mibview.table

local index = require("winsnmp.mibview.index")
local rowstatus = require("winsnmp.mibview.rowstatus")
local keys = require("winsnmp.mibview.keys")

local less_at = keys.less_at

local Table = {}
Table.__index = Table
Table.__name = "winsnmp.mibview.table"

local ACCESS = { ro = true, rw = true, rc = true }

local function copy(t)
  local c = {}
  for k, v in pairs(t) do c[k] = v end
  return c
end

local function compile_columns(spec, where, types)
  if type(spec.columns) ~= "table" or next(spec.columns) == nil then
    error(where .. ": spec.columns must map column numbers to column specs", 5)
  end
  local columns, list, status = {}, {}, nil
  for n, c in pairs(spec.columns) do
    local at = ("%s: column %s"):format(where, tostring(n))
    if math.type(n) ~= "integer" or n < 0 or n > 4294967295 or type(c) ~= "table" then
      error(at .. ": columns are {[number] = {type=, access=, ...}}", 5)
    end
    local typ = c.type or (c.rowstatus and "int")
    if not types[typ] then error(("%s: unknown type %q"):format(at, tostring(typ)), 5) end
    local access = c.access or (c.rowstatus and "rc") or "ro"
    if not ACCESS[access] then error(("%s: access must be ro, rw or rc"):format(at), 5) end
    local col = { n = n, type = typ, access = access, size = c.size, range = c.range,
                  default = c.default, rowstatus = c.rowstatus and true or nil }
    keys.check_constraints(c, at, 6)
    if c.enum then
      col.enum = {}
      for _, v in ipairs(c.enum) do col.enum[v] = true end
    end
    if col.rowstatus then
      if status then error(where .. ": only one column may be the RowStatus", 5) end
      if typ ~= "int" or access ~= "rc" then
        error(at .. ": a RowStatus column is an int with access rc", 5)
      end
      status = n
    end
    -- what a row needs before it can be active: every read-create column
    -- without a default (RFC 2579's "required" columns)
    col.required = access == "rc" and not col.rowstatus and c.default == nil
    columns[n] = col
    list[#list + 1] = n
  end
  table.sort(list)
  for i, n in ipairs(list) do list[i] = columns[n] end
  return columns, list, status
end

--- Builds a table under `entry_oid` (an OID string) from `spec` (API.md);
-- raises on a malformed spec.  Used by View:table.
function Table.new(entry_oid, spec, types)
  local where = "mibview: table " .. entry_oid
  if type(spec) ~= "table" then error(where .. ": spec must be a table", 4) end
  if spec.apply ~= nil and type(spec.apply) ~= "function" then
    error(where .. ": spec.apply must be a function", 4)
  end
  local columns, list, status = compile_columns(spec, where, types)
  for _, col in ipairs(list) do col.dot = entry_oid .. "." .. col.n .. "." end
  local self = setmetatable({
    oid = entry_oid, dot = entry_oid .. ".", key = index.oid_arcs(entry_oid),
    syntaxes = index.compile(spec.index, where),
    columns = columns, col_list = list, status = status, apply = spec.apply,
    ordered = {}, by_suffix = {},
  }, Table)
  return self
end

function Table:__tostring()
  return ("winsnmp.mibview.table (%s, %d rows)"):format(self.oid, #self.ordered)
end

local function row_key(self, values, fname)
  local arcs = index.encode(self.syntaxes, values)
  if not arcs then
    error(("bad argument #1 to '%s' (index values do not fit the table's index syntaxes)")
      :format(fname), 3)
  end
  return arcs, table.concat(arcs, ".")
end

-- Position of the first row whose key is greater than key[from..].
local function upper_row(rows, key, from)
  local lo, hi = 1, #rows
  while lo <= hi do
    local mid = (lo + hi) // 2
    if less_at(key, from, rows[mid].key) then hi = mid - 1 else lo = mid + 1 end
  end
  return lo
end

-- Puts a row in place (cells = nil removes it); the row list stays sorted.
function Table:put(key, suffix, values, cells)
  local row = self.by_suffix[suffix]
  if cells == nil then
    if row then
      local at = upper_row(self.ordered, key, 1) - 1
      table.remove(self.ordered, at)
      self.by_suffix[suffix] = nil
    end
    return
  end
  if row then
    row.cells = cells
    return
  end
  row = { key = key, suffix = suffix, index = values, cells = cells }
  table.insert(self.ordered, upper_row(self.ordered, key, 1), row)
  self.by_suffix[suffix] = row
end

--- Adds a row (or, for an existing index, sets the cells given), with
-- column defaults for cells not given and the RowStatus active; true.
function Table:add(values, cells)
  local key, suffix = row_key(self, values, "add")
  if cells ~= nil and type(cells) ~= "table" then
    error("bad argument #2 to 'add' (table of cells expected)", 2)
  end
  for n in pairs(cells or {}) do
    if not self.columns[n] then error(("bad argument #2 to 'add' (no column %s)"):format(
      tostring(n)), 2) end
  end
  local row = self.by_suffix[suffix]
  local new = row and copy(row.cells) or {}
  if not row then
    for n, col in pairs(self.columns) do new[n] = col.default end
    if self.status then new[self.status] = rowstatus.ACTIVE end
  end
  for n, v in pairs(cells or {}) do new[n] = v end
  self:put(key, suffix, copy(values), new)
  return true
end

--- Removes the row with index `values`: true, or false if there was none.
function Table:remove(values)
  local key, suffix = row_key(self, values, "remove")
  if not self.by_suffix[suffix] then return false end
  self:put(key, suffix, nil, nil)
  return true
end

--- A copy of the row's cells `{[column] = value}`, or nil.
function Table:row(values)
  local _, suffix = row_key(self, values, "row")
  local row = self.by_suffix[suffix]
  return row and copy(row.cells)
end

--- Iterates `index, row` (copies) in OID order; rows added or removed
-- meanwhile do not disturb the iteration.
function Table:rows()
  local snapshot = table.move(self.ordered, 1, #self.ordered, 1, {})
  local i = 0
  return function()
    i = i + 1
    local row = snapshot[i]
    if row then return copy(row.index), copy(row.cells) end
  end
end

-- ---- reading (the view's walk) ------------------------------------------------------

local function skips(col, v1) return v1 and col.type == "cntr64" end

-- The first cell at or after (column position cp, row position r) that has
-- a value: cp, r, or nil.
function Table:settle(cp, r, v1)
  local list, rows = self.col_list, self.ordered
  while cp <= #list do
    local col = list[cp]
    if not skips(col, v1) then
      local n = col.n
      while r <= #rows do
        if rows[r].cells[n] ~= nil then return cp, r end
        r = r + 1
      end
    end
    cp, r = cp + 1, 1
  end
  return nil
end

--- The first cell whose OID follows key[from..] (the part after the
-- entry OID): column position, row position, or nil.
function Table:seek(key, from, v1)
  local c = key[from]
  if c == nil then return self:settle(1, 1, v1) end
  local list = self.col_list
  local lo, hi = 1, #list -- first column >= c
  while lo <= hi do
    local mid = (lo + hi) // 2
    if list[mid].n < c then lo = mid + 1 else hi = mid - 1 end
  end
  if list[lo] and list[lo].n == c then
    return self:settle(lo, upper_row(self.ordered, key, from + 1), v1)
  end
  return self:settle(lo, 1, v1)
end

--- The varbind at (column position, row position).
function Table:varbind(cp, r)
  local col, row = self.col_list[cp], self.ordered[r]
  return { oid = col.dot .. row.suffix, type = col.type, value = row.cells[col.n] }
end

--- A GET of `oid` (inside this table): the varbind, or nil and the
-- exception ("nosuchobject" for an unknown column, "nosuchinstance").
function Table:get(oid, v1)
  local n, suffix = oid:match("^(%d+)%.(.+)$", #self.dot + 1)
  local col = n and self.columns[math.tointeger(tonumber(n))]
  if not col or skips(col, v1) then return nil, "nosuchobject" end
  local row = self.by_suffix[suffix]
  local value = row and row.cells[col.n]
  if value == nil then return nil, "nosuchinstance" end
  return { oid = oid, type = col.type, value = value }
end

-- ---- SET ---------------------------------------------------------------------------

--- Checks one varbind of a SET aimed at this table and files it in
-- `groups` (one group per row; `refusal(col, vb)` checks its type and
-- constraints): nil, or the v2 error name.
function Table:check_varbind(vb, i, groups, refusal)
  local arcs = index.oid_arcs(vb.oid)
  local n = arcs and arcs[#self.key + 1]
  local col = n and self.columns[n]
  if not col then return "SNMP_ERROR_NOCREATION" end
  if col.access == "ro" then return "SNMP_ERROR_NOTWRITABLE" end
  local values = index.decode(self.syntaxes, arcs, #self.key + 2)
  if not values then return "SNMP_ERROR_NOCREATION" end -- no such index can exist
  local why = refusal(col, vb)
  if why then return why end
  local suffix = table.concat(arcs, ".", #self.key + 2)
  local group = groups[self.dot .. suffix] -- (two tables may have equal suffixes)
  if not group then
    group = { tbl = self, suffix = suffix, key = table.move(arcs, #self.key + 2, #arcs, 1, {}),
              index = values, first = i, sets = {}, vbs = {} }
    groups[self.dot .. suffix] = group
    groups[#groups + 1] = group
  end
  group.sets[n] = vb.value
  group.vbs[#group.vbs + 1] = { i = i, vb = vb, col = n }
  if col.rowstatus then group.status_at = i end
  return nil
end

local function complete(self, cells)
  for _, col in ipairs(self.col_list) do
    if col.required and cells[col.n] == nil then return false end
  end
  return true
end

--- What a row group's SET does: fills group.before (the cells now, or nil)
-- and group.after (the cells afterwards, or nil when the row goes away);
-- nil, or the error name and index.
function Table:resolve(group)
  local row = self.by_suffix[group.suffix]
  group.before = row and copy(row.cells)
  local after = row and copy(row.cells) or {}
  if not row then
    for n, col in pairs(self.columns) do after[n] = col.default end
  end
  for n, v in pairs(group.sets) do
    if n ~= self.status then after[n] = v end
  end
  if not self.status then -- no RowStatus: only existing rows change
    if not row then return "SNMP_ERROR_NOCREATION", group.first end
    group.after = after
    return nil
  end
  local state = row and row.cells[self.status]
  local new, err = rowstatus.transition(state, group.sets[self.status], complete(self, after))
  if new == nil then return err, group.status_at or group.first end
  if new == false then
    group.after = nil
  else
    after[self.status] = new
    group.after = after
  end
  return nil
end

--- Applies a row group's change forwards or back (`undo`), through
-- spec.apply when the table has one: true, or false when apply refuses or
-- raises (the row is then left as it was).
function Table:commit(group, undo)
  local from, to = group.before, group.after
  if undo then from, to = to, from end
  self:put(group.key, group.suffix, group.index, to and copy(to))
  if not self.apply then return true end
  local ok, applied = pcall(self.apply, copy(group.index), to and copy(to), from and copy(from))
  if ok and applied == true then return true end
  -- refused: the change did not happen, here either
  self:put(group.key, group.suffix, group.index, from and copy(from))
  return false
end

--- The value a varbind of the group had before the SET (for set_hook).
function Table.old_value(group, n)
  return group.before and group.before[n]
end

return Table
