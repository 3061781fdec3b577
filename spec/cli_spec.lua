--- The command-line tool bin/winsnmp (issue 7, item 2), run as a child
-- process and cross-checked against net-snmp's own tools on the same
-- agent: snmpget, snmpgetnext, snmpwalk, snmpbulkwalk, snmptable, snmpset,
-- snmptrap/snmpinform and snmptrapd.  Text output must be byte-identical
-- to theirs; --json and --csv must parse; exit statuses are the ones the
-- usage text documents; no community or passphrase ever shows.
local winsnmp = require("winsnmp")
local helper = require("helper")
local tool = require("support.cli_tool")
local notify_tools = require("support.notify_tools")
local snmpd = require("winsnmp.snmpd")

local json = tool.json

local test_mib = require("support.test_mib")
local BASE = test_mib.BASE
local MIB_ARGS = { "-M", test_mib.DIR, "-m", test_mib.MODULE }

--- "udp:127.0.0.1:PORT" -> "127.0.0.1:PORT": the same AGENT for both tools.
local function peer(address)
  return (address:gsub("^udp:", ""))
end

--- A list: the items of each list argument in turn.
local function args(...)
  local out = {}
  for i = 1, select("#", ...) do
    local a = select(i, ...)
    if type(a) == "table" then
      for _, x in ipairs(a) do out[#out + 1] = x end
    else
      out[#out + 1] = a
    end
  end
  return out
end

local function lines(text)
  local out = {}
  for line in text:gmatch("[^\n]+") do out[#out + 1] = line end
  return out
end

local function not_sysuptime(line)
  return line:find("^iso%.3%.6%.1%.2%.1%.1%.3%.0 ") ~= nil
end

--- Runs `winsnmp SUB ARGS` and `TOOL ARGS` in the foreground; asserts that
-- both wrote the same stdout, and returns ours, our stderr and status.
local function same_as(netsnmp_tool, sub, list, compare)
  local want, want_err, want_status = tool.netsnmp(netsnmp_tool, list)
  assert.equals(0, want_status, want_err)
  local out, err, status = tool.winsnmp(args(sub, list))
  if compare then
    compare(want, out)
  else
    assert.equals(want, out, err)
  end
  return out, err, status
end

--- The same, with both commands in the background while this process polls
-- (for agents that live in this process).
local function same_as_polling(netsnmp_tool, sub, list)
  local want, want_err, want_status = tool.run_polling(tool.netsnmp_cmd(netsnmp_tool, list))
  assert.equals(0, want_status, want_err)
  local out, err, status = tool.run_polling(tool.winsnmp_cmd(args(sub, list)))
  assert.equals(want, out, err)
  return out, err, status
end

describe("winsnmp command line: usage", function()
  helper.check_no_leaks()

  it("--help documents the subcommands, formats and exit statuses, and exits 0", function()
    local out, err, status = tool.winsnmp({ "--help" })
    assert.equals(0, status, err)
    assert.equals("", err)
    for _, word in ipairs({ "get", "getnext", "walk", "bulkwalk", "table", "set", "trap",
                            "listen-traps", "--json", "--csv", "-On", "-Cr", "Exit status",
                            "--count", "--timeout" }) do
      assert.truthy(out:find(word, 1, true), word)
    end
    assert.equals(out, (tool.winsnmp({ "get", "-h" })))
  end)

  it("--version prints the version", function()
    local out, _, status = tool.winsnmp({ "--version" })
    assert.equals(0, status)
    assert.equals(winsnmp._VERSION .. "\n", out)
  end)

  it("an unknown option, subcommand or missing argument prints the usage and exits 2", function()
    for _, list in ipairs({
      { "get", "-Z", "127.0.0.1:1", "1.3.6.1.2.1.1.5.0" },
      { "get", "--frobnicate", "127.0.0.1:1", "1.3.6.1.2.1.1.5.0" },
      { "frobnicate", "127.0.0.1:1" },
      {},
      { "get" },
      { "get", "127.0.0.1:1" },
      { "set", "127.0.0.1:1", "1.3.6.1.2.1.1.5.0", "s" },
      { "set", "127.0.0.1:1", "1.3.6.1.2.1.1.5.0", "i", "twelve" },
      { "set", "127.0.0.1:1", "1.3.6.1.2.1.1.5.0", "q", "1" },
      { "trap", "127.0.0.1:1", "now", "1.3.6.1.4.1.99999.0.1" },
      { "get", "-v", "4", "127.0.0.1:1", "1.3.6.1.2.1.1.5.0" },
      { "get", "-v" },
      { "get", "-Oq", "127.0.0.1:1", "1.3.6.1.2.1.1.5.0" },
      { "walk", "-Cr5", "127.0.0.1:1" },
      { "get", "127.0.0.1:1", "1.3.6.x" },
      { "get", "127.0.0.1:1", "sysName.0" },
      { "get", "udp:127.0.0.1:99999", "1.3.6.1.2.1.1.5.0" },
      { "walk", "--count", "1", "127.0.0.1:1" },
      { "bulkwalk", "-Cr0", "127.0.0.1:1" },
      { "get", "--stats=yes", "127.0.0.1:1", "1.3.6.1.2.1.1.5.0" },
    }) do
      local out, err, status = tool.winsnmp(list)
      local what = table.concat(list, " ")
      assert.equals(2, status, what .. ": " .. err)
      assert.equals("", out, what)
      assert.matches("^winsnmp: [^\n]+\nUsage: winsnmp SUBCOMMAND", err, 1, what)
    end
  end)

  it("--stats prints what the requests to the agent met, also after a failure", function()
    local _, err, status = tool.winsnmp({ "get", "--stats", "-v2c", "-c", "public", "-t", "0.2",
                                          "-r", "1", helper.closed_address(), "1.3.6.1.2.1.1.5.0" })
    assert.equals(1, status)
    assert.matches("stats: requests=1 responses=0 timeouts=1 retries=1 too_big=0", err)
  end)

  it("a MIB that cannot be loaded exits 3", function()
    local _, err, status = tool.winsnmp({ "get", "-M", "spec/mibs", "-m", "NO-SUCH-MIB",
                                          "127.0.0.1:1", "1.3.6.1.2.1.1.5.0" })
    assert.equals(3, status)
    assert.matches("NO%-SUCH%-MIB", err)
    _, err, status = tool.winsnmp({ "walk", "-M", "/nonexistent", "-m", "X", "127.0.0.1:1" })
    assert.equals(3, status)
    assert.matches("/nonexistent", err)
  end)
end)

describe("winsnmp command line against snmpd #integration", function()
  helper.check_no_leaks()
  local agent = helper.agent()

  local function v2c(...) return args("-v2c", "-c", "public", peer(agent.address), ...) end
  local function v1(...) return args("-v", "1", "-c", "public", peer(agent.address), ...) end

  it("get prints what snmpget -m '' prints, byte for byte", function()
    local oids = { "1.3.6.1.2.1.1.1.0", "1.3.6.1.2.1.1.2.0", "1.3.6.1.2.1.1.4.0",
                   "1.3.6.1.2.1.1.5.0", "1.3.6.1.2.1.1.6.0", "1.3.6.1.2.1.2.2.1.2.1",
                   "1.3.6.1.2.1.2.2.1.3.1", "1.3.6.1.2.1.2.2.1.6.1" }
    local out, err, status = same_as("snmpget", "get", args("-m", "", v2c(oids)))
    assert.equals(0, status, err)
    assert.equals("", err)
    assert.matches('^iso%.3%.6%.1%.2%.1%.1%.1%.0 = STRING: "', out)
    assert.matches('\niso%.3%.6%.1%.2%.1%.1%.5%.0 = STRING: "winsnmp%-agent"\n', out)
    assert.matches('\niso%.3%.6%.1%.2%.1%.1%.2%.0 = OID: iso%.3%.6%.1%.4%.1%.', out)
  end)

  it("get shows exceptions as snmpget does and exits 1 for them", function()
    local out, _, status = same_as("snmpget", "get", args("-m", "", v2c("1.3.6.1.2.1.1.5.0",
      "1.3.6.1.2.1.1.5.1", "1.3.6.1.2.1.99.1.0")))
    assert.equals(1, status)
    assert.matches("= No Such Instance currently exists at this OID\n", out, 1, true)
    assert.matches("= No Such Object available on this agent at this OID\n", out, 1, true)
  end)

  it("v1 get reports noSuchName like snmpget, asks again without it, and exits 1", function()
    local list = args("-m", "", v1("1.3.6.1.2.1.1.5.0", "1.3.6.1.2.1.1.5.7", "1.3.6.1.2.1.1.1.0"))
    local want, want_err = tool.netsnmp("snmpget", list)
    local out, err, status = tool.winsnmp(args("get", list))
    assert.equals(want, out)
    assert.equals(1, status)
    assert.equals(2, #lines(out))
    assert.matches("Error in packet\nReason: (noSuchName) There is no such variable name in this MIB.\n"
      .. "Failed object: iso.3.6.1.2.1.1.5.7\n", err, 1, true)
    assert.truthy(want_err:find("Failed object: iso.3.6.1.2.1.1.5.7", 1, true))
  end)

  it("getnext prints what snmpgetnext prints", function()
    local _, err, status = same_as("snmpgetnext", "getnext", args("-m", "", v2c("1.3.6.1.2.1.1.4",
      "1.3.6.1.2.1.1.9.1.2", "1.3.6.1.2.1.2.2.1.1", "1.3.6.1.2.1.2.2.1.6")))
    assert.equals(0, status, err)
  end)

  it("walk of the system group gives snmpwalk's lines", function()
    local out, err, status = same_as("snmpwalk", "walk", args("-m", "", v2c("1.3.6.1.2.1.1")),
      function(want, got)
        assert.same(tool.line_set(want, not_sysuptime), tool.line_set(got, not_sysuptime))
        assert.equals(#lines(want), #lines(got))
      end)
    assert.equals(0, status, err)
    assert.is_true(#lines(out) >= 8)
  end)

  it("walk and bulkwalk to the end of the MIB print snmpwalk's endOfMibView line", function()
    -- The VACM tables are the last subtree of this agent, and stable.
    local out = same_as("snmpwalk", "walk", args("-m", "", v2c("1.3.6.1.6.3.16")))
    assert.matches("= No more variables left in this MIB View %(It is past the end of the MIB tree%)\n$",
      out)
    same_as("snmpbulkwalk", "bulkwalk", args("-m", "", "-Cr25", v2c("1.3.6.1.6.3.16")))
    -- v1 has no endOfMibView: the agent's noSuchName ends the walk.
    out = same_as("snmpwalk", "walk", args("-m", "", v1("1.3.6.1.6.3.16")))
    assert.matches("\nEnd of MIB\n$", out)
    -- bulkwalk with -v1 walks with GETNEXT, as snmpbulkwalk cannot.
    local v1_bulk = tool.winsnmp(args("bulkwalk", "-m", "", v1("1.3.6.1.6.3.16")))
    assert.equals(out, v1_bulk)
  end)

  it("walk of a single instance falls back to a get, as snmpwalk does", function()
    local out = same_as("snmpwalk", "walk", args("-m", "", v2c("1.3.6.1.2.1.1.5.0")))
    assert.equals('iso.3.6.1.2.1.1.5.0 = STRING: "winsnmp-agent"\n', out)
    same_as("snmpwalk", "walk", args("-m", "", v2c("1.3.6.1.2.1.1.5.1")))
  end)

  it("bulkwalk -Cr25 gives snmpbulkwalk's lines, -Cp counts like it", function()
    same_as("snmpbulkwalk", "bulkwalk", args("-m", "", "-Cr25", v2c("1.3.6.1.2.1.1")),
      function(want, got)
        assert.same(tool.line_set(want, not_sysuptime), tool.line_set(got, not_sysuptime))
      end)
    -- Stable columns of the interfaces table (the counters move).
    for _, column in ipairs({ "1.3.6.1.2.1.2.2.1.2", "1.3.6.1.2.1.2.2.1.6" }) do
      same_as("snmpbulkwalk", "bulkwalk", args("-m", "", "-Cr25", v2c(column)))
      same_as("snmpbulkwalk", "bulkwalk", args("-m", "", "-Cr2", "-Cp", v2c(column)))
    end
  end)

  it("-On prints numeric OIDs like net-snmp's -On", function()
    local out = same_as("snmpget", "get", args("-m", "", "-On", v2c("1.3.6.1.2.1.1.2.0",
      "1.3.6.1.2.1.1.5.0")))
    assert.matches("^%.1%.3%.6%.1%.2%.1%.1%.2%.0 = OID: %.1%.3%.6%.1%.4%.1%.", out)
    same_as("snmpwalk", "walk", args("-m", "", "-On", v2c("1.3.6.1.2.1.2.2.1.6")))
    same_as("snmpbulkwalk", "bulkwalk", args("-m", "", "-On", v2c("1.3.6.1.2.1.1.9.1.2")))
  end)

  it("options may follow AGENT, and both -v2c and -v 2c work", function()
    local want = tool.netsnmp("snmpget", { "-m", "", "-v2c", "-c", "public", peer(agent.address),
                                          "1.3.6.1.2.1.1.5.0" })
    for _, list in ipairs({
      { "get", "-v", "2c", "-c", "public", peer(agent.address), "1.3.6.1.2.1.1.5.0" },
      { "get", "-cpublic", agent.address, "1.3.6.1.2.1.1.5.0", "-v2c" },
      { "get", peer(agent.address), "-c", "public", "1.3.6.1.2.1.1.5.0" },
    }) do
      local out, err, status = tool.winsnmp(list)
      assert.equals(0, status, err)
      assert.equals(want, out)
    end
  end)

  it("v3 authPriv get with the agent's user matches snmpget", function()
    local u = agent.v3
    local v3 = { "-v3", "-u", u.user, "-l", u.level, "-a", u.auth, "-A", u.auth_pass, "-x",
                 u.priv, "-X", u.priv_pass }
    local out, err, status = same_as("snmpget", "get", args("-m", "", v3, peer(agent.address),
      "1.3.6.1.2.1.1.5.0", "1.3.6.1.2.1.1.1.0"))
    assert.equals(0, status, err)
    assert.matches('^iso%.3%.6%.1%.2%.1%.1%.5%.0 = STRING: "winsnmp%-agent"\n', out)
    -- --json output carries no passphrase either.
    out = tool.winsnmp(args("get", "--json", v3, peer(agent.address), "1.3.6.1.2.1.1.5.0"))
    assert.equals("winsnmp-agent", json.decode(out).value)
    assert.is_nil(out:find(u.auth_pass, 1, true))
    assert.is_nil(out:find(u.priv_pass, 1, true))
  end)

  describe("set", function()
    local SYS_CONTACT, SYS_LOCATION = "1.3.6.1.2.1.1.4.0", "1.3.6.1.2.1.1.6.0"
    local saved

    before_each(function()
      local s <close> = assert(winsnmp.session())
      local e = assert(s:entity(agent.address))
      saved = assert(s:get(e, { SYS_CONTACT, SYS_LOCATION }))
    end)

    after_each(function()
      local s <close> = assert(winsnmp.session())
      local e = assert(s:entity(agent.address, { community = "private" }))
      assert(s:set(e, { { SYS_CONTACT, "octets", saved[1].value },
                        { SYS_LOCATION, "octets", saved[2].value } }))
    end)

    it("writes, prints the agent's answer like snmpset, and reads back with snmpget", function()
      local list = { "-m", "", "-v2c", "-c", "private", peer(agent.address) }
      local out, err, status = tool.winsnmp(args("set", list, SYS_LOCATION, "s", "winsnmp, cli \"lab\"",
        SYS_CONTACT, "s", "ops@example.org"))
      assert.equals(0, status, err)
      local back = tool.netsnmp("snmpget", args(list, SYS_LOCATION, SYS_CONTACT))
      assert.equals(back, out)
      assert.equals('iso.3.6.1.2.1.1.6.0 = STRING: "winsnmp, cli \\"lab\\""\n'
        .. 'iso.3.6.1.2.1.1.4.0 = STRING: "ops@example.org"\n', out)
      -- The same set by snmpset prints the same.
      local want = tool.netsnmp("snmpset", args(list, SYS_LOCATION, "s", "winsnmp, cli \"lab\"",
        SYS_CONTACT, "s", "ops@example.org"))
      assert.equals(want, out)
      -- x and d values
      out, err, status = tool.winsnmp(args("set", list, SYS_LOCATION, "x", "41 42 0a43"))
      assert.equals(0, status, err)
      assert.equals('iso.3.6.1.2.1.1.6.0 = STRING: "AB\nC"\n', out)
      assert.equals(out, (tool.netsnmp("snmpget", args(list, SYS_LOCATION))))
      out = tool.winsnmp(args("set", list, SYS_LOCATION, "d", "1.2.255"))
      assert.equals("iso.3.6.1.2.1.1.6.0 = Hex-STRING: 01 02 FF \n", out)
      assert.equals(out, (tool.netsnmp("snmpget", args(list, SYS_LOCATION))))
      -- A value that starts with '-' after '--'
      out, err, status = tool.winsnmp(args("set", list, "--", SYS_LOCATION, "s", "-x-"))
      assert.equals(0, status, err)
      assert.equals('iso.3.6.1.2.1.1.6.0 = STRING: "-x-"\n', out)
    end)

    it("reports the agent's refusal like snmpset and exits 1", function()
      local list = { "-m", "", "-v2c", "-c", "private", peer(agent.address) }
      local _, err, status = tool.winsnmp(args("set", list, "1.3.6.1.2.1.1.5.0", "s", "x"))
      assert.equals(1, status)
      assert.equals("Error in packet.\nReason: notWritable (That object does not support "
        .. "modification)\nFailed object: iso.3.6.1.2.1.1.5.0\n", err)
      _, err, status = tool.winsnmp(args("set", list, SYS_LOCATION, "i", "5"))
      assert.equals(1, status)
      assert.matches("wrongType", err)
      -- the read-only community
      _, err, status = tool.winsnmp(args("set", "-c", "public", peer(agent.address),
        SYS_LOCATION, "s", "x"))
      assert.equals(1, status)
      assert.matches("Reason: noAccess", err)
    end)
  end)

  local function v2c_table()
    return args("table", "-v2c", "-c", "public", peer(agent.address), "1.3.6.1.2.1.2.2")
  end

  it("table prints one row per index, in text, CSV and JSON", function()
    local descr = tool.netsnmp("snmpwalk", { "-m", "", "-On", "-Oq", "-v2c", "-c", "public",
                                             peer(agent.address), "1.3.6.1.2.1.2.2.1.2" })
    local names = {}
    for index, name in descr:gmatch("%.1%.3%.6%.1%.2%.1%.2%.2%.1%.2%.(%d+) ([^\n]*)") do
      names[#names + 1] = { index, name }
    end
    assert.is_true(#names >= 1)

    local out, err, status = tool.winsnmp(v2c_table())
    assert.equals(0, status, err)
    local text = lines(out)
    assert.equals("SNMP table: iso.3.6.1.2.1.2.2", text[1])
    assert.matches("^ +index +1 +2 +3 ", text[2])
    assert.equals(2 + #names, #text)
    for i, n in ipairs(names) do
      assert.matches("^ +" .. n[1] .. " +" .. n[1] .. " +" .. n[2]:gsub("%p", "%%%0") .. " ",
        text[2 + i])
    end

    -- The entry's OID gives the same table: the same rows and columns.
    -- (The counters of the loopback interface, which these requests
    -- travel on, may have moved between the two reads once snmpd's cache
    -- of ifTable expires, and the column widths with them: numbers of
    -- five digits or more and runs of spaces are compared as one.)
    local entry_out = tool.winsnmp(args("table", "-v2c", "-c", "public", peer(agent.address),
                                        "1.3.6.1.2.1.2.2.1"))
    local function shape(output)
      return (output:gsub("^[^\n]*", ""):gsub("%d%d%d%d%d+", "N"):gsub(" +", " "))
    end
    assert.equals(shape(out), shape(entry_out))

    out, err, status = tool.winsnmp(args(v2c_table(), "--csv"))
    assert.equals(0, status, err)
    local rows = tool.csv(out)
    assert.equals("index", rows[1][1])
    assert.equals("1", rows[1][2])
    assert.equals("2", rows[1][3])
    assert.equals(1 + #names, #rows)
    for i, n in ipairs(names) do
      assert.equals(n[1], rows[i + 1][1])
      assert.equals(n[2]:gsub('^"(.*)"$', "%1"), rows[i + 1][3])
      assert.equals(#rows[1], #rows[i + 1])
    end

    out, err, status = tool.winsnmp(args(v2c_table(), "--json"))
    assert.equals(0, status, err)
    local objs = json.lines(out)
    assert.equals(#names, #objs)
    for i, n in ipairs(names) do
      assert.equals(n[1], objs[i].index)
      local cell = objs[i].columns["2"]
      assert.equals("1.3.6.1.2.1.2.2.1.2." .. n[1], cell.oid)
      assert.equals("octets", cell.type)
      assert.equals(n[2]:gsub('^"(.*)"$', "%1"), cell.value)
    end
  end)

  it("--json lines parse and carry what the library's walk returns", function()
    local out, err, status = tool.winsnmp(args("walk", "--json", v2c("1.3.6.1.2.1.1")))
    assert.equals(0, status, err)
    local got = json.lines(out)
    local s <close> = assert(winsnmp.session())
    local walked = assert(s:walk(assert(s:entity(agent.address)), "1.3.6.1.2.1.1"))
    assert.equals(#walked, #got)
    for i, vb in ipairs(walked) do
      assert.equals(vb.oid, got[i].oid)
      assert.equals(vb.type, got[i].type)
      assert.same({ "oid", "type", "value" }, got[i].__order)
      if vb.oid ~= "1.3.6.1.2.1.1.3.0" then assert.equals(vb.value, got[i].value) end
    end
    -- python's json module agrees, where there is one
    if os.execute("python3 -c 'import json' >/dev/null 2>&1") then
      local path = helper.temp_file(out)
      local _, perr, pstatus = tool.run("python3 -c 'import json,sys\nfor l in open(sys.argv[1]): "
        .. "json.loads(l)' " .. tool.quote(path))
      os.remove(path)
      assert.equals(0, pstatus, perr)
    end
  end)

  it("--csv has a header and one row per variable", function()
    local out, err, status = tool.winsnmp(args("walk", "--csv", v2c("1.3.6.1.2.1.1.9.1")))
    assert.equals(0, status, err)
    local rows = tool.csv(out)
    assert.same({ "oid", "type", "value" }, rows[1])
    local s <close> = assert(winsnmp.session())
    local walked = assert(s:walk(assert(s:entity(agent.address)), "1.3.6.1.2.1.1.9.1"))
    assert.equals(#walked + 1, #rows)
    for i, vb in ipairs(walked) do
      assert.same({ vb.oid, vb.type, tostring(vb.value) }, rows[i + 1])
    end
  end)

  it("a timeout exits 1 with net-snmp's message on stderr", function()
    local closed = peer(helper.closed_address())
    for _, sub in ipairs({ "get", "getnext", "walk", "bulkwalk", "table", "set" }) do
      local list = args(sub, "-t", "0.2", "-r", "1", closed, "1.3.6.1.2.1.1.5.0")
      if sub == "set" then list = args(list, "s", "x") end
      local out, err, status = tool.winsnmp(list)
      assert.equals(1, status, sub .. ": " .. err)
      assert.equals("", out, sub)
      assert.matches("^Timeout: No Response from " .. closed:gsub("%p", "%%%0") .. "%.?\n$", err,
        1, sub)
    end
  end)

  it("never shows a community or passphrase, whatever fails", function()
    local COMMUNITY, AUTH, PRIV = "S3cret-Community", "Auth-S3cret-Pass", "Priv-S3cret-Pass"
    local closed = peer(helper.closed_address())
    local address = peer(agent.address)
    local u = agent.v3
    local runs = {
      { "get", "-c", COMMUNITY, "-t", "0.2", "-r", "0", closed, "1.3.6.1.2.1.1.5.0" },
      { "walk", "-c" .. COMMUNITY, "-t", "0.2", "-r", "0", address, "1.3.6.1.2.1.1" },
      { "get", "-c", COMMUNITY, "-Z", address, "1.3.6.1.2.1.1.5.0" },
      { "get", "-c", COMMUNITY, "bogus:::", "1.3.6.1.2.1.1.5.0" },
      { "set", "-c", COMMUNITY, address, "1.3.6.1.2.1.1.6.0", "i", COMMUNITY },
      { "get", "-c", COMMUNITY, "-m", "NO-SUCH-MIB", "-M", "spec/mibs", address, "1.3.6.1.2.1.1.5.0" },
      { "get", "-v3", "-u", u.user, "-l", "authPriv", "-a", "SHA", "-A", AUTH, "-x", "AES",
        "-X", PRIV, "-t", "0.5", "-r", "0", address, "1.3.6.1.2.1.1.5.0" },
      { "get", "-v3", "-u", u.user, "-l", "authPriv", "-a", "SHA", "-A", u.auth_pass, "-x", "AES",
        "-X", PRIV, "-t", "0.3", "-r", "0", address, "1.3.6.1.2.1.1.5.0" },
      { "get", "-v3", "-u", "nobody", "-A" .. AUTH, "-X" .. PRIV, address, "1.3.6.1.2.1.1.5.0" },
      { "get", "-v3", "-u", u.user, "-A", "short", "-X", PRIV, address, "1.3.6.1.2.1.1.5.0" },
      { "trap", "-c", COMMUNITY, "-Ci", "-t", "0.2", "-r", "0", closed, "", "1.3.6.1.4.1.99999.0.1" },
      { "get", "-c", COMMUNITY, address, "1.3.6.1.2.1.1.5.0", "-X" },
    }
    for _, list in ipairs(runs) do
      local out, err, status = tool.winsnmp(list)
      local what = table.concat(list, " ")
      assert.is_true(status ~= 0, what)
      assert.is_true(#err > 0, what)
      for _, secret in ipairs({ COMMUNITY, AUTH, PRIV, u.auth_pass, "short" }) do
        assert.is_nil(out:find(secret, 1, true), what)
        assert.is_nil(err:find(secret, 1, true), what .. ": " .. err)
      end
    end
  end)

  it("shows progress on stderr only when stderr is a terminal", function()
    local out, err, status = tool.winsnmp(args("bulkwalk", "-Cr50", v2c("1.3")))
    assert.equals(0, status, err)
    assert.equals("", err)
    if #lines(out) < 1000 or not os.execute("command -v script >/dev/null 2>&1") then
      return -- (the terminal half needs 1000 variables and script(1))
    end
    -- script(1) gives the command a terminal; its stdout goes to /dev/null.
    local tty = tool.run("script -qfec " .. tool.quote(tool.winsnmp_cmd(args("bulkwalk", "-Cr50",
      v2c("1.3"))) .. " >/dev/null") .. " /dev/null")
    assert.matches("\rbulkwalk: 1000 variables", tty, 1, true)
  end)

  describe("notifications", function()
    local trapd
    setup(function() trapd = notify_tools.start_trapd() end)
    teardown(function() if trapd then trapd:stop() end end)

    local TRAP = { "12345", "1.3.6.1.4.1.99999.0.1", "1.3.6.1.4.1.99999.1", "s", "hello",
                   "1.3.6.1.4.1.99999.2", "i", "-42", "1.3.6.1.4.1.99999.3", "U", "5",
                   "1.3.6.1.4.1.99999.4", "x", "00 ff 10" }
    local VARBINDS = "iso.3.6.1.2.1.1.3.0 = Timeticks: (12345) 0:02:03.45\t"
      .. "iso.3.6.1.6.3.1.1.4.1.0 = OID: iso.3.6.1.4.1.99999.0.1\t"
      .. "iso.3.6.1.4.1.99999.1 = STRING: \"hello\"\t"
      .. "iso.3.6.1.4.1.99999.2 = INTEGER: -42\t"
      .. "iso.3.6.1.4.1.99999.3 = Opaque: UInt64: 5\t"
      .. "iso.3.6.1.4.1.99999.4 = Hex-STRING: 00 FF 10 "

    --- Starts `winsnmp listen-traps ARGS` and waits until it listens.
    local function listener(...)
      local port = assert(snmpd.free_ports(1))[1]
      local address = "udp:127.0.0.1:" .. port
      local job = tool.spawn(tool.winsnmp_cmd(args("listen-traps", { ... }, address)))
      assert.is_true(job:poll_until(function(_, err) return err:find("listening", 1, true) ~= nil end),
        "listen-traps did not start")
      return job, "127.0.0.1:" .. port
    end

    it("trap sends what snmptrap sends: snmptrapd logs the same variables", function()
      local _, err, status = tool.winsnmp(args("trap", "-m", "", "-v2c", "-c", "public",
        peer(trapd.address), TRAP))
      assert.equals(0, status, err)
      local log = trapd:wait_for({ "Opaque: UInt64: 5" })
      assert.truthy(log:find("\n" .. VARBINDS .. "\n", 1, true), log)
      _, err, status = tool.netsnmp("snmptrap", args("-m", "", "-v2c", "-c", "public",
        peer(trapd.address), TRAP))
      assert.equals(0, status, err)
      helper.poll_until(function()
        local _, n = trapd:log():gsub(VARBINDS:gsub("%p", "%%%0"), "")
        return n == 2
      end)
      local _, n = trapd:log():gsub(VARBINDS:gsub("%p", "%%%0"), "")
      assert.equals(2, n)
    end)

    it("trap encodes every TYPE as snmptrap does", function()
      local typed = { "1.3.6.1.4.1.99999.11", "I", "-5", "1.3.6.1.4.1.99999.12", "F", "1.5",
        "1.3.6.1.4.1.99999.13", "D", "2.25", "1.3.6.1.4.1.99999.14", "b", "0 3 9",
        "1.3.6.1.4.1.99999.15", "d", "1.2.255", "1.3.6.1.4.1.99999.16", "3", "7",
        "1.3.6.1.4.1.99999.17", "n", "", "1.3.6.1.4.1.99999.18", "I", "-9223372036854775808",
        "1.3.6.1.4.1.99999.19", "U", "18446744073709551615", "1.3.6.1.4.1.99999.20", "a",
        "10.0.0.1", "1.3.6.1.4.1.99999.21", "o", "1.3.6.1", "1.3.6.1.4.1.99999.22", "t", "100",
        "1.3.6.1.4.1.99999.23", "u", "4294967295" }
      local list = args("-m", "", "-v2c", "-c", "public", peer(trapd.address), "77",
        "1.3.6.1.4.1.99999.0.7")
      assert.equals(0, select(3, tool.netsnmp("snmptrap", args(list, typed))))
      assert.equals(0, select(3, tool.winsnmp(args("trap", list, typed))))
      local found
      helper.poll_until(function()
        local seen = {}
        for line in trapd:log():gmatch("[^\n]+") do
          if line:find("99999.0.7", 1, true) then seen[#seen + 1] = line end
        end
        found = seen
        return #seen == 2
      end)
      assert.equals(2, #found)
      assert.equals(found[1], found[2])
      assert.truthy(found[1]:find("Opaque: Int64: -9223372036854775808", 1, true))
      -- winsnmp's own letters c and C
      assert.equals(0, select(3, tool.winsnmp(args("trap", list, "1.3.6.1.4.1.99999.24", "c", "5",
        "1.3.6.1.4.1.99999.25", "C", "18446744073709551615"))))
      local log = trapd:wait_for({ "Counter64: 18446744073709551615" })
      assert.truthy(log:find("iso.3.6.1.4.1.99999.24 = Counter32: 5", 1, true))
    end)

    it("an inform (-Ci) is acknowledged by snmptrapd; no answer exits 1", function()
      local _, err, status = tool.winsnmp(args("trap", "-Ci", "-c", "public", peer(trapd.address),
        "", "1.3.6.1.4.1.99999.0.3", "1.3.6.1.4.1.99999.1", "s", "cli-inform"))
      assert.equals(0, status, err)
      assert.truthy(trapd:wait_for({ "cli-inform" }):find("cli-inform", 1, true))
      _, err, status = tool.winsnmp(args("trap", "-Ci", "-t", "0.2", "-r", "0",
        peer(helper.closed_address()), "", "1.3.6.1.4.1.99999.0.3"))
      assert.equals(1, status)
      assert.matches("^Timeout: No Response", err)
    end)

    it("listen-traps --count 1 prints a trap from winsnmp trap as snmptrapd does", function()
      local job, address = listener("--count", "1", "--timeout", "10")
      local _, err, status = tool.winsnmp(args("trap", "-c", "public", address, TRAP))
      assert.equals(0, status, err)
      local out
      out, err, status = job:wait()
      assert.equals(0, status, err)
      local text = lines(out)
      assert.equals(2, #text)
      assert.matches("^%d%d%d%d%-%d%d%-%d%d %d%d:%d%d:%d%d udp:127%.0%.0%.1:%d+ %[v2c trap%]:$",
        text[1])
      assert.equals(VARBINDS, text[2])
    end)

    it("listen-traps prints what snmptrap and snmpinform send, in JSON", function()
      local job, address = listener("--json", "--count", "3", "--timeout", "10")
      assert.equals(0, select(3, tool.netsnmp("snmptrap", args("-m", "", "-v2c", "-c", "public",
        address, TRAP))))
      assert.equals(0, select(3, tool.netsnmp("snmpinform", args("-m", "", "-v2c", "-c",
        "public", address, "", "1.3.6.1.4.1.99999.0.2", "1.3.6.1.4.1.99999.1", "s", "caf\xc3\xa9"))))
      assert.equals(0, select(3, tool.winsnmp(args("trap", "-v1", "-c", "public", address, "",
        "1.3.6.1.4.1.99999.0.5", "1.3.6.1.4.1.99999.1", "i", "5"))))
      local out, err, status = job:wait()
      assert.equals(0, status, err)
      local n = json.lines(out)
      assert.equals(3, #n)
      assert.same({ "time", "source", "version", "type", "uptime", "trap_oid", "varbinds" },
        n[1].__order)
      assert.equals("2c", n[1].version)
      assert.equals("trap", n[1].type)
      assert.equals(12345, n[1].uptime)
      assert.equals("1.3.6.1.4.1.99999.0.1", n[1].trap_oid)
      assert.equals(4, #n[1].varbinds)
      assert.equals("hello", n[1].varbinds[1].value)
      assert.equals(-42, n[1].varbinds[2].value)
      assert.equals("opaque", n[1].varbinds[3].type)
      assert.equals("9f7b0105", n[1].varbinds[3].hex)
      assert.equals("00ff10", n[1].varbinds[4].hex)
      assert.equals("\0\255\16", json.bytes(n[1].varbinds[4].value))
      assert.equals("inform", n[2].type)
      assert.equals("café", n[2].varbinds[1].value)
      assert.equals("1", n[3].version)
      assert.equals("1.3.6.1.4.1.99999.0.5", n[3].trap_oid)
      assert.equals(5, n[3].varbinds[1].value)
      for _, x in ipairs(n) do assert.is_nil(x.community) end
      assert.is_nil(out:find("public", 1, true))
    end)

    it("listen-traps --csv writes one row per variable", function()
      local job, address = listener("--csv", "--count", "1", "--timeout", "10")
      assert.equals(0, select(3, tool.winsnmp(args("trap", address, TRAP))))
      local out, err, status = job:wait()
      assert.equals(0, status, err)
      local rows = tool.csv(out)
      assert.same({ "time", "source", "version", "pdu", "uptime", "trap_oid", "oid", "type",
                    "value" }, rows[1])
      assert.equals(5, #rows)
      assert.same({ "2c", "trap", "12345", "1.3.6.1.4.1.99999.0.1", "1.3.6.1.4.1.99999.1",
                    "octets", "hello" }, { table.unpack(rows[2], 3) })
      assert.equals("0x00FF10", rows[5][9])
    end)

    it("listen-traps ends with status 130 on SIGINT", function()
      local job, address = listener()
      -- The process of this listener (its address is unique): the launcher,
      -- or lua5.4 running bin/winsnmp.
      local pid
      local p = assert(io.popen("ls /proc"))
      local program = tool.LAUNCHER or "lua5.4"
      for candidate in p:read("a"):gmatch("%d+") do
        local cmdline = snmpd.read_file("/proc/" .. candidate .. "/cmdline") or ""
        if cmdline:sub(1, #program + 1) == program .. "\0"
            and cmdline:find("\0listen-traps\0", 1, true)
            and cmdline:find("\0udp:" .. address .. "\0", 1, true) then
          pid = candidate
        end
      end
      p:close()
      assert.is_not_nil(pid, "the listener's process")
      os.execute("kill -INT " .. pid)
      local out, err, status = job:wait()
      assert.equals(130, status, err)
      assert.equals("", out)
      assert.is_nil(err:find("error", 1, true), err)
    end)

    it("listen-traps exits 1 when --timeout comes before --count", function()
      local job = listener("--count", "1", "--timeout", "0.3")
      local out, err, status = job:wait()
      assert.equals(1, status)
      assert.equals("", out)
      assert.matches("0 of 1 notifications", err)
    end)
  end)
end)

describe("winsnmp command line over TCP and IPv6 #integration", function()
  helper.check_no_leaks()
  local has_ipv6 = (snmpd.read_file("/proc/net/if_inet6") or "")
    :find("00000000000000000000000000000001", 1, true) ~= nil
  local agent = helper.agent({ tcp = true, ipv6 = has_ipv6 })

  it("reaches tcp: and udp6: agents like snmpget", function()
    local addresses = { agent.tcp_address }
    if has_ipv6 then addresses[2] = agent.udp6_address end
    for _, address in ipairs(addresses) do
      local out, err, status = same_as("snmpget", "get", { "-m", "", "-v2c", "-c", "public",
        address, "1.3.6.1.2.1.1.5.0" })
      assert.equals(0, status, err)
      assert.equals('iso.3.6.1.2.1.1.5.0 = STRING: "winsnmp-agent"\n', out)
    end
  end)
end)

describe("winsnmp command line with MIB names against a winsnmp agent #integration", function()
  helper.check_no_leaks()

  local s, listener, address
  local ports = { { 1, "lo", "\0\0\0\0\0\0", 1 }, { 2, "eth0", "\0\27\33\10\255\1", 1 },
                  { 12, "eth 1", "\2\0\0\0\0\12", 2 } }
  -- The test MIB's objects, and values of every syntax under winsnmpTest.9
  -- (which the MIB does not name).
  local EXTRA = {
    { ".9.1", "opaque", "\159\123\1\5" }, { ".9.2", "opaque", "\159\122\1\251" },
    { ".9.3", "opaque", "\159\120\4" .. string.pack(">f", 1.5) },
    { ".9.4", "opaque", "\159\121\8" .. string.pack(">d", 2.25) },
    { ".9.5", "cntr64", -1 }, { ".9.6", "uint32", 7 }, { ".9.7", "ipaddr", "10.1.2.3" },
    { ".9.8", "octets", "caf\xc3\xa9" }, { ".9.9", "octets", "a,\"b\"\nc" },
    { ".9.10", "gauge32", 4294967295 }, { ".9.11", "cntr32", 12 }, { ".9.12", "bits", "\144\64", "octets" },
    { ".9.13", "oid", BASE .. ".4.1" }, { ".9.14", "octets", "0x12" },
    { ".9.15", "timeticks", 12345 }, { ".9.16", "null" }, { ".9.17", "opaque", "\1\2" },
    { ".9.18", "int", -5 }, { ".9.19", "octets", ("x"):rep(300) }, { ".9.20", "octets", "" },
    { ".9.21", "octets", "tab\tand\\" },
  }

  before_each(function()
    s = assert(winsnmp.session())
    listener = test_mib.listen(s, test_mib.entries(ports, EXTRA))
    address = peer(listener.address)
  end)

  after_each(function()
    listener:close()
    s:close()
  end)

  local function v2c(...) return args("-v2c", "-c", "public", address, ...) end

  it("get and getnext by name print what snmpget and snmpgetnext print", function()
    local out, err, status = same_as_polling("snmpget", "get", args(MIB_ARGS, v2c("wtName.0",
      "WINSNMP-TEST-MIB::wtState.0", "wtTemperature.0", "wtPortMac.2", BASE .. ".9.13")))
    assert.equals(0, status, err)
    assert.equals('WINSNMP-TEST-MIB::wtName.0 = STRING: "test agent"\n'
      .. "WINSNMP-TEST-MIB::wtState.0 = INTEGER: up(1)\n"
      .. "WINSNMP-TEST-MIB::wtTemperature.0 = INTEGER: 21.5\n"
      .. "WINSNMP-TEST-MIB::wtPortMac.2 = STRING: 0:1b:21:a:ff:1\n"
      .. "WINSNMP-TEST-MIB::winsnmpTest.9.13 = OID: WINSNMP-TEST-MIB::wtPortEntry\n", out)
    same_as_polling("snmpget", "get", args(MIB_ARGS, "-On", v2c("wtName.0", "wtState.0",
      BASE .. ".9.13")))
    same_as_polling("snmpgetnext", "getnext", args(MIB_ARGS, v2c("wtPortDescr", "wtPortMac.2")))
  end)

  it("walks every syntax exactly as snmpwalk and snmpbulkwalk print it", function()
    for _, mibs in ipairs({ { "-m", "" }, MIB_ARGS }) do
      local out = same_as_polling("snmpwalk", "walk", args(mibs, v2c(BASE)))
      same_as_polling("snmpbulkwalk", "bulkwalk", args(mibs, "-Cr7", v2c(BASE)))
      same_as_polling("snmpwalk", "walk", args(mibs, "-On", v2c(BASE .. ".9")))
      assert.truthy(out:find("= Opaque: Float: 2.250000\n", 1, true))
      assert.truthy(out:find("= Counter64: 18446744073709551615\n", 1, true))
    end
  end)

  it("table by name prints what snmptable -Ci prints", function()
    local out, err, status = same_as_polling("snmptable", "table",
      args(MIB_ARGS, "-Ci", v2c("wtPortTable")))
    assert.equals(0, status, err)
    assert.equals("SNMP table: WINSNMP-TEST-MIB::wtPortTable\n\n"
      .. " index wtPortDescr      wtPortMac wtPortStatus\n"
      .. '     1        "lo"    0:0:0:0:0:0           up\n'
      .. '     2      "eth0" 0:1b:21:a:ff:1           up\n'
      .. '    12     "eth 1"    2:0:0:0:0:c         down\n', out)
  end)

  it("table lays out long indexes and multi-line values as snmptable -Ci does", function()
    listener:close()
    listener = test_mib.listen(s, {
      { BASE .. ".4.1.2.7", "octets", "two\nlines" },
      { BASE .. ".4.1.2.1234567", "octets", "x" },
      { BASE .. ".4.1.4.1234567", "int", 3 },
    })
    address = peer(listener.address)
    -- (snmptable also shows the MIB's wtPortMac column, empty here: winsnmp
    -- shows the columns the agent has.)
    local out, err, status = tool.run_polling(tool.winsnmp_cmd(args("table", MIB_ARGS,
      v2c("wtPortTable"))))
    assert.equals(0, status, err)
    assert.equals("SNMP table: WINSNMP-TEST-MIB::wtPortTable\n\n"
      .. "  index wtPortDescr wtPortStatus\n"
      .. '      7 "two lines"            ?\n'
      .. '1234567         "x"            3\n', out)
  end)

  it("table --csv and --json name the columns from the MIB", function()
    local out, err, status = tool.run_polling(tool.winsnmp_cmd(args("table", "--csv", MIB_ARGS,
      v2c("wtPortEntry"))))
    assert.equals(0, status, err)
    assert.same({ { "index", "wtPortDescr", "wtPortMac", "wtPortStatus" },
                  { "1", "lo", "0x000000000000", "1" },
                  { "2", "eth0", "0x001B210AFF01", "1" },
                  { "12", "eth 1", "0x02000000000C", "2" } }, tool.csv(out))
    out, err, status = tool.run_polling(tool.winsnmp_cmd(args("table", "--json", MIB_ARGS,
      v2c("wtPortTable"))))
    assert.equals(0, status, err)
    local rows = json.lines(out)
    assert.equals(3, #rows)
    assert.equals("12", rows[3].index)
    assert.same({ "wtPortDescr", "wtPortMac", "wtPortStatus" }, rows[3].columns.__order)
    assert.equals("eth 1", rows[3].columns.wtPortDescr.value)
    assert.equals("02000000000c", rows[3].columns.wtPortMac.hex)
    assert.equals(BASE .. ".4.1.4.12", rows[3].columns.wtPortStatus.oid)
    assert.equals(2, rows[3].columns.wtPortStatus.value)
  end)

  it("--json carries every syntax losslessly, names only where the MIB has them", function()
    local out, err, status = tool.run_polling(tool.winsnmp_cmd(args("walk", "--json", MIB_ARGS,
      v2c(BASE))))
    assert.equals(0, status, err)
    local by_oid = {}
    for _, o in ipairs(json.lines(out)) do
      if o.type ~= "endofmibview" then by_oid[o.oid] = o end -- (the walk's end repeats an OID)
    end
    assert.equals("WINSNMP-TEST-MIB::wtName.0", by_oid[BASE .. ".1.0"].name)
    assert.equals("test agent", by_oid[BASE .. ".1.0"].value)
    assert.equals(1, by_oid[BASE .. ".2.0"].value)
    assert.equals("001b210aff01", by_oid[BASE .. ".4.1.3.2"].hex)
    for _, e in ipairs(EXTRA) do
      local o = assert(by_oid[BASE .. e[1]], e[1])
      assert.equals("WINSNMP-TEST-MIB::winsnmpTest" .. e[1], o.name)
      assert.equals(e[4] or e[2], o.type, e[1]) -- (BITS travel as OCTET STRING)
      local v = e[3]
      if e[2] == "cntr64" then
        assert.equals(winsnmp.u64(v), o.value)
      elseif v == nil then
        assert.equals(json.null, o.value)
      elseif type(v) == "string" and o.hex then
        assert.equals(v, json.bytes(o.value), e[1])
        assert.equals(v, (o.hex:gsub("%x%x", function(h) return string.char(tonumber(h, 16)) end)))
      else
        assert.equals(v, o.value, e[1])
      end
    end
    assert.is_nil(by_oid[BASE .. ".9.8"].hex) -- UTF-8 text
    assert.equals("9f7b0105", by_oid[BASE .. ".9.1"].hex)
    -- Without MIBs: no names.
    out = tool.run_polling(tool.winsnmp_cmd(args("get", "--json", v2c(BASE .. ".1.0"))))
    assert.equals('{"oid":"' .. BASE .. '.1.0","type":"octets","value":"test agent"}\n', out)
  end)

  it("--csv quotes what needs quoting and writes binary values in hex", function()
    local out, err, status = tool.run_polling(tool.winsnmp_cmd(args("walk", "--csv",
      v2c(BASE .. ".9"))))
    assert.equals(0, status, err)
    local rows = tool.csv(out)
    assert.same({ "oid", "type", "value" }, rows[1])
    local by_oid = {}
    for i = 2, #rows do
      assert.equals(3, #rows[i])
      if rows[i][2] ~= "endofmibview" then by_oid[rows[i][1]] = rows[i] end
    end
    local function value(suffix) return by_oid[BASE .. suffix][3] end
    assert.equals("0x9F7B0105", value(".9.1"))
    assert.equals("18446744073709551615", value(".9.5"))
    assert.equals("caf\xc3\xa9", value(".9.8"))
    assert.equals("a,\"b\"\nc", value(".9.9"))
    assert.equals("0x9040", value(".9.12"))
    assert.equals(BASE .. ".4.1", value(".9.13"))
    assert.equals("0x30783132", value(".9.14")) -- text that looks like hex is hex
    assert.equals("", value(".9.16"))
    assert.equals("-5", value(".9.18"))
    assert.equals("", value(".9.20"))
    assert.equals("tab\tand\\", value(".9.21"))
  end)

  it("set by name and with every type letter, read back by snmpget", function()
    listener:close()
    listener = test_mib.listen(s, {
      { oid = BASE .. ".1.0", type = "octets", value = "old", writable = true },
      { oid = BASE .. ".3.0", type = "int", value = 0, writable = true },
    })
    address = peer(listener.address)
    local out, err, status = tool.run_polling(tool.winsnmp_cmd(args("set", MIB_ARGS,
      v2c("wtName.0", "s", "new name", "wtTemperature.0", "i", "-12"))))
    assert.equals(0, status, err)
    assert.equals('WINSNMP-TEST-MIB::wtName.0 = STRING: "new name"\n'
      .. "WINSNMP-TEST-MIB::wtTemperature.0 = INTEGER: -1.2\n", out)
    local back = tool.run_polling(tool.netsnmp_cmd("snmpget", args(MIB_ARGS,
      v2c("wtName.0", "wtTemperature.0"))))
    assert.equals(out, back)
  end)
end)
