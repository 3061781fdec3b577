--- The `winsnmp` command-line tool (run by the C launcher src/cli/winsnmp.c,
-- or by bin/winsnmp, a two-line Lua wrapper).
--
--     winsnmp get|getnext|walk|bulkwalk|table|set|trap|listen-traps [OPTIONS] AGENT ...
--     winsnmp record [OPTIONS] AGENT [ROOT] -o FILE
--     winsnmp simulate [OPTIONS] DIR [--listen ADDRESS]
--
-- The subcommands mirror net-snmp's snmpget, snmpgetnext, snmpwalk,
-- snmpbulkwalk, snmptable, snmpset, snmptrap and `snmptrapd -f -Lo`: the
-- same option letters, the same AGENT syntax, and by default the same text
-- (every line comes from net-snmp's own snprint_variable, through
-- winsnmp.mib.format).  `--json` writes JSON lines and `--csv` CSV instead.
-- `cli.USAGE` is the help text; it documents the exit status and the
-- formats.  Community strings and passphrases are never written anywhere.
--
-- This module is the entry point; the parts are winsnmp.cli.args (the
-- command line), winsnmp.cli.format (the output) and winsnmp.cli.commands
-- (the subcommands).
-- @module winsnmp.cli

local winsnmp = require("winsnmp")
local args = require("winsnmp.cli.args")
local format = require("winsnmp.cli.format")
local commands = require("winsnmp.cli.commands")

local cli = {}

--- Exit statuses.
cli.EXIT = args.EXIT
local EXIT = cli.EXIT
--- The help text (`winsnmp --help`).
cli.USAGE = args.USAGE
--- What a usage error shows: the help text up to AGENT.
cli.SYNOPSIS = args.SYNOPSIS
--- Parses argv (a list of strings) into {sub=, positional=, ...}.
cli.parse = args.parse
--- True when octets are text (for --json and --csv).
cli.is_text = format.is_text
--- A JSON string literal.
cli.json_string = format.json_string
--- A CSV field, quoted when it must be.
cli.csv_field = format.csv_field

-- ---- main ---------------------------------------------------------------------------------

local INTERRUPTED = {}

--- Runs the tool with `argv` (a list of strings, as `arg`); returns the exit
-- status.  `out` and `err` (default io.stdout, io.stderr) receive the output.
function cli.main(argv, out, err)
  out, err = out or io.stdout, err or io.stderr
  local list = {}
  for i = 1, #(argv or {}) do list[i] = argv[i] end
  local run = commands.new_run({ secrets = args.secrets(list) }, out, err)
  local ok, result = xpcall(function()
    local opts = cli.parse(list, run.opts)
    if opts.help then
      out:write(cli.USAGE)
      return EXIT.OK
    end
    if opts.version_only then
      out:write(winsnmp._VERSION, "\n")
      return EXIT.OK
    end
    return commands.run(run)
  end, function(e)
    if getmetatable(e) == args.Failure then return e end
    -- Ctrl-C: lua5.4 turns SIGINT into this error in the running Lua code.
    if type(e) == "string" and e:find("interrupted!$") then return INTERRUPTED end
    return debug.traceback(tostring(e), 2)
  end)
  if run.simulator then run.simulator:stop() end
  if run.session then run.session:close() end
  out:flush()
  if ok then return result end
  if result == INTERRUPTED then return EXIT.INTERRUPTED end
  if getmetatable(result) == args.Failure then
    run:err("winsnmp: ", result.message, "\n")
    if result.usage then run:err(cli.SYNOPSIS) end
    return result.code
  end
  run:err("winsnmp: internal error: ", result, "\n")
  return EXIT.SNMP
end

return cli

