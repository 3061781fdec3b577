--- The local SNMPv3 engine (API.md "Local engine"): winsnmp.engine{id=,
-- state=} sets the engine id of the traps winsnmp sends and keeps
-- snmpEngineBoots in a state file across runs, so a receiver configured with
-- that id (snmptrapd's createUser -e) keeps accepting them after a restart.
-- Each run is a child process: the engine is per process.
local helper = require("helper")
local tools = require("support.notify_tools")
local winsnmp = require("winsnmp")

local ID = "800007e580aabbccdd0102"

local function temp_path()
  local path = os.tmpname()
  os.remove(path)
  return path
end

--- Runs `code` in a child with `state` and `id` as globals; returns its output.
local function child(code, state, id)
  local out, ok = helper.run_child(("STATE, ID = %q, %s\n"):format(state,
    id and ("%q"):format(id) or "nil") .. code)
  assert(ok, out)
  return out
end

local REPORT = [[
local winsnmp = require("winsnmp")
local t = assert(winsnmp.engine{ id = ID, state = STATE })
print("engine", t.id, t.boots)
]]

describe("local engine #integration", function()
  helper.check_no_leaks()

  it("is random per process with boots 1 when nothing is set", function()
    local a = child([[print(require("winsnmp").engine().id)]], "")
    local b = child([[print(require("winsnmp").engine().id)]], "")
    assert.matches("^%x+\n$", a)
    assert.are_not.equal(a, b)
    local t = winsnmp.engine()
    assert.equals(1, t.boots)
    assert.is_number(t.time)
  end)

  it("counts one boot per process in the state file, atomically replaced", function()
    local state = temp_path()
    assert.matches("engine%s+" .. ID .. "%s+1\n", child(REPORT, state, ID))
    assert.matches("engine%s+" .. ID .. "%s+2\n", child(REPORT, state, ID))
    -- without an id, the file's id is kept; setting the same file twice in
    -- one process counts one boot
    local out = child([[
      local winsnmp = require("winsnmp")
      local a = assert(winsnmp.engine{ state = STATE })
      local b = assert(winsnmp.engine{ state = STATE })
      print("engine", a.id, a.boots, b.boots)
    ]], state)
    assert.matches("engine%s+" .. ID .. "%s+3%s+3\n", out)
    local text = assert(io.open(state)):read("a")
    assert.matches("engineID 0x" .. ID, text)
    assert.matches("engineBoots 3", text)
    -- another id starts again at boot 1
    assert.matches("engine%s+8000aaaa01%s+1\n", child(REPORT, state, "8000aaaa01"))
    os.remove(state)
    assert.is_nil(io.open(state .. ".tmp")) -- no temporary file is left behind
  end)

  it("refuses ids RFC 3411 does not allow, and state files it cannot write", function()
    for _, bad in ipairs({ "8000", "00000000000000", "ffffffffff", ("ab"):rep(33), "8000zz0001" }) do
      helper.fails_with("SNMPAPI_OTHER_ERROR", winsnmp.engine({ id = bad }))
    end
    helper.fails_with("SNMPAPI_OTHER_ERROR",
      winsnmp.engine({ id = ID, state = "/nonexistent-dir/winsnmp-engine" }))
  end)

  it("signs v3 traps that snmptrapd, configured with the id, accepts across restarts", function()
    local v3 = tools.TRAPD_V3
    local trapd = tools.start_trapd(("createUser -e 0x%s %s %s %s %s %s\n"):format(ID,
      "engineUser", v3.auth, v3.auth_pass, v3.priv, v3.priv_pass))
    local state = temp_path()
    local send = ([[
      local winsnmp = require("winsnmp")
      local t = assert(winsnmp.engine{ id = ID, state = STATE ~= "" and STATE or nil })
      local s = assert(winsnmp.session())
      local e = assert(s:entity(%q, { version = "3", user = "engineUser", level = "authPriv",
        auth = %q, auth_pass = %q, priv = %q, priv_pass = %q }))
      assert(s:trap(e, "1.3.6.1.4.1.99.9.0.1", { { "1.3.6.1.4.1.99.9.1", "octets", arg_text } }))
      print("boots", t.boots)
      s:close()
    ]]):format(trapd.address, v3.auth, v3.auth_pass, v3.priv, v3.priv_pass)
    local ok, err = pcall(function()
      assert.matches("boots%s+1", child("arg_text = 'first run'\n" .. send, state, ID))
      assert.truthy(trapd:wait_for({ "first run" }):find("first run", 1, true))
      assert.matches("boots%s+2", child("arg_text = 'second run'\n" .. send, state, ID))
      assert.truthy(trapd:wait_for({ "second run" }):find("second run", 1, true))
      -- with a random engine id (nothing set) snmptrapd has no keys for it
      child("arg_text = 'random engine'\n" .. send:gsub("assert%(winsnmp%.engine{[^\n]*",
        "winsnmp.engine()"), "", nil)
      assert.falsy(trapd:wait_for({ "random engine" }, 1):find("random engine", 1, true))
    end)
    trapd:stop()
    os.remove(state)
    assert(ok, err)
  end)
end)
