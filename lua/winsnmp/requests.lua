--- Request helpers on Session: get, getnext, getbulk, set, walk, iwalk,
-- table.  Each blocks outside a task and yields inside one.
-- @module winsnmp.requests

local core = require("winsnmp.core")
local tasks = require("winsnmp.tasks")

local Session = core.Session

local DEFAULT_MAX_REPETITIONS = 25

local function request(s, kind, dst, list, ctx, non_repeaters, max_repetitions)
  if not tasks.in_task() and not tasks.next_due() then
    -- Outside a task the engine waits in C while nothing else happens; it
    -- answers false, id once something else does, and the general path
    -- below hands that out.  (Not while a timer waits: only Lua's poll
    -- runs those, so the general path waits instead.)
    local r1, r2, r3, r4 = s:_call(kind, dst, list, ctx, non_repeaters, max_repetitions)
    if r1 ~= false then return r1, r2, r3, r4 end
    return tasks.await(s, r2)
  end
  local id, msg, name = s:_request(kind, dst, list, ctx, non_repeaters, max_repetitions)
  if not id then return nil, msg, name end
  return tasks.await(s, id)
end

--- GET: the varbinds in request order, or nil, msg, NAME[, index].
function Session:get(dst, oids, ctx)
  return request(self, "get", dst, oids, ctx)
end

--- GETNEXT: the varbinds following each OID, or nil, msg, NAME[, index].
function Session:getnext(dst, oids, ctx)
  return request(self, "getnext", dst, oids, ctx)
end

--- GETBULK (GETNEXT for a v1 agent): the varbinds, or nil, msg, NAME[, index].
-- `max_repetitions` defaults to 25, `non_repeaters` to 0.
function Session:getbulk(dst, oids, non_repeaters, max_repetitions, ctx)
  return request(self, "getbulk", dst, oids, ctx, non_repeaters or 0,
                 max_repetitions or DEFAULT_MAX_REPETITIONS)
end

--- SET: the varbinds as the agent returned them.
function Session:set(dst, varbinds, ctx)
  return request(self, "set", dst, varbinds, ctx)
end

--- Canonical form of an OID string (no leading dot), or nil, msg, NAME.
local function canonical(oid)
  if type(oid) ~= "string" then
    error("bad OID (string expected, got " .. type(oid) .. ")", 3)
  end
  -- Also turns a MIB name into its OID, once a MIB is loaded.
  return core._mib_oid(oid)
end

-- An OID inside the subtree `root`, the root itself included (as net-snmp's
-- tools test it): an agent that answers with the root is then caught as a
-- non-increasing OID instead of ending the walk quietly.
local function inside(root, oid)
  return oid == root or oid:sub(1, #root + 1) == root .. "."
end

local EXCEPTIONS = { nosuchobject = true, nosuchinstance = true, endofmibview = true }
local NON_INCREASING = { fail = true, allow = true }

--- Streaming walk: an iterator over every varbind strictly inside the
-- subtree `root`, fetched a GETBULK (v1: GETNEXT) at a time.  On failure
-- the iterator yields `false, message, NAME[, index]` once and stops (the
-- index of an error status from the agent); a walk that ends normally just
-- stops.  An agent that returns an OID not after the one before it (the
-- root itself included) fails the walk with `SNMPAPI_OTHER_ERROR`, and the
-- 4th value is that varbind.
--
-- `opts`:
--
-- * `max_repetitions`: per GETBULK (default 25; halved when a reply is tooBig)
-- * `context`: overrides the entity's community/context
-- * `non_increasing`: `"fail"` (default) or `"allow"`: accept out-of-order
--   OIDs (each next request starts from the last OID returned, as snmpwalk
--   -Cc does) but stop with `SNMPAPI_OTHER_ERROR` on an OID already seen
-- * `getnext = true`: walk with GETNEXT even for a v2c/v3 agent (snmpwalk)
-- * `non_repeaters`: the GETBULK's non-repeaters (default 0), as
--   snmpbulkwalk -Cn sends them
-- * `show_end = true`: show how the agent ended the walk, as net-snmp's
--   tools print it: an exception value (endOfMibView, noSuchObject,
--   noSuchInstance) inside the subtree is yielded before the walk stops,
--   and a noSuchName error to a GETNEXT (v1's end of the MIB) fails the walk
--   with `SNMP_ERROR_NOSUCHNAME` instead of ending it quietly
-- @param dst the agent's Entity
-- @param root the subtree's OID (or a MIB name, once a MIB is loaded)
-- @param[opt] opts options, as above
-- @return an iterator for a generic `for`
function Session:iwalk(dst, root, opts)
  opts = opts or {}
  local base, msg, name = canonical(root)
  local done = false
  if not base then
    return function()
      if done then return nil end
      done = true
      return false, msg, name
    end
  end
  local non_increasing = opts.non_increasing or "fail"
  if not NON_INCREASING[non_increasing] then
    error("bad option non_increasing (\"fail\" or \"allow\" expected)", 2)
  end
  -- (the root counts as seen: an agent that answers with it is repeating it)
  local seen = non_increasing == "allow" and { [base] = true } or nil
  local bulk = not opts.getnext and dst:version() ~= "1"
  local max_repetitions = opts.max_repetitions or DEFAULT_MAX_REPETITIONS
  local non_repeaters = opts.non_repeaters or 0
  local show_end = opts.show_end
  local last = base
  local batch, pos = {}, 0

  local function fail(m, n, extra)
    done = true
    return false, m, n, extra
  end

  return function()
    if done then return nil end
    while pos >= #batch do
      local vbs, m, n, index
      if bulk then
        vbs, m, n, index = self:getbulk(dst, { last }, non_repeaters, max_repetitions,
                                        opts.context)
      else
        vbs, m, n, index = self:getnext(dst, { last }, opts.context)
      end
      if vbs then
        if #vbs == 0 then done = true return nil end
        batch, pos = vbs, 0
      elseif n == "SNMP_ERROR_TOOBIG" and bulk and max_repetitions > 1 then
        max_repetitions = max_repetitions // 2   -- the reply did not fit: ask for less
      elseif n == "SNMP_ERROR_NOSUCHNAME" and not bulk and not show_end then
        done = true                              -- v1's end of the MIB
        return nil
      else
        return fail(m, n, index)
      end
    end
    pos = pos + 1
    local vb = batch[pos]
    if not inside(base, vb.oid) then
      done = true
      return nil
    end
    if vb.type == "endofmibview" or (show_end and EXCEPTIONS[vb.type]) then
      done = true
      if show_end then return vb end
      return nil
    end
    if seen then
      if seen[vb.oid] then
        return fail(string.format("walk: the agent returned %s a second time", vb.oid),
                    "SNMPAPI_OTHER_ERROR", vb)
      end
      seen[vb.oid] = true
    elseif core.oid_compare(vb.oid, last) <= 0 then
      return fail(string.format("walk: the agent returned %s after %s (OIDs not increasing)",
                                vb.oid, last), "SNMPAPI_OTHER_ERROR", vb)
    end
    last = vb.oid
    return vb
  end
end

--- Every varbind strictly inside `root`, in order.
function Session:walk(dst, root, opts)
  local out = {}
  for vb, msg, name, extra in self:iwalk(dst, root, opts) do
    if vb == false then return nil, msg, name, extra end
    out[#out + 1] = vb
  end
  return out
end

--- A conceptual table: rows[index][column] = value, where `index` is the
-- instance suffix (dotted) and `column` the column number.
-- The label of a table column from the loaded MIBs ("ifDescr"), or nil.
local function column_name(oid)
  local name = core._mib_name(oid)
  return name and name:match("::([%a][%w%-]*)$")
end

--- A table walked below `entry_oid` (e.g. ifEntry): `rows[index][column] =
-- value`, `index` the instance suffix as a dotted string, `column` the column
-- number, or with `opts.names` (MIBs loaded) the column's name ("ifDescr").
-- `opts` also takes `max_repetitions`.  Failures: nil, msg, NAME.
function Session:table(dst, entry_oid, opts)
  local base, msg, name = canonical(entry_oid)
  if not base then return nil, msg, name end
  local names = opts and opts.names
  local labels = {}
  local rows = {}
  for vb, m, n in self:iwalk(dst, base, opts) do
    if vb == false then return nil, m, n end
    local column, index = vb.oid:sub(#base + 2):match("^(%d+)%.(.+)$")
    if column then
      column = tonumber(column)
      if names then
        -- Column names on request (MIBs loaded): one lookup per column.
        if labels[column] == nil then
          labels[column] = column_name(base .. "." .. column) or false
        end
        column = labels[column] or column
      end
      local row = rows[index]
      if not row then
        row = {}
        rows[index] = row
      end
      row[column] = vb.value
    end
  end
  return rows
end

return Session
