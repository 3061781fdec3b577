-- The benchmark: starts its own loopback agents, runs winsnmp and its peers
-- side by side on the same agents, and writes bench/results.md (also
-- printed).  Run with `make bench`.
--
-- Peers: the C reference client (bench/ref_client.c, net-snmp's async
-- single-session API), net-snmp's CLI tools, python3-easysnmp and node's
-- net-snmp; a peer that is not installed is reported as such.
local snmpd = require("winsnmp.snmpd")

-- The winsnmp client finds the module through LUA_PATH/LUA_CPATH, which
-- `make bench` sets for this process and so for its children.
local SEQ, PIPE, CLI_SEQ = 20000, 50000, 300
local IR_FROM, IR_TO = 2000, 22000 -- (e): instructions of IR_TO GETs minus IR_FROM

local common = require("bench.common")
local run = common.run

-- Decodes the one flat JSON object each client prints.
local function decode(line)
  local t = {}
  for k, v in (line or ""):gmatch('"([%w_]+)":("?[^,"}]*"?)') do
    t[k] = v:match('^"(.*)"$') or tonumber(v) or v
  end
  return next(t) and t or nil
end

local have = common.have

local peers = {
  { name = "winsnmp (Lua)", cmd = "lua5.4 bench/winsnmp_client.lua" },
  { name = "C reference (net-snmp async)", cmd = "bench/ref_client" },
  { name = "net-snmp CLI (snmpget/snmpbulkwalk)", cmd = "bash bench/cli_client.sh", cli = true },
  { name = "python3-easysnmp", cmd = "/usr/bin/python3 bench/easysnmp_client.py",
    available = os.execute("/usr/bin/python3 -c 'import easysnmp' 2>/dev/null") == true },
  { name = "node net-snmp", cmd = "node bench/node_client.js",
    available = have("node") and io.open("bench/node_modules/net-snmp/package.json") ~= nil },
}

-- Best of ROUNDS: this machine's other load only ever slows a run down.  The
-- clients take turns within each round, so a slow spell of the machine
-- falls on all of them rather than on whichever happened to run then.
local ROUNDS = 5

local function better(a, b)
  if not a then return b end
  if b and (b.seconds or math.huge) < (a.seconds or math.huge) then return b end
  return a
end

-- Runs `args_of(peer)` (nil: skip the peer) for every available peer, in
-- turns; returns {[peer.name] = best result}.
local function measure_all(args_of)
  local best = {}
  for _ = 1, ROUNDS do
    for _, peer in ipairs(peers) do
      local args = peer.available ~= false and args_of(peer)
      if args then
        best[peer.name] = better(best[peer.name], decode(run(peer.cmd .. " " .. args)))
      end
    end
  end
  return best
end

local function instructions_per_get(peer, address)
  local function ir(n)
    local out = run(("sh bench/callgrind_ir.sh %s count %d %s"):format(peer.cmd, n, address))
    return tonumber(out:match("(%d+)%s*$"))
  end
  -- 20,000 GETs apart: a Lua client's garbage collector runs a cycle per
  -- ~1,500 GETs, so a difference of 1,000 could hold none or one of them
  -- (the figure moved by hundreds of instructions run to run).
  local a, b = ir(IR_FROM), ir(IR_TO)
  return a and b and (b - a) / (IR_TO - IR_FROM) or nil
end

-- Instructions per varbind of a walk of mib-2, the walk of `system` (start-up
-- and the first requests) subtracted, each count from the run itself (the
-- agent's UDP table changes between runs).  callgrind_ir.sh gives the
-- client's own output on stderr and the count last on stdout.
local function instructions_per_varbind(peer, address, mode)
  local function ir(root)
    local out = run(("(sh bench/callgrind_ir.sh %s %s %s %s 25 2>&1)"):format(peer.cmd,
                                                                             mode or "walk", root,
                                                                             address))
    local printed = decode(out:match("{[^\n]*}"))
    return tonumber(out:match("(%d+)%s*$")), printed and tonumber(printed.varbinds)
  end
  local a, na = ir("1.3.6.1.2.1")
  local b, nb = ir("1.3.6.1.2.1.1")
  return a and b and na and nb and na > nb and (a - b) / (na - nb) or nil
end

io.stderr:write("bench: starting the agent\n")
local main = assert(snmpd.start())

-- (a)-(c) and (e) first, with only the main agent running: the agent farm
-- for (d) would add its 1,000 sockets to the agent's UDP table (walked in
-- (c)) and load the machine.
local results = {}
for _, peer in ipairs(peers) do results[peer.name] = {} end
local function record(field, best)
  for name, r in pairs(best) do results[name][field] = r end
end
io.stderr:write("bench: (a) sequential\n")
record("seq", measure_all(function(peer)
  return ("seq %d %s"):format(peer.cli and CLI_SEQ or SEQ, main.address)
end))
io.stderr:write("bench: (b) 64 in flight\n")
record("pipe", measure_all(function(peer)
  return not peer.cli and ("pipe %d 64 %s"):format(PIPE, main.address) or nil
end))
io.stderr:write("bench: (c) walk\n")
record("walk", measure_all(function() return ("walk 1.3.6.1 %s 25"):format(main.address) end))
io.stderr:write("bench: (e) instructions\n")
for _, peer in ipairs(peers) do
  if peer.name:find("winsnmp") or peer.name:find("C reference") then
    results[peer.name].ir = instructions_per_get(peer, main.address)
    results[peer.name].ir_walk = instructions_per_varbind(peer, main.address)
  end
end
-- (f) again for winsnmp's `flat` walk: oid, type, value per step, no table
local ir_flat = instructions_per_varbind(peers[1], main.address, "flatwalk")

-- snmpbulkwalk as a whole process with its defaults, as a user runs it.
local started = run("date +%s%N")
local lines = run(("snmpbulkwalk -m '' -v2c -c public %s 1.3.6.1 | wc -l"):format(main.address))
local bulkwalk_seconds = (tonumber(run("date +%s%N")) - tonumber(started)) / 1e9
io.stderr:write("bench: memory\n")
local memory = decode(run("lua5.4 bench/winsnmp_client.lua memory " .. main.address))

io.stderr:write("bench: 1,000 agents\n")
local farm = {}
for i = 1, 10 do farm[i] = assert(snmpd.start({ ports = 100 })) end
local many = {}
for _, a in ipairs(farm) do
  for _, address in ipairs(a.addresses) do many[#many + 1] = address end
end
local many_args = "many " .. table.concat(many, " ")
record("many", measure_all(function(peer) return not peer.cli and many_args or nil end))

main:stop()
for _, a in ipairs(farm) do a:stop() end

io.stderr:write("bench: the agent role (a 100,000-object mibview and snmpd)\n")
local agent_side = run("lua5.4 bench/agent_views.lua")
io.stderr:write("bench: client-bound (bench/responder)\n")
local client_bound = run("lua5.4 bench/client_bound.lua")

-- ---- the table -------------------------------------------------------------------
local ref = results["C reference (net-snmp async)"]
local function fmt(v, unit)
  if v == nil then return "–" end
  if unit == "s" then return ("%.3f s"):format(v) end
  return ("%.0f"):format(v)
end
local function ratio(v, base, higher_better)
  if not v or not base or base == 0 then return "" end
  return (" (%.2f×)"):format(higher_better and v / base or base / v)
end

local out = {}
local function line(s) out[#out + 1] = s end
line("# winsnmp benchmark")
line("")
line(("Run %s on %s, %s cores; one private snmpd on loopback for (a)–(c), (e) and (f),"):format(
  os.date("!%Y-%m-%d %H:%M UTC"), run("uname -m"):gsub("%s+$", ""), run("nproc"):gsub("%s+$", "")))
line("ten snmpd × 100 ports for (d).  Each figure is the best of five runs, the clients taking")
line("turns.  Ratios are to the C reference client, as speed-ups: above 1 is better than the C")
line("client.")
line("")
line("| client | (a) sequential GET/s | (b) 64 in flight GET/s | (c) full walk | (d) 1,000 agents "
  .. "| (e) instructions/GET | (f) instructions/walked varbind |")
line("|---|---|---|---|---|---|---|")
for _, peer in ipairs(peers) do
  local r = results[peer.name]
  if peer.available == false then
    line(("| %s | not installed | | | | | |"):format(peer.name))
  else
    local seq = r.seq and r.seq.per_second
    local pipe = r.pipe and (r.pipe.per_second or r.pipe.skipped)
    local walk = r.walk and r.walk.seconds
    local m = r.many and r.many.seconds
    line(("| %s | %s%s | %s%s | %s%s | %s%s | %s%s | %s%s |"):format(peer.name,
      fmt(seq), ratio(seq, ref.seq and ref.seq.per_second, true),
      type(pipe) == "string" and pipe or fmt(pipe),
      type(pipe) == "number" and ratio(pipe, ref.pipe and ref.pipe.per_second, true) or "",
      fmt(walk, "s"), ratio(walk, ref.walk and ref.walk.seconds),
      fmt(m, "s"), ratio(m, ref.many and ref.many.seconds),
      fmt(r.ir), ratio(r.ir, ref.ir), fmt(r.ir_walk), ratio(r.ir_walk, ref.ir_walk)))
  end
end
line(("| snmpbulkwalk process, its defaults | | | %.3f s (%d varbinds) | | | |"):format(
  bulkwalk_seconds, tonumber(lines) or 0))
line("")
local w = results["winsnmp (Lua)"]
line("Descriptors used for (d): winsnmp " .. tostring(w.many and w.many.descriptors)
  .. ", C reference " .. tostring(ref.many and ref.many.descriptors) .. ".")
if memory then
  line(("Memory (winsnmp): %.0f bytes per idle entity, %.0f bytes per request in flight; "
    .. "RSS %s KiB at the start of %d requests, %s KiB after 100,000, %s KiB at the end.")
    :format(memory.bytes_per_entity, memory.bytes_per_request, memory.rss_start_kib,
      memory.requests, memory.rss_after_100k_kib, memory.rss_end_kib))
end
line("")
line("Walks: varbind counts differ slightly between clients and runs because the")
line("agent's UDP table lists every socket on the machine.  (e) and (f) are callgrind's")
line("instruction counts, start-up removed: 22,000 GETs minus 2,000; a GETBULK-25 walk of")
line("mib-2 minus one of `system`, per varbind (winsnmp: `s:iwalk`, a table per varbind).")
line(("(f) for winsnmp's `s:iwalk(agent, root, {flat = true})`, which yields `oid, type, value`"
  .. " per step without a table: %s instructions per varbind%s."):format(fmt(ir_flat),
  ratio(ir_flat, ref.ir_walk)))
line("")
line("## The agent role: a 100,000-object mibview and snmpd (bench/agent_views.lua)")
line("")
line((agent_side:gsub("%s+$", "")))
line("")
line("## Client-bound: a canned responder, the client the bottleneck (bench/client_bound.lua)")
line("")
line((client_bound:gsub("%s+$", "")))

local text = table.concat(out, "\n") .. "\n"
local f = assert(io.open("bench/results.md", "w"))
f:write(text)
f:close()
io.write(text)
