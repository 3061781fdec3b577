--- Simulated agents for specs and demos: one call serves a `.snmprec`
-- recording, a directory of them, or a Lua list of winsnmp.mibview entries
-- on a free loopback port, in this process (a listener on a session of its
-- own), and `agent:stop()` ends it.
--
--     local simulator = require("winsnmp.simulator")
--     local agent <close> = assert(simulator.start("spec/data/router.snmprec"))
--     local s <close> = assert(winsnmp.session())
--     local vbs = assert(s:get(assert(s:entity(agent.address)), { "1.3.6.1.2.1.1.5.0" }))
--
-- The agent answers while this process drives the engine: a blocking
-- request from this process, `winsnmp.run`, or `winsnmp.poll` in a loop
-- (while a net-snmp tool runs in the background, for instance).  The
-- recordings' variation modules (`numeric`, `delay`, `error`,
-- `writecache`) are in effect; see winsnmp.variations.
--
-- Communities: a single recording or a list of entries answers `public`
-- (`opts.community` to change it); a directory answers, as snmpsim does,
-- each recording's path relative to the directory without `.snmprec` as
-- its community (`DIR/lab/router.snmprec` is `lab/router`), and for
-- SNMPv3 that path is the context name.  Communities are read-write, so
-- that `writecache` objects take SETs; objects without a variation stay
-- read-only (notWritable).
-- @module winsnmp.simulator

local winsnmp = require("winsnmp")
local snmprec = require("winsnmp.snmprec")
local core = require("winsnmp.core")
local snmpd = require("winsnmp.snmpd")

local simulator = {}

local EXTENSION = ".snmprec"

local is_dir = require("winsnmp.snmpd").is_dir

--- The recordings under `dir` (recursively): a list of
-- `{name = "relative/path", path = "dir/relative/path.snmprec"}` sorted by
-- name, or nil, msg, NAME.
function simulator.recordings(dir)
  if not is_dir(dir) then
    return core._fail(nil, ("%s: not a directory"):format(dir), "SNMPAPI_OTHER_ERROR")
  end
  local base = dir:gsub("/+$", "")
  if base == "" then base = "/" end
  local list = {}
  local p = io.popen(("find %s -name '*%s' -type f 2>/dev/null"):format(
    snmpd.shell_quote(base), EXTENSION))
  for path in p:lines() do
    local rel = path:sub(#base + 2, -#EXTENSION - 1)
    if base == "/" then rel = path:sub(2, -#EXTENSION - 1) end
    list[#list + 1] = { name = rel, path = path }
  end
  p:close()
  table.sort(list, function(a, b) return a.name < b.name end)
  return list
end

--- The views a source serves: `{[community] = View}`, or nil, msg, NAME.
-- `source`: a `.snmprec` file, a directory of them, or a list of
-- winsnmp.mibview entries; `community` names the single view (default
-- "public").
function simulator.views(source, community)
  community = community or "public"
  if type(source) == "table" then
    local ok, view = pcall(winsnmp.mibview, source)
    if not ok then return core._fail(nil, tostring(view), "SNMPAPI_OTHER_ERROR") end
    return { [community] = view }
  end
  if type(source) ~= "string" then
    error("bad argument #1 to 'start' (path or list of entries expected)", 3)
  end
  if not is_dir(source) then
    local view, msg, name = snmprec.view(source)
    if not view then return nil, msg, name end
    return { [community] = view }
  end
  local list, msg, name = simulator.recordings(source)
  if not list then return nil, msg, name end
  if #list == 0 then
    return core._fail(nil, ("%s: no %s files"):format(source, EXTENSION), "SNMPAPI_OTHER_ERROR")
  end
  local views = {}
  for _, r in ipairs(list) do
    local view
    view, msg, name = snmprec.view(r.path)
    if not view then return nil, msg, name end
    views[r.name] = view
  end
  return views
end

--- The listener handler serving `views`: v1/v2c requests by community, v3
-- by context name (`single`: the one view, whatever the context).  A v3
-- context with no recording gets no answer.
function simulator.handler(views, single)
  return function(req)
    local view
    if req.version == "3" then
      view = single or views[req.context or ""]
    else
      view = views[req.community]
    end
    if not view then
      req.drop = true
      return nil, "SNMP_ERROR_GENERR", 0
    end
    return view.handler(req)
  end
end

local Agent = {}
Agent.__index = Agent
Agent.__name = "winsnmp.simulator"

--- Stops the agent: closes its listener and its session (idempotent).
-- @return true
function Agent:stop()
  if self.listener then
    self.listener:close()
    self.listener = nil
  end
  if self.session then
    self.session:close()
    self.session = nil
  end
  return true
end
Agent.__close = Agent.stop
Agent.__gc = Agent.stop
function Agent:__tostring()
  return self.session and ("winsnmp.simulator (%s)"):format(self.address) or
    "winsnmp.simulator (stopped)"
end

--- Starts a simulated agent.
-- @param source a `.snmprec` file, a directory of them (community, v3
-- context: the path relative to it without the extension), or a list of
-- winsnmp.mibview entries
-- @tparam[opt] table opts `address` (default "udp:127.0.0.1:0", a free
-- port), `community` (for a file or a list: default "public"),
-- `access` ("rw" default, or "ro"), `users` (SNMPv3 users, as s:listen
-- takes them; their `access` defaults to `opts.access`), `sources`,
-- `max_size`, `max_repetitions` (as s:listen).
-- @return an Agent with `address` ("udp:127.0.0.1:PORT"), `port`,
-- `communities` (sorted list), `views` ({[community] = View}), `session`,
-- `listener` and `stop`; or nil, msg, NAME
function simulator.start(source, opts)
  opts = opts or {}
  if type(opts) ~= "table" then error("bad argument #2 to 'start' (table expected)", 2) end
  local views, msg, name = simulator.views(source, opts.community)
  if not views then return nil, msg, name end
  local mode = opts.access or "rw"
  local communities, names = {}, {}
  for community in pairs(views) do
    communities[community] = mode
    names[#names + 1] = community
  end
  table.sort(names)
  local users = nil
  if opts.users then
    users = {}
    for i, u in ipairs(opts.users) do
      local copy = {}
      for k, v in pairs(u) do copy[k] = v end
      copy.access = copy.access or mode
      users[i] = copy
    end
  end
  local single = nil
  if type(source) == "table" or not is_dir(source) then single = select(2, next(views)) end
  local session
  session, msg, name = winsnmp.session()
  if not session then return nil, msg, name end
  local listener
  listener, msg, name = session:listen(opts.address or "udp:127.0.0.1:0",
    simulator.handler(views, single), {
      communities = communities, users = users, sources = opts.sources,
      max_size = opts.max_size, max_repetitions = opts.max_repetitions,
    })
  if not listener then
    session:close()
    return nil, msg, name
  end
  return setmetatable({
    address = listener.address, port = tonumber(listener.address:match(":(%d+)$")),
    communities = names, views = views, session = session, listener = listener,
  }, Agent)
end

return simulator
