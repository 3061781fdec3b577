--- winsnmp.simulator (issue 13, item 7) and the command line's record and
-- simulate (item 5, 6): an agent from a Lua list, a recording or a
-- directory of them in one call; the community (v3: the context) selects
-- the recording as snmpsim does; `winsnmp record` of snmpd then `winsnmp
-- simulate` walks with snmpbulkwalk -On exactly like snmpd.
local helper = require("helper")
local tools = require("support.notify_tools")
local tool = require("support.cli_tool")
local snmpd = require("winsnmp.snmpd")
local winsnmp = require("winsnmp")
local simulator = require("winsnmp.simulator")

local B = "1.3.6.1.4.1.99.15"
local function oid(n) return B .. "." .. n .. ".0" end

local V3 = { user = "simUser", level = "authPriv", auth = "SHA", auth_pass = "sim-auth-pass",
             priv = "AES", priv_pass = "sim-priv-pass" }
local V3_ARGS = ("-v3 -u %s -l authPriv -a SHA -A %s -x AES -X %s"):format(V3.user,
  V3.auth_pass, V3.priv_pass)

-- A directory of recordings: public, lab/router, lab/switch.
local function make_dir()
  local dir = os.tmpname()
  os.remove(dir)
  assert(os.execute("mkdir -p " .. snmpd.shell_quote(dir .. "/lab")))
  local function write(name, text)
    local f = assert(io.open(dir .. "/" .. name, "w"))
    f:write(text)
    f:close()
  end
  write("public.snmprec", oid(1) .. "|4|the public one\n")
  write("lab/router.snmprec", oid(1) .. "|4|router\n" .. oid(2) .. "|65:numeric|rate=10\n"
    .. oid(3) .. "|4:writecache|value=unset\n")
  write("lab/switch.snmprec", oid(1) .. "|4|switch\n")
  write("notes.txt", "not a recording\n")
  return dir
end

-- The process of `winsnmp simulate DIR`.
local function job_pid(dir)
  local pid
  local p = assert(io.popen("ls /proc"))
  for candidate in p:read("a"):gmatch("%d+") do
    local cmdline = snmpd.read_file("/proc/" .. candidate .. "/cmdline") or ""
    local program = tool.LAUNCHER or "lua5.4" -- (the launcher, or lua5.4 bin/winsnmp)
    if cmdline:sub(1, #program + 1) == program .. "\0" and cmdline:find("\0simulate\0", 1, true)
        and cmdline:find("\0" .. dir .. "\0", 1, true) then
      pid = candidate
    end
  end
  p:close()
  return assert(pid, "the simulator's process")
end

local function remove(dir) os.execute("rm -rf " .. snmpd.shell_quote(dir)) end

describe("winsnmp.simulator #integration", function()
  local fixed = helper.simulator({ { oid(1), "octets", "from a table" },
                                   { oid = oid(2), type = "int", value = 1, writable = true } })
  helper.check_no_leaks() -- (after the fixture: teardowns run in this order)

  it("serves a Lua list of entries in one call (helper fixture)", function()
    local s <close> = assert(winsnmp.session())
    local e = assert(s:entity(fixed.address, { timeout = 1, retries = 0 }))
    assert.equals("from a table", assert(s:get(e, { oid(1) }))[1].value)
    assert(s:set(e, { { oid(2), "int", 5 } }))
    assert.equals(5, assert(s:get(e, { oid(2) }))[1].value)
    assert.matches("^udp:127%.0%.0%.1:%d+$", fixed.address)
    assert.same({ "public" }, fixed.communities)
  end)

  it("selects the recording of a directory by community, and only those", function()
    local dir = make_dir()
    local agent <close> = assert(simulator.start(dir))
    assert.same({ "lab/router", "lab/switch", "public" }, agent.communities)
    local s <close> = assert(winsnmp.session())
    local function get(community, o)
      local e = assert(s:entity(agent.address, { community = community, timeout = 0.4,
                                                 retries = 0 }))
      local vbs, msg, name = s:get(e, { o or oid(1) })
      e:free()
      if not vbs then return nil, msg, name end
      return vbs[1].value
    end
    assert.equals("the public one", get("public"))
    assert.equals("router", get("lab/router"))
    assert.equals("switch", get("lab/switch"))
    helper.fails_with("SNMPAPI_TL_TIMEOUT", get("lab"))
    helper.fails_with("SNMPAPI_TL_TIMEOUT", get("notes"))
    -- writecache through snmpset, for its community only
    local out, status = tools.run(tools.cmd("snmpset", ("-v2c -c lab/router %s %s s written")
      :format(tools.peer(agent.address), oid(3))), 6)
    assert.equals(0, status, out)
    assert.equals("written", get("lab/router", oid(3)))
    local e = assert(s:entity(agent.address, { community = "lab/switch", timeout = 0.4 }))
    assert.equals("nosuchobject", assert(s:get(e, { oid(3) }))[1].type)
    agent:stop()
    remove(dir)
  end)

  it("selects by context name for SNMPv3", function()
    local dir = make_dir()
    local agent <close> = assert(simulator.start(dir, { users = { V3 } }))
    local function get(context)
      return tools.run(tools.cmd("snmpget", ("%s -n %s %s %s"):format(V3_ARGS, context,
        tools.peer(agent.address), oid(1))), 6)
    end
    local out, status = get("lab/switch")
    assert.equals(0, status, out)
    assert.matches('STRING: "switch"', out)
    out = get("lab/router")
    assert.matches('STRING: "router"', out)
    out, status = get("nothing")
    assert.is_not.equals(0, status, out)
    agent:stop()
    remove(dir)
  end)

  it("fails cleanly on a missing or empty source", function()
    helper.fails_with("SNMPAPI_OTHER_ERROR", simulator.start("/nonexistent/x.snmprec"))
    local empty = os.tmpname()
    os.remove(empty)
    assert(os.execute("mkdir " .. snmpd.shell_quote(empty)))
    local msg = helper.fails_with("SNMPAPI_OTHER_ERROR", simulator.start(empty))
    assert.matches("no %.snmprec files", msg)
    remove(empty)
    assert.has_error(function() simulator.start(42) end)
  end)
end)

describe("winsnmp record and simulate #integration", function()
  helper.check_no_leaks()
  local agent = helper.agent()

  -- Starts `winsnmp simulate DIR ...` in the background; returns the job and
  -- the address it prints.
  local function simulate(dir, ...)
    local job = tool.spawn(tool.winsnmp_cmd({ "simulate", dir, "--listen", "udp:127.0.0.1:0",
                                              ... }))
    local address
    job:poll_until(function(_, err)
      address = err:match("simulating on udp:(127%.0%.0%.1:%d+)")
      return address ~= nil
    end, 8)
    assert.is_not_nil(address, select(2, job:output()))
    return job, address
  end

  local function bulkwalk(address, root, community)
    local out, err, status = tool.netsnmp("snmpbulkwalk", { "-m", "", "-M", "/dev/null", "-On",
      "-v2c", "-c", community or "public", address, root })
    assert.equals(0, status, err)
    return out
  end

  it("records snmpd, then simulate walks with snmpbulkwalk -On exactly like snmpd", function()
    local dir = os.tmpname()
    os.remove(dir)
    assert(os.execute("mkdir -p " .. snmpd.shell_quote(dir)))
    local root = "1.3.6.1.2.1.1"
    local _, err, status = tool.winsnmp({ "record", "-v2c", "-c", "public", agent.address, root,
                                          "-o", dir .. "/public.snmprec" })
    assert.equals(0, status, err)
    local count = tonumber(err:match("(%d+) varbinds written"))
    assert.is_true(count > 5, err)
    local job, address = simulate(dir, "--timeout", "20")
    local function normal(text)
      text = text:gsub("Timeticks: %(%d+%)[^\n]*", "Timeticks")
      return (text:gsub("[^\n]* = No more variables left in this MIB View[^\n]*\n$", ""))
    end
    local original = normal(bulkwalk(tools.peer(agent.address), root))
    local replayed = normal(bulkwalk(address, root))
    assert.equals(original, replayed)
    assert.equals(count, select(2, replayed:gsub("\n", "\n")))
    os.execute("kill " .. job_pid(dir))
    job:wait(5)
    remove(dir)
  end)

  it("prints its address and communities, and ends with 130 on SIGINT", function()
    local dir = make_dir()
    local job, address = simulate(dir, "-u", V3.user, "-l", "authPriv", "-a", "SHA", "-A",
      V3.auth_pass, "-x", "AES", "-X", V3.priv_pass)
    local out = bulkwalk(address, B, "lab/router")
    assert.matches("Counter32", out)
    local v3out, _, v3status = tool.netsnmp("snmpget", { "-m", "", "-M", "/dev/null", "-On",
      "-v3", "-u", V3.user, "-l", "authPriv", "-a", "SHA", "-A", V3.auth_pass, "-x", "AES",
      "-X", V3.priv_pass, "-n", "lab/switch", address, oid(1) })
    assert.equals(0, v3status)
    assert.matches('"switch"', v3out)
    os.execute("kill -INT " .. job_pid(dir))
    local stdout, err, status = job:wait(5)
    assert.equals(130, status, err)
    assert.equals("", stdout)
    assert.matches("'lab/router'", err)
    assert.matches("'lab/switch'", err)
    assert.matches("'public'", err)
    assert.is_nil(err:find(V3.auth_pass, 1, true))
    assert.is_nil(err:find(V3.priv_pass, 1, true))
    remove(dir)
  end)

  it("names the file and line of a broken recording, and checks its arguments", function()
    local dir = make_dir()
    local f = assert(io.open(dir .. "/lab/broken.snmprec", "w"))
    f:write(oid(1) .. "|4|fine\n" .. oid(2) .. "|2:nosuch|x=1\n")
    f:close()
    local _, err, status = tool.winsnmp({ "simulate", dir, "--listen", "udp:127.0.0.1:0" })
    assert.equals(1, status)
    assert.matches("broken%.snmprec:2: variation module \"nosuch\" is not supported", err)
    remove(dir)
    _, err, status = tool.winsnmp({ "record", "-v2c", agent.address })
    assert.equals(2, status)
    assert.matches("record needs %-o FILE", err)
    _, err, status = tool.winsnmp({ "get", "-o", "x", agent.address, "1.3.6.1.2.1.1.5.0" })
    assert.equals(2, status)
    assert.matches("%-o is an option of record", err)
    _, err, status = tool.winsnmp({ "simulate", "/nonexistent/dir", "--listen",
                                    "udp:127.0.0.1:0", "--timeout", "1" })
    assert.equals(2, status)
    assert.matches("/nonexistent/dir: not a directory", err)
  end)
end)
