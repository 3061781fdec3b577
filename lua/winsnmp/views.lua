--- Views of the agent role (s:listen's `views`), as VACM's read and write
-- views (RFC 3415): a principal (a community, or a v3 user) named in
-- `views` sees only the subtrees listed for it.  Objects outside read as
-- noSuchObject (v1: the error noSuchName), are not writable (noAccess; v1:
-- noSuchName), and GETNEXT/GETBULK step over them, as snmpd does.  A
-- principal not named in `views` sees everything.
-- @module winsnmp.views

local core = require("winsnmp.core")

local views = {}

local NOSUCHNAME, NOACCESS = "SNMP_ERROR_NOSUCHNAME", "SNMP_ERROR_NOACCESS"
local oid_compare = core.oid_compare

-- At most this many steps over objects outside the view per GETNEXT varbind:
-- bounds what one request costs when the view is sparse.
local MAX_SKIPS = 1000

--- Checks `opts.views` ({[principal] = {subtree, ...}}): returns the table of
-- normalised subtrees, sorted, or raises on a misuse.
function views.check(opts_views, level)
  if opts_views == nil then return nil end
  if type(opts_views) ~= "table" then
    error("listen: views must be a table {[community or user] = {subtree, ...}}", level + 1)
  end
  local out = {}
  for principal, list in pairs(opts_views) do
    if type(principal) ~= "string" or type(list) ~= "table" then
      error("listen: views maps a community or user name to a list of subtrees", level + 1)
    end
    local subtrees = {}
    for i, subtree in ipairs(list) do
      if type(subtree) ~= "string" or not subtree:match("^%d+[%d.]*$") or
          subtree:find("..", 1, true) or subtree:sub(-1) == "." then
        error(("listen: views[%q][%d] is not a dotted OID"):format(principal, i), level + 1)
      end
      subtrees[#subtrees + 1] = subtree
    end
    table.sort(subtrees, function(a, b) return oid_compare(a, b) < 0 end)
    out[principal] = subtrees
  end
  return out
end

local function inside(subtrees, oid)
  for _, root in ipairs(subtrees) do
    if oid == root or oid:sub(1, #root + 1) == root .. "." then return true end
  end
  return false
end

-- The first subtree root after `oid` that `oid` is not inside, or nil.
local function next_root(subtrees, oid)
  for _, root in ipairs(subtrees) do
    if oid_compare(root, oid) > 0 then return root end
  end
  return nil
end

-- A request made from `req` with some fields of its own; what the handler
-- sets on it (req.delay, req.drop) lands on `req`.
local function derived(req, fields)
  return setmetatable(fields, { __index = req, __newindex = req })
end

local function end_of_view(oid) return { oid = oid, type = "endofmibview" } end

-- GETNEXT of one OID through the handler, stepping over what is outside the
-- view: jumps to the next subtree when the answer lies before it.
local function next_in_view(handler, req, subtrees, oid)
  if not inside(subtrees, oid) then
    local root = next_root(subtrees, oid)
    if not root then return end_of_view(oid) end
    if oid_compare(oid, root) < 0 then oid = root end
  end
  for _ = 1, MAX_SKIPS do
    local ask = derived(req, { type = "getnext", varbinds = { { oid = oid } } })
    local list, name, index = handler(ask)
    if type(list) ~= "table" then return nil, name, index end
    local vb = list[1]
    if vb == nil or vb.type == "endofmibview" then return end_of_view(oid) end
    if inside(subtrees, vb.oid) then return vb end
    local root = next_root(subtrees, vb.oid)
    if not root then return end_of_view(oid) end
    oid = oid_compare(vb.oid, root) < 0 and root or vb.oid
  end
  return end_of_view(oid)
end

--- The handler seen through the principal's view: `handler(req)` restricted
-- to the subtrees of `subtrees`.  Returns what a listener handler returns.
function views.serve(handler, req, subtrees)
  local v1 = req.version == "1"
  if req.type == "get" or req.type == "set" then
    local wanted, positions = {}, {}
    for i, vb in ipairs(req.varbinds) do
      if inside(subtrees, vb.oid) then
        wanted[#wanted + 1], positions[#positions + 1] = vb, i
      elseif v1 or req.type == "set" then
        return nil, (v1 or req.type ~= "set") and NOSUCHNAME or NOACCESS, i
      end
    end
    if #wanted == #req.varbinds then return handler(req) end
    local answer = {}
    for i, vb in ipairs(req.varbinds) do answer[i] = { oid = vb.oid, type = "nosuchobject" } end
    if #wanted > 0 then
      local list, name, index = handler(derived(req, { varbinds = wanted }))
      if type(list) ~= "table" then
        return nil, name, index and positions[index] or index
      end
      for k, vb in ipairs(list) do answer[positions[k]] = vb end
    end
    return answer
  end
  if req.type == "getnext" then
    local answer = {}
    for i, vb in ipairs(req.varbinds) do
      local got, name, index = next_in_view(handler, req, subtrees, vb.oid)
      if not got then return nil, name, index and i end
      answer[i] = got
    end
    return answer
  end
  if req.type == "getbulk" then
    local answer = {}
    local n = #req.varbinds
    local nonrep = math.max(0, math.min(req.non_repeaters or 0, n))
    for i = 1, nonrep do
      local got, name = next_in_view(handler, req, subtrees, req.varbinds[i].oid)
      if not got then return nil, name, i end
      answer[#answer + 1] = got
    end
    local last = {}
    for i = nonrep + 1, n do last[#last + 1] = req.varbinds[i].oid end
    for _ = 1, req.max_repetitions or 0 do
      if #last == 0 then break end
      local all_ended = true
      for k, oid in ipairs(last) do
        local got, name = next_in_view(handler, req, subtrees, oid)
        if not got then return nil, name, nonrep + k end
        answer[#answer + 1] = got
        last[k] = got.oid
        if got.type ~= "endofmibview" then all_ended = false end
      end
      if all_ended then break end
    end
    return answer
  end
  return handler(req)
end

return views
