--- The fleet benchmark's check (bench/fleet_check.lua), which makes its
-- "rows correct" column: run against a small fleet of bench/fleet_sim
-- (built here from its source) through s:table's `types = true`, as
-- bench/fleet_winsnmp.lua collects it.  Every live agent's 24 rows pass,
-- a dead agent gives none; the check's formula agrees with the simulator's
-- own `fleet_sim value`; and rows damaged in any one way lose the row (or,
-- where rows and types disagree about which rows there are, the agent).
local winsnmp = require("winsnmp")
local helper = require("helper")
local snmpd = require("winsnmp.snmpd")

local fleet_check = dofile("bench/fleet_check.lua")
local IF_ENTRY = "1.3.6.1.2.1.2.2.1"
local AGENTS = 40

-- (LD_PRELOAD emptied: under `make asan` the sanitizer runtime is preloaded
-- into busted, and the compiler and the simulator are not ours to check)
local function run(cmd)
  local pipe = assert(io.popen("LD_PRELOAD= " .. cmd))
  local out = pipe:read("a")
  local ok = pipe:close()
  return out, ok
end

local function deep_copy(t)
  local out = {}
  for k, v in pairs(t) do out[k] = type(v) == "table" and deep_copy(v) or v end
  return out
end

describe("the fleet benchmark's check #integration", function()
  helper.check_no_leaks()

  local dir, sim, pid, ports, kinds, got

  local function collect_all()
    local s = assert(winsnmp.session())
    local collected = {}
    for _, port in ipairs(ports) do
      winsnmp.spawn(function()
        local e = assert(s:entity("udp:127.0.0.1:" .. port, { timeout = 2, retries = 2 }))
        local rows, types, name = s:table(e, IF_ENTRY, { types = true, deadline = 30 })
        collected[port] = { rows = rows, types = types, name = name }
        e:free()
      end)
    end
    assert(winsnmp.run())
    s:close()
    return collected
  end

  -- (collected once, in the set-up: a dead agent costs three timeouts, and
  -- the timeouts are long enough for a run under valgrind)
  setup(function()
    dir = os.tmpname()
    os.remove(dir)
    assert(os.execute("mkdir -p " .. dir))
    sim = dir .. "/fleet_sim"
    local out, ok = run("cc -O2 -o " .. sim .. " bench/fleet_sim.c 2>&1")
    assert(ok, out)
    local base = assert(snmpd.free_ports(1))[1]
    pid = tonumber((run(("sh -c '%s serve -n %d -p %d -s 17 -o %s/ports >/dev/null 2>&1 & echo $!'")
      :format(sim, AGENTS, math.min(base, 60000), dir))))
    for _ = 1, 100 do
      local f = io.open(dir .. "/ports")
      local text = f and f:read("a")
      if f then f:close() end
      if text and select(2, text:gsub("\n", "")) == AGENTS then break end
      os.execute("sleep 0.05")
    end
    ports, kinds = {}, {}
    for line in run(("%s truth -s 17 < %s/ports"):format(sim, dir)):gmatch("[^\n]+") do
      local port, kind = line:match("^(%d+) (%S+)")
      ports[#ports + 1] = tonumber(port)
      kinds[tonumber(port)] = kind
    end
    assert(#ports == AGENTS, "the simulator did not start")
    got = collect_all()
  end)
  teardown(function()
    snmpd.kill(pid)
    os.execute("rm -rf " .. dir)
  end)

  it("passes every live agent's 24 rows and no dead agent's", function()
    local live = 0
    for _, port in ipairs(ports) do
      local g = got[port]
      if kinds[port] == "dead" then
        assert.is_nil(g.rows, port)
        assert.equals("SNMPAPI_TL_TIMEOUT", g.name)
      else
        live = live + 1
        assert.equals(fleet_check.ROWS, fleet_check.check(port, g.rows, g.types), port)
      end
    end
    assert.is_true(live > AGENTS / 2)
  end)

  it("agrees with the simulator's own value of a cell", function()
    local port
    for _, p in ipairs(ports) do if got[p].rows then port = p break end end
    for _, cell in ipairs({ { 1, 1 }, { 2, 7 }, { 5, 3 }, { 6, 24 }, { 8, 2 }, { 9, 9 },
                            { 10, 5 }, { 16, 11 }, { 20, 24 }, { 21, 13 }, { 22, 4 } }) do
      local column, row = cell[1], cell[2]
      local out = run(("%s value %d %d %d"):format(sim, port, column, row))
      local kind, text = out:match("^(%S+) (.-)\n?$")
      local value = got[port].rows[tostring(row)][column]
      local ours = got[port].types[tostring(row)][column]
      -- (it names types as winsnmp does, and prints octets in hex)
      assert.equals(kind, ours, ("%d.%d"):format(column, row))
      local shown = ours == "octets" and value:gsub(".", function(c) return ("%02x"):format(c:byte()) end)
        or tostring(value)
      assert.equals(text, shown, ("%d.%d"):format(column, row))
    end
  end)

  it("fails a row damaged in any one way", function()
    local port
    for _, p in ipairs(ports) do if got[p].rows then port = p break end end
    local rows, types = got[port].rows, got[port].types
    local damages = {
      ["a value off by one"] = function(r) r["3"][5] = r["3"][5] + 1 end,
      ["a string changed"] = function(r) r["3"][2] = r["3"][2] .. "x" end,
      ["a type changed"] = function(_, t) t["3"][5] = "cntr32" end,
      ["a counter typed as a gauge"] = function(_, t) t["3"][12] = "gauge32" end,
      ["a cell missing"] = function(r) r["3"][22] = nil end,
      ["a type missing"] = function(_, t) t["3"][22] = nil end,
      ["an extra cell"] = function(r) r["3"][23] = 0 end,
      ["an extra named cell"] = function(r) r["3"].index = 1 end,
      ["an extra type"] = function(_, t) t["3"][23] = "int" end,
      ["an OID value changed"] = function(r) r["3"][22] = "0.1" end,
      ["a row under the wrong key"] = function(r) r["03"], r["3"] = r["3"], nil end,
    }
    for what, damage in pairs(damages) do
      local r, t = deep_copy(rows), deep_copy(types)
      damage(r, t)
      assert.equals(fleet_check.ROWS - 1, fleet_check.check(port, r, t), what)
    end
    -- rows and types that do not list the same rows: the agent counts none
    local r, t = deep_copy(rows), deep_copy(types)
    t["3"] = nil
    assert.equals(0, fleet_check.check(port, r, t))
    r, t = deep_copy(rows), deep_copy(types)
    t["25"] = t["3"]
    assert.equals(0, fleet_check.check(port, r, t))
    -- and the same rows checked as another agent's: none
    assert.equals(0, fleet_check.check(port + 1, rows, types))
  end)
end)
