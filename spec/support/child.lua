--- Starts a spec helper written in Lua (a fake agent, the fault proxy) as a
-- child process on a free loopback port:
--
--     lua5.4 SCRIPT PORT READY_FILE [ARGS...]
--
-- The child finds winsnmp the way this process does, writes its stderr to a
-- file, and writes "PORT SPOOF_PORT" to READY_FILE once it listens.
local snmpd = require("winsnmp.snmpd")

local child = {}

local quote, read_file, sleep = snmpd.shell_quote, snmpd.read_file, snmpd.sleep

--- Methods every such child object has (set `__index` to a class whose
-- methods include these).
child.methods = {
  --- Kills the child and removes its files; safe to call twice.
  stop = snmpd.stop_process,
  --- What the child wrote to stderr ("" when all went well).
  log = function(self) return self.dir and read_file(self.dir .. "/stderr") or "" end,
}

--- Starts `script` with `args` (a list of words, shell-quoted here) after
-- PORT and READY_FILE; `extra(dir)` may give more words that name files in
-- the child's directory; a `.py` script runs under Debian's python3 (an
-- independent SNMP stack's).  Returns an object of `class` with `dir`, `port`,
-- `address`, `pid` and `spoof_port`, or raises (with the child's stderr)
-- if it does not come up within 5 s.  A port taken between the check and
-- the bind is retried.
function child.start(what, script, class, args, extra)
  local log = ""
  for _ = 1, 5 do
    local port = assert(snmpd.free_ports(1))[1]
    local dir = os.tmpname()
    os.remove(dir)
    assert(os.execute("mkdir -p " .. quote(dir)))
    local words = {}
    for i, word in ipairs(extra and extra(dir) or {}) do words[i] = quote(word) end
    for _, word in ipairs(args or {}) do words[#words + 1] = quote(word) end
    local ready = dir .. "/ready"
    -- (python3 without a sanitizer runtime `make asan` preloads for lua5.4)
    local interpreter = script:find("%.py$") and "LD_PRELOAD= /usr/bin/python3" or "lua5.4"
    local cmd = string.format(
      "LUA_PATH_5_4=%s LUA_CPATH_5_4=%s %s %s %d %s %s </dev/null >/dev/null 2>%s & echo $! >%s",
      quote(package.path), quote(package.cpath), interpreter, quote(script), port, quote(ready),
      table.concat(words, " "), quote(dir .. "/stderr"), quote(dir .. "/pid"))
    assert(os.execute(cmd))
    local self = setmetatable({ dir = dir, port = port, address = "udp:127.0.0.1:" .. port },
      class)
    self.pid = tonumber((read_file(dir .. "/pid") or ""):match("%d+"))
    for _ = 1, 250 do
      local text = read_file(ready)
      if text then
        self.spoof_port = tonumber(text:match("^%d+ (%d+)"))
        return self
      end
      if self.pid and not snmpd.process_alive(self.pid) then break end
      sleep(0.02)
    end
    log = self:log()
    self:stop()
    if not log:find("address already in use", 1, true) then break end
  end
  error(what .. " did not start: " .. log, 3)
end

return child
