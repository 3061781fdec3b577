--- SET in a view, as RFC 3416 4.2.5 says, in the phases AgentX also uses
-- (RFC 2741 7.2.4): check every varbind before anything changes (test),
-- apply them in order (commit), put back what was applied when one fails
-- (undo), then forget (cleanup).
-- @module winsnmp.mibview.set

local set = {}

local COMMITFAILED, UNDOFAILED = "SNMP_ERROR_COMMITFAILED", "SNMP_ERROR_UNDOFAILED"

-- Types that are one type on the wire: Unsigned32 is Gauge32's tag and
-- BITS an OCTET STRING (RFC 2578 7.1.4, 7.1.7), so a manager cannot say which.
local WIRE_TYPE = { uint32 = "gauge32", bits = "octets" }

--- Why `vb` cannot go into a scalar entry or a table column `target`
-- (type, length, range, enum), as a v2 error name, or nil.
function set.refusal(target, vb)
  if (WIRE_TYPE[vb.type] or vb.type) ~= (WIRE_TYPE[target.type] or target.type) then
    return "SNMP_ERROR_WRONGTYPE"
  end
  local v = vb.value
  if target.size and (#v < target.size[1] or #v > target.size[2]) then
    return "SNMP_ERROR_WRONGLENGTH"
  end
  if target.range and (v < target.range[1] or v > target.range[2]) then
    return "SNMP_ERROR_WRONGVALUE"
  end
  if target.enum and not target.enum[v] then return "SNMP_ERROR_WRONGVALUE" end
  return nil
end

local function current(entry, req)
  if entry.get then return entry.get(entry.oid, req) end
  return entry.value
end
set.current = current

-- Applies a value to a scalar; false when its `set` function refuses or raises.
local function assign(entry, value, req)
  if not entry.set then
    entry.value = value
    return true
  end
  local ok, applied = pcall(entry.set, entry.oid, value, req)
  return ok and applied == true
end

--- The plan of a SET: every varbind checked against `view`, grouped per
-- table row; or nil, the v2 error name and the varbind's index.
function set.check(view, req)
  local items, groups = {}, {}
  for i, vb in ipairs(req.varbinds) do
    local entry = view.by_oid[vb.oid]
    if entry then
      if not entry.writable then return nil, "SNMP_ERROR_NOTWRITABLE", i end
      local why = set.refusal(entry, vb)
      if why then return nil, why, i end
      items[#items + 1] = { entry = entry, vb = vb, at = i }
    else
      local tbl = view:table_of(vb.oid)
      if not tbl then return nil, "SNMP_ERROR_NOCREATION", i end
      local why = tbl:check_varbind(vb, i, groups, set.refusal)
      if why then return nil, why, i end
    end
  end
  for _, group in ipairs(groups) do
    local why, at = group.tbl:resolve(group)
    if why then return nil, why, at end
    items[#items + 1] = { group = group, at = group.first }
  end
  table.sort(items, function(a, b) return a.at < b.at end)
  return { items = items, req = req }
end

-- Undoes items[upto] .. items[1]: true, or false when one could not be
-- undone (the others still are).
local function undo(plan, upto)
  local all = true
  for j = upto, 1, -1 do
    local item = plan.items[j]
    local ok
    if item.group then
      ok = item.group.tbl:commit(item.group, true)
    else
      ok = assign(item.entry, item.old, plan.req)
    end
    all = all and ok
  end
  return all
end

--- Applies a checked plan in varbind order: true, or nil and
-- SNMP_ERROR_COMMITFAILED with the failed varbind's index (what was
-- applied is undone), or SNMP_ERROR_UNDOFAILED with index 0 when the undo
-- failed too (RFC 3416 4.2.5).
function set.commit(plan)
  for k, item in ipairs(plan.items) do
    local ok
    if item.group then
      ok = item.group.tbl:commit(item.group)
    else
      item.old = current(item.entry, plan.req)
      ok = assign(item.entry, item.vb.value, plan.req)
    end
    if not ok then
      if undo(plan, k - 1) then return nil, COMMITFAILED, item.at end
      return nil, UNDOFAILED, 0
    end
  end
  plan.committed = true
  return true
end

--- Undoes a committed plan (AgentX UndoSet): true, or nil, UNDOFAILED, 0.
function set.undo(plan)
  if not plan.committed then return true end
  plan.committed = false
  if undo(plan, #plan.items) then return true end
  return nil, UNDOFAILED, 0
end

--- The `{oid=, type=, value=, old=}` list of a committed plan, in varbind
-- order (what set_hook receives).
function set.changes(plan)
  local changes = {}
  for _, item in ipairs(plan.items) do
    if item.group then
      for _, c in ipairs(item.group.vbs) do
        changes[#changes + 1] = { oid = c.vb.oid, type = c.vb.type, value = c.vb.value,
                                  old = item.group.tbl.old_value(item.group, c.col), at = c.i }
      end
    else
      changes[#changes + 1] = { oid = item.vb.oid, type = item.vb.type, value = item.vb.value,
                                old = item.old, at = item.at }
    end
  end
  table.sort(changes, function(a, b) return a.at < b.at end)
  for _, c in ipairs(changes) do c.at = nil end
  return changes
end

return set
