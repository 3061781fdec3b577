--- A misbehaving SNMP agent for the fault specs, run as a child process:
--
--     lua5.4 spec/support/fake_agent.lua PORT READY_FILE
--
-- It listens on udp 127.0.0.1:PORT (luv), decodes each request with
-- winsnmp itself (s:decode) and answers with s:encode.  When bound, it
-- writes "PORT SPOOF_PORT" to READY_FILE.  It exits on its own after 30 s.
--
-- What it does depends on the first varbind of the request, under
-- 1.3.6.1.4.1.99999:
--   .1        answer at once with octets "real"
--   .2.MS     answer "real" after MS milliseconds
--   .3        first send noise: garbage, truncated copies of the answer,
--             the answer with value "spoofed" from another port, the
--             "spoofed" answer with another request id, a GET instead of a
--             response with the right id, the answer in the wrong SNMP
--             version; then, 50 ms later, the real answer "real"
--   .4        only the "spoofed" answer, from another port
--   .5        GETNEXT/GETBULK: always 1.3.6.1.4.1.99999.5.1 (not increasing
--             after the first step)
--   .6        GETNEXT/GETBULK: ROOT.9 for ROOT, then ROOT.5 (decreasing)
--   .7        never answers
--   .8        answers "real" twice (a duplicate)
--   .9        answers "real" from 127.0.0.2 (a multi-homed agent), same port
--   .10       answers "real" from another port with the community "other"
--   .11       a walkable table, .11.C.R (C 1..3, R 1..40), that misbehaves
--             as the request's community says (walk spec):
--               "toobigN"  tooBig (no varbinds) for a GETBULK above N repetitions
--               "silentN"  no answer to a GETBULK above N repetitions
--               "truncN"   at most N varbinds per answer (truncated GETBULKs)
--               "nobulk"   no answer to any GETBULK (GETNEXT works)
--               "loop"     after .11.1.5 answers .11.1.3 again (goes back)
--               anything else: a well-behaved agent
--   .12       answers "real" after 100 ms, counting requests in flight and
--             the gaps between arrivals (pacing spec)
--   .13       the figures of .12: max in flight, requests, smallest gap (ms)
local uv = require("luv")
local winsnmp = require("winsnmp")

local port = assert(tonumber(arg[1]), "usage: fake_agent.lua PORT READY_FILE")
local ready_file = assert(arg[2], "usage: fake_agent.lua PORT READY_FILE")

local BASE = "1.3.6.1.4.1.99999"
local s = assert(winsnmp.session())

local udp = assert(uv.new_udp())
assert(udp:bind("127.0.0.1", port))
local spoof = assert(uv.new_udp())
assert(spoof:bind("127.0.0.1", 0))
local spoof_port = spoof:getsockname().port
-- a second address of this "agent" (loopback has all of 127/8)
local other_address = assert(uv.new_udp())
assert(other_address:bind("127.0.0.2", port))

--- The SNMP version of a message from its BER header: 0 (v1), 1 (v2c), 3.
local function message_version(bytes)
  local pos = 2
  local len = bytes:byte(pos)
  if not len then return nil end
  if len >= 0x80 then pos = pos + (len - 0x80) end
  pos = pos + 1
  if bytes:byte(pos) ~= 0x02 or bytes:byte(pos + 1) ~= 0x01 then return nil end
  return bytes:byte(pos + 2)
end

local function later(ms, fn)
  local t = uv.new_timer()
  t:start(ms, 0, function()
    t:close()
    fn()
  end)
end

--- Encodes a response (or `type`) for a peer, in SNMP `version` ("1"/"2c").
local function encode(peer_port, version, community, request_id, varbinds, opts)
  opts = opts or {}
  local dst = assert(s:entity("udp:127.0.0.1:" .. peer_port,
    { version = version, community = community }))
  local pdu = assert(s:pdu(opts.type or "response", varbinds, {
    request_id = request_id,
    error_status = opts.error_status, error_index = opts.error_index,
  }))
  local bytes = assert(s:encode(dst, nil, pdu))
  pdu:free()
  dst:free()
  return bytes
end

local function send(sock, bytes, peer_port)
  sock:send(bytes, "127.0.0.1", peer_port, function() end)
end

-- The table of mode 11, in OID order.
local TABLE = {}
for c = 1, 3 do
  for r = 1, 40 do TABLE[#TABLE + 1] = { oid = ("%s.11.%d.%d"):format(BASE, c, r), n = c * 100 + r } end
end

local function oid_after(oid)
  for _, row in ipairs(TABLE) do
    if winsnmp.oid_compare(row.oid, oid) > 0 then return row end
  end
  return nil
end

-- Mode 11: a walk step as `community` says to misbehave; the varbinds, an
-- error status, or nil for no answer.  Every varbind asked is answered: a
-- GETBULK's repetitions in order, each holding one successor per varbind
-- (RFC 3416 4.2.3), as s:table's requests of whole rows need.
local function table_step(req, community)
  local limit = tonumber(community:match("%d+$"))
  local bulk = req.type == "getbulk"
  local reps = bulk and req.max_repetitions or 1
  if bulk and community == "nobulk" then return nil end
  if bulk and community:match("^silent") and reps > limit then return nil end
  if bulk and community:match("^toobig") and reps > limit then return {}, 1 end
  local out, at = {}, {}
  if community == "widening" then
    -- each column asked has a first cell, however high its number: a
    -- table's column discovery would never end
    for k, vb in ipairs(req.varbinds) do
      local column = tonumber(vb.oid:match("^" .. BASE .. "%.11%.(%d+)$")) or 1
      out[k] = { oid = ("%s.11.%d.1"):format(BASE, column), type = "int", value = column }
    end
    return out
  end
  if bulk and (community == "firstonly" or community == "colmajor") then
    -- Not in rows: successors of the first varbind only, or of each
    -- varbind in turn (all of one's repetitions, then the next's)
    local last = community == "firstonly" and 1 or #req.varbinds
    for k = 1, last do
      local oid = req.varbinds[k].oid
      for _ = 1, reps do
        local row = oid_after(oid)
        if not row then
          out[#out + 1] = { oid = oid, type = "endofmibview" }
          break
        end
        out[#out + 1] = { oid = row.oid, type = "int", value = row.n }
        oid = row.oid
      end
    end
    return out
  end
  for k, vb in ipairs(req.varbinds) do at[k] = vb.oid end
  for _ = 1, reps do
    for k, oid in ipairs(at) do
      local row = oid_after(oid)
      if community == "loop" and oid == BASE .. ".11.1.5" then row = TABLE[3] end
      if row then
        out[#out + 1] = { oid = row.oid, type = "int", value = row.n }
        at[k] = row.oid
      else
        out[#out + 1] = { oid = oid, type = "endofmibview" }
      end
      if community:match("^trunc") and #out >= limit then return out end
    end
  end
  return out
end

-- Mode 12's figures.
local pacing = { in_flight = 0, max_in_flight = 0, requests = 0, min_gap = math.huge, last = nil }

local function mode_of(oid)
  if oid:sub(1, #BASE + 1) ~= BASE .. "." then return nil end
  local rest = oid:sub(#BASE + 2)
  local mode = tonumber(rest:match("^(%d+)"))
  local arg1 = tonumber(rest:match("^%d+%.(%d+)"))
  return mode, arg1
end

local function handle(bytes, peer_port)
  local version_number = message_version(bytes)
  local m = s:decode(bytes)
  if not m or not version_number then return end
  local req = m.pdu:data()
  local community = m.context:name()
  m.pdu:free()
  m.context:free()
  local version = version_number == 0 and "1" or "2c"
  local other_version = version == "1" and "2c" or "1"
  local first = req.varbinds[1]
  if not first then return end
  local oid = first.oid
  local mode, arg1 = mode_of(oid)
  local id = req.request_id

  local function answer(value, opts)
    local vbs = {}
    for i, vb in ipairs(req.varbinds) do
      vbs[i] = { oid = vb.oid, type = "octets", value = value }
    end
    return encode(peer_port, (opts and opts.version) or version, community,
      (opts and opts.request_id) or id, vbs, opts)
  end

  if mode == 1 then
    send(udp, answer("real"), peer_port)
  elseif mode == 2 then
    later(arg1 or 500, function() send(udp, answer("real"), peer_port) end)
  elseif mode == 3 then
    local real = answer("real")
    send(udp, "", peer_port)
    send(udp, "garbage, not BER at all", peer_port)
    send(udp, "\48\130\255\255\2\1\1", peer_port)         -- a length far past the end
    send(udp, "\48\3\2\1", peer_port)                       -- short sequence
    send(udp, real:sub(1, #real - 1), peer_port)            -- truncated by one byte
    send(udp, real:sub(1, #real // 2), peer_port)           -- truncated by half
    send(udp, real:sub(1, 2), peer_port)
    send(udp, real .. "\0\0\0", peer_port)                  -- trailing junk (may be decoded)
    send(spoof, answer("spoofed"), peer_port)               -- right id, wrong source port
    send(udp, answer("spoofed", { request_id = id ~ 0x5a5a }), peer_port) -- wrong id
    send(udp, answer("spoofed", { type = "get" }), peer_port) -- not a response
    send(udp, answer("spoofed", { version = other_version }), peer_port) -- wrong version
    later(50, function() send(udp, real, peer_port) end)
  elseif mode == 4 then
    send(spoof, answer("spoofed"), peer_port)
  elseif mode == 5 or mode == 6 then
    local root = BASE .. "." .. mode
    local next_oid
    if mode == 5 then
      next_oid = root .. ".1"
    else
      next_oid = oid == root and root .. ".9" or root .. ".5"
    end
    send(udp, encode(peer_port, version, community, id,
      { { oid = next_oid, type = "int", value = 1 } }), peer_port)
  elseif mode == 7 then
    return
  elseif mode == 9 then
    other_address:send(answer("real"), "127.0.0.1", peer_port, function() end)
  elseif mode == 10 then
    send(spoof, encode(peer_port, version, "other", id,
      { { oid = oid, type = "octets", value = "real" } }), peer_port)
  elseif mode == 11 then
    local vbs, status = table_step(req, community)
    if vbs then
      send(udp, encode(peer_port, version, community, id, vbs,
        { error_status = status, error_index = status and 0 or nil }), peer_port)
    end
  elseif mode == 12 then
    local now = uv.hrtime() / 1e6
    if pacing.last then pacing.min_gap = math.min(pacing.min_gap, now - pacing.last) end
    pacing.last = now
    pacing.requests = pacing.requests + 1
    pacing.in_flight = pacing.in_flight + 1
    pacing.max_in_flight = math.max(pacing.max_in_flight, pacing.in_flight)
    later(100, function()
      pacing.in_flight = pacing.in_flight - 1
      send(udp, answer("real"), peer_port)
    end)
  elseif mode == 13 then
    send(udp, encode(peer_port, version, community, id, {
      { oid = oid .. ".1", type = "int", value = pacing.max_in_flight },
      { oid = oid .. ".2", type = "int", value = pacing.requests },
      { oid = oid .. ".3", type = "int", value = math.floor(math.min(pacing.min_gap, 1e6)) },
    }), peer_port)
  elseif mode == 8 then
    local real = answer("real")
    send(udp, real, peer_port)
    later(20, function() send(udp, real, peer_port) end)
  else
    -- Anything else: noSuchName-style error for v1, noSuchObject otherwise.
    send(udp, encode(peer_port, version, community, id,
      { { oid = oid, type = "nosuchobject" } }), peer_port)
  end
end

assert(udp:recv_start(function(err, data, addr)
  if err or not data or not addr then return end
  local ok, msg = pcall(handle, data, addr.port)
  if not ok then io.stderr:write("fake_agent: ", tostring(msg), "\n") end
end))

-- Self-destruct, so a child never outlives its spec run.
local bomb = uv.new_timer()
bomb:start(30000, 0, function()
  uv.stop()
end)

local f = assert(io.open(ready_file .. ".tmp", "w"))
f:write(port, " ", spoof_port, "\n")
f:close()
assert(os.rename(ready_file .. ".tmp", ready_file))

uv.run()
os.exit(0)
