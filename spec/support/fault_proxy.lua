--- A hostile network between winsnmp and a real agent, run as a child
-- process (see spec/support/proxy.lua, which starts and stops it):
--
--     lua5.4 spec/support/fault_proxy.lua LISTEN_PORT READY_FILE TARGET_PORT STATS_FILE
--            [drop=P] [dup=P] [reorder=P] [delay=P] [forge=P] [truncate=P]
--            [garbage=P] [flip=P] [replay=P] [seed=N] [forger=PORT]
--            [forge_from=spoof|listen] [lifetime=SECONDS]
--
-- A loopback UDP proxy (luv): datagrams from a client to udp
-- 127.0.0.1:LISTEN_PORT go to the agent on 127.0.0.1:TARGET_PORT, from one
-- upstream socket per client; the agent's replies go back to that client
-- from LISTEN_PORT.  Each fault happens with its probability P (0..1), drawn
-- from Lua's PRNG seeded with `seed`, so the decisions are reproducible
-- (their interleaving with the client's timers is not):
--
--   drop      (both directions) the datagram is not forwarded
--   dup       (both directions) it is forwarded twice
--   reorder   (both directions) it is held back and sent after the next
--             datagram in the same direction, or after 50..250 ms at most
--   delay     (both directions) it is forwarded after 10..300 ms
--   forge     (replies) before the real reply, a forged one with the same
--             request id and every value octets "FORGED" comes from ANOTHER
--             port (a second socket).  v1/v2c: the real reply decoded with
--             winsnmp (s:decode) and encoded again (s:encode).  v3 (encrypted
--             and authenticated, so it cannot be rewritten): with
--             `forger=PORT`, the client's authenticated request is also sent
--             to a second snmpd on PORT that has the same engine id and user
--             (and sysName etc. "FORGED"); its reply, a valid message for the
--             client's keys that differs only by source port and values, is
--             relayed first (the real reply waits up to 300 ms for it)
--   truncate  (replies) a truncated copy is sent first, from LISTEN_PORT
--   garbage   (replies) 1..128 random bytes are sent first, from LISTEN_PORT
--   flip      (v3 authenticated replies) a copy with one byte changed is
--             sent first, from LISTEN_PORT (HMAC must reject it)
--   replay    (replies) an earlier reply to the same client (for another
--             request) is sent again first, from LISTEN_PORT
--
-- `forge_from=listen` is for the specs' sanity check that forged replies
-- are valid: the forged reply comes from LISTEN_PORT and the real one is
-- suppressed (v3: the request is not sent to the real agent at all), so a
-- client must accept it.
--
-- When bound it writes "LISTEN_PORT SPOOF_PORT" to READY_FILE.  Counts of
-- what it did go to STATS_FILE as `key=value` lines, replaced atomically
-- (write + rename): within 20 ms of any change, at once on SIGUSR1 (the
-- file's `signals` line tells how many SIGUSR1 it has answered), and on
-- SIGTERM, before it exits.  It exits on its own after `lifetime` seconds
-- (default 120), so it never outlives a spec run.
local uv = require("luv")
local winsnmp = require("winsnmp")

local USAGE = "usage: fault_proxy.lua LISTEN_PORT READY_FILE TARGET_PORT STATS_FILE [key=value ...]"
local listen_port = assert(tonumber(arg[1]), USAGE)
local ready_file = assert(arg[2], USAGE)
local target_port = assert(tonumber(arg[3]), USAGE)
local stats_file = assert(arg[4], USAGE)

local FAULTS = { "drop", "dup", "reorder", "delay", "forge", "truncate", "garbage", "flip",
                 "replay" }
local LOCAL = "127.0.0.1"
local FORGED = "FORGED"

local p = {}
for _, kind in ipairs(FAULTS) do p[kind] = 0 end
local seed, lifetime, forger_port, forge_from = 1, 120, nil, "spoof"
for i = 5, #arg do
  local key, value = arg[i]:match("^([%w_]+)=(.*)$")
  assert(key, "bad option " .. arg[i] .. " (key=value expected)")
  if p[key] then
    p[key] = assert(tonumber(value), "bad probability " .. arg[i])
    assert(p[key] >= 0 and p[key] <= 1, "probability out of 0..1: " .. arg[i])
  elseif key == "seed" then
    seed = assert(math.tointeger(tonumber(value)), "bad seed " .. arg[i])
  elseif key == "lifetime" then
    lifetime = assert(tonumber(value), "bad lifetime " .. arg[i])
  elseif key == "forger" then
    forger_port = assert(math.tointeger(tonumber(value)), "bad forger port " .. arg[i])
  elseif key == "forge_from" then
    assert(value == "spoof" or value == "listen", "forge_from is spoof or listen")
    forge_from = value
  else
    error("unknown option " .. arg[i])
  end
end
math.randomseed(seed)

local function chance(kind)
  return p[kind] > 0 and math.random() < p[kind]
end

-- ---- counts and the stats file -------------------------------------------------

local counts = { signals = 0 }
local dirty = true

local function count(key, n)
  counts[key] = (counts[key] or 0) + (n or 1)
  dirty = true
end

--- A fault of `kind`, in direction `dir` ("up" to the agent, "down" to the
-- client): counted in total and per direction.
local function fault(kind, dir)
  count(kind)
  count(kind .. "_" .. dir)
end

for _, kind in ipairs(FAULTS) do counts[kind] = 0 end

local function write_stats()
  local keys = {}
  for key in pairs(counts) do keys[#keys + 1] = key end
  table.sort(keys)
  local lines = {}
  for i, key in ipairs(keys) do lines[i] = key .. "=" .. counts[key] end
  local tmp = stats_file .. ".tmp"
  local f = io.open(tmp, "w")
  if not f then return end
  f:write(table.concat(lines, "\n"), "\n")
  f:close()
  os.rename(tmp, stats_file)
  dirty = false
end

-- ---- sockets ------------------------------------------------------------------

local s = assert(winsnmp.session())

local listen = assert(uv.new_udp())
assert(listen:bind(LOCAL, listen_port))
local spoof = assert(uv.new_udp())
assert(spoof:bind(LOCAL, 0))
local spoof_port = spoof:getsockname().port

local function report(where, err)
  io.stderr:write("fault_proxy: ", where, ": ", tostring(err), "\n")
end

local function send(sock, bytes, port, ip)
  sock:send(bytes, ip or LOCAL, port, function(err)
    if err then report("send", err) end
  end)
end

local function later(ms, fn)
  local t = uv.new_timer()
  t:start(ms, 0, function()
    t:close()
    local ok, err = pcall(fn)
    if not ok then report("timer", err) end
  end)
end

-- ---- BER peeks ------------------------------------------------------------------

--- The length at `pos` (just after a tag): length, position of the contents.
local function ber_length(bytes, pos)
  local first = bytes:byte(pos)
  if not first then return nil end
  if first < 0x80 then return first, pos + 1 end
  local n = first - 0x80
  if n < 1 or n > 3 then return nil end
  local len = 0
  for i = 1, n do
    local b = bytes:byte(pos + i)
    if not b then return nil end
    len = len * 256 + b
  end
  return len, pos + 1 + n
end

--- One TLV at `pos`: tag, contents start, contents length, position after.
local function tlv(bytes, pos)
  local tag = bytes:byte(pos)
  if not tag then return nil end
  local len, start = ber_length(bytes, pos + 1)
  if not len then return nil end
  return tag, start, len, start + len
end

local function ber_integer(bytes, start, len)
  local v = 0
  for i = 0, len - 1 do v = v * 256 + bytes:byte(start + i) end
  if len > 0 and bytes:byte(start) >= 0x80 then v = v - (1 << (8 * len)) end
  return v
end

--- The SNMP version field of a message: 0 (v1), 1 (v2c), 3 (v3), or nil.
local function message_version(bytes)
  local tag, start = tlv(bytes, 1)
  if tag ~= 0x30 then return nil end
  local itag, istart, ilen = tlv(bytes, start)
  if itag ~= 0x02 or ilen < 1 or ilen > 4 then return nil end
  return ber_integer(bytes, istart, ilen)
end

--- For a v3 message: msgID and msgFlags, or nil.
local function v3_header(bytes)
  if message_version(bytes) ~= 3 then return nil end
  local _, start = tlv(bytes, 1)
  local _, _, _, after_version = tlv(bytes, start)
  local gtag, gstart = tlv(bytes, after_version)
  if gtag ~= 0x30 then return nil end
  local idtag, idstart, idlen, after_id = tlv(bytes, gstart)
  if idtag ~= 0x02 or idlen < 1 or idlen > 5 then return nil end
  local _, _, _, after_max = tlv(bytes, after_id)
  if not after_max then return nil end
  local ftag, fstart, flen = tlv(bytes, after_max)
  if ftag ~= 0x04 or flen ~= 1 then return nil end
  return ber_integer(bytes, idstart, idlen), bytes:byte(fstart)
end

-- ---- forging ----------------------------------------------------------------------

--- A v1/v2c reply like `bytes` for the client on `port`, with the same
-- request id, error status and OIDs, but every value octets "FORGED".
local function forge_community(bytes, port)
  local version = message_version(bytes)
  if version ~= 0 and version ~= 1 then return nil end
  local m = s:decode(bytes)
  if not m then return nil end
  local data = m.pdu:data()
  local community = m.context:name()
  m.pdu:free()
  m.context:free()
  if data.type ~= "response" then return nil end
  local vbs = {}
  for i, vb in ipairs(data.varbinds) do vbs[i] = { oid = vb.oid, type = "octets", value = FORGED } end
  local dst = assert(s:entity("udp:127.0.0.1:" .. port,
    { version = version == 0 and "1" or "2c", community = community }))
  local pdu = assert(s:pdu("response", vbs, {
    request_id = data.request_id, error_status = data.error_status, error_index = data.error_index,
  }))
  local forged = s:encode(dst, nil, pdu)
  pdu:free()
  dst:free()
  return forged
end

local function random_bytes(n)
  local out = {}
  for i = 1, n do out[i] = string.char(math.random(0, 255)) end
  return table.concat(out)
end

local function flipped(bytes)
  local i = math.random(1, #bytes)
  local b = bytes:byte(i) ~ math.random(1, 255)
  return bytes:sub(1, i - 1) .. string.char(b) .. bytes:sub(i + 1)
end

-- ---- clients (flows) ------------------------------------------------------------------

local flows = {}
local agent_reply -- forward declaration: function(flow, bytes)

--- The flow of a client: its own upstream socket to the agent, the
-- datagram held back for reordering in each direction, its recent replies.
local function flow_of(ip, port)
  local key = ip .. ":" .. port
  local flow = flows[key]
  if flow then return flow end
  flow = { ip = ip, port = port, held = {}, history = {} }
  flow.up = assert(uv.new_udp())
  assert(flow.up:bind(LOCAL, 0))
  assert(flow.up:recv_start(function(err, data, addr)
    if err then return report("upstream recv", err) end
    if not data or not addr or addr.port ~= target_port then return end
    count("from_agent")
    local ok, msg = pcall(agent_reply, flow, data)
    if not ok then report("reply", msg) end
  end))
  flows[key] = flow
  count("clients")
  return flow
end

local function raw_send(dir, flow, bytes)
  if dir == "up" then
    send(flow.up, bytes, target_port)
  else
    send(listen, bytes, flow.port, flow.ip)
  end
  count("sent_" .. dir)
end

--- Sends what is held back in direction `dir`, if anything.
local function flush(dir, flow)
  local held = flow.held[dir]
  if held then
    flow.held[dir] = nil
    for _ = 1, held.copies do raw_send(dir, flow, held.bytes) end
  end
end

--- Forwards a datagram with the transport faults: dup, delay, reorder.
local function transmit(dir, flow, bytes)
  local copies = 1
  if chance("dup") then
    fault("dup", dir)
    copies = 2
  end
  if chance("delay") then
    fault("delay", dir)
    later(math.random(10, 300), function()
      for _ = 1, copies do raw_send(dir, flow, bytes) end
      flush(dir, flow)
    end)
  elseif flow.held[dir] == nil and chance("reorder") then
    fault("reorder", dir)
    local held = { bytes = bytes, copies = copies }
    flow.held[dir] = held
    later(math.random(50, 250), function()
      if flow.held[dir] == held then flush(dir, flow) end
    end)
  else
    for _ = 1, copies do raw_send(dir, flow, bytes) end
    flush(dir, flow)
  end
end

--- v3 forgeries in flight: msgID -> {flow=, done=, held=}.
local forging = {}

--- A real reply, after any wait for its forgery: junk first, then the reply.
local function deliver_reply(flow, bytes)
  if chance("drop") then
    fault("drop", "down")
    return
  end
  local version = message_version(bytes)
  if version ~= 3 and chance("forge") then
    local forged = forge_community(bytes, flow.port)
    if forged then
      count("forge")
      count("forge_community")
      if forge_from == "listen" then
        send(listen, forged, flow.port, flow.ip)
        count("suppressed")
        return
      end
      send(spoof, forged, flow.port, flow.ip)
    end
  end
  if #bytes > 1 and chance("truncate") then
    count("truncate")
    send(listen, bytes:sub(1, math.random(1, #bytes - 1)), flow.port, flow.ip)
  end
  if chance("garbage") then
    count("garbage")
    send(listen, random_bytes(math.random(1, 128)), flow.port, flow.ip)
  end
  if version == 3 then
    local _, flags = v3_header(bytes)
    -- Only authenticated messages: an unauthenticated report (engine
    -- discovery) cannot be protected by anyone.
    if flags and flags & 1 == 1 and chance("flip") then
      count("flip")
      send(listen, flipped(bytes), flow.port, flow.ip)
    end
  end
  local history = flow.history
  if #history > 0 and chance("replay") then
    local old = history[math.random(1, #history)]
    if old ~= bytes then
      count("replay")
      send(listen, old, flow.port, flow.ip)
    end
  end
  history[#history + 1] = bytes
  if #history > 16 then table.remove(history, 1) end
  transmit("down", flow, bytes)
end

function agent_reply(flow, bytes)
  local id = v3_header(bytes)
  local f = id and forging[id]
  if f and f.flow == flow and not f.done then
    -- Hold the real reply until the forged one has gone out (300 ms at most).
    f.held = bytes
    later(300, function()
      if forging[id] == f and f.held then
        forging[id] = nil
        deliver_reply(flow, f.held)
        f.held = nil
      end
    end)
    return
  end
  deliver_reply(flow, bytes)
end

--- A datagram from a client.
local function client_request(flow, bytes)
  if forger_port then
    local id, flags = v3_header(bytes)
    if id and flags & 1 == 1 and chance("forge") then
      forging[id] = { flow = flow, done = false }
      send(spoof, bytes, forger_port)
      count("forge_asked")
      if forge_from == "listen" then return end -- the real agent never sees it
    end
  end
  if chance("drop") then
    fault("drop", "up")
    return
  end
  transmit("up", flow, bytes)
end

--- A reply from the forger (on the spoof socket): relay it to the client.
local function forger_reply(bytes)
  local id = v3_header(bytes)
  local f = id and forging[id]
  if not f or f.done then
    count("forger_unmatched")
    return
  end
  f.done = true
  count("forge")
  count("forge_v3")
  local flow = f.flow
  send(forge_from == "listen" and listen or spoof, bytes, flow.port, flow.ip)
  if forge_from == "listen" then count("suppressed") end
  if f.held then
    local held = f.held
    f.held = nil
    forging[id] = nil
    deliver_reply(flow, held)
  else
    forging[id] = nil
  end
end

assert(listen:recv_start(function(err, data, addr)
  if err then return report("recv", err) end
  if not data or not addr then return end
  count("from_client")
  local ok, msg = pcall(client_request, flow_of(addr.ip, addr.port), data)
  if not ok then report("request", msg) end
end))

assert(spoof:recv_start(function(err, data, addr)
  if err then return report("spoof recv", err) end
  if not data or not addr or addr.port ~= forger_port then return end
  count("from_forger")
  local ok, msg = pcall(forger_reply, data)
  if not ok then report("forger reply", msg) end
end))

-- ---- stats, signals, lifetime ----------------------------------------------------------

local ticker = uv.new_timer()
ticker:start(20, 20, function()
  if dirty then write_stats() end
end)

local function finish()
  write_stats()
  uv.stop()
end

local usr1 = uv.new_signal()
usr1:start("sigusr1", function()
  counts.signals = counts.signals + 1
  write_stats()
end)
local term = uv.new_signal()
term:start("sigterm", finish)
local int = uv.new_signal()
int:start("sigint", finish)

-- Self-destruct, so a child never outlives its spec run.
local bomb = uv.new_timer()
bomb:start(math.floor(lifetime * 1000), 0, finish)

write_stats()
local f = assert(io.open(ready_file .. ".tmp", "w"))
f:write(listen_port, " ", spoof_port, "\n")
f:close()
assert(os.rename(ready_file .. ".tmp", ready_file))

uv.run()
s:close()
os.exit(0)
