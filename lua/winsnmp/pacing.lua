--- Per-agent pacing and figures: what winsnmp remembers about each entity
-- between requests.  `max_in_flight` caps the requests to one agent at
-- once (the rest wait in order), `rate` spaces them out (requests per
-- second), and a walk's adaptive GETBULK size lives here too, so that it is
-- learnt once per agent.  `e:stats()` adds these to what the engine counts;
-- `winsnmp.metrics()` writes every live entity's figures in Prometheus's
-- text format.
-- @module winsnmp.pacing

local core = require("winsnmp.core")
local tasks = require("winsnmp.tasks")

local Entity = core.Entity
local pacing = {}

--- Where adaptive GETBULK starts.
pacing.START_REPETITIONS = 25
--- How far it grows with an agent that keeps answering in full: fewer round
-- trips matter most with a slow agent.
pacing.MAX_REPETITIONS = 50
-- Where it falls after a first failure.
local SAFE_REPETITIONS = 10

-- Per entity (weak keys: a collected entity takes its state along).
local states = setmetatable({}, { __mode = "k" })

--- The state of entity `e`, made on first use.
function pacing.state(e)
  local st = states[e]
  if not st then
    st = { active = 0, queue = {}, next_slot = 0, reps = pacing.START_REPETITIONS,
           ceiling = pacing.MAX_REPETITIONS, streak = 0, getnext = false }
    states[e] = st
  end
  return st
end

--- The entities whose requests go through admission (a cap or a rate is
-- set), as a set with weak keys: one table lookup on every request's path.
pacing.paced = setmetatable({}, { __mode = "k" })

--- Takes the Lua-side options (max_in_flight, rate) of `opts` for `e`.
function pacing.configure(e, opts)
  -- (an entity without a cap or a rate gets no state until a walk needs one)
  if opts == nil or (opts.max_in_flight == nil and opts.rate == nil and not states[e]) then
    return
  end
  local st = pacing.state(e)
  if opts.max_in_flight ~= nil then st.max_in_flight = opts.max_in_flight end
  if opts.rate ~= nil then st.rate = opts.rate end
  if st.max_in_flight or st.rate then pacing.paced[e] = true end
end

local function can_go(st, now)
  return (not st.max_in_flight or st.active < st.max_in_flight) and
    (not st.rate or now >= st.next_slot)
end

-- Lets the first waiter go when it may, or sets a timer for the rate slot.
local function wake(st)
  local first = st.queue[1]
  if not first then return end
  local now = core.now()
  if can_go(st, now) then
    first.go = true
    if first.co then tasks.wake(first.co) end
  elseif st.rate and (not st.max_in_flight or st.active < st.max_in_flight) and not st.timer then
    st.timer = tasks.after(st.next_slot - now, function()
      st.timer = nil
      wake(st)
    end)
  end
end

--- Waits (yielding in a task, polling otherwise) until a request to `e`
-- may be sent, in arrival order; then counts it in flight.  False when
-- `deadline` (on winsnmp.now()'s clock) passes first.
function pacing.admit(e, deadline)
  local st = pacing.state(e)
  if #st.queue == 0 and can_go(st, core.now()) then
    st.active = st.active + 1
    if st.rate then st.next_slot = math.max(core.now(), st.next_slot) + 1 / st.rate end
    return true
  end
  local ticket = { co = tasks.current() }
  st.queue[#st.queue + 1] = ticket
  wake(st)
  local timer
  if deadline then
    timer = tasks.after(math.max(0, deadline - core.now()), function()
      ticket.expired = true
      if ticket.co then tasks.wake(ticket.co) end
    end)
  end
  while not ticket.go and not ticket.expired do
    if ticket.co then tasks.suspend() else tasks.poll(1) end
  end
  if timer then tasks.cancel(timer) end
  for i, t in ipairs(st.queue) do
    if t == ticket then
      table.remove(st.queue, i)
      break
    end
  end
  if not ticket.go then
    wake(st)
    return false
  end
  st.active = st.active + 1
  if st.rate then st.next_slot = math.max(core.now(), st.next_slot) + 1 / st.rate end
  wake(st) -- the next one may go too (a cap above one)
  return true
end

--- A request admitted by `admit` is over.
function pacing.release(e)
  local st = states[e]
  if not st then return end
  st.active = st.active - 1
  wake(st)
end

-- ---- adaptive GETBULK --------------------------------------------------------------

--- A GETBULK answered in full: after a few in a row the size grows back
-- (doubling) towards the agent's ceiling.
function pacing.bulk_ok(st)
  st.streak = st.streak + 1
  if st.streak >= 3 and st.reps < st.ceiling then
    st.reps = math.min(st.ceiling, st.reps * 2)
    st.streak = 0
  end
end

--- A GETBULK of `asked` repetitions failed (tooBig or a timeout): ask for
-- 10 (net-snmp's snmpbulkwalk default, which agents that choke on larger
-- ones usually take) or, from there, half, and never again for more (the
-- agent's ceiling); at one repetition the agent gets GETNEXT instead.
-- Each step down costs a timeout, so the first one is a long one.
-- Returns false when there is nothing smaller to try.
function pacing.bulk_failed(st, asked)
  st.streak = 0
  if asked <= 1 then
    if st.getnext then return false end
    st.getnext = true
    return true
  end
  st.reps = asked > SAFE_REPETITIONS and SAFE_REPETITIONS or math.max(1, asked // 2)
  st.ceiling = math.min(st.ceiling, st.reps)
  return true
end

--- A GETBULK answer cut short by the agent (fewer varbinds than asked, the
-- walk not over): ask for what it gave next time, growing back later.
function pacing.bulk_truncated(st, got)
  st.streak = 0
  st.reps = math.max(1, got)
end

-- ---- figures -----------------------------------------------------------------------

local c_entity = core.Session.entity

--- Every entity made by s:entity that is still referenced (weak keys):
-- the agents winsnmp.metrics() reports.
pacing.live = setmetatable({}, { __mode = "k" })

-- s:entity(address, opts) (the C binding's), keeping the Lua-side options.
function core.Session:entity(address, opts)
  -- (checked here so that a misuse names 'entity', not this wrapper's upvalue)
  if type(address) ~= "string" then
    error(("bad argument #1 to 'entity' (string expected, got %s)"):format(type(address)), 2)
  end
  if opts ~= nil and type(opts) ~= "table" then
    error(("bad argument #2 to 'entity' (table expected, got %s)"):format(type(opts)), 2)
  end
  local e, msg, name = c_entity(self, address, opts)
  if e then
    pacing.live[e] = true
    if type(opts) == "table" then pacing.configure(e, opts) end
  end
  return e, msg, name
end

--- Sets options on an existing entity: everything `s:entity` takes.
-- @function Entity:set
function Entity:set(opts)
  if type(opts) ~= "table" then error("bad argument #1 to 'set' (table expected)", 2) end
  local ok, msg, name = self:_set(opts)
  if not ok then return nil, msg, name end
  pacing.configure(self, opts)
  return true
end

--- What requests to this agent have met: `{requests=, responses=,
-- timeouts=, retries=, too_big=, rtt_avg=, rtt_max=, max_repetitions=,
-- in_flight=}` (seconds for the round trips).
-- @function Entity:stats
function Entity:stats()
  local t, msg, name = self:_stats()
  if not t then return nil, msg, name end
  local st = states[self]
  t.max_repetitions = st and (st.getnext and 0 or st.reps) or pacing.START_REPETITIONS
  return t
end

return pacing
