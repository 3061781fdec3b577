--- Request helpers on Session: get, getnext, getbulk, set (walks and
-- tables are in winsnmp.walks).  Each blocks outside a task and yields
-- inside one; requests to an entity with `max_in_flight` or `rate` wait
-- their turn (winsnmp.pacing).
-- @module winsnmp.requests

local core = require("winsnmp.core")
local tasks = require("winsnmp.tasks")
local pacing = require("winsnmp.pacing")

local Session = core.Session
local requests = {}

local DEFAULT_MAX_REPETITIONS = 25

-- A request to an entity with a cap or a rate: admitted first, counted
-- out whatever happens.
local function paced(s, kind, dst, list, ctx, non_repeaters, max_repetitions, deadline,
                     collector)
  if not pacing.admit(dst, deadline) then
    return core._fail(s, "no turn to send within the operation's deadline", "SNMPAPI_TL_TIMEOUT")
  end
  local id, msg, name = s:_request(kind, dst, list, ctx, non_repeaters, max_repetitions)
  if not id then
    pacing.release(dst)
    return nil, msg, name
  end
  local r1, r2, r3, r4 = tasks.await(s, id, deadline, collector)
  pacing.release(dst)
  return r1, r2, r3, r4
end

local paced_set, live, timers, running = pacing.paced, tasks._live, tasks._timers,
  coroutine.running
local blocking_call = Session._call -- (a method lookup less per request)

-- The general path: paced entities, tasks, deadlines, timers waiting.
local function general(s, kind, dst, list, ctx, non_repeaters, max_repetitions, deadline,
                       collector)
  if paced_set[dst] then
    return paced(s, kind, dst, list, ctx, non_repeaters, max_repetitions, deadline, collector)
  end
  local id, msg, name = s:_request(kind, dst, list, ctx, non_repeaters, max_repetitions)
  if not id then return nil, msg, name end
  return tasks.await(s, id, deadline, collector)
end

-- requests.call for one kind of request.  Outside a task the engine waits
-- in C while nothing else happens; it answers false, id once something
-- else does, and tasks.await hands that out.  (Not while a timer waits:
-- only Lua's poll runs those, so the general path waits instead.)
local function caller(kind)
  return function(s, dst, list, ctx, non_repeaters, max_repetitions, deadline, collector)
    -- (inline: tasks.in_task() and tasks.next_due(), on every request's path)
    if not deadline and timers[1] == nil and not paced_set[dst] then
      local co, main = running()
      if main or not live[co] then
        local r1, r2, r3, r4 = blocking_call(s, kind, dst, list, ctx, non_repeaters,
                                             max_repetitions, collector)
        if r1 ~= false then return r1, r2, r3, r4 end
        return tasks.await(s, r2, nil, collector)
      end
    end
    return general(s, kind, dst, list, ctx, non_repeaters, max_repetitions, deadline, collector)
  end
end
local callers = {}
for _, kind in ipairs({ "get", "getnext", "getbulk", "set" }) do callers[kind] = caller(kind) end

--- Sends one request and waits for its outcome: the varbinds, or nil, msg,
-- NAME[, index].  `deadline` (on winsnmp.now()'s clock, optional) bounds
-- the whole wait, pacing included.  With a `collector` (core._collector,
-- s:table's), the reply's varbinds go into it and the outcome is what it
-- took (see src/lua/collect.c).
function requests.call(s, kind, ...)
  local call = callers[kind]
  if call == nil then return s:_request(kind) end -- (raises: unknown request type)
  return call(s, ...)
end

-- (The methods take only their documented arguments: the internal ones of
-- requests.call, a deadline and a collector, are not a script's to pass.)
local get, getnext, getbulk, set = callers.get, callers.getnext, callers.getbulk, callers.set

--- GET: the varbinds in request order, or nil, msg, NAME[, index].
function Session:get(dst, oids, ctx)
  return get(self, dst, oids, ctx)
end

--- GETNEXT: the varbinds following each OID, or nil, msg, NAME[, index].
function Session:getnext(dst, oids, ctx)
  return getnext(self, dst, oids, ctx)
end

--- GETBULK (GETNEXT for a v1 agent): the varbinds, or nil, msg, NAME[, index].
-- `max_repetitions` defaults to 25, `non_repeaters` to 0.
function Session:getbulk(dst, oids, non_repeaters, max_repetitions, ctx)
  return getbulk(self, dst, oids, ctx, non_repeaters or 0,
                 max_repetitions or DEFAULT_MAX_REPETITIONS)
end

--- SET: the varbinds as the agent returned them.
function Session:set(dst, varbinds, ctx)
  return set(self, dst, varbinds, ctx)
end

return requests
