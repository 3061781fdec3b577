-- The winsnmp side of the benchmark: the same modes as the C reference
-- client, printing one JSON line.
--   lua5.4 bench/winsnmp_client.lua seq N ADDR
--   lua5.4 bench/winsnmp_client.lua pipe N INFLIGHT ADDR
--   lua5.4 bench/winsnmp_client.lua walk ROOT ADDR [MAXREP]
--   lua5.4 bench/winsnmp_client.lua many ADDR...
--   lua5.4 bench/winsnmp_client.lua count N ADDR        (for callgrind)
--   lua5.4 bench/winsnmp_client.lua memory ADDR         (bytes per entity, per request, RSS)
local winsnmp = require("winsnmp")

local mode = arg[1]
local SYS_NAME = { "1.3.6.1.2.1.1.5.0" }

local function json(t)
  local parts = {}
  for k, v in pairs(t) do
    local value = type(v) == "string" and ('"' .. v .. '"') or
      (math.type(v) == "float" and ("%.6g"):format(v) or tostring(v))
    parts[#parts + 1] = ('"%s":%s'):format(k, value)
  end
  table.sort(parts)
  return "{" .. table.concat(parts, ",") .. "}"
end

local memory = require("bench.memory")
local rss_kib = memory.rss_kib

local session = assert(winsnmp.session())

local function entity(address, opts)
  return assert(session:entity(address, opts or { timeout = 1, retries = 3 }))
end

if mode == "seq" or mode == "count" then
  local n, agent = tonumber(arg[2]), entity(arg[3])
  local t = winsnmp.now()
  for _ = 1, n do assert(session:get(agent, SYS_NAME)) end
  local dt = winsnmp.now() - t
  if mode == "seq" then
    print(json({ client = "winsnmp", mode = "seq", n = n, seconds = dt, per_second = n / dt }))
  end
elseif mode == "pipe" then
  local n, inflight, agent = tonumber(arg[2]), tonumber(arg[3]), entity(arg[4])
  local per_task, done = n // inflight, 0
  local t = winsnmp.now()
  for _ = 1, inflight do
    winsnmp.spawn(function()
      for _ = 1, per_task do
        assert(session:get(agent, SYS_NAME))
        done = done + 1
      end
    end)
  end
  assert(winsnmp.run())
  local dt = winsnmp.now() - t
  print(json({ client = "winsnmp", mode = "pipe", n = done, inflight = inflight, seconds = dt,
               per_second = done / dt }))
elseif mode == "walk" or mode == "flatwalk" then
  -- walk: a {oid=, type=, value=} table per varbind; flatwalk: iwalk's
  -- `flat` form, oid, type, value per step
  local root, agent, maxrep = arg[2], entity(arg[3]), tonumber(arg[4])
  local flat = mode == "flatwalk"
  local t = winsnmp.now()
  local count = 0
  for vb, err in session:iwalk(agent, root, { max_repetitions = maxrep, flat = flat }) do
    if vb == false then error(err) end
    count = count + 1
  end
  local dt = winsnmp.now() - t
  print(json({ client = "winsnmp", mode = mode, varbinds = count, seconds = dt }))
elseif mode == "many" then
  local t = winsnmp.now()
  local ok = 0
  for i = 2, #arg do
    local address = arg[i]
    winsnmp.spawn(function()
      local agent = entity(address, { timeout = 2, retries = 1 })
      if session:get(agent, SYS_NAME) then ok = ok + 1 end
      agent:free()
    end)
  end
  assert(winsnmp.run())
  local dt = winsnmp.now() - t
  print(json({ client = "winsnmp", mode = "many", agents = #arg - 1, answered = ok, seconds = dt,
               descriptors = #winsnmp.fds() }))
elseif mode == "memory" then
  local in_use = memory.in_use
  -- Idle entities: a Lua userdata plus the C object and its handle slot.
  local before = in_use()
  local entities = {}
  local n = 100000
  for i = 1, n do entities[i] = entity("udp:127.0.0.1:" .. (1024 + i % 60000)) end
  local per_entity = (in_use() - before - n * 16) / n -- less the Lua array itself
  for i = 1, n do entities[i]:free() end
  collectgarbage("collect")

  -- Requests in flight: to a silent port, none answered while measured.
  local silent = entity("udp:127.0.0.1:9", { timeout = 60, retries = 0 })
  local pdu = assert(session:pdu("get", SYS_NAME))
  before = in_use()
  local m = 50000
  for _ = 1, m do assert(session:_request("get", silent, SYS_NAME)) end
  local per_request = (in_use() - before) / m
  pdu:free()
  session:close()
  session = assert(winsnmp.session())

  -- RSS over a million requests against the agent (64 in flight).
  local agent = entity(arg[2])
  local total, inflight, samples = 1000000, 64, {}
  local done = 0
  for _ = 1, inflight do
    winsnmp.spawn(function()
      for _ = 1, total // inflight do
        assert(session:get(agent, SYS_NAME))
        done = done + 1
        if done % 100000 == 0 then samples[#samples + 1] = rss_kib() end
      end
    end)
  end
  local start_rss = rss_kib()
  assert(winsnmp.run())
  print(json({ client = "winsnmp", mode = "memory", bytes_per_entity = per_entity,
               bytes_per_request = per_request, requests = done, rss_start_kib = start_rss,
               rss_after_100k_kib = samples[1], rss_end_kib = samples[#samples] }))
else
  io.stderr:write("usage: winsnmp_client.lua seq|pipe|walk|many|count|memory ...\n")
  os.exit(2)
end
session:close()
