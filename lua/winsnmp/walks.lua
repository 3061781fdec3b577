--- Walks and tables on Session: iwalk (streaming), walk and table.  They
-- survive real agents: GETBULK's size adapts per agent (smaller after a
-- tooBig, a timeout or a truncated answer, larger again after successes,
-- GETNEXT when GETBULK does not work at all), a whole operation can have a
-- deadline, and agents that go back in OID order can be walked with a loop
-- guard.
-- @module winsnmp.walks

local core = require("winsnmp.core")
local requests = require("winsnmp.requests")
local pacing = require("winsnmp.pacing")
local index = require("winsnmp.mibview.index")

local Session = core.Session
local request = requests.call
local find = string.find

--- Canonical form of an OID string (no leading dot), or nil, msg, NAME.
local function canonical(oid)
  if type(oid) ~= "string" then
    error("bad OID (string expected, got " .. type(oid) .. ")", 3)
  end
  -- Also turns a MIB name into its OID, once a MIB is loaded.
  return core._mib_oid(oid)
end

-- An OID inside the subtree `root` (`prefix` is root .. "."), the root
-- itself included (as net-snmp's tools test it): an agent that answers with
-- the root is then caught as a non-increasing OID instead of ending the
-- walk quietly.
local function inside(root, prefix, oid)
  return oid == root or find(oid, prefix, 1, true) == 1 -- (no substring made)
end

-- The most varbinds a request of many columns asks for (repetitions ×
-- columns): a table of 22 columns still gets 25 rows an answer, and
-- an agent whose messages are smaller cuts the answer short, which the
-- adaptive size learns from.
local MAX_CELLS = 1024

local EXCEPTIONS = { nosuchobject = true, nosuchinstance = true, endofmibview = true }
local NON_INCREASING = { fail = true, allow = true }

-- Checks the options every walk takes (misuse raises, at the caller of
-- the public method).
local function check_options(opts)
  local reps = opts.max_repetitions
  if reps ~= nil and reps ~= "auto" and (math.type(reps) ~= "integer" or reps < 1) then
    error("bad option max_repetitions (an integer >= 1 or \"auto\" expected, got "
      .. tostring(reps) .. ")", 3)
  end
  if opts.non_increasing ~= nil and not NON_INCREASING[opts.non_increasing] then
    error("bad option non_increasing (\"fail\" or \"allow\" expected)", 3)
  end
  local limit = opts.max_varbinds
  if limit ~= nil and (math.type(limit) ~= "integer" or limit < 1) then
    error("bad option max_varbinds (an integer >= 1 expected)", 3)
  end
  local deadline = opts.deadline
  if deadline ~= nil and (type(deadline) ~= "number" or deadline ~= deadline or deadline <= 0) then
    error("bad option deadline (a number of seconds > 0 expected)", 3)
  end
  if opts.flat ~= nil and type(opts.flat) ~= "boolean" then
    error("bad option flat (a boolean expected)", 3)
  end
end

-- A failure the walk itself makes (not the request's, whose slots the C
-- layer set): the last-error slots, then iwalk's false, msg, NAME[, extra].
local function walk_failed(self, m, n, extra)
  core._fail(self, m, n)
  return false, m, n, extra
end

local function deadline_passed()
  return false, "walk: the operation's deadline has passed", "SNMPAPI_TL_TIMEOUT"
end

-- The request loop of a walk below `base`, shared by iwalk and table's
-- collectors: fetch() sends what `ask()` says (the OIDs to continue from,
-- and "getnext" when it must be one) and returns the varbinds (with a
-- collector: what it took, see src/lua/collect.c), or false, msg, NAME,
-- index; nil at v1's end of the MIB.  The GETBULK size adapts to the agent
-- here.
local function fetcher(self, dst, base, opts, ask, deadline, collector)
  local v1 = dst:version() == "1"
  local auto = opts.max_repetitions == nil or opts.max_repetitions == "auto"
  local agent = auto and pacing.state(dst) -- what this agent taught earlier walks
  local fixed = not auto and opts.max_repetitions
  local non_repeaters = opts.non_repeaters or 0
  local show_end = opts.show_end
  local prefix = base .. "."

  return function()
    while true do
      if deadline and core.now() >= deadline then return deadline_passed() end
      local list, kind = ask()
      local bulk = kind ~= "getnext" and not opts.getnext and not v1
        and not (agent and agent.getnext)
      local reps = agent and agent.reps or fixed
      -- (a request of many columns: whole rows, at most MAX_CELLS varbinds)
      if #list > 1 then reps = math.max(1, math.min(reps, MAX_CELLS // #list)) end
      local vbs, m, n, idx
      if bulk then
        vbs, m, n, idx = request(self, "getbulk", dst, list, opts.context, non_repeaters, reps,
                                 deadline, collector)
      else
        vbs, m, n, idx = request(self, "getnext", dst, list, opts.context, nil, nil, deadline,
                                 collector)
      end
      if vbs then
        if agent and bulk then
          local answered, going_on = m, n -- (a collector's repetitions and whether it goes on)
          if not collector then
            local tail = vbs[#vbs]
            answered = #vbs
            going_on = tail and inside(base, prefix, tail.oid) and not EXCEPTIONS[tail.type]
          end
          if answered < reps and going_on then
            pacing.bulk_truncated(agent, math.max(1, answered)) -- cut short while it goes on
          else
            pacing.bulk_ok(agent)
          end
        end
        return vbs, m, n, idx
      end
      if deadline and core.now() >= deadline then return deadline_passed() end
      if bulk and agent and n == "SNMPAPI_TL_TIMEOUT" then
        -- Too large a GETBULK for this agent, or no agent at all?  One
        -- GETNEXT says: unanswered too, the agent is unreachable and the
        -- walk fails now (a dead agent costs two timeouts, as it would a
        -- client that tries once more with a smaller size); answered, the
        -- size comes down and the answer is the walk's next step.
        local probe, p2, p3, p4 = request(self, "getnext", dst, list, opts.context, nil, nil,
                                          deadline, collector)
        if not probe and p3 == "SNMPAPI_TL_TIMEOUT" then return false, m, n, idx end
        pacing.bulk_failed(agent, reps)
        if not probe then return false, p2, p3, p4 end
        return probe, p2, p3, p4
      end
      if bulk and n == "SNMP_ERROR_TOOBIG" then
        -- ask for less (an agent that times out on large GETBULKs, or whose
        -- answer does not fit)
        if agent then
          if not pacing.bulk_failed(agent, reps) then return false, m, n, idx end
        elseif fixed > 1 then
          fixed = fixed // 2
        else
          return false, m, n, idx
        end
      elseif n == "SNMP_ERROR_NOSUCHNAME" and not bulk and not show_end then
        return nil -- v1's end of the MIB
      else
        return false, m, n, idx
      end
    end
  end
end

-- iwalk with the loop guard's default (non_increasing = "fail"): the
-- collector keeps each answer, and a C iterator (core._walk_steps) tests
-- (subtree, order, end) and pushes one varbind of it a step, as a table or
-- (flat) as oid, type, value; this function refills it: true when the
-- collector kept the next answer, nil at the end, false, msg, NAME[,
-- extra] on failure.
local function stepped_walk(self, dst, base, opts, deadline)
  local walker = core._walk_collector(base, opts.show_end, opts.flat)
  local fetch = fetcher(self, dst, base, opts, function() return walker:ask() end, deadline,
                        walker)
  local function refill()
    if walker:ended() then
      local m, name, vb = walker:failure()
      if m then return walk_failed(self, m, name, vb) end
      return nil
    end
    local got, m, n, at = fetch()
    if got == false then return walk_failed(self, m, n, at) end
    if not got or got == 0 then return nil end -- (nil: v1's end of the MIB)
    return true
  end
  -- (the walker as the for's closing value: a break gives back the
  -- answer it keeps)
  return core._walk_steps(walker, refill, opts.max_varbinds), nil, nil, walker
end

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
-- * `max_repetitions`: `"auto"` (the default: starts at 25 and adapts per
--   agent, see `e:stats().max_repetitions`: down to 10, then halved, and
--   capped after a tooBig or a timeout, cut to what a truncated answer
--   held, grown back after successes, GETNEXT when one repetition fails
--   too), or a fixed number (halved for this walk when a reply is tooBig)
-- * `deadline`: seconds for the whole walk; then it fails with
--   `SNMPAPI_TL_TIMEOUT` (a request in flight is cancelled)
-- * `max_varbinds`: the walk ends after that many varbinds
-- * `context`: overrides the entity's community/context
-- * `non_increasing`: `"fail"` (default) or `"allow"`: accept out-of-order
--   OIDs (each next request starts from the last OID returned, as snmpwalk
--   -Cc does) but stop with `SNMPAPI_OTHER_ERROR` on an OID already seen
-- * `getnext = true`: walk with GETNEXT even for a v2c/v3 agent (snmpwalk)
-- * `non_repeaters`: the GETBULK's non-repeaters (default 0), as
--   snmpbulkwalk -Cn sends them
-- * `flat = true`: each step yields `oid, type, value` instead of a
--   `{oid=, type=, value=}` table (a failure is still `false, msg, NAME[,
--   extra]`): a walk of thousands of varbinds then makes no table for each
-- * `show_end = true`: show how the agent ended the walk, as net-snmp's
--   tools print it: an exception value (endOfMibView, noSuchObject,
--   noSuchInstance) inside the subtree is yielded before the walk stops,
--   and a noSuchName error to a GETNEXT (v1's end of the MIB) fails the walk
--   with `SNMP_ERROR_NOSUCHNAME` instead of ending it quietly
-- @param dst the agent's Entity
-- @param root the subtree's OID (or a MIB name, once a MIB is loaded)
-- @param[opt] opts options, as above
-- @return an iterator for a generic `for`, then nil, nil and (by default,
-- non_increasing = "fail") a closing value: the walk keeps one answer of
-- the agent while it yields its varbinds, and a `for` that breaks out
-- gives it back at once (otherwise the garbage collector does)
function Session:iwalk(dst, root, opts)
  opts = opts or {}
  check_options(opts)
  local base, msg, name = canonical(root)
  local done = false
  if not base then
    return function()
      if done then return nil end
      done = true
      return false, msg, name
    end
  end
  local deadline = opts.deadline and core.now() + opts.deadline
  if opts.non_increasing ~= "allow" then return stepped_walk(self, dst, base, opts, deadline) end
  if opts.flat then
    -- (the loop guard's path, a table per varbind, unpacked)
    local step = self:iwalk(dst, root, setmetatable({ flat = false }, { __index = opts }))
    return function()
      local vb, m, n, extra = step()
      if vb then return vb.oid, vb.type, vb.value end
      return vb, m, n, extra
    end
  end
  local limit = opts.max_varbinds
  local count = 0

  -- non_increasing = "allow": each varbind in Lua, with the loop guard.
  -- (the root counts as seen: an agent that answers with it is repeating it)
  local seen = { [base] = true }
  local show_end = opts.show_end
  local prefix = base .. "."
  local pos = { last = base }
  local fetch = fetcher(self, dst, base, opts, function() return { pos.last } end, deadline)
  local batch, at = {}, 0

  local function fail(m, n, extra)
    done = true
    return walk_failed(self, m, n, extra)
  end

  return function()
    if done then return nil end
    if limit and count >= limit then
      done = true
      return nil
    end
    while at >= #batch do
      local vbs, m, n, idx = fetch()
      if vbs == false then return fail(m, n, idx) end
      if not vbs or #vbs == 0 then
        done = true
        return nil
      end
      batch, at = vbs, 0
    end
    at = at + 1
    local vb = batch[at]
    if not inside(base, prefix, vb.oid) then
      done = true
      return nil
    end
    if vb.type == "endofmibview" or (show_end and EXCEPTIONS[vb.type]) then
      done = true
      if show_end then return vb end
      return nil
    end
    if seen[vb.oid] then
      return fail(string.format("walk: the agent returned %s a second time", vb.oid),
                  "SNMPAPI_OTHER_ERROR", vb)
    end
    seen[vb.oid] = true
    pos.last = vb.oid
    count = count + 1
    return vb
  end
end

--- Every varbind strictly inside `root`, in order (options as `iwalk`).
function Session:walk(dst, root, opts)
  local out = {}
  for vb, msg, name, extra in self:iwalk(dst, root, opts) do
    if vb == false then return nil, msg, name, extra end
    out[#out + 1] = vb
  end
  return out
end

-- ---- tables --------------------------------------------------------------------------

-- The label of a table column from the loaded MIBs ("ifDescr"), or nil.
local function column_name(oid)
  local name = core._mib_name(oid)
  return name and name:match("::([%a][%w%-]*)$")
end

local function ipv6_text(bytes)
  local groups = {}
  for i = 1, 16, 2 do groups[#groups + 1] = bytes:byte(i) * 256 + bytes:byte(i + 1) end
  -- the longest run of two or more zero groups becomes "::" (RFC 5952)
  local best_at, best_len, at = nil, 1, nil
  for i = 1, 9 do
    if groups[i] == 0 then
      at = at or i
    elseif at then
      if i - at > best_len then best_at, best_len = at, i - at end
      at = nil
    end
  end
  local function hex(from, to)
    local t = {}
    for i = from, to do t[#t + 1] = ("%x"):format(groups[i]) end
    return table.concat(t, ":")
  end
  if not best_at then return hex(1, 8) end
  return hex(1, best_at - 1) .. "::" .. hex(best_at + best_len, 8)
end

-- The decoder of a table's row indexes from the loaded MIB's INDEX clause:
-- function(suffix arcs) -> list of values, or nil; nil, msg, NAME when the
-- MIB does not say.
local function index_decoder(entry)
  local items, msg, name = core._mib_index(entry)
  if not items then return nil, msg, name end
  local syntaxes = {}
  for i, item in ipairs(items) do
    if item.syntax == "" then
      return nil, ("table: cannot decode index %s"):format(item.name), "SNMPAPI_OTHER_ERROR"
    end
    local s = item.syntax
    if item.implied then
      s = s .. "_implied"
    elseif item.size > 0 then
      s = { "octets", size = item.size }
    end
    syntaxes[i] = s
  end
  local compiled = index.compile(syntaxes, "table " .. entry)
  return function(arcs)
    local values = index.decode(compiled, arcs, 1)
    if not values then return nil end
    -- InetAddress after its InetAddressType: ipv4/ipv6 shown as text
    for i, item in ipairs(items) do
      local kind = i > 1 and items[i - 1].tc == "InetAddressType" and values[i - 1]
      if item.tc == "InetAddress" and kind == 1 and #values[i] == 4 then
        values[i] = ("%d.%d.%d.%d"):format(values[i]:byte(1, 4))
      elseif item.tc == "InetAddress" and kind == 2 and #values[i] == 16 then
        values[i] = ipv6_text(values[i])
      end
    end
    return values
  end
end

local function check_table_options(opts)
  if opts.columns ~= nil then
    if type(opts.columns) ~= "table" or #opts.columns == 0 then
      error("bad option columns (a list of column numbers expected)", 3)
    end
    for _, c in ipairs(opts.columns) do
      if math.type(c) ~= "integer" or c < 0 then
        error("bad option columns (a list of column numbers expected)", 3)
      end
    end
  end
  if opts.index ~= nil and opts.index ~= "decoded" then
    error("bad option index (\"decoded\" expected)", 3)
  end
  if opts.types ~= nil and type(opts.types) ~= "boolean" then
    error("bad option types (a boolean expected)", 3)
  end
end

-- A table into `rows` (and each cell's type into `types`, when given)
-- through a collector (src/lua/collect.c): every column at once
-- (`columns`, or those the agent has), or with `root` one subtree (v1).
-- true, or false, msg, NAME; or false, "misordered" when the agent does
-- not answer a request of many columns in rows (RFC 3416 4.2.3).
local function collect(self, dst, base, root, opts, deadline, rows, types)
  local collector
  if root then
    collector = core._collector(base, root, rows, opts.typed, types)
  else
    collector = core._table_collector(base, rows, opts.typed, opts.columns, types)
  end
  local fetch = fetcher(self, dst, base, opts, function() return collector:ask() end, deadline,
                        collector)
  while true do
    local count, m, n, ended = fetch()
    if count == false then return false, m, n end
    if ended and not root and collector:misordered() then return false, "misordered" end
    if not count or count == 0 or ended then return true end
  end
end

-- tbl[key], made first when missing.
local function row_of(tbl, key)
  local row = tbl[key]
  if not row then
    row = {}
    tbl[key] = row
  end
  return row
end

-- The same through iwalk, for the options that need each varbind in Lua
-- (non_increasing = "allow", show_end).
local function table_by_iwalk(self, dst, base, root, opts, deadline, rows, types)
  -- (iwalk takes seconds from now; > 0, or it would be misuse)
  local walk_opts = setmetatable({ deadline = deadline and math.max(deadline - core.now(), 1e-6) },
                                 { __index = opts })
  for vb, m, n in self:iwalk(dst, root, walk_opts) do
    if vb == false then return false, m, n end
    local column, suffix = vb.oid:match("^(%d+)%.(.+)$", #base + 2) -- (no substring made)
    if column then
      column = tonumber(column)
      row_of(rows, suffix)[column] = opts.typed and { type = vb.type, value = vb.value } or vb.value
      if types then row_of(types, suffix)[column] = vb.type end
    end
  end
  return true
end

-- Column numbers to names (`opts.names`, MIBs loaded: one lookup per
-- column) in `rows` and `types` (when given), and each row's decoded index
-- (`index = "decoded"`; in `rows` only).
local function name_and_decode(base, rows, names, decode, types)
  local labels = {}
  local function named(row)
    local out = {}
    for column, cell in pairs(row) do
      if labels[column] == nil then
        labels[column] = column_name(base .. "." .. column) or false
      end
      out[labels[column] or column] = cell
    end
    return out
  end
  for suffix, row in pairs(rows) do
    if names then
      row = named(row)
      rows[suffix] = row -- (an existing key: allowed while traversing)
      if types and types[suffix] then types[suffix] = named(types[suffix]) end
    end
    if decode then
      local arcs = {}
      for a in suffix:gmatch("%d+") do arcs[#arcs + 1] = tonumber(a) end
      row.index = decode(arcs)
    end
  end
end

--- A table walked below `entry_oid` (e.g. ifEntry): `rows[index][column] =
-- value`, `index` the instance suffix as a dotted string, `column` the
-- column number, or with `opts.names` (MIBs loaded) the column's name
-- ("ifDescr").  Failures: nil, msg, NAME.
--
-- `opts` also takes every `iwalk` option (`deadline` bounds the whole
-- table), and:
--
-- * `columns`: the column numbers to fetch (each walked on its own)
-- * `typed = true`: cells are `{type=, value=}`
-- * `types = true`: a second result, `types[index][column]` = the cell's
--   type name, row for row beside `rows` (whose cells stay plain values
--   unless `typed`): every cell's type without a table per cell
-- * `index = "decoded"`: with the MIB loaded, each row also gets
--   `row.index`, its index values decoded by the table's INDEX clause
--   (integers, IP addresses, strings with and without IMPLIED, OIDs,
--   fixed-size strings; an InetAddress after its InetAddressType as text)
function Session:table(dst, entry_oid, opts)
  opts = opts or {}
  check_options(opts)
  check_table_options(opts)
  local base, msg, name = canonical(entry_oid)
  if not base then return nil, msg, name end
  local decode
  if opts.index == "decoded" then
    decode, msg, name = index_decoder(base)
    if not decode then return core._fail(self, msg, name) end
  end
  local rows = {}
  local types = opts.types and {} or nil
  local deadline = opts.deadline and core.now() + opts.deadline
  -- v2c/v3: every column at once, whole rows per GETBULK, the cells going
  -- from the reply into `rows` in C.  v1 (whose noSuchName fails a whole
  -- request) and the options that need each varbind in Lua (the loop guard,
  -- show_end, max_varbinds, non_repeaters, getnext): column by column.
  local by_iwalk = opts.non_increasing == "allow" or opts.show_end or opts.max_varbinds
    or opts.non_repeaters or opts.getnext
  local whole_rows = not by_iwalk and dst:version() ~= "1"
  if whole_rows then
    local ok, m, n = collect(self, dst, base, nil, opts, deadline, rows, types)
    if not ok and m == "misordered" then
      -- An agent that does not answer in rows: the table again, a column
      -- (or the whole entry) at a time, as a subtree walk reads it.
      rows, whole_rows = {}, false
      types = types and {}
    elseif not ok then
      return core._fail(self, m, n)
    end
  end
  if not whole_rows then
    local roots = {}
    for i, c in ipairs(opts.columns or {}) do roots[i] = base .. "." .. c end
    if #roots == 0 then roots[1] = base end
    for _, root in ipairs(roots) do
      if deadline and core.now() >= deadline then
        return core._fail(self, "table: the operation's deadline has passed", "SNMPAPI_TL_TIMEOUT")
      end
      local ok, m, n
      if by_iwalk then
        ok, m, n = table_by_iwalk(self, dst, base, root, opts, deadline, rows, types)
      else
        ok, m, n = collect(self, dst, base, root, opts, deadline, rows, types)
      end
      if not ok then return core._fail(self, m, n) end
    end
  end
  if opts.names or decode then name_and_decode(base, rows, opts.names, decode, types) end
  if types then return rows, types end
  return rows
end

return Session
