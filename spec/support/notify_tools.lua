--- Helpers for the notification and agent-role specs (notify_spec,
-- agent_role_spec): net-snmp command-line tools run in the background while
-- the spec keeps polling the engine (our receiver and agent only work while
-- winsnmp.poll runs), a private snmptrapd, and raw UDP datagrams sent with
-- luv from this process.
local winsnmp = require("winsnmp")
local helper = require("helper")
local snmpd = require("winsnmp.snmpd")

local tools = {}

local quote = snmpd.shell_quote
tools.quote = quote

--- luv, loaded once per process.  busted insulates each spec file by
-- resetting package.loaded, and a second `require("luv")` in the same Lua
-- state re-runs luaopen_luv; once the first module is collected, libuv
-- crashes in uv_udp_init_ex (a luv limitation, not winsnmp's).  The
-- registry outlives the insulation.
local function luv()
  local registry = debug.getregistry()
  local key = "winsnmp.spec.luv"
  if not registry[key] then registry[key] = require("luv") end
  return registry[key]
end



local Job = {}
Job.__index = Job

--- The output so far (stdout and stderr together), without the exit marker.
function Job:output()
  local text = snmpd.read_file(self.out) or ""
  return (text:gsub("EXIT=%d+\n$", ""))
end

--- The exit status once the command has finished, else nil.
function Job:status()
  local text = snmpd.read_file(self.out) or ""
  local status = text:match("EXIT=(%d+)\n$")
  return status and tonumber(status)
end

--- Polls the engine until the command has finished (or `limit` seconds,
-- default 6); returns its output and exit status (nil if still running).
function Job:wait(limit)
  helper.poll_until(function() return self:status() ~= nil end, limit or 6)
  local output, status = self:output(), self:status()
  os.remove(self.out)
  return output, status
end

--- Runs shell command `cmd` in the background; returns a Job.  LD_PRELOAD is
-- emptied so that a sanitizer runtime preloaded for lua5.4 stays out of the
-- tools, unless `lua_child` (a lua5.4 child that loads our module needs it).
function tools.spawn(cmd, lua_child)
  local out = os.tmpname()
  os.execute(("(%s%s; echo \"EXIT=$?\") >%s 2>&1 </dev/null &"):format(
    lua_child and "" or "LD_PRELOAD= ", cmd, quote(out)))
  return setmetatable({ out = out, cmd = cmd }, Job)
end

--- Runs `cmd` in the background and polls until it ends: output, status.
function tools.run(cmd, limit)
  return tools.spawn(cmd):wait(limit)
end

--- "udp:127.0.0.1:PORT" -> "127.0.0.1:PORT" (net-snmp's tools' syntax).
function tools.peer(address)
  return (address:gsub("^udp:", ""))
end

--- A net-snmp tool's command line: no MIBs, numeric OIDs, short timeouts.
function tools.cmd(tool, args)
  return ("%s -m '' -M /dev/null -On -Oe -t 1 -r 1 %s"):format(tool, args)
end

-- ---- snmptrapd -----------------------------------------------------------------

local Trapd = {}
Trapd.__index = Trapd

--- snmptrapd's log so far.
function Trapd:log()
  return snmpd.read_file(self.dir .. "/trapd.log") or ""
end

--- Polls the engine until the log contains every plain string in `texts`
-- (or `limit` seconds, default 5); returns the log.
function Trapd:wait_for(texts, limit)
  helper.poll_until(function()
    local log = self:log()
    for _, text in ipairs(texts) do
      if not log:find(text, 1, true) then return false end
    end
    return true
  end, limit)
  return self:log()
end

--- Kills the child and removes its files; safe to call twice.
Trapd.stop = snmpd.stop_process

--- The v3 user snmptrapd knows (for informs: snmptrapd is authoritative).
tools.TRAPD_V3 = {
  user = "notifyUser", level = "authPriv", auth = "SHA", auth_pass = "notify-auth-pass",
  priv = "AES", priv_pass = "notify-priv-pass",
}

--- Starts snmptrapd on a free loopback port; returns a Trapd with `port`,
-- `address`, `log()`, `wait_for()`, `stop()`, or raises.  `extra_conf`: more
-- snmptrapd.conf lines.
function tools.start_trapd(extra_conf)
  for _ = 1, 5 do
    local port = assert(snmpd.free_ports(1))[1]
    local dir = os.tmpname()
    os.remove(dir)
    assert(os.execute("mkdir -p " .. quote(dir .. "/conf") .. " " .. quote(dir .. "/state")))
    local conf = dir .. "/conf/snmptrapd.conf"
    local f = assert(io.open(conf, "w"))
    local v3 = tools.TRAPD_V3
    f:write("disableAuthorization yes\n",
      ("createUser %s %s %s %s %s\n"):format(v3.user, v3.auth, v3.auth_pass, v3.priv,
        v3.priv_pass), extra_conf or "")
    f:close()
    local cmd = ("LD_PRELOAD= snmptrapd -C -c %s -Lf %s -p %s --persistentDir=%s -m '' "
      .. "-M /dev/null udp:127.0.0.1:%d"):format(quote(conf), quote(dir .. "/trapd.log"),
      quote(dir .. "/trapd.pid"), quote(dir .. "/state"), port)
    os.execute(cmd .. " >/dev/null 2>&1")
    local trapd = setmetatable({ dir = dir, port = port,
                                 address = "udp:127.0.0.1:" .. port }, Trapd)
    local deadline = winsnmp.now() + 5
    while winsnmp.now() < deadline do
      local pid = tonumber(snmpd.read_file(dir .. "/trapd.pid") or "")
      if pid and trapd:log():find("NET-SNMP version", 1, true) then
        trapd.pid = pid
        return trapd
      end
      snmpd.sleep(0.05)
    end
    trapd.pid = tonumber(snmpd.read_file(dir .. "/trapd.pid") or "")
    trapd:stop() -- the port was taken meanwhile: try another
  end
  error("snmptrapd did not start")
end

-- ---- raw datagrams with luv -------------------------------------------------------

local Sender = {}
Sender.__index = Sender

--- Sends `bytes` to 127.0.0.1:port (the send completes in uv.run).
function Sender:send(bytes, port)
  assert(self.udp:try_send(bytes, "127.0.0.1", port))
end

--- Starts receiving: datagrams land in self.received.
function Sender:listen()
  self.received = {}
  assert(self.udp:recv_start(function(err, data)
    if not err and data then self.received[#self.received + 1] = data end
  end))
end

--- Runs luv's loop once without blocking (delivers received datagrams).
function Sender:run()
  self.uv.run("nowait")
end

--- Polls the engine and luv until `done()` or `limit` seconds.
function Sender:poll_until(done, limit)
  return helper.poll_until(function()
    self.uv.run("nowait")
    return done()
  end, limit)
end

function Sender:close()
  if self.udp then
    self.udp:close()
    self.uv.run("nowait")
    self.udp = nil
  end
end

--- A luv UDP socket bound to `host` (default 127.0.0.1) on a free port.
function tools.sender(host)
  local uv = luv()
  local udp = assert(uv.new_udp())
  assert(udp:bind(host or "127.0.0.1", 0))
  return setmetatable({ uv = uv, udp = udp, port = udp:getsockname().port }, Sender)
end

--- Binds a luv UDP socket to 127.0.0.1:port (to make the port busy); returns
-- it (close it with :close()).
function tools.occupy(port)
  local uv = luv()
  local udp = assert(uv.new_udp())
  assert(udp:bind("127.0.0.1", port))
  return setmetatable({ uv = uv, udp = udp, port = port }, Sender)
end

--- The bytes of a v1/v2c message holding `pdu_type` ("trap", "inform", "get",
-- ...) with `varbinds`, encoded by session `s` for `address` with `opts`
-- (entity options: version, community); the handles are freed again.
function tools.encode(s, address, pdu_type, varbinds, opts, pdu_opts)
  local e = assert(s:entity(address, opts))
  local pdu = assert(s:pdu(pdu_type, varbinds, pdu_opts))
  local bytes = assert(s:encode(e, nil, pdu))
  pdu:free()
  e:free()
  return bytes
end

local SYS_UPTIME_0 = "1.3.6.1.2.1.1.3.0"
local SNMP_TRAP_OID_0 = "1.3.6.1.6.3.1.1.4.1.0"

--- The bytes of a v2c trap (or inform) with trap OID `trap_oid`.
function tools.trap_bytes(s, address, trap_oid, varbinds, opts, pdu_type)
  local list = { { SYS_UPTIME_0, "timeticks", 42 }, { SNMP_TRAP_OID_0, "oid", trap_oid } }
  for _, vb in ipairs(varbinds or {}) do list[#list + 1] = vb end
  return tools.encode(s, address, pdu_type or "trap", list, opts)
end

return tools
