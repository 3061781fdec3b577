--- The examples run against a private snmpd and print what they promise,
-- so they cannot rot unnoticed.
local helper = require("helper")

local ENV = "LUA_PATH='./lua/?.lua;./lua/?/init.lua;;' LUA_CPATH='"
  .. (os.getenv("WINSNMP_BUILD") or "./build") .. "/?.so;;' "

--- Runs an example; returns its output and whether it exited 0.
local function run(cmd)
  local p = assert(io.popen(ENV .. cmd .. " 2>&1"))
  local out = p:read("a")
  local ok = p:close()
  return out, ok
end

--- Runs an example, asserts that it exited 0 and returns its output.
local function run_ok(cmd)
  local out, ok = run(cmd)
  assert.is_true(ok, out)
  return out
end

describe("examples #integration", function()
  helper.check_no_leaks()
  local agent = helper.agent({ ports = 2 })

  it("quickstart gets, walks, tables, sets and reads back", function()
    local out = run_ok("lua5.4 examples/quickstart.lua " .. agent.address)
    assert.matches("1.3.6.1.2.1.1.5.0%s+octets%s+winsnmp%-agent", out)
    assert.matches("walk of system: %d+ varbinds", out)
    assert.matches("interfaces:\n  1  lo", out)
    assert.matches('sysLocation set to "([^"]+)", read back "%1"', out)
  end)

  it("the demo starts and stops its own agent", function()
    local out = run_ok("lua5.4 examples/demo.lua")
    assert.matches("demo: private snmpd %(pid %d+%) listening on udp:127%.0%.0%.1:%d+", out)
    assert.matches("demo: agent stopped", out)
  end)

  it("walk_export writes JSON lines and CSV", function()
    local json = run_ok("lua5.4 examples/walk_export.lua " .. agent.address .. " 1.3.6.1.2.1.1")
    assert.matches('{"oid":"1.3.6.1.2.1.1.5.0","type":"octets","value":"winsnmp%-agent"}', json)
    local csv = run_ok("lua5.4 examples/walk_export.lua " .. agent.address
      .. " 1.3.6.1.2.1.1 csv")
    assert.matches('oid,type,value\n', csv)
    assert.matches('1.3.6.1.2.1.1.5.0,octets,"winsnmp%-agent"', csv)
  end)

  it("poll_many polls agents concurrently and reports the unreachable one", function()
    local out = run_ok("lua5.4 examples/poll_many.lua " .. table.concat(agent.addresses, " ")
      .. " " .. helper.closed_address())
    local _, up = out:gsub("winsnmp%-agent up %d+ ticks", "")
    assert.equals(2, up)
    assert.matches("SNMPAPI_TL_TIMEOUT", out)
    assert.matches("3 agents in [%d.]+ s, 1 descriptor", out)
    assert.matches("winsnmp%-agent up %d+ ticks, %d+ interfaces", out)
    assert.matches('winsnmp_agent_timeouts_total{agent="[^"]+",version="2c"} 1', out)
  end)

  it("v3_query succeeds with the right passphrases and fails cleanly without", function()
    local v3 = agent.v3
    local function v3_query(auth_pass)
      return ("lua5.4 examples/v3_query.lua %s %s %s %s"):format(agent.address, v3.user,
        auth_pass, v3.priv_pass)
    end
    local out = run_ok(v3_query(v3.auth_pass))
    assert.matches("1.3.6.1.2.1.1.5.0\twinsnmp%-agent", out)
    local bad, ok2 = run(v3_query("not-the-passphrase"))
    assert.is_falsy(ok2)
    assert.matches("authentication failed", bad)
    assert.is_nil(bad:find("not-the-passphrase", 1, true))
  end)

  it("config_push applies and verifies, and rolls back on failure", function()
    local out = run_ok("lua5.4 examples/config_push.lua " .. agent.address)
    assert.matches("push complete", out)
    local bad, ok2 = run("WINSNMP_FAIL=1 lua5.4 examples/config_push.lua " .. agent.address)
    assert.is_falsy(ok2)
    assert.matches("rolling back", bad)
    assert.matches("restore 1.3.6.1.2.1.1.4.0: ok", bad)
  end)

  it("config_agent applies RowStatus changes through its callback and refuses atomically", function()
    local snmpd = require("winsnmp.snmpd")
    local port = assert(snmpd.free_ports(1))[1]
    local conf, log, pidfile = os.tmpname(), os.tmpname(), os.tmpname()
    os.execute(("%s lua5.4 examples/config_agent.lua udp:127.0.0.1:%d 20 %s >%s 2>&1 & echo $! >%s")
      :format(ENV, port, conf, log, pidfile))
    assert.truthy(helper.poll_until(function() return (snmpd.read_file(log) or ""):find("config agent on") end, 10))
    local eth0 = "4.101.116.104.48" -- "eth0", length-prefixed
    local function snmpset(args)
      return run(("LD_PRELOAD= snmpset -m '' -M /dev/null -v2c -c private -t 2 -r 0 127.0.0.1:%d %s")
        :format(port, args))
    end
    local entry = "1.3.6.1.4.1.99999.7.1.1."
    run_ok(("LD_PRELOAD= snmpset -m '' -M /dev/null -v2c -c private -t 2 -r 0 127.0.0.1:%d "
      .. "%s2.%s i 1500 %s4.%s i 4"):format(port, entry, eth0, entry, eth0))
    assert.equals("eth0 mtu 1500 up\nlo mtu 9216 up\n", snmpd.read_file(conf))
    local out = snmpset(("%s2.%s i 1234"):format(entry, eth0))
    assert.matches("commitFailed", out)
    assert.equals("eth0 mtu 1500 up\nlo mtu 9216 up\n", snmpd.read_file(conf))
    run_ok(("LD_PRELOAD= snmpset -m '' -M /dev/null -v2c -c private -t 2 -r 0 127.0.0.1:%d "
      .. "%s4.%s i 6"):format(port, entry, eth0))
    assert.equals("lo mtu 9216 up\n", snmpd.read_file(conf))
    -- public may read but not write
    out = run(("LD_PRELOAD= snmpset -m '' -M /dev/null -v2c -c public -t 2 -r 0 127.0.0.1:%d "
      .. "%s4.%s i 4"):format(port, entry, eth0))
    assert.matches("noAccess", out)
    local text = snmpd.read_file(log)
    assert.matches("created eth0: mtu 1500, up", text)
    assert.matches("refusing eth0: mtu 1234 is reserved", text)
    assert.matches("destroyed eth0", text)
    -- (by pid: a pkill run with the sanitizer runtime preloaded can hang)
    snmpd.kill(tonumber(snmpd.read_file(pidfile)))
    os.remove(conf)
    os.remove(log)
    os.remove(pidfile)
  end)

  it("device_simulator serves a recording whose counters advance", function()
    local snmpd = require("winsnmp.snmpd")
    local out = os.tmpname()
    os.execute(ENV .. "lua5.4 examples/device_simulator.lua udp:127.0.0.1:0 4 >"
      .. snmpd.shell_quote(out) .. " 2>&1 </dev/null &")
    local address
    for _ = 1, 100 do
      address = (snmpd.read_file(out) or ""):match("on udp:(127%.0%.0%.1:%d+)")
      if address then break end
      snmpd.sleep(0.05)
    end
    assert.is_not_nil(address, snmpd.read_file(out))
    local function counter()
      local text = run("LD_PRELOAD= snmpget -m '' -M /dev/null -On -v2c -c public " .. address
        .. " 1.3.6.1.2.1.2.2.1.10.1 1.3.6.1.2.1.1.5.0")
      assert.matches('STRING: "sim%-router%-1"', text)
      return tonumber(text:match("Counter32: (%d+)"))
    end
    local first = counter()
    snmpd.sleep(1.1)
    local second = counter()
    assert.is_true(second - first > 100000, ("%s then %s"):format(first, second))
    for _ = 1, 100 do
      if (snmpd.read_file(out) or ""):find("simulator stopped", 1, true) then break end
      snmpd.sleep(0.05)
    end
    local text = snmpd.read_file(out)
    os.remove(out)
    assert.matches("ifInOctets%.1 = %d+", text)
    assert.matches("simulator stopped", text)
  end)

  it("agentx_subagent serves its table through snmpd, RowStatus and refusals included", function()
    local snmpd = require("winsnmp.snmpd")
    local master = assert(snmpd.start({ agentx = true }))
    local log, pidfile = os.tmpname(), os.tmpname()
    os.execute(("%s lua5.4 examples/agentx_subagent.lua %s 20 >%s 2>&1 & echo $! >%s"):format(
      ENV, master.agentx_address, log, pidfile))
    assert.truthy(helper.poll_until(function()
      return (snmpd.read_file(log) or ""):find("registered with the master") end, 10))
    local tool = "LD_PRELOAD= %s -m '' -M /dev/null -On -v2c -c %s -t 2 -r 0 127.0.0.1:%d %s"
    local entry = "1.3.6.1.4.1.99999.8.1.1."
    local web = "3.119.101.98" -- "web", length-prefixed
    local out = run_ok(tool:format("snmpwalk", "public", master.port, "1.3.6.1.4.1.99999.8"))
    assert.matches(entry .. "2.3.115.115.104 = INTEGER: 22", out, 1, true)
    run_ok(tool:format("snmpset", "private", master.port,
      ("%s2.%s i 8080 %s3.%s i 4"):format(entry, web, entry, web)))
    out = run_ok(tool:format("snmpget", "public", master.port, entry .. "2." .. web))
    assert.matches("INTEGER: 8080", out, 1, true)
    out = run(tool:format("snmpset", "private", master.port, ("%s2.%s i 1"):format(entry, web)))
    assert.matches("commitFailed", out, 1, true)
    out = run_ok(tool:format("snmpget", "public", master.port, entry .. "2." .. web))
    assert.matches("INTEGER: 8080", out, 1, true)
    local text = snmpd.read_file(log)
    snmpd.kill(tonumber(snmpd.read_file(pidfile)))
    master:stop()
    os.remove(log)
    os.remove(pidfile)
    assert.matches("web: port 8080", text, 1, true)
    assert.matches("refusing web: port 1 is reserved", text, 1, true)
  end)

  it("luv_loop drives the engine from libuv", function()
    local out = run_ok("lua5.4 examples/luv_loop.lua " .. agent.address .. " 3")
    assert.matches("3 answers through luv", out)
  end)

  it("cqueues_loop drives the engine from cqueues", function()
    local out = run_ok("lua5.4 examples/cqueues_loop.lua " .. agent.address .. " 3")
    assert.matches("sysUpTime = %d+", out)
    assert.matches("3 answers through cqueues", out)
  end)

  it("copas_loop runs winsnmp tasks next to copas sockets", function()
    -- Debian's copas is installed for Lua 5.1/5.2 only (plain Lua).
    local out = run_ok("LUA_PATH=\"$LUA_PATH;/usr/share/lua/5.2/?.lua\" lua5.4 examples/copas_loop.lua "
      .. agent.address .. " 3")
    assert.matches("uptime %d+ after %d polls", out)
    assert.matches("3 SNMP answers next to copas", out)
  end)
end)
