--- A private net-snmp `snmpd` on a free loopback port, for demos, specs and
-- benchmarks: nothing listens on 161 or on a non-loopback address.
--
--     local snmpd = require("winsnmp.snmpd")
--     local agent = assert(snmpd.start())
--     -- agent.address == "udp:127.0.0.1:PORT", agent.port, agent.v3 ...
--     agent:stop()
--
-- Communities are `public` (read-only) and `private` (read-write); a v3
-- authPriv user is configured as in `agent.v3`.
-- @module winsnmp.snmpd

local snmpd = {}

local SNMPD_CANDIDATES = { "/usr/sbin/snmpd", "/usr/local/sbin/snmpd" }

local function find_snmpd()
  for _, path in ipairs(SNMPD_CANDIDATES) do
    local f = io.open(path, "r")
    if f then
      f:close()
      return path
    end
  end
  return nil
end

--- Small helpers for fixtures (also used by the specs' fake agents).
function snmpd.shell_quote(s)
  return "'" .. tostring(s):gsub("'", "'\\''") .. "'"
end

function snmpd.read_file(path)
  local f = io.open(path, "r")
  if not f then return nil end
  local text = f:read("a")
  f:close()
  return text
end

--- Whether `path` is a directory (io.open succeeds on one on Linux;
-- reading from it fails with EISDIR).
function snmpd.is_dir(path)
  local f = io.open(path, "r")
  if not f then return false end
  local _, _, code = f:read(1)
  f:close()
  return code == 21 -- EISDIR
end

function snmpd.sleep(seconds)
  os.execute("sleep " .. seconds)
end

local shell_quote, read_file, sleep = snmpd.shell_quote, snmpd.read_file, snmpd.sleep

--- Local UDP and TCP ports in use, from the kernel's socket tables.
local function ports_in_use()
  local used = {}
  for _, table_file in ipairs({ "/proc/net/udp", "/proc/net/udp6", "/proc/net/tcp",
                                 "/proc/net/tcp6" }) do
    for line in (read_file(table_file) or ""):gmatch("[^\n]+") do
      local port = line:match("^%s*%d+:%s+%x+:(%x+)")
      if port then used[tonumber(port, 16)] = true end
    end
  end
  return used
end

--- Picks `count` distinct free UDP ports in 20000..60999.
-- net-snmp binds with SO_REUSEADDR, so a busy port would not fail its bind:
-- checking the kernel's table first is what keeps two agents apart.
function snmpd.free_ports(count)
  local used, ports = ports_in_use(), {}
  local tries = 0
  while #ports < count do
    tries = tries + 1
    if tries > count * 100 + 1000 then return nil, "no free loopback UDP ports" end
    local port = math.random(20000, 60999)
    if not used[port] then
      used[port] = true
      ports[#ports + 1] = port
    end
  end
  return ports
end

--- True while process `pid` runs.  A zombie counts as gone: a daemon we
-- killed is re-parented to PID 1, which may take a second to reap it.
function snmpd.process_alive(pid)
  if not pid then return false end
  local stat = read_file("/proc/" .. pid .. "/stat")
  if not stat then return false end
  local state = stat:match("^%d+ %b() (%a)")
  return state ~= nil and state ~= "Z" and state ~= "X"
end

--- Stops process `pid`: SIGTERM, up to 2 s, then SIGKILL.
function snmpd.kill(pid)
  if not pid then return end
  os.execute("kill " .. pid .. " 2>/dev/null")
  for _ = 1, 40 do
    if not snmpd.process_alive(pid) then return end
    sleep(0.05)
  end
  os.execute("kill -9 " .. pid .. " 2>/dev/null")
end

local Agent = {}
Agent.__index = Agent

--- Stops a fixture process `obj.pid` and removes its directory `obj.dir`;
-- safe to call twice.  The stop of agents here and of the specs' helpers.
function snmpd.stop_process(obj)
  if obj.pid then
    snmpd.kill(obj.pid)
    obj.pid = nil
  end
  if obj.dir then
    os.execute("rm -rf " .. shell_quote(obj.dir))
    obj.dir = nil
  end
  return true
end

--- Stops the agent and removes its directory; safe to call twice.
Agent.stop = snmpd.stop_process

Agent.__close = Agent.stop
Agent.__gc = Agent.stop

--- The v3 user every agent has.
snmpd.V3_USER = {
  user = "winsnmpUser", level = "authPriv",
  auth = "SHA", auth_pass = "winsnmp-auth-pass", priv = "AES", priv_pass = "winsnmp-priv-pass",
}

--- Starts an agent.
-- @tparam[opt] table opts `ports` (number of UDP ports to listen on, 1..100,
-- default 1), `tcp` (also listen on TCP, same port numbers: `agent.tcp_address`),
-- `ipv6` (also listen on udp6 [::1], same port numbers: `agent.udp6_address`),
-- `extra` (more snmpd.conf lines), `sysname`,
-- `port` (this UDP port instead of a free one: an agent restarted on the same address),
-- `agentx` (also an AgentX master on a Unix socket in its directory:
-- `agent.agentx_address` "unix:/tmp/.../agentx.sock"; `agentx_socket` to
-- choose the path, e.g. to restart a master on the same socket),
-- `agentx_tcp` (the master also on loopback TCP, a free port or this one:
-- `agent.agentx_tcp_address`).
-- @return an Agent with `address`, `port`, `ports`, `addresses`, `v3`,
-- `dir`, `pid`, or nil and a message.
function snmpd.start(opts)
  opts = opts or {}
  local binary = find_snmpd()
  if not binary then return nil, "snmpd not found (Debian package 'snmpd')" end
  local count = opts.ports or 1
  -- snmpd opens at most 128 listening transports; start several agents
  -- for more ports.
  if count < 1 or count > 100 then return nil, "ports must be 1..100 per agent" end

  for _ = 1, 5 do -- a port may be taken between the check and the bind
    local ports, err
    if opts.port then ports = { opts.port } else ports, err = snmpd.free_ports(count) end
    if not ports then return nil, err end
    local dir = os.tmpname()
    os.remove(dir)
    assert(os.execute("mkdir -p " .. shell_quote(dir .. "/state")))

    local addresses, listen = {}, {}
    for i, port in ipairs(ports) do
      addresses[i] = "udp:127.0.0.1:" .. port
      listen[#listen + 1] = addresses[i]
      if opts.tcp then listen[#listen + 1] = "tcp:127.0.0.1:" .. port end
      if opts.ipv6 then listen[#listen + 1] = "udp6:[::1]:" .. port end
    end
    local v3 = snmpd.V3_USER
    local agentx_lines, agentx_address, agentx_tcp_address = "", nil, nil
    if opts.agentx or opts.agentx_tcp then
      local sockets = {}
      if opts.agentx then
        local path = opts.agentx_socket or (dir .. "/agentx.sock")
        agentx_address = "unix:" .. path
        sockets[#sockets + 1] = agentx_address
      end
      if opts.agentx_tcp then
        local port = math.type(opts.agentx_tcp) == "integer" and opts.agentx_tcp
          or assert(snmpd.free_ports(1))[1]
        agentx_tcp_address = "tcp:127.0.0.1:" .. port
        sockets[#sockets + 1] = agentx_tcp_address
      end
      -- agentXTimeout: how long the master waits for a subagent's answer
      agentx_lines = "master agentx\nagentXSocket " .. table.concat(sockets, ",") ..
        "\nagentXTimeout 2\nagentXRetries 1"
    end
    local conf = table.concat({
      "agentaddress " .. table.concat(listen, ","),
      "rocommunity public 127.0.0.1",
      "rwcommunity private 127.0.0.1",
      "rocommunity6 public ::1",
      "rwcommunity6 private ::1",
      string.format('createUser %s %s "%s" %s "%s"', v3.user, v3.auth, v3.auth_pass,
        v3.priv, v3.priv_pass),
      "rwuser " .. v3.user .. " priv",
      -- sysName is fixed; sysLocation and sysContact stay writable (net-snmp
      -- makes objects set in its configuration read-only).
      "sysName " .. (opts.sysname or "winsnmp-agent"),
      agentx_lines,
      opts.extra or "",
      "",
    }, "\n")
    local f = assert(io.open(dir .. "/agent.conf", "w"))
    f:write(conf)
    f:close()

    -- -C: only our config; -m/-M: no MIB files (numeric OIDs only);
    -- -I -smux: no SMUX port; the persistent directory is private.
    local cmd = table.concat({
      "MIBS= MIBDIRS=", binary, "-C", "-c", shell_quote(dir .. "/agent.conf"),
      "-Lf", shell_quote(dir .. "/snmpd.log"), "-p", shell_quote(dir .. "/snmpd.pid"),
      "-r", "--persistentDir=" .. shell_quote(dir .. "/state"), "-m ''", "-M /dev/null",
      "-I -smux,mteTrigger,mteTriggerConf", "-U",
      "</dev/null >/dev/null 2>&1",
    }, " ")
    os.execute(cmd)

    local agent = setmetatable({
      dir = dir, ports = ports, port = ports[1], addresses = addresses,
      address = addresses[1], v3 = v3, log = dir .. "/snmpd.log",
      tcp_address = opts.tcp and ("tcp:127.0.0.1:" .. ports[1]) or nil,
      udp6_address = opts.ipv6 and ("udp6:[::1]:" .. ports[1]) or nil,
      agentx_address = agentx_address, agentx_tcp_address = agentx_tcp_address,
    }, Agent)
    for _ = 1, 100 do -- wait until every port is bound
      local pid = tonumber((read_file(dir .. "/snmpd.pid") or ""):match("%d+"))
      local used = ports_in_use()
      local all = true
      for _, port in ipairs(ports) do all = all and used[port] end
      -- (each port shows up once its first transport is bound; snmpd binds
      -- all of them before it writes its pid file)
      if pid and all then
        agent.pid = pid
        return agent
      end
      sleep(0.05)
    end
    agent.pid = tonumber((read_file(dir .. "/snmpd.pid") or ""):match("%d+"))
    local log = read_file(agent.log) or ""
    agent:stop()
    if not log:find("bind", 1, true) then
      return nil, "snmpd did not start: " .. log
    end
  end
  return nil, "snmpd could not bind a free port"
end

return snmpd
