--- The subcommands of the `winsnmp` tool (get, getnext, walk, bulkwalk,
-- table, set, trap, listen-traps) and the run they share: the MIBs, the
-- session and the agent.  A run is a winsnmp.cli.format Output.
-- @module winsnmp.cli.commands

local winsnmp = require("winsnmp")
local tasks = require("winsnmp.tasks")
local notifications = require("winsnmp.notifications")
local cmdline = require("winsnmp.cli.args")
local format = require("winsnmp.cli.format")

local mib = winsnmp.mib
local EXIT, usage_error, fail = cmdline.EXIT, cmdline.usage_error, cmdline.fail
local split = cmdline.split
local integer_in = cmdline.integer_in
local EXCEPTIONS, ERROR_TEXT = format.EXCEPTIONS, format.ERROR_TEXT
local DEFAULT_ROOT = "1.3.6.1.2.1"

-- ---- the run: MIBs, the agent --------------------------------------------------------

local Run = setmetatable({}, { __index = format.Output })
Run.__index = Run

local subcommands = {}

--- A run writing to `out` and `err`, with `opts` (filled in by
-- winsnmp.cli.args.parse, or about to be).
function subcommands.new_run(opts, out, err)
  return setmetatable({ stdout = out, stderr = err, opts = opts }, Run)
end

local is_dir = require("winsnmp.snmpd").is_dir

local function default_mibdirs()
  local dirs = {}
  local home = os.getenv("HOME")
  for _, d in ipairs({ home and (home .. "/.snmp/mibs"), "/usr/share/snmp/mibs",
                       "/usr/share/snmp/mibs/iana", "/usr/share/snmp/mibs/ietf",
                       "/usr/share/mibs/site", "/usr/share/mibs/iana", "/usr/share/mibs/ietf",
                       "/usr/share/mibs/netsnmp" }) do
    if d and is_dir(d) then dirs[#dirs + 1] = d end
  end
  return dirs
end

--- Loads what -m and -M ask for.
function Run:load_mibs()
  local opts = self.opts
  if opts.modules == nil and opts.dirs == nil then return end
  local dirs
  if opts.dirs then
    local given = opts.dirs
    dirs = {}
    if given:sub(1, 1) == "+" then
      dirs = default_mibdirs()
      given = given:sub(2)
    end
    for _, d in ipairs(split(given, ":")) do dirs[#dirs + 1] = d end
  else
    dirs = default_mibdirs()
  end
  local modules = {}
  for _, m in ipairs(split((opts.modules or ""):gsub("^%+", ""), ":")) do
    modules[#modules + 1] = m
  end
  local ok, msg = mib.load({ dirs = dirs, modules = modules })
  if not ok then fail(EXIT.MIB, "cannot load the MIBs: " .. tostring(msg)) end
  self.mibs = #modules > 0
end

--- The s:entity options from -v -c -u -l -a -A -x -X -n -t -r; with
-- `defaults`, snmp.conf and the environment fill in what the flags leave
-- out (winsnmp.cli.args.defaults).
function Run:entity_options(defaults)
  local o = self.opts
  if defaults then
    local d = cmdline.defaults()
    local merged = setmetatable({}, { __index = o })
    local v3 = (o.version or d.version) == "3"
    -- (the USM defaults only for v3, the community only for v1/v2c)
    for _, k in ipairs(v3 and { "version", "user", "level", "auth", "auth_pass", "priv",
                                "priv_pass", "context" } or { "version", "community" }) do
      if o[k] == nil then merged[k] = d[k] end
    end
    o = merged
  end
  local level = o.level
  if o.version == "3" and not level then
    level = o.priv_pass and "authPriv" or o.auth_pass and "authNoPriv" or "noAuthNoPriv"
  end
  return {
    version = o.version or "2c", community = o.community or "public",
    timeout = o.timeout or 1, retries = o.retries or 5,
    user = o.user, level = o.version == "3" and level or nil,
    auth = o.auth, auth_pass = o.auth_pass, priv = o.priv, priv_pass = o.priv_pass,
    context = o.context,
  }
end

--- Opens the session and the agent's entity.
function Run:connect(address)
  local session, msg = winsnmp.session()
  if not session then fail(EXIT.SNMP, "cannot open a session: " .. tostring(msg)) end
  self.session = session
  local eopts = self:entity_options(true)
  if eopts.version == "3" and not eopts.user then usage_error("-v3 needs a user (-u)") end
  local entity, emsg = session:entity(address, eopts)
  if not entity then
    -- (an unknown host name is found when the request is sent: exit 1)
    fail(EXIT.USAGE, ("cannot use AGENT '%s': %s"):format(address, emsg), true)
  end
  self.address = address
  self.agent = entity
  return entity
end

--- An OID argument (numeric, or a name from the loaded MIBs).
function Run:oid_arg(text)
  return cmdline.oid(text, self.mibs)
end

--- The OID TYPE VALUE triples from position `first` on.
function Run:triples(list, first)
  return cmdline.triples(list, first, self.mibs)
end

-- ---- subcommands --------------------------------------------------------------------

-- commands[name](run) -> exit status
local commands = {}

local function need(args, n, what)
  if #args < n then usage_error("missing " .. what) end
end

--- Writes the varbinds an agent answered; returns `status`, or EXIT.SNMP
-- when one is an exception (noSuchObject, ...), as net-snmp's tools exit.
local function emit_answer(run, vbs, status)
  for _, vb in ipairs(vbs) do
    run:emit(vb)
    if EXCEPTIONS[vb.type] then status = EXIT.SNMP end
  end
  return status
end

--- get / getnext: like snmpget, a failed varbind is reported, taken out
-- of the request and the rest asked again.
local function get_like(run, kind)
  local args = run.opts.positional
  need(args, 1, "AGENT")
  need(args, 2, "OID")
  local list = {}
  for i = 2, #args do list[#list + 1] = run:oid_arg(args[i]) end
  run:connect(args[1])
  local status = EXIT.OK
  while #list > 0 do
    local vbs, msg, name, index = run.session[kind](run.session, run.agent, list)
    if vbs then return emit_answer(run, vbs, status) end
    status = run:report(msg, name, index, list)
    if not ERROR_TEXT[name] or not index or index < 1 or index > #list then return status end
    table.remove(list, index)
  end
  return status
end

function commands.get(run) return get_like(run, "get") end
function commands.getnext(run) return get_like(run, "getnext") end

--- Walks `root` as snmpwalk (GETNEXT) or snmpbulkwalk (GETBULK) do, with
-- the library's iwalk, calling `visit(vb)` for each varbind they would
-- print.  Returns the exit status and the number of varbinds visited.
function Run:walk(root, bulk, visit)
  local session, agent = self.session, self.agent
  local app = self.opts.app
  local count, status, answered = 0, EXIT.OK, true
  local function get_and_visit()
    local vbs = session:get(agent, { root })
    for _, vb in ipairs(vbs or {}) do
      count = count + 1
      visit(vb)
    end
  end
  if app.i then get_and_visit() end
  local last = root
  for vb, msg, ename, extra in session:iwalk(agent, root, {
    getnext = not bulk, max_repetitions = app.r or 10, non_repeaters = app.n,
    non_increasing = app.c and "allow" or "fail", show_end = true,
  }) do
    if vb then
      count = count + 1
      visit(vb)
      self:progress(count)
      last = vb.oid
    else
      self:progress_done()
      if ename == "SNMP_ERROR_NOSUCHNAME" then
        self:note("End of MIB")
      elseif ename == "SNMPAPI_OTHER_ERROR" and type(extra) == "table" then
        -- (snmpwalk prints the offending variable, then the error)
        count = count + 1
        visit(extra)
        if app.c then
          status = self:report(msg, ename)
        else
          self:err("Error: OID not increasing: ", self:oid_text(last), " >= ",
                   self:oid_text(extra.oid), "\n")
          status = EXIT.SNMP
        end
      else
        answered = ERROR_TEXT[ename] ~= nil
        status = self:report(msg, ename, extra, { last }, true)
      end
    end
  end
  self:progress_done()
  if count == 0 and answered then
    -- Nothing inside: perhaps the OID is an instance itself (snmpwalk does this too).
    get_and_visit()
  end
  return status, count
end

local function walk_like(run, bulk)
  local args = run.opts.positional
  need(args, 1, "AGENT")
  if #args > 2 then usage_error("too many arguments (one OID)") end
  local root = run:oid_arg(args[2] or DEFAULT_ROOT)
  run:connect(args[1])
  if bulk and run.agent:version() == "1" then bulk = false end
  local status, count = run:walk(root, bulk, function(vb) run:emit(vb) end)
  if run.opts.app.p then run:note(("Variables found: %d"):format(count)) end
  return status
end

function commands.walk(run) return walk_like(run, false) end
function commands.bulkwalk(run) return walk_like(run, true) end

local function compare_index(a, b)
  local x, y = split(a, "."), split(b, ".")
  for i = 1, math.min(#x, #y) do
    local p, q = tonumber(x[i]), tonumber(y[i])
    if p ~= q then return p < q end
  end
  return #x < #y
end

function commands.table(run)
  local args = run.opts.positional
  need(args, 2, "AGENT and TABLE-OID")
  if #args > 2 then usage_error("too many arguments (one TABLE-OID)") end
  local root = run:oid_arg(args[2])
  run:connect(args[1])
  local vbs = {}
  local bulk = run.agent:version() ~= "1"
  if not run.opts.app.r then run.opts.app.r = 25 end
  local status = run:walk(root, bulk, function(vb)
    if not EXCEPTIONS[vb.type] and vb.oid ~= root then vbs[#vbs + 1] = vb end
  end)
  if status ~= EXIT.OK then return status end

  -- The table's OID (every OID is ROOT.1.COLUMN.INDEX) or its entry's.
  local entry = root
  local all_one = #vbs > 0
  for _, vb in ipairs(vbs) do
    if not vb.oid:sub(#root + 2):match("^1%.%d+%.%d") then all_one = false break end
  end
  if all_one then entry = root .. ".1" end

  local rows, order, columns, seen = {}, {}, {}, {}
  for _, vb in ipairs(vbs) do
    local column, index = vb.oid:sub(#entry + 2):match("^(%d+)%.(.+)$")
    if column then
      column = tonumber(column)
      if not seen[column] then
        seen[column] = true
        columns[#columns + 1] = column
      end
      local row = rows[index]
      if not row then
        row = {}
        rows[index] = row
        order[#order + 1] = index
      end
      row[column] = vb
    end
  end
  table.sort(columns)
  table.sort(order, compare_index)
  local labels = {}
  for i, c in ipairs(columns) do
    local label
    if run.mibs and not run.opts.numeric then
      local name = mib.name(entry .. "." .. c)
      label = name and name:match("::([%a][%w%-]*)$")
    end
    labels[i] = label or tostring(c)
  end

  run:table(root, order, rows, columns, labels)
  return EXIT.OK
end

function commands.set(run)
  local args = run.opts.positional
  need(args, 1, "AGENT")
  need(args, 4, "OID TYPE VALUE")
  local list = run:triples(args, 2)
  run:connect(args[1])
  local vbs, msg, name, index = run.session:set(run.agent, list)
  if not vbs then return run:report(msg, name, index, list, true) end
  return emit_answer(run, vbs, EXIT.OK)
end

--- The host's uptime in hundredths of a second (what snmptrap sends for '').
local function host_uptime()
  local f = io.open("/proc/uptime", "r")
  local seconds = f and tonumber((f:read("l") or ""):match("^[%d.]+"))
  if f then f:close() end
  return math.floor((seconds or 0) * 100) & 0xFFFFFFFF
end

function commands.trap(run)
  local args = run.opts.positional
  need(args, 1, "AGENT")
  need(args, 3, "UPTIME and TRAP-OID")
  local uptime
  if args[2] == "" then
    uptime = host_uptime()
  else
    uptime = integer_in(args[2], 0, 4294967295)
    if not uptime then usage_error("UPTIME must be a number of hundredths of a second, or ''") end
  end
  local trap_oid = run:oid_arg(args[3])
  local list = notifications.varbinds(trap_oid, run:triples(args, 4), uptime)
  run:connect(args[1])
  local inform = run.opts.app.i
  local session = run.session
  local id, msg, name = session:_request(inform and "inform" or "trap", run.agent, list)
  if not id then return run:report(msg, name, nil, list) end
  if inform then
    local vbs, m, n, index = tasks.await(session, id)
    if not vbs then return run:report(m, n, index, list, true) end
  else
    winsnmp.poll(0) -- let a connection-oriented transport send it
  end
  return EXIT.OK
end

commands["listen-traps"] = function(run)
  local args = run.opts.positional
  if #args > 1 then usage_error("too many arguments (one local ADDRESS)") end
  local address = args[1] or "udp:127.0.0.1:1162"
  local session, msg = winsnmp.session()
  if not session then fail(EXIT.SNMP, "cannot open a session: " .. tostring(msg)) end
  run.session = session
  local o = run.opts
  local filter = { address = address, community = o.community }
  if o.user then
    local eopts = run:entity_options()
    filter.user, filter.level = o.user, eopts.level or
      (o.priv_pass and "authPriv" or o.auth_pass and "authNoPriv" or "noAuthNoPriv")
    filter.auth, filter.auth_pass, filter.priv, filter.priv_pass =
      o.auth, o.auth_pass, o.priv, o.priv_pass
  end
  local received = 0
  local registration, rmsg, rname = session:register(filter, function(n)
    received = received + 1
    if not o.count or received <= o.count then run:notification(n) end
  end)
  if not registration then
    if rname == "SNMPAPI_ENTITY_UNKNOWN" then
      fail(EXIT.USAGE, ("bad ADDRESS '%s': %s"):format(address, rmsg), true)
    end
    fail(EXIT.SNMP, ("cannot listen on %s: %s"):format(address, rmsg))
  end
  run:err("winsnmp: listening on ", address, "\n")
  run:serve_until(o.listen_timeout, function() return o.count and received >= o.count end)
  registration:close()
  if o.count and received < o.count then
    run:err(("winsnmp: timeout after %s s: %d of %d notifications\n")
      :format(o.listen_timeout, received, o.count))
    return EXIT.SNMP
  end
  return EXIT.OK
end

function commands.record(run)
  local args = run.opts.positional
  need(args, 1, "AGENT")
  if #args > 2 then usage_error("too many arguments (one ROOT)") end
  local path = run.opts.outfile
  if not path then usage_error("record needs -o FILE") end
  local root = run:oid_arg(args[2] or "1.3.6")
  run:connect(args[1])
  local count, msg, name, index = run.session:record(run.agent, root, path, {
    max_repetitions = run.opts.app.r })
  if not count then return run:report(msg, name, index, { root }, true) end
  run:err(("winsnmp: %d varbinds written to %s\n"):format(count, path))
  return EXIT.OK
end

function commands.simulate(run)
  local args = run.opts.positional
  need(args, 1, "DIR")
  if #args > 1 then usage_error("too many arguments (one DIR)") end
  local simulator = require("winsnmp.simulator")
  local dir, address = args[1], run.opts.listen or "udp:127.0.0.1:1161"
  local o = run.opts
  local users = nil
  if o.user then
    local eopts = run:entity_options()
    users = { { user = o.user, level = eopts.level, auth = o.auth, auth_pass = o.auth_pass,
                priv = o.priv, priv_pass = o.priv_pass } }
  end
  local found, why = simulator.recordings(dir)
  if not found then usage_error(why) end
  local agent, msg, name = simulator.start(dir, { address = address, users = users })
  if not agent then
    if name == "SNMPAPI_OTHER_ERROR" then fail(EXIT.SNMP, msg) end -- a recording's FILE:LINE
    if name == "SNMPAPI_ENTITY_UNKNOWN" then
      fail(EXIT.USAGE, ("bad ADDRESS '%s': %s"):format(address, msg), true)
    end
    fail(EXIT.SNMP, ("cannot simulate on %s: %s"):format(address, msg))
  end
  run.simulator = agent
  run:err("winsnmp: simulating on ", agent.address, "\n")
  for _, community in ipairs(agent.communities) do
    run:err("winsnmp: serving ", community, ".snmprec as community/context '", community, "'\n")
  end
  if users then run:err("winsnmp: and SNMPv3 user ", o.user, " (context selects the file)\n") end
  run.stderr:flush()
  run:serve_until(o.listen_timeout)
  agent:stop()
  return EXIT.OK
end

--- Polls (a listener or receiver serving meanwhile) until `done()` says so
-- or `timeout` seconds (nil: no limit) have passed.
function Run.serve_until(_, timeout, done)
  local deadline = timeout and (winsnmp.now() + timeout)
  while not (done and done()) do
    local wait = 1
    if deadline then
      wait = deadline - winsnmp.now()
      if wait <= 0 then break end
      if wait > 1 then wait = 1 end
    end
    winsnmp.poll(wait)
  end
end

--- Runs the subcommand the parsed command line names (after loading the
-- MIBs it asks for); returns the exit status.
function subcommands.run(run)
  run:load_mibs()
  local ok, status = pcall(commands[run.opts.sub], run)
  if run.opts.stats and run.agent then
    -- (also after a failure: that is when the figures matter most)
    local st = run.agent:stats()
    if st then
      run.stderr:write(("stats: requests=%d responses=%d timeouts=%d retries=%d too_big=%d "
        .. "rtt_avg=%.4fs rtt_max=%.4fs max_repetitions=%d\n"):format(st.requests, st.responses,
        st.timeouts, st.retries, st.too_big, st.rtt_avg, st.rtt_max, st.max_repetitions))
    end
  end
  if not ok then error(status, 0) end
  return status
end

return subcommands
