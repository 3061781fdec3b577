--- Secrets stay secret (issue 18): the CLI's argv as other users see it in
-- /proc/PID/cmdline, snmp.conf and the environment against net-snmp's own
-- tools reading the same files, winsnmp.conf, and the localised-key cache
-- emptied, wiped, when the last user of a passphrase closes.
local winsnmp = require("winsnmp")
local helper = require("helper")
local tool = require("support.cli_tool")
local snmpd = require("winsnmp.snmpd")

local SYS_NAME = "1.3.6.1.2.1.1.5.0"

local function usm_stats()
  return winsnmp.stats().usm
end

describe("the key cache #integration", function()
  helper.check_no_leaks()
  local agent = helper.agent()
  -- What earlier spec files left unreachable (entities holding passphrases)
  -- is collected first; what they keep on purpose (a friendly agent's
  -- passphrases, defined process-wide) is the baseline each test returns to.
  local base
  before_each(function()
    helper.full_gc()
    base = usm_stats()
  end)

  it("empties when the last entity using the passphrases closes, not at cleanup", function()
    assert.equals(base.cached_keys, usm_stats().cached_keys)
    local s = assert(winsnmp.session())
    local e = assert(s:entity(agent.address, helper.merge(agent.v3, { version = "3" })))
    assert.equals("winsnmp-agent", assert(s:get(e, { SYS_NAME }))[1].value)
    local st = usm_stats()
    assert.is_true(st.cached_keys >= base.cached_keys + 2, "Ku digests and a localised user are cached")
    assert.is_true(st.passphrase_keys >= 1)
    assert.equals(base.localized_users + 1, st.localized_users)
    assert.is_true(st.passphrases >= 1)
    -- a second entity with the same passphrases shares the cached keys
    local e2 = assert(s:entity(agent.address, helper.merge(agent.v3, { version = "3" })))
    assert(s:get(e2, { SYS_NAME }))
    assert.equals(st.cached_keys, usm_stats().cached_keys)
    e:close()
    assert.equals(st.cached_keys, usm_stats().cached_keys, "e2 still uses them")
    e2:close()
    st = usm_stats()
    assert.equals(base.cached_keys, st.cached_keys)
    assert.equals(base.passphrases, st.passphrases)
    s:close()
  end)

  it("empties when the session that owned the entities closes", function()
    local s = assert(winsnmp.session())
    local e = assert(s:entity(agent.address, helper.merge(agent.v3, { version = "3" })))
    assert(s:get(e, { SYS_NAME }))
    assert.is_true(usm_stats().cached_keys > base.cached_keys)
    s:close()
    assert.equals(base.cached_keys, usm_stats().cached_keys)
    assert.equals(base.passphrases, usm_stats().passphrases)
  end)

  it("forgets a notification user's passphrases when its registration closes", function()
    local s = assert(winsnmp.session())
    local address = "udp:127.0.0.1:" .. assert(snmpd.free_ports(1))[1]
    local reg = assert(s:register({ address = address, user = "informUser", level = "authPriv",
      auth = "SHA", auth_pass = "inform-auth-pass", priv = "AES",
      priv_pass = "inform-priv-pass" }, function() end))
    assert.is_true(usm_stats().passphrases >= base.passphrases + 2)
    reg:close()
    assert.equals(base.passphrases, usm_stats().passphrases)
    assert.equals(base.cached_keys, usm_stats().cached_keys)
    s:close()
  end)

  it("keeps passphrases on pages excluded from core dumps", function()
    local s = assert(winsnmp.session())
    local e = assert(s:entity(agent.address, helper.merge(agent.v3, { version = "3" })))
    local sec = winsnmp.stats().secure
    assert.is_true(sec.blocks > 0 and sec.mapped > 0)
    assert.equals(sec.mapped, sec.dontdump)
    assert.is_true(sec.locked <= sec.mapped)
    e:close()
    s:close()
  end)
end)

-- ---- snmp.conf and the environment -------------------------------------------------

local COMMUNITY = "conf-Secret-77"

--- A temporary folder holding `files` (name -> text); its path.
local function conf_dir(files)
  local dir = os.tmpname()
  os.remove(dir)
  assert(os.execute("mkdir -p " .. tool.quote(dir)))
  for name, text in pairs(files) do
    local f = assert(io.open(dir .. "/" .. name, "w"))
    -- "mibs :" keeps net-snmp's tools from loading MIBs (as /etc/snmp/snmp.conf does
    -- on Debian), so that both tools print numeric OIDs
    f:write("mibs :\n", text)
    f:close()
  end
  return dir
end

local function remove_dir(dir)
  os.execute("rm -rf " .. tool.quote(dir))
end

--- `env` (a string of shell assignments) before a command line.
local function with_env(env, cmd)
  return env .. " " .. cmd
end

describe("snmp.conf against net-snmp's tools #integration", function()
  local agent = helper.agent({ extra = "rocommunity " .. COMMUNITY .. " 127.0.0.1" })
  local peer = function() return (agent.address:gsub("^udp:", "")) end
  local dirs = {}
  after_each(function()
    for _, d in ipairs(dirs) do remove_dir(d) end
    dirs = {}
  end)
  local function dir(files)
    local d = conf_dir(files)
    dirs[#dirs + 1] = d
    return d
  end

  --- Runs snmpget and winsnmp get with SNMPCONFPATH=path (and `env`) and
  -- `flags`; returns both (stdout, stderr, status) triples.
  local function both(path, flags, env)
    local list = { peer(), SYS_NAME }
    for i = #flags, 1, -1 do table.insert(list, 1, flags[i]) end
    local pre = "SNMPCONFPATH=" .. tool.quote(path) .. " " .. (env or "")
    local a = { tool.run(with_env(pre, tool.netsnmp_cmd("snmpget", list))) }
    table.insert(list, 1, "get")
    local b = { tool.run(with_env(pre, tool.winsnmp_cmd(list))) }
    return a, b
  end

  local function assert_same_answer(a, b)
    assert.equals(0, a[3], a[2])
    assert.equals(0, b[3], b[2])
    assert.equals(a[1], b[1])
    assert.matches("winsnmp%-agent", b[1])
  end

  local function assert_both_fail(a, b)
    assert.is_not.equals(0, a[3])
    assert.equals(1, b[3], b[1] .. b[2])
    assert.is_nil(b[2]:find(COMMUNITY, 1, true))
  end

  it("takes defVersion and defCommunity, as snmpget does", function()
    local a, b = both(dir({ ["snmp.conf"] = "defVersion 2c\ndefCommunity " .. COMMUNITY .. "\n" }), {})
    assert_same_answer(a, b)
  end)

  -- (defVersion 2c throughout: snmpget's own default is the version net-snmp
  -- was built with, 3 on Debian; winsnmp's is 2c)
  it("reads snmp.local.conf after snmp.conf, and later folders after earlier ones", function()
    local wrong = "defVersion 2c\ndefCommunity not-this-one\n"
    local d1 = dir({ ["snmp.conf"] = wrong, ["snmp.local.conf"] = "defCommunity " .. COMMUNITY .. "\n" })
    assert_same_answer(both(d1, { "-t", "0.3", "-r", "0" }))
    local d2 = dir({ ["snmp.conf"] = "defVersion 2c\ndefCommunity " .. COMMUNITY .. "\n" })
    local d3 = dir({ ["snmp.conf"] = wrong })
    assert_same_answer(both(d3 .. ":" .. d2, { "-t", "0.3", "-r", "0" }))
    assert_both_fail(both(d2 .. ":" .. d3, { "-t", "0.3", "-r", "0" }))
  end)

  it("lets the flags win", function()
    local good = dir({ ["snmp.conf"] = "defVersion 2c\ndefCommunity " .. COMMUNITY .. "\n" })
    assert_both_fail(both(good, { "-c", "not-this-one", "-t", "0.3", "-r", "0" }))
    local bad = dir({ ["snmp.conf"] = "defCommunity not-this-one\ndefVersion 1\n" })
    assert_same_answer(both(bad, { "-v2c", "-c", COMMUNITY }))
  end)

  it("takes the SNMPv3 defaults: user, level, protocols and passphrases", function()
    local v3 = agent.v3
    local d = dir({ ["snmp.conf"] = table.concat({
      "defVersion 3", "defSecurityName " .. v3.user, "defSecurityLevel authPriv",
      "defAuthType " .. v3.auth, 'defAuthPassphrase "' .. v3.auth_pass .. '"',
      "defPrivType " .. v3.priv, "defPrivPassphrase " .. v3.priv_pass, "" }, "\n") })
    assert_same_answer(both(d, {}))
    -- a wrong passphrase on the command line wins over the right one in the file
    local a, b = both(d, { "-A", "wrong-pass-phrase", "-t", "0.5", "-r", "0" })
    assert.is_not.equals(0, a[3])
    assert.equals(1, b[3])
    assert.is_nil((b[1] .. b[2]):find("wrong-pass-phrase", 1, true))
    assert.is_nil((b[1] .. b[2]):find(v3.auth_pass, 1, true))
  end)

  it("puts the environment between snmp.conf and the flags", function()
    local bad = dir({ ["snmp.conf"] = "defCommunity not-this-one\n" })
    local env = "WINSNMP_COMMUNITY=" .. tool.quote(COMMUNITY)
    local list = { "get", "-t", "0.3", "-r", "0", peer(), SYS_NAME }
    local out, err, status = tool.run(with_env("SNMPCONFPATH=" .. tool.quote(bad) .. " " .. env,
      tool.winsnmp_cmd(list)))
    assert.equals(0, status, err)
    assert.matches("winsnmp%-agent", out)
    table.insert(list, 2, "-cnot-this-one")
    out, err, status = tool.run(with_env("SNMPCONFPATH=" .. tool.quote(bad) .. " " .. env,
      tool.winsnmp_cmd(list)))
    assert.equals(1, status, out .. err)
  end)

  it("warns about a bad value with its file and line, never the value, and goes on", function()
    -- (as net-snmp's tools do with a bad line of the system's files)
    local d = dir({ ["snmp.conf"] = "defVersion 7c\ndefCommunity " .. COMMUNITY .. "\n" })
    local _, b = both(d, {})
    assert.equals(0, b[3], b[2])
    assert.matches("winsnmp%-agent", b[1])
    assert.matches("warning: [^\n]*snmp%.conf:2: defVersion must be 1, 2c or 3 %(ignored%)", b[2])
    assert.is_nil(b[2]:find("7c", 1, true))
    local clean = dir({ ["snmp.conf"] = "" })
    local out, err, status = tool.run(with_env("SNMPCONFPATH=" .. tool.quote(clean) ..
      " WINSNMP_LEVEL=sometimes", tool.winsnmp_cmd({ "get", peer(), SYS_NAME })))
    assert.equals(2, status, out)
    assert.matches("WINSNMP_LEVEL has an unknown value", err)
  end)

  it("documents the environment variables in --help", function()
    local out = tool.winsnmp({ "--help" })
    for _, name in ipairs({ "WINSNMP_COMMUNITY", "WINSNMP_AUTH_PASS", "WINSNMP_PRIV_PASS",
                            "WINSNMP_USER", "SNMPCONFPATH", "defAuthPassphrase" }) do
      assert.matches(name, out, 1, true)
    end
  end)
end)

describe("winsnmp.conf", function()
  local function file(text)
    return helper.temp_file(text)
  end

  it("returns entity options, the directives and the files read", function()
    local path = file(table.concat({
      "# a comment", "  defVersion 3", "DEFSECURITYNAME alice", "defSecurityLevel authpriv",
      "defAuthType SHA-256", "defPassphrase 'shared phrase'", 'defPrivPassphrase "p \\"q\\" r"  ',
      "defPrivType AES", "defContext ctx", "defCommunity not used by v3",
      "[snmpd]", "defContext not-this", "[snmp] mibs :", "" }, "\n"))
    local o, d, files = winsnmp.conf(path)
    assert.same({ version = "3", user = "alice", level = "authPriv", auth = "SHA-256",
                  auth_pass = "'shared phrase'", priv = "AES", priv_pass = 'p "q" r',
                  context = "ctx", community = "not used by v3" }, o)
    assert.equals("alice", d.defSecurityName)
    assert.equals(":", d.mibs)
    assert.same({ path }, files)
    os.remove(path)
  end)

  it("follows includeFile, relative to the including file", function()
    local inner = file("defCommunity from-inner\n")
    local outer = file("defVersion 1\nincludeFile " .. inner:match("[^/]+$") .. "\n")
    local o = assert(winsnmp.conf(outer))
    assert.equals("from-inner", o.community)
    assert.equals("1", o.version)
    os.remove(inner)
    os.remove(outer)
  end)

  it("fails with nil, msg, NAME; the message never quotes a value", function()
    local o, msg, name = winsnmp.conf("/nonexistent/snmp.conf")
    assert.is_nil(o)
    assert.equals("SNMPAPI_OTHER_ERROR", name)
    assert.matches("cannot read", msg)
    local path = file("defAuthType s3cret-typo\n")
    o, msg, name = winsnmp.conf(path)
    assert.is_nil(o)
    assert.equals("SNMPAPI_OTHER_ERROR", name)
    assert.matches(":1: defAuthType must be", msg)
    assert.is_nil(msg:find("s3cret", 1, true))
    os.remove(path)
    assert.has_error(function() winsnmp.conf(42) end)
  end)

  it("searches SNMPCONFPATH, else net-snmp's folders and ~/.snmp", function()
    local files = require("winsnmp.conf").files()
    if not os.getenv("SNMPCONFPATH") then
      assert.equals("/etc/snmp/snmp.conf", files[1])
      assert.equals("/etc/snmp/snmp.local.conf", files[2])
      if os.getenv("HOME") then
        assert.equals(os.getenv("HOME") .. "/.snmp/snmp.local.conf", files[#files])
      end
    end
  end)
end)

-- ---- the command line ---------------------------------------------------------------

describe("the winsnmp command's argv #integration", function()
  local SECRETS = { "Cmd-Community-1", "Cmd-Auth-Pass-2", "Cmd-Priv-Pass-3" }

  --- Starts `winsnmp ARGS` in the background; its pid and stderr file.
  local function start(list)
    local pidfile, errfile = os.tmpname(), os.tmpname()
    os.execute(("%s >/dev/null 2>%s </dev/null & echo $! >%s"):format(tool.winsnmp_cmd(list),
      tool.quote(errfile), tool.quote(pidfile)))
    local pid = tonumber(snmpd.read_file(pidfile):match("%d+"))
    os.remove(pidfile)
    return pid, errfile
  end

  local function cmdline(pid)
    local f = io.open("/proc/" .. pid .. "/cmdline", "rb")
    if not f then return nil end
    local text = f:read("a")
    f:close()
    return text
  end

  local function check(list, ready)
    assert.is_not_nil(tool.LAUNCHER, "the build has the winsnmp launcher (build/bin/winsnmp)")
    local pid, errfile = start(list)
    local seen
    assert.is_true(helper.poll_until(function()
      seen = cmdline(pid)
      return ready(snmpd.read_file(errfile) or "") and seen ~= nil
    end, 8), "the command started: " .. tostring(snmpd.read_file(errfile)))
    seen = cmdline(pid)
    os.execute("kill -TERM " .. pid)
    os.remove(errfile)
    assert.is_string(seen)
    assert.matches(list[1], seen, 1, true) -- the command line is readable ...
    for _, secret in ipairs(SECRETS) do -- ... without the secrets
      assert.is_nil(seen:find(secret, 1, true), "cmdline shows a secret: " .. seen:gsub("%z", " "))
    end
  end

  it("blanks -c, -A and -X (attached or not) of listen-traps in /proc/PID/cmdline", function()
    local address = "udp:127.0.0.1:" .. assert(snmpd.free_ports(1))[1]
    check({ "listen-traps", address, "--timeout", "20", "-c", SECRETS[1], "-u", "someone",
            "-a", "SHA", "-A" .. SECRETS[2], "-x", "AES", "-X", SECRETS[3] },
      function(err) return err:find("listening", 1, true) ~= nil end)
  end)

  it("blanks them during a get that waits for a silent agent", function()
    local socket = require("socket")
    local silent = assert(socket.udp())
    assert(silent:setsockname("127.0.0.1", 0))
    local _, port = silent:getsockname()
    silent:settimeout(0)
    local function reached() -- (latched: poll_until asks once more at the end)
      local got = false
      return function()
        got = got or silent:receive() ~= nil
        return got
      end
    end
    check({ "get", "-v3", "-u", "someone", "-l", "authPriv", "-a", "SHA", "-A", SECRETS[2],
            "-x", "AES", "-X" .. SECRETS[3], "-t", "20", "-r", "0", "127.0.0.1:" .. port,
            SYS_NAME },
      reached()) -- (an engine discovery probe)
    check({ "get", "-v2c", "-c" .. SECRETS[1], "-t", "20", "-r", "0", "127.0.0.1:" .. port,
            SYS_NAME },
      reached())
    silent:close()
  end)
end)
