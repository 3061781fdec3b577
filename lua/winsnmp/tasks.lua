--- Polling, dispatch and coroutine tasks.
--
-- `poll` drives the C engine once and then, with no engine frame on the
-- stack, hands each event to whoever waits for it: a task blocked in a
-- request (resumed by `run`), a blocking request in the main thread, or
-- the session's callback (run under xpcall; its error is raised from
-- `poll` after every event has been handed out).
-- @module winsnmp.tasks

local core = require("winsnmp.core")

local tasks = {}

-- waiters[session][request_id] = a coroutine (a task), or BLOCKED / DONE (a
-- blocking caller).  Weak keys: a collected session takes its waiters.
local BLOCKED, DONE = {}, {}
local waiters = setmetatable({}, { __mode = "k" })

local live = {}        -- set of task coroutines not yet finished
-- (shared with winsnmp.requests, whose fast path checks them inline)
tasks._live = live
local ready = {}       -- FIFO of coroutines to resume
local ready_head, ready_tail = 1, 0

local function make_ready(co)
  ready_tail = ready_tail + 1
  ready[ready_tail] = co
end

-- Set by winsnmp.receiver: takes a session's queued notifications and
-- requests to their handlers, returning the set of request ids it handled.
local unsolicited = nil

function tasks.set_unsolicited(fn)
  local old = unsolicited
  unsolicited = fn
  return old -- so that another module (winsnmp.agentx) can chain to it
end

local function dispatch(session, id, err, failures)
  -- Incoming notifications and requests go to their handlers first.  Their
  -- ids are the sender's, so one may equal a request of ours: a waiter woken
  -- by such an event finds no response yet and waits again (see await).
  local handled = unsolicited and not err and unsolicited(session)
  local by_id = waiters[session]
  local w = by_id and by_id[id]
  if w and w ~= DONE then
    if w == BLOCKED then
      by_id[id] = DONE
    else
      by_id[id] = nil
      make_ready(w)
    end
    return failures
  end
  if handled and handled[id] then return failures end
  local callback = session:_callback()
  if callback then
    local ok, msg = xpcall(callback, debug.traceback, session, id, err or nil)
    if not ok then
      failures = failures or {}
      failures[#failures + 1] = msg
    end
  end
  return failures
end

-- ---- timers ------------------------------------------------------------------------

-- Timers (delayed answers of the agent role, deadlines, pacing): a binary
-- min-heap on (due, order made), so that thousands of them (a deadline per
-- request of a fleet's walks) cost a logarithm each.  Each timer knows its
-- place (`at`), so a cancelled one leaves the heap at once: a fleet cancels
-- nearly every deadline it arms, and dead entries kept until they surfaced
-- made the heap, and every step through it, tens of times larger.
-- `timers[1] == nil` says "no timer" (requests.lua checks it inline).
local timers = {}
tasks._timers = timers
local made = 0

local function sift_up(i)
  local t = timers[i]
  local due, order = t.due, t.order
  while i > 1 do
    local parent = i // 2
    local p = timers[parent]
    if p.due < due or (p.due == due and p.order < order) then break end
    timers[i], p.at = p, i
    i = parent
  end
  timers[i], t.at = t, i
end

local function sift_down(i)
  local n = #timers
  local t = timers[i]
  local due, order = t.due, t.order
  while true do
    local child = 2 * i
    if child > n then break end
    local c = timers[child]
    if child < n then
      local r = timers[child + 1]
      if r.due < c.due or (r.due == c.due and r.order < c.order) then
        child, c = child + 1, r
      end
    end
    if due < c.due or (due == c.due and order < c.order) then break end
    timers[i], c.at = c, i
    i = child
  end
  timers[i], t.at = t, i
end

-- Takes the timer at heap position i out.
local function remove(i)
  local n = #timers
  local last = timers[n]
  timers[n] = nil
  if i < n then
    timers[i], last.at = last, i
    sift_down(i)
    sift_up(last.at)
  end
end

--- Runs `fn()` from `poll` once `seconds` have passed (without blocking
-- anything meanwhile); returns the timer, for `tasks.cancel`.  `poll` waits
-- no longer than the first timer is due, and `winsnmp.fds` reports it.
-- Timers due at the same time run in the order they were made.
function tasks.after(seconds, fn)
  assert(type(seconds) == "number", "bad argument #1 to 'after' (number expected)")
  assert(type(fn) == "function", "bad argument #2 to 'after' (function expected)")
  made = made + 1
  local timer = { due = core.now() + math.max(0, seconds), fn = fn, order = made }
  timers[#timers + 1] = timer
  sift_up(#timers)
  return timer
end

--- Cancels a timer made by `tasks.after` (true), or does nothing (false)
-- when it has run or was cancelled already.
function tasks.cancel(timer)
  if timer.fired or timer.cancelled then return false end
  timer.cancelled = true
  timer.fn = nil
  remove(timer.at)
  return true
end

--- When the first timer is due (on `winsnmp.now()`'s clock), or nil.
function tasks.next_due()
  return timers[1] and timers[1].due
end

-- A timer due within this much is run now rather than waited for (poll
-- waits in whole milliseconds).
local SLACK = 0.0005

-- Runs the timers that are due; returns how many ran and the failures.
local function run_timers(failures)
  if not timers[1] then return 0, failures end
  local now = core.now() + SLACK
  local due = {}
  while timers[1] and timers[1].due <= now do
    local t = timers[1]
    remove(1)
    t.fired = true
    due[#due + 1] = t
  end
  for _, t in ipairs(due) do
    local ok, msg = xpcall(t.fn, debug.traceback)
    if not ok then
      failures = failures or {}
      failures[#failures + 1] = msg
    end
  end
  return #due, failures
end

-- `timeout` shortened to the first timer.
local function bounded(timeout)
  local due = timers[1] and timers[1].due
  if not due then return timeout end
  local left = math.max(0, due - core.now())
  if timeout == nil or left < timeout then return left end
  return timeout
end

--- Drives all I/O, retransmissions and timeouts once (waiting up to
-- `timeout` seconds for something to happen; nil waits until something
-- does), runs callbacks and the timers that are due (delayed answers),
-- and returns the number of events and timers handled.
function tasks.poll(timeout)
  local n, events, name = core.poll(bounded(timeout))
  if not n then return nil, events, name end
  local failures = nil -- made only when a callback fails
  for i = 1, 3 * n, 3 do
    failures = dispatch(events[i], events[i + 1], events[i + 2], failures)
  end
  local fired
  fired, failures = run_timers(failures)
  if failures then
    error("error in a session callback: " .. failures[1], 0)
  end
  return n + fired
end

--- The descriptors an external event loop should watch, and the seconds
-- until `poll` must run (nil: no deadline): the engine's own next deadline
-- (retransmissions, timeouts) or the first delayed answer, whichever comes
-- first.  This is `winsnmp.fds()`.
-- @return `{fd, ...}`, seconds|nil
function tasks.fds()
  local fds, timeout, name = core.fds()
  if not fds then return nil, timeout, name end
  return fds, bounded(timeout)
end

local function current_task()
  local co, main = coroutine.running()
  if not main and live[co] then return co end
  return nil
end

--- Whether the caller runs inside a task (where requests yield).
function tasks.in_task()
  return current_task() ~= nil
end

--- The task running now (a coroutine), or nil in the main thread.
function tasks.current()
  return current_task()
end

--- Suspends the running task until `tasks.wake` makes it ready again.
function tasks.suspend()
  assert(current_task(), "tasks.suspend outside a task")
  coroutine.yield()
end

--- Makes a task suspended by `tasks.suspend` ready to run.
function tasks.wake(co)
  make_ready(co)
end

--- Waits for the outcome of request `id` on `session`: yields inside a
-- task, drives `poll` otherwise.  Returns what `session:_response(id)` says,
-- or, once `deadline` (on winsnmp.now()'s clock) has passed, cancels the
-- request and returns nil, message, "SNMPAPI_TL_TIMEOUT".
function tasks.await(session, id, deadline, collector)
  local by_id = waiters[session]
  if not by_id then
    by_id = {}
    waiters[session] = by_id
  end
  local co = current_task()
  local timer, expired = nil, false
  if deadline then
    timer = tasks.after(math.max(0, deadline - core.now()), function()
      expired = true
      session:cancel(id) -- nothing will be reported for it now
      local w = by_id[id]
      if w == BLOCKED then
        by_id[id] = DONE
      elseif w and w ~= DONE then
        by_id[id] = nil
        make_ready(w)
      end
    end)
  end
  -- A reply arrives only through poll, so wait first, then look: asking the
  -- engine before anything can have arrived would only cost a failure.
  while true do
    if co then
      by_id[id] = co
      coroutine.yield()
    else
      by_id[id] = BLOCKED
      while by_id[id] == BLOCKED and session:is_open() do tasks.poll(1) end
      by_id[id] = nil
    end
    if expired then
      return core._fail(session, "no answer within the operation's deadline", "SNMPAPI_TL_TIMEOUT")
    end
    local r1, r2, r3, r4 = session:_response(id, collector) -- at most 4 results; no table
    if r1 ~= false or not session:is_open() then
      if timer then tasks.cancel(timer) end
      return r1, r2, r3, r4
    end
  end
end

-- A session closed while tasks wait on it (by another task, a callback or
-- winsnmp.cleanup) will never report those requests: wake the tasks, whose
-- requests then fail with SNMPAPI_SESSION_INVALID.
local function wake_closed()
  for session, by_id in pairs(waiters) do
    if not session:is_open() then
      for id, w in pairs(by_id) do
        if w == BLOCKED then
          by_id[id] = DONE
        elseif w ~= DONE then
          by_id[id] = nil
          make_ready(w)
        end
      end
    end
  end
end

local batch = core._batch

local function resume(co)
  local ok, err = coroutine.resume(co)
  if not ok then
    live[co] = nil
    batch(false) -- (what the tasks before it sent goes out)
    error(debug.traceback(co, "error in a winsnmp task: " .. tostring(err)), 0)
  end
  if coroutine.status(co) == "dead" then live[co] = nil end
end

--- Starts `fn(...)` as a task: inside it, request methods yield instead of
-- blocking.  Tasks run when `run` is called.
function tasks.spawn(fn, ...)
  assert(type(fn) == "function", "bad argument #1 to 'spawn' (function expected)")
  local args = table.pack(...)
  local co = coroutine.create(function() return fn(table.unpack(args, 1, args.n)) end)
  live[co] = true
  make_ready(co)
  return co
end

--- Runs tasks until all are done (true), or until `timeout` seconds have
-- passed (nil, message, "SNMPAPI_TL_TIMEOUT").  An error in a task is
-- raised from `run` with the task's traceback.
function tasks.run(timeout)
  if timeout ~= nil and type(timeout) ~= "number" then
    error("bad argument #1 to 'run' (number of seconds or nil expected, got "
      .. type(timeout) .. ")", 2)
  end
  local deadline = timeout and core.now() + timeout
  while true do
    -- The requests that the tasks woken together send go out together, in
    -- one sendmmsg, once they have all run (src/core/engine/outbox.c).
    if ready_head <= ready_tail then
      batch(true)
      while ready_head <= ready_tail do
        local co = ready[ready_head]
        ready[ready_head] = nil
        ready_head = ready_head + 1
        resume(co)
      end
      batch(false)
    end
    if next(live) == nil then return true end
    wake_closed()
    local wait = 1
    if deadline then
      wait = deadline - core.now()
      if wait <= 0 then
        return core._fail(nil, "winsnmp.run: tasks still running after the timeout",
                          "SNMPAPI_TL_TIMEOUT")
      end
      if wait > 1 then wait = 1 end
    end
    if ready_head <= ready_tail then wait = 0 end
    tasks.poll(wait)
  end
end

return tasks
