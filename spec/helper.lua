--- Shared spec helpers.
-- Every spec file calls `helper.check_no_leaks()` inside its top-level
-- describe, so the file ends by asserting that winsnmp.stats() is back to
-- zero once garbage has been collected.
local winsnmp = require("winsnmp")
-- busted's `assert` (luassert) is in the spec files' environment only.
local luassert = require("luassert")

local helper = {}

--- Two full cycles: objects with finalizers are freed one cycle later.
function helper.full_gc()
  collectgarbage("collect")
  collectgarbage("collect")
end

--- The live-object counts of winsnmp.stats().
local COUNTS = { "sessions", "entities", "contexts", "pdus", "vbls", "pending",
                 "registrations", "descriptors", "agentx" }
helper.COUNTS = COUNTS

--- Asserts that every live count is zero.
function helper.assert_clean()
  helper.full_gc()
  local stats = winsnmp.stats()
  for _, name in ipairs(COUNTS) do
    assert(stats[name] == 0,
      string.format("winsnmp.stats().%s is %d, expected 0 (a leak)", name, stats[name]))
  end
end

--- Asserts that the children `make(session)` returns (a table) keep a new
-- session alive once nothing else refers to it, runs `check(children)`, and
-- asserts that the session is collected once the children are dropped too.
function helper.assert_children_keep_session(make, check)
  helper.full_gc()
  local before = winsnmp.stats().sessions
  local children = make(assert(winsnmp.session()))
  helper.full_gc()
  luassert.equals(before + 1, winsnmp.stats().sessions)
  check(children)
  children = nil -- luacheck: ignore
  helper.full_gc()
  luassert.equals(before, winsnmp.stats().sessions)
end

--- Registers the end-of-file leak check in the enclosing describe block.
-- busted defines its DSL (teardown, it, ...) in each spec file's environment,
-- not in _G, so a required module reaches it through require("busted").
function helper.check_no_leaks()
  require("busted").teardown(helper.assert_clean)
end

--- Asserts a `nil, message, NAME` failure and returns the message.
function helper.fails_with(name, ok, msg, got)
  luassert.is_nil(ok)
  luassert.is_string(msg)
  luassert.equals(name, got, msg)
  return msg
end

--- Writes `text` to a temporary file and returns its path.
function helper.temp_file(text)
  local path = os.tmpname()
  local f = assert(io.open(path, "w"))
  f:write(text)
  f:close()
  return path
end

--- Runs `code` in a fresh lua5.4 process with this run's module paths
-- (`env`: more VAR=value words for its environment).
-- Returns the output and whether the child exited normally with status 0.
function helper.run_child(code, env)
  local file = helper.temp_file(code)
  local cmd = string.format("%s LUA_PATH='%s' LUA_CPATH='%s' lua5.4 '%s' 2>&1", env or "",
    package.path, package.cpath, file)
  local pipe = assert(io.popen(cmd))
  local out = pipe:read("a")
  local ok, how, status = pipe:close()
  os.remove(file)
  return out, ok == true and how == "exit" and status == 0
end

--- A new table with the fields of each table argument in turn (later ones
-- win; nil arguments are skipped), e.g. entity options over defaults.
function helper.merge(...)
  local out = {}
  for i = 1, select("#", ...) do
    for k, v in pairs(select(i, ...) or {}) do out[k] = v end
  end
  return out
end

--- Drives the engine for `seconds`.
function helper.poll_for(seconds)
  local deadline = winsnmp.now() + seconds
  while true do
    local left = deadline - winsnmp.now()
    if left <= 0 then return end
    winsnmp.poll(left)
  end
end

--- Polls until `done()` or `limit` seconds (default 5); returns done().
function helper.poll_until(done, limit)
  local deadline = winsnmp.now() + (limit or 5)
  while not done() and winsnmp.now() < deadline do
    winsnmp.poll(0.05)
  end
  return done()
end

--- Captures what winsnmp.agent.report says during each test of the
-- enclosing describe: returns the list, emptied before each test.
function helper.capture_reports()
  local busted = require("busted")
  local agent = require("winsnmp").agent
  local reports, saved = {}, nil
  busted.before_each(function()
    for i = #reports, 1, -1 do reports[i] = nil end
    saved = agent.report
    agent.report = function(msg) reports[#reports + 1] = msg end
  end)
  busted.after_each(function() agent.report = saved end)
  return reports
end

--- A loopback UDP address on a free port, where nothing answers.
function helper.closed_address()
  return "udp:127.0.0.1:" .. assert(require("winsnmp.snmpd").free_ports(1))[1]
end

--- Sends a get of `oid` from session `s` to entity `e` without waiting;
-- returns the request id.
function helper.send_get(s, e, oid)
  return assert(s:send(e, nil, assert(s:pdu("get", { oid }))))
end

--- Closes session `s` and asserts that no request is left pending.
function helper.close_session(s)
  s:close()
  luassert.equals(0, winsnmp.stats().pending)
end

--- Registers setup (`start()`) and teardown (`:stop()`) of a fixture process
-- in the enclosing describe block; returns a read-only view of the started
-- fixture (its fields and methods, valid inside that block's tests).
local function fixture(what, start)
  local busted = require("busted")
  local started
  busted.setup(function() started = start() end)
  busted.teardown(function() if started then started:stop() end end)
  return setmetatable({}, {
    __index = function(_, key)
      return assert(started, what .. " is not started (use it inside its describe's tests)")[key]
    end,
    __newindex = function() error(what .. " is read-only", 2) end,
  })
end

--- A private snmpd, `require("winsnmp.snmpd").start(opts)`, for the enclosing
-- describe block (see fixture): `agent.address`, `agent.addresses`, `agent.v3`...
function helper.agent(opts)
  return fixture("the snmpd agent", function()
    return assert(require("winsnmp.snmpd").start(opts))
  end)
end

--- A simulated agent, `require("winsnmp.simulator").start(source, opts)`,
-- for the enclosing describe block (see fixture): `sim.address`, ...  It
-- lives in this process: call helper.check_no_leaks() after this, so that
-- the agent is stopped before the leak check runs.
function helper.simulator(source, opts)
  return fixture("the simulated agent", function()
    return assert(require("winsnmp.simulator").start(source, opts))
  end)
end

--- A misbehaving agent, `require("support.fake").start()`, for the enclosing
-- describe block (see fixture): `fake.address`, `fake.port`, `fake:log()`.
function helper.fake_agent()
  return fixture("the fake agent", function()
    return require("support.fake").start()
  end)
end

return helper
