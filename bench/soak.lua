-- The soak (issue 6): one million requests and 100,000 sessions opened and
-- closed, against a private loopback snmpd.  Not a timed test: it checks
-- that every handle count returns to zero, that no request is left pending,
-- and that memory stays flat, then prints a markdown summary (also written
-- to bench/soak.md).  Exits 1 if a check fails.
--
--   make soak            (or: lua5.4 bench/soak.lua [REQUESTS] [SESSIONS])
local winsnmp = require("winsnmp")
local snmpd = require("winsnmp.snmpd")

local REQUESTS = tonumber(arg[1]) or 1000000
local SESSIONS = tonumber(arg[2]) or 100000
local INFLIGHT = 64
local SYS_NAME = "1.3.6.1.2.1.1.5.0"
-- Memory may grow while allocators and tables reach their working size;
-- after the first tenth of a phase it must stay within these bounds.
local MAX_RSS_GROWTH_KIB = 2048
local MAX_HEAP_GROWTH = 256 * 1024

local memory = require("bench.memory")
local rss_kib, heap = memory.rss_kib, memory.in_use

local failures = {}
local function check(ok, what)
  if not ok then failures[#failures + 1] = what end
end

-- Counters of what was dropped or refused only grow; the rest are live counts.
local COUNTERS = { dropped = true, queue_dropped = true, bad_community = true, bad_source = true,
                   usm = true, secure = true }

local function all_zero(st)
  for k, v in pairs(st) do
    if not COUNTERS[k] and v ~= 0 then return false, k end
  end
  -- of the nested figures, what is alive: cached keys and secure memory in
  -- use (its pages, once mapped, may stay)
  if st.usm and st.usm.cached_keys ~= 0 then return false, "usm.cached_keys" end
  if st.secure and st.secure.blocks ~= 0 then return false, "secure.blocks" end
  return true
end

local agent = assert(snmpd.start())
local lines = {}
local function out(s)
  lines[#lines + 1] = s
  print(s)
end

out("# winsnmp soak")
out("")
out(("Run %s; one private snmpd on loopback."):format(os.date("!%Y-%m-%d %H:%M UTC")))
out("")

-- ---- phase 1: a million requests ------------------------------------------------
-- 64 tasks in one session: GETs, and among them GETBULKs, requests that
-- time out (a silent port) and requests cancelled in flight, so that every
-- way a request ends is exercised.
local s = assert(winsnmp.session())
local e = assert(s:entity(agent.address, { timeout = 2, retries = 2 }))
local silent = assert(s:entity("udp:127.0.0.1:9", { timeout = 0.02, retries = 0 }))
local counts = { get = 0, getbulk = 0, timeout = 0, cancelled = 0, wrong = 0 }
local samples = {}
local done = 0
local t0 = winsnmp.now()

local function one(i)
  if i % 1000 == 0 then
    local got, _, name = s:get(silent, { SYS_NAME })
    if got == nil and name == "SNMPAPI_TL_TIMEOUT" then counts.timeout = counts.timeout + 1
    else counts.wrong = counts.wrong + 1 end
  elseif i % 1000 == 500 then
    local id = assert(s:_request("get", e, { SYS_NAME }))
    assert(s:cancel(id))
    counts.cancelled = counts.cancelled + 1
  elseif i % 10 == 0 then
    local got = s:getbulk(e, { "1.3.6.1.2.1.1" }, 0, 5)
    if got and #got == 5 then counts.getbulk = counts.getbulk + 1
    else counts.wrong = counts.wrong + 1 end
  else
    local got = s:get(e, { SYS_NAME })
    if got and got[1].value == "winsnmp-agent" then counts.get = counts.get + 1
    else counts.wrong = counts.wrong + 1 end
  end
  done = done + 1
  if done % (REQUESTS // 10) == 0 then
    samples[#samples + 1] = { done = done, rss = rss_kib(), stats = winsnmp.stats() }
  end
end

local start_rss, start_heap = rss_kib(), heap()
for t = 1, INFLIGHT do
  winsnmp.spawn(function()
    for i = t, REQUESTS, INFLIGHT do one(i) end
  end)
end
assert(winsnmp.run())
local seconds = winsnmp.now() - t0
e:free()
silent:free()
s:close()
local end_heap = heap()

out(("## %d requests"):format(REQUESTS))
out("")
out(("%d requests in %.1f s from %d tasks in one session: %d GETs, %d GETBULKs, %d timeouts "
  .. "(a silent port), %d cancelled in flight; %d wrong or failed."):format(done, seconds,
  INFLIGHT, counts.get, counts.getbulk, counts.timeout, counts.cancelled, counts.wrong))
out("")
out("| requests done | RSS KiB | pending |")
out("|---|---|---|")
out(("| 0 | %d | 0 |"):format(start_rss))
for _, smp in ipairs(samples) do
  out(("| %d | %d | %d |"):format(smp.done, smp.rss, smp.stats.pending))
end
out("")
local after_tenth, last = samples[1].rss, samples[#samples].rss
out(("RSS growth after the first tenth: %d KiB; heap in use before %d bytes, after %d bytes.")
  :format(last - after_tenth, start_heap, end_heap))
out("")
check(done == REQUESTS, "not every request ended")
check(counts.wrong == 0, counts.wrong .. " requests failed or were wrong")
check(last - after_tenth <= MAX_RSS_GROWTH_KIB, "RSS grew during the request phase")
check(end_heap - start_heap <= MAX_HEAP_GROWTH, "heap in use grew over the request phase")
local zero, which = all_zero(winsnmp.stats())
check(zero, "handle counts after the request phase: " .. tostring(which))

-- ---- phase 2: 100,000 sessions ---------------------------------------------------
-- Each session makes an entity, a context, a PDU and a VBL and sends one
-- request it never waits for, then closes with the request in flight; every
-- hundredth one waits for its answer instead.
local session_samples = {}
local answered, wrong_answers = 0, 0
start_rss, start_heap = rss_kib(), heap()
t0 = winsnmp.now()
for i = 1, SESSIONS do
  local cs = assert(winsnmp.session())
  local ce = assert(cs:entity(agent.address, { timeout = 2, retries = 1 }))
  local ctx = assert(cs:context("public"))
  local pdu = assert(cs:pdu("get", { SYS_NAME }))
  local vbl = assert(cs:vbl({ SYS_NAME }))
  if i % 100 == 0 then
    local got = cs:get(ce, { SYS_NAME })
    if got and got[1].value == "winsnmp-agent" then answered = answered + 1
    else wrong_answers = wrong_answers + 1 end
  else
    assert(cs:send(ce, ctx, pdu))
  end
  vbl:free()
  cs:close()
  if i % (SESSIONS // 10) == 0 then
    collectgarbage("collect")
    session_samples[#session_samples + 1] = { done = i, rss = rss_kib(), stats = winsnmp.stats() }
  end
end
seconds = winsnmp.now() - t0
end_heap = heap()

out(("## %d sessions"):format(SESSIONS))
out("")
out(("%d sessions opened and closed in %.1f s, each with an entity, a context, a PDU, a VBL and "
  .. "a request (closed in flight; %d waited for and answered, %d wrong)."):format(SESSIONS,
  seconds, answered, wrong_answers))
out("")
out("| sessions | RSS KiB | live sessions | live handles |")
out("|---|---|---|---|")
out(("| 0 | %d | 0 | 0 |"):format(start_rss))
for _, smp in ipairs(session_samples) do
  local st = smp.stats
  out(("| %d | %d | %d | %d |"):format(smp.done, smp.rss, st.sessions,
    st.entities + st.contexts + st.pdus + st.vbls))
end
out("")
after_tenth, last = session_samples[1].rss, session_samples[#session_samples].rss
out(("RSS growth after the first tenth: %d KiB; heap in use before %d bytes, after %d bytes.")
  :format(last - after_tenth, start_heap, end_heap))
out("")
check(wrong_answers == 0, wrong_answers .. " session requests failed")
check(last - after_tenth <= MAX_RSS_GROWTH_KIB, "RSS grew during the session phase")
check(end_heap - start_heap <= MAX_HEAP_GROWTH, "heap in use grew over the session phase")

agent:stop()
collectgarbage("collect")
zero, which = all_zero(winsnmp.stats())
check(zero, "handle counts at the end: " .. tostring(which))
local st = winsnmp.stats()
local parts = {}
for k, v in pairs(st) do
  if type(v) == "number" then parts[#parts + 1] = k .. "=" .. v end
end
table.sort(parts)
out("Final `winsnmp.stats()`: " .. table.concat(parts, ", ") .. ".")
out("")
out(#failures == 0 and "All checks passed." or ("FAILED: " .. table.concat(failures, "; ")))

local f = io.open("bench/soak.md", "w")
if f then
  f:write(table.concat(lines, "\n"), "\n")
  f:close()
end
os.exit(#failures == 0 and 0 or 1)
