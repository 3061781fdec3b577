#!/usr/bin/env lua5.4
--- fuzz/make_corpus.lua — regenerates the seed corpora of the fuzz targets.
--
-- Usage, from anywhere, after `make build` (needs snmpd, snmptrapd and the
-- net-snmp command-line tools, Debian packages snmpd snmptrapd snmp, and
-- lua-socket):
--
--     lua5.4 fuzz/make_corpus.lua
--
-- Decode targets (fuzz_decode_msg, fuzz_lua_values): real SNMP datagrams.
-- A private snmpd and snmptrapd run on free loopback ports; a relay (this
-- script again, in a child process, `--relay`) sits between them and the
-- clients and writes every datagram it forwards, both ways, to a file.  The
-- clients are winsnmp itself (get, getnext, getbulk, set, trap, inform in
-- v1, v2c and v3 authNoPriv/authPriv, with v3 engine discovery and reports)
-- and net-snmp's snmptrap (v1 and v3 traps from a fixed engine id).
--
-- The agents' engine ids and the v3 users are fixed (below, and the same in
-- fuzz/fuzz_common.h), so the fuzz targets can register the users and
-- authenticate and decrypt the captured v3 messages.
--
-- Parser target (fuzz_parsers): text seeds written from the lists below.
--
-- Only files named seed-* are replaced; other files in the corpus
-- directories (regressions found by fuzzing) are kept.

local here = arg and arg[0] and arg[0]:match("^(.*)/[^/]*$") or "."
local root = here .. "/.."

-- ---- the relay (child process) ----------------------------------------------

--- Forwards datagrams between the clients and two upstream agents (snmpd
-- and snmptrapd), each behind its own front port, saving each datagram.
-- Control datagrams from the parent (to the first front port) start with a
-- NUL byte:
--   "\0LABEL name"  names the next captures
--   "\0QUIT"        ends the relay
-- Prints the two front ports on one line.
local function relay(outdir, agent_port, trapd_port)
  local socket = require("socket")
  local pairs_, list = {}, {}
  for _, port in ipairs({ tonumber(agent_port), tonumber(trapd_port) }) do
    local front, back = assert(socket.udp()), assert(socket.udp())
    assert(front:setsockname("127.0.0.1", 0))
    assert(back:setsockname("127.0.0.1", 0))
    assert(back:setpeername("127.0.0.1", port))
    local p = { front = front, back = back }
    pairs_[front], pairs_[back] = p, p
    list[#list + 1] = front
    list[#list + 1] = back
  end
  local _, port1 = list[1]:getsockname()
  local _, port2 = list[3]:getsockname()
  io.stdout:write(port1, " ", port2, "\n")
  io.stdout:flush()
  local label, n = "unlabelled", 0
  local function save(direction, data)
    n = n + 1
    local f = assert(io.open(("%s/%s-%d-%s"):format(outdir, label, n, direction), "wb"))
    f:write(data)
    f:close()
  end
  local idle = 0
  while idle < 120 do -- the parent is gone if nothing happens for 2 minutes
    local ready = socket.select(list, nil, 1)
    if #ready == 0 then idle = idle + 1 else idle = 0 end
    for _, sock in ipairs(ready) do
      local p = pairs_[sock]
      if sock == p.front then
        local data, ip, from_port = sock:receivefrom()
        if data and data:byte(1) == 0 then
          local cmd, a = data:match("^%z(%S+) ?(%S*)")
          sock:sendto("ok", ip, from_port)
          if cmd == "QUIT" then return end
          label, n = a, 0
        elseif data then
          p.client = { ip, from_port }
          save("req", data)
          p.back:send(data)
        end
      else
        local data = sock:receive()
        if data and p.client then
          save("rsp", data)
          p.front:sendto(data, p.client[1], p.client[2])
        end
      end
    end
  end
end

if arg and arg[1] == "--relay" then
  relay(arg[2], arg[3], arg[4])
  return
end

-- ---- the capture (parent) ------------------------------------------------------

package.path = root .. "/lua/?.lua;" .. root .. "/lua/?/init.lua;" .. package.path
package.cpath = (os.getenv("WINSNMP_BUILD") or (root .. "/build")) .. "/?.so;" .. package.cpath

local winsnmp = require("winsnmp")
local snmpd = require("winsnmp.snmpd")
local socket = require("socket")

local quote = snmpd.shell_quote

--- Engine ids are 0x80001f8804 followed by the text ("engineID TEXT").
local function engine_hex(text)
  return "0x80001f8804" .. text:gsub(".", function(c) return ("%02x"):format(c:byte()) end)
end

local AGENT_ENGINE, TRAPD_ENGINE, SENDER_ENGINE =
  "winsnmp-fuzz-agent", "winsnmp-fuzz-trapd", "winsnmp-fuzz-sender"

-- The v3 users (keep in step with fuzz/fuzz_common.h).
local PRIV = snmpd.V3_USER -- winsnmpUser SHA/AES authPriv, on the agent
local AUTH = { user = "fuzzAuthUser", level = "authNoPriv", auth = "SHA",
               auth_pass = "fuzz-auth-pass" }
local DES = { user = "fuzzDesUser", level = "authPriv", auth = "MD5",
              auth_pass = "fuzz-md5-pass", priv = "DES", priv_pass = "fuzz-des-pass" }
local SHA2 = { user = "fuzzSha2User", level = "authPriv", auth = "SHA-256",
               auth_pass = "fuzz-sha256-pass", priv = "AES-256", priv_pass = "fuzz-aes256-pass" }
local INFORM = { user = "fuzzInformUser", level = "authPriv", auth = "SHA",
                 auth_pass = "fuzz-inform-auth", priv = "AES", priv_pass = "fuzz-inform-priv" }
local TRAP = { user = "fuzzTrapUser", level = "authPriv", auth = "SHA",
               auth_pass = "fuzz-trap-auth", priv = "AES", priv_pass = "fuzz-trap-priv" }

local function create_user(u, engine)
  return ('createUser %s%s %s "%s"%s'):format(engine and ("-e " .. engine .. " ") or "",
    u.user, u.auth, u.auth_pass,
    u.priv and (' %s "%s"'):format(u.priv, u.priv_pass) or "")
end

local agent = assert(snmpd.start({
  extra = table.concat({
    "engineID " .. AGENT_ENGINE,
    "sysDescr winsnmp fuzz corpus agent", -- not this machine's uname
    create_user(AUTH), "rwuser " .. AUTH.user .. " auth",
    create_user(DES), "rwuser " .. DES.user .. " priv",
    create_user(SHA2), "rwuser " .. SHA2.user .. " priv",
  }, "\n"),
}))

--- A private snmptrapd (acknowledges informs, v2c and v3).
local function start_trapd()
  local port = assert(snmpd.free_ports(1))[1]
  local dir = os.tmpname()
  os.remove(dir)
  assert(os.execute("mkdir -p " .. quote(dir .. "/state")))
  local f = assert(io.open(dir .. "/snmptrapd.conf", "w"))
  f:write("disableAuthorization yes\n", "engineID ", TRAPD_ENGINE, "\n",
    create_user(INFORM), "\n", create_user(TRAP, engine_hex(SENDER_ENGINE)), "\n")
  f:close()
  os.execute(("snmptrapd -C -c %s -Lf %s -p %s --persistentDir=%s -m '' -M /dev/null "
    .. "udp:127.0.0.1:%d >/dev/null 2>&1"):format(quote(dir .. "/snmptrapd.conf"),
    quote(dir .. "/trapd.log"), quote(dir .. "/trapd.pid"), quote(dir .. "/state"), port))
  local trapd = { dir = dir, port = port, stop = snmpd.stop_process }
  for _ = 1, 100 do
    trapd.pid = tonumber(snmpd.read_file(dir .. "/trapd.pid") or "")
    if trapd.pid and (snmpd.read_file(dir .. "/trapd.log") or ""):find("NET-SNMP", 1, true) then
      return trapd
    end
    snmpd.sleep(0.05)
  end
  trapd:stop()
  agent:stop()
  error("snmptrapd did not start")
end
local trapd = start_trapd()

local capture = os.tmpname()
os.remove(capture)
assert(os.execute("mkdir -p " .. quote(capture)))
local relay_pipe = assert(io.popen(("lua5.4 %s --relay %s %d %d"):format(quote(arg[0]),
  quote(capture), agent.port, trapd.port), "r"))
local relay_port, trapd_relay_port = (relay_pipe:read("l") or ""):match("^(%d+) (%d+)$")
assert(relay_port, "the relay did not start")
local relay_address = "udp:127.0.0.1:" .. relay_port
local trapd_address = "udp:127.0.0.1:" .. trapd_relay_port

local control = assert(socket.udp())
assert(control:setpeername("127.0.0.1", relay_port))
control:settimeout(2)
local function label(name)
  assert(control:send("\0LABEL " .. name))
  assert(control:receive() == "ok", "the relay does not answer")
end

--- Every exchange, through the relay; the daemons are stopped whatever happens.
local function exchanges()
  local s = assert(winsnmp.session())
  local function entity(version, opts, address)
    local o = { version = version, timeout = 1, retries = 1 }
    for k, v in pairs(opts or {}) do o[k] = v end
    return assert(s:entity(address or relay_address, o))
  end
  --- Names the captures, then runs `exchange` and says how it went.
  local function step(name, exchange)
    label(name)
    local ok, msg, err_name = exchange()
    io.stderr:write(("%-28s %s\n"):format(name,
      ok and "ok" or (tostring(msg) .. " " .. tostring(err_name))))
  end

  local SYS = "1.3.6.1.2.1.1"
  local GETS = { SYS .. ".1.0", SYS .. ".2.0", SYS .. ".3.0", SYS .. ".5.0" }
  -- sysDescr, ifInOctets, ifHCInOctets (Counter64), ipAdEntAddr, laLoadFloat
  -- (an Opaque float), a missing object, a missing instance
  local MIXED = { SYS .. ".1.0", "1.3.6.1.2.1.2.2.1.10.1", "1.3.6.1.2.1.31.1.1.1.6.1",
                  "1.3.6.1.2.1.4.20.1.1.127.0.0.1", "1.3.6.1.4.1.2021.10.1.6.1",
                  "1.3.6.1.2.1.1.99.0", "1.3.6.1.2.1.1.1.1" }
  local MIXED_V1 = { MIXED[1], MIXED[2], MIXED[4], MIXED[5] }
  local IF_ENTRY, IP_ADDR, IF_X_ENTRY = "1.3.6.1.2.1.2.2.1", "1.3.6.1.2.1.4.20",
    "1.3.6.1.2.1.31.1.1.1"
  local PAST_END = "1.3.6.1.6.3.99"

  -- v1 and v2c requests
  for _, c in ipairs({ { "v1", "1" }, { "v2c", "2c" } }) do
    local tag, version = c[1], c[2]
    local ro = entity(version, { community = "public" })
    local rw = entity(version, { community = "private" })
    local nobody = entity(version, { community = "nobody", timeout = 0.2, retries = 0 })
    step(tag .. "-get", function() return s:get(ro, GETS) end)
    step(tag .. "-get-mixed", function() return s:get(ro, version == "1" and MIXED_V1 or MIXED) end)
    step(tag .. "-get-nosuch", function() return s:get(ro, { SYS .. ".99.0" }) end)
    step(tag .. "-getnext", function() return s:getnext(ro, { IF_ENTRY, IP_ADDR }) end)
    step(tag .. "-getbulk", function() return s:getbulk(ro, { SYS .. ".3", IF_ENTRY }, 1, 8) end)
    step(tag .. "-getnext-end", function() return s:getnext(ro, { PAST_END }) end)
    step(tag .. "-set", function()
      return s:set(rw, { { SYS .. ".6.0", "octets", "fuzz lab \0\255" } })
    end)
    step(tag .. "-set-readonly", function()
      return s:set(rw, { { SYS .. ".3.0", "timeticks", 5 } })
    end)
    step(tag .. "-set-wrongtype", function() return s:set(rw, { { SYS .. ".4.0", "int", 5 } }) end)
    step(tag .. "-get-badcommunity", function() return s:get(nobody, { SYS .. ".1.0" }) end)
    ro:free()
    rw:free()
    nobody:free()
  end
  do
    local ro = entity("2c", { community = "public" })
    step("v2c-getbulk-end", function() return s:getbulk(ro, { PAST_END }, 0, 3) end)
    step("v2c-getbulk-wide", function() return s:getbulk(ro, { IF_X_ENTRY }, 0, 12) end)
    ro:free()
  end

  -- v3 requests: discovery probe and report, then the request and response
  local function v3(u, extra, address)
    local o = { user = u.user, level = u.level, auth = u.auth, auth_pass = u.auth_pass,
                priv = u.priv, priv_pass = u.priv_pass }
    for k, v in pairs(extra or {}) do o[k] = v end
    return entity("3", o, address)
  end
  for _, c in ipairs({ { "v3-authpriv", PRIV }, { "v3-authnopriv", AUTH }, { "v3-des", DES },
                       { "v3-sha256", SHA2 } }) do
    local tag, u = c[1], c[2]
    local e = v3(u)
    step(tag .. "-get", function() return s:get(e, GETS) end)
    step(tag .. "-getnext", function() return s:getnext(e, { IF_ENTRY }) end)
    if u == PRIV or u == AUTH then
      step(tag .. "-getbulk", function() return s:getbulk(e, { SYS, IF_X_ENTRY }, 1, 6) end)
      step(tag .. "-set", function()
        return s:set(e, { { SYS .. ".4.0", "octets", "fuzz@example.org" } })
      end)
      step(tag .. "-get-mixed", function() return s:get(e, MIXED) end)
    end
    e:free()
  end
  for _, c in ipairs({
    { "v3-unknownuser", { user = "nobody", level = "authNoPriv", auth = "SHA",
                          auth_pass = "no-such-pass" } },
    { "v3-wrongdigest", { user = PRIV.user, level = "authPriv", auth = "SHA",
                          auth_pass = "wrong-auth-pass", priv = "AES",
                          priv_pass = PRIV.priv_pass } },
    { "v3-noauth", { user = PRIV.user, level = "noAuthNoPriv" } }, -- refused by the agent
  }) do
    local e = v3(c[2])
    step(c[1], function() return s:get(e, GETS) end)
    e:free()
  end
  do
    local e = v3(PRIV, { context = "nosuchcontext" })
    step("v3-badcontext", function() return s:get(e, GETS) end)
    e:free()
  end

  -- notifications to snmptrapd
  local ENTERPRISE = "1.3.6.1.4.1.99999"
  local NOTIFY_VBS = {
    { ENTERPRISE .. ".1.1", "octets", "fuzz" }, { ENTERPRISE .. ".1.2", "int", -7 },
    { ENTERPRISE .. ".1.3", "ipaddr", "192.0.2.7" },
    { ENTERPRISE .. ".1.4", "cntr32", 4000000000 },
  }
  do
    local e1 = entity("1", { community = "public" }, trapd_address)
    local e2 = entity("2c", { community = "public" }, trapd_address)
    local e3 = v3(INFORM, nil, trapd_address)
    -- a v3 trap from winsnmp comes from this process's own (random) engine id
    local e4 = v3(TRAP, nil, trapd_address)
    step("v1-trap", function() return s:trap(e1, ENTERPRISE .. ".0.3", NOTIFY_VBS) end)
    step("v1-trap-generic", function() return s:trap(e1, "1.3.6.1.6.3.1.1.5.1", {}) end)
    step("v2c-trap", function() return s:trap(e2, ENTERPRISE .. ".0.3", NOTIFY_VBS) end)
    step("v2c-inform", function() return s:inform(e2, ENTERPRISE .. ".0.4", NOTIFY_VBS) end)
    step("v3-inform", function() return s:inform(e3, ENTERPRISE .. ".0.5", NOTIFY_VBS) end)
    step("v3-trap-winsnmp", function() return s:trap(e4, ENTERPRISE .. ".0.6", NOTIFY_VBS) end)
    winsnmp.poll(0.2)
    for _, e in ipairs({ e1, e2, e3, e4 }) do e:free() end
  end
  -- net-snmp's tools: v1 and v3 traps (a fixed sender engine id), a v3 inform
  local TOOL = "-m '' -M /dev/null -r 0 -t 1 "
  local TO = "udp:127.0.0.1:" .. trapd_relay_port
  local function run(cmd)
    return function() return os.execute(cmd .. " >/dev/null 2>&1"), "failed", cmd end
  end
  local function usm(u, level)
    return ("-v 3 -u %s -l %s -a %s -A %s%s"):format(u.user, level, u.auth, u.auth_pass,
      level == "authPriv" and (" -x %s -X %s"):format(u.priv, u.priv_pass) or "")
  end
  step("v1-trap-snmptrap", run(("snmptrap %s -v 1 -c public %s %s 192.0.2.9 6 17 4711 "
    .. "%s.1.1 s hello %s.1.2 x 00ff"):format(TOOL, TO, ENTERPRISE, ENTERPRISE, ENTERPRISE)))
  step("v3-trap-authpriv", run(("snmptrap %s %s -e %s %s '' %s.0.7 %s.1.1 s hello %s.1.5 o 1.3.6.1")
    :format(TOOL, usm(TRAP, "authPriv"), engine_hex(SENDER_ENGINE), TO, ENTERPRISE, ENTERPRISE,
      ENTERPRISE)))
  step("v3-trap-authnopriv", run(("snmptrap %s %s -e %s %s '' %s.0.8 %s.1.6 i 42")
    :format(TOOL, usm(TRAP, "authNoPriv"), engine_hex(SENDER_ENGINE), TO, ENTERPRISE,
      ENTERPRISE)))
  -- (snmptrapd is the authoritative engine of an inform)
  step("v3-inform-snmpinform", run(("snmpinform %s %s %s '' %s.0.9 %s.1.7 u 7")
    :format(TOOL, usm(INFORM, "authPriv"), TO, ENTERPRISE, ENTERPRISE)))

  s:close()
end
local ok, err = pcall(exchanges)
control:send("\0QUIT")
control:receive()
relay_pipe:close()
trapd:stop()
agent:stop()
if not ok then
  os.execute("rm -rf " .. quote(capture))
  error(err, 0)
end

-- ---- writing the corpora -----------------------------------------------------------

local function clear_seeds(dir)
  assert(os.execute("mkdir -p " .. quote(dir)))
  os.execute("rm -f " .. quote(dir) .. "/seed-*")
end

local function write(path, data)
  local f = assert(io.open(path, "wb"))
  f:write(data)
  f:close()
end

local decode_dirs = { root .. "/fuzz/corpus/fuzz_decode_msg",
                      root .. "/fuzz/corpus/fuzz_lua_values" }
for _, dir in ipairs(decode_dirs) do clear_seeds(dir) end
local names = {}
for name in io.popen("ls " .. quote(capture)):lines() do names[#names + 1] = name end
table.sort(names)
local seen, count = {}, 0
for _, name in ipairs(names) do
  local data = snmpd.read_file(capture .. "/" .. name)
  -- retransmissions repeat a datagram: keep one copy
  if data and not seen[data] then
    seen[data] = true
    count = count + 1
    for _, dir in ipairs(decode_dirs) do write(dir .. "/seed-" .. name, data) end
  end
end
os.execute("rm -rf " .. quote(capture))
io.stderr:write(("%d datagrams captured\n"):format(count))

-- Parser seeds: the first byte picks what the rest is fed to (fuzz_parsers.c):
-- 'o' OID, 'e' entity address, 'c' context, 'i' friendly-names INI file;
-- every string seed also goes through the other string parsers.
local parser_dir = root .. "/fuzz/corpus/fuzz_parsers"
clear_seeds(parser_dir)
local TEXT = {
  o = { "1.3.6.1.2.1.1.1.0", ".1.3.6.1.4.1.2021.10.1.6.1", "0.0", "2.999.4294967295",
        "1.3.6.1.2.1.1.1.0." .. ("9"):rep(3), "1.3..6", "1", "4294967296.1",
        ("1." .. ("4294967295."):rep(126) .. "0") },
  e = { "udp:127.0.0.1:161", "127.0.0.1", "127.0.0.1:1161", "udp6:[::1]:1161", "[::1]",
        "tcp:127.0.0.1:1161", "tcp6:[fe80::1%lo]:161", "udpv6:[::ffff:192.0.2.1]:65535",
        "fe80::1%eth0", "localhost.invalid:161", "router-1.example.invalid", "UDP:10.0.0.1:0",
        "udp:[::1]:65536", "udp6:127.0.0.1", "[::1", "host_name:70000", "udpipv6:[::]:162",
        "tcpipv6:[2001:db8::1]:10161", "tcpv6:[::1]" },
  c = { "public", "private", "", "ro", "\0\1\2\255", "ctx with spaces" },
}
local n = 0
for kind, list in pairs(TEXT) do
  for _, text in ipairs(list) do
    n = n + 1
    write(("%s/seed-%s-%02d"):format(parser_dir, kind, n), kind .. text)
  end
end
local INI = {
  [[
# friendly names
[agent core-router]
address = udp:192.0.2.1:161
version = 2c
community = s3cret
timeout = 1.5
retries = 2

[context ro]
value = public
]],
  [[
[agent v3box]
address = udp6:[::1]:1161
user = winsnmpUser
level = authPriv
auth = SHA-256
auth_pass = "a passphrase # with hash"
priv = AES-256
priv_pass = another-pass
context = vrf-1
]],
  [[
[agent v1]
address=tcp:127.0.0.1:1161
version=1
[agent md5]
address = 10.1.2.3
user = u
auth = MD5
auth_pass = 12345678
priv = DES
priv_pass = 87654321
; comment
[context c]
value = "quoted value"
]],
  "[agent broken\naddress = 1.2.3.4\n",
  "[agent x]\naddress = udp:1.2.3.4:99999\n",
  "[context empty]\n",
  "[agent t]\naddress = 127.0.0.1\ntimeout = 1e300\nretries = 1001\n",
  "key = value before section\n",
}
for i, text in ipairs(INI) do
  write(("%s/seed-i-%02d"):format(parser_dir, i), "i" .. text)
end
io.stderr:write(("%d parser seeds written\n"):format(n + #INI))
