--- The command line of the `winsnmp` tool: the help text, net-snmp's
-- option letters (-v -c -u -l -a -A -x -X -n -t -r -m -M -O -C), and the
-- OIDs and typed values (OID TYPE VALUE) given as arguments.  Mistakes end
-- the run through `args.usage_error` (exit status 2, with the synopsis).
-- @module winsnmp.cli.args

local winsnmp = require("winsnmp")
local usm = require("winsnmp.usm")

local mib = winsnmp.mib
local args = {}

--- Exit statuses.
args.EXIT = { OK = 0, SNMP = 1, USAGE = 2, MIB = 3, INTERRUPTED = 130 }
local EXIT = args.EXIT

--- The help text (`winsnmp --help`); its first part, up to AGENT, is what a
-- usage error shows.
local HELP = [[
Usage: winsnmp SUBCOMMAND [OPTIONS] AGENT [ARGUMENTS]

Subcommands (each works like the net-snmp tool in brackets):
  get      AGENT OID...                  read objects             [snmpget]
  getnext  AGENT OID...                  read the objects after   [snmpgetnext]
  walk     AGENT [OID]                   a subtree by GETNEXT     [snmpwalk]
  bulkwalk AGENT [OID]                   a subtree by GETBULK     [snmpbulkwalk]
                                         (GETNEXT with -v1)
  table    AGENT TABLE-OID               a conceptual table, one row per index
  set      AGENT OID TYPE VALUE...       write objects            [snmpset]
  trap     AGENT UPTIME TRAP-OID [OID TYPE VALUE]...
                                         send a notification      [snmptrap -v2c]
  listen-traps [ADDRESS]                 print notifications as they arrive
                                         [snmptrapd -f -Lo]; ADDRESS is local,
                                         default udp:127.0.0.1:1162
  record   AGENT [ROOT] -o FILE          walk ROOT (default 1.3.6) into FILE in
                                         snmpsim's .snmprec format  [snmprec]
  simulate DIR [--listen ADDRESS]        serve every DIR/**/*.snmprec as an agent
                                         [snmpsim-command-responder]; see below
  OID defaults to 1.3.6.1.2.1 for walk and bulkwalk.  TABLE-OID is the
  table (1.3.6.1.2.1.2.2) or its entry (1.3.6.1.2.1.2.2.1).  An empty UPTIME
  ('') means the host's uptime now.  OIDs are numeric, or MIB names with -m.
%%
AGENT: [udp:|tcp:|udp6:]HOST[:PORT], e.g. 127.0.0.1:1161, tcp:10.0.0.1,
  udp6:[::1]:1161 (port 161 when omitted).

Options (net-snmp's letters; a value may be attached, -v2c, or follow, -v 2c):
  -v 1|2c|3        SNMP version (default 2c)
  -c COMMUNITY     community string (default public); better in snmp.conf
                   or WINSNMP_COMMUNITY (see Defaults below)
  -u USER          SNMPv3 user
  -l LEVEL         noAuthNoPriv|authNoPriv|authPriv (default: from -A/-X)
  -a PROTOCOL      MD5|SHA|SHA-224|SHA-256|SHA-384|SHA-512
  -A PASSPHRASE    authentication passphrase
  -x PROTOCOL      DES|AES|AES-192|AES-256
  -X PASSPHRASE    privacy passphrase
  -n CONTEXT       SNMPv3 context name
  -t SECONDS       timeout of one try (default 1)
  -r RETRIES       retries (default 5)
  -m MODULES       load these MIB modules, colon-separated (ALL: every module)
  -M DIRS          MIB directories, colon-separated; +DIRS adds to the default
                   (~/.snmp/mibs:/usr/share/snmp/mibs:...).  No MIB is
                   loaded unless -m is given.
  -On              numeric OIDs in the output (.1.3.6.1.2.1.1.5.0)
  -Cr N            bulkwalk, table, record: max-repetitions (default 10;
                   table, record 25)
  -Cn N            bulkwalk: non-repeaters
  -Cc, -Ci, -Cp    walk, bulkwalk: do not check that OIDs increase; get the
                   OID itself first; print the number of variables found
  -Ci              trap: send an inform and wait for the acknowledgement;
                   table: accepted (as snmptable's -Ci; the index is always shown)
  --count N        listen-traps: exit after N notifications
  --timeout S      listen-traps, simulate: exit after S seconds
  -o FILE          record: the recording to write
  --listen ADDRESS simulate: the local address to answer on (default
                   udp:127.0.0.1:1161; port 0 picks a free one)
  --stats          print what the requests to AGENT met (requests, replies,
                   timeouts, retries, tooBig, round trips, GETBULK size) on
                   stderr at the end
  --json           JSON lines instead of text
  --csv            CSV instead of text
  -h, --help       this text
  --version        the version
  Options may also follow AGENT; '--' ends them (for a VALUE that starts
  with '-'; a negative number needs no '--').

TYPE (set, trap): i INTEGER, u Gauge32 (unsigned), 3 UInteger32,
  t TimeTicks, a IpAddress, o OBJECT IDENTIFIER, s STRING, x hex STRING
  ("0a 1b ff"), d decimal STRING ("1.2.255"), b BITS (bit numbers, "0 3 9"),
  n NULL, U/I Opaque UInt64/Int64, F/D Opaque Float/Double; winsnmp also
  takes c Counter32 and C Counter64, which net-snmp's tools refuse.

Output:
  text   one line per variable, as net-snmp prints it:
           iso.3.6.1.2.1.1.5.0 = STRING: "host"       (no MIB loaded)
           SNMPv2-MIB::sysName.0 = STRING: host       (-m SNMPv2-MIB)
         table: snmptable -Ci's layout: "SNMP table: NAME", a blank line,
         right-aligned columns "index COLUMN..." named from the MIB or
         numbered (the columns the agent returned), '?' for a missing cell.
         listen-traps: a header line "DATE TIME SOURCE [VERSION TYPE]:" and
         the variables on the next line, separated by tabs (snmptrapd's
         layout).
  --json one JSON object per line:
           {"oid":"1.3.6.1.2.1.1.5.0","name":"SNMPv2-MIB::sysName.0",
            "type":"octets","value":"host"}
         "name" only when a loaded MIB names the OID; "type" is winsnmp's
         syntax name (int, uint32, cntr32, gauge32, timeticks, cntr64,
         octets, opaque, bits, ipaddr, oid, null, nosuchobject, ...);
         numbers are JSON numbers except cntr64, a decimal string; null and
         exceptions have "value":null.  An octet string that is not UTF-8
         text (or holds control characters other than tab, CR, LF) has
         "hex":"001b21" and its "value" maps each byte to U+0000..U+00FF.
         table: {"index":"1","columns":{"COLUMN":{"oid":..,"type":..,
         "value":..},...}}.  listen-traps: {"time":..,"source":..,
         "version":..,"type":"trap"|"inform","uptime":..,"trap_oid":..,
         ["trap_name":..,]"varbinds":[...]}.
  --csv  a header, then RFC 4180 rows: oid,type,value.  An octet string
         that is not text (as for "hex" above), or that starts with "0x",
         is written as 0x and hex digits; cntr64 unsigned; empty for null.
         table: index,COLUMN...  listen-traps:
         time,source,version,pdu,uptime,trap_oid,oid,type,value.
  No community string or passphrase is ever printed; received
  notifications are shown without their community.

Defaults (get, getnext, walk, bulkwalk, table, set, trap, record): flags
  win over environment variables, which win over snmp.conf.  snmp.conf is
  read as net-snmp's tools read it: snmp.conf then snmp.local.conf in each
  folder of $SNMPCONFPATH, or else of /etc/snmp, /usr/share/snmp, net-snmp's
  library folder and ~/.snmp; later lines win.  Its directives defVersion,
  defCommunity, defSecurityName, defSecurityLevel, defAuthType,
  defAuthPassphrase, defPrivType, defPrivPassphrase, defPassphrase and
  defContext stand for -v -c -u -l -a -A -x -X (both) and -n.  Environment:
    WINSNMP_VERSION  WINSNMP_COMMUNITY  WINSNMP_USER  WINSNMP_LEVEL
    WINSNMP_AUTH  WINSNMP_AUTH_PASS  WINSNMP_PRIV  WINSNMP_PRIV_PASS
    WINSNMP_CONTEXT
  stand for -v -c -u -l -a -A -x -X -n.  Secrets in either are not shown
  to other users, as a command line is; the installed winsnmp command also
  blanks the -c, -A and -X values in its own argv (/proc/PID/cmdline) as
  soon as it has read them, but they are visible until then.

Simulate: each recording answers the community (SNMPv3: the context name,
  -n) that is its path relative to DIR without .snmprec, as snmpsim does:
  DIR/lab/router.snmprec answers "lab/router"; no other community is
  answered.  With -u (and -l -a -A -x -X) that one SNMPv3 user may ask too.
  Communities and the user are read-write, so that snmpsim's writecache
  objects take SETs; objects without a variation are not writable.
  snmpsim's numeric, delay, error and writecache variation tags are served.
  The address and the communities are printed on stderr when it starts;
  it runs until SIGINT (exit 130) or SIGTERM, or --timeout.

Exit status:
  0  success
  1  an SNMP failure: timeout, an error status from the agent (noSuchName,
     notWritable, ...), a noSuchObject/noSuchInstance/endOfMibView value
     from get, getnext or set, an unknown host, a failed v3 authentication;
     listen-traps: --timeout reached before --count notifications
  2  usage: unknown subcommand or option, missing or malformed arguments
     (usage on stderr)
  3  a MIB module, file or directory given with -m/-M could not be loaded
  130 interrupted by SIGINT (Ctrl-C; how listen-traps is usually ended);
     SIGTERM ends the process as usual (143 in the shell)
]]
args.USAGE = HELP:gsub("%%%%\n", "\n")
args.SYNOPSIS = HELP:match("^(.-)%%%%\n") ..
  "Options, value types, output formats and exit statuses: winsnmp --help\n"

-- ---- small helpers ----------------------------------------------------------------

--- `text` cut at each `sep`, without the empty parts.
function args.split(text, sep)
  local out = {}
  for part in (text .. sep):gmatch("(.-)" .. sep:gsub("%p", "%%%0")) do
    if part ~= "" then out[#out + 1] = part end
  end
  return out
end

--- An error that ends the run with `code` after printing `message`.
local Failure = {}
args.Failure = Failure
Failure.__index = Failure

--- Ends the run (through Failure) with exit status `code` and `message`;
-- `usage`: show the synopsis too.
function args.fail(code, message, usage)
  error(setmetatable({ code = code, message = message, usage = usage }, Failure), 0)
end

--- A usage error: exit status 2, the message and the synopsis.
function args.usage_error(message)
  args.fail(EXIT.USAGE, message, true)
end
local usage_error = args.usage_error

-- ---- options -----------------------------------------------------------------------

local SUBCOMMANDS = { get = true, getnext = true, walk = true, bulkwalk = true, table = true,
                      set = true, trap = true, ["listen-traps"] = true, record = true,
                      simulate = true }

-- Short options that take a value.
local WITH_VALUE = { v = "version", c = "community", u = "user", l = "level", a = "auth",
                     A = "auth_pass", x = "priv", X = "priv_pass", n = "context", t = "timeout",
                     r = "retries", m = "modules", M = "dirs", O = "output", C = "app",
                     o = "outfile" }
local SECRET = { community = true, auth_pass = true, priv_pass = true }

local LEVELS = {
  noauthnopriv = "noAuthNoPriv", noauth = "noAuthNoPriv", nanp = "noAuthNoPriv",
  ["1"] = "noAuthNoPriv",
  authnopriv = "authNoPriv", auth = "authNoPriv", anp = "authNoPriv", ["2"] = "authNoPriv",
  authpriv = "authPriv", priv = "authPriv", ap = "authPriv", ["3"] = "authPriv",
}
local VERSIONS = { ["1"] = "1", ["2c"] = "2c", ["2"] = "2c", ["3"] = "3" }

-- Which -C letters each subcommand takes (true: followed by a number).
local APP_LETTERS = {
  walk = { c = false, i = false, p = false },
  bulkwalk = { c = false, i = false, p = false, r = true, n = true },
  record = { r = true },
  table = { r = true, i = false }, -- (-Ci: snmptable's "show the index"; it always is)
  trap = { i = false },
}

local function is_negative_number(s)
  return s:match("^%-%d") ~= nil or s:match("^%-%.%d") ~= nil
end

local function parse_app(opts, sub, text)
  local allowed = APP_LETTERS[sub]
  local i = 1
  while i <= #text do
    local letter = text:sub(i, i)
    if not allowed or allowed[letter] == nil then
      usage_error(("-C%s is not an option of %s"):format(letter, sub))
    end
    i = i + 1
    if allowed[letter] then
      local digits = text:match("^%s*(%d+)", i)
      if not digits then usage_error(("-C%s needs a number"):format(letter)) end
      opts.app[letter] = tonumber(digits)
      if letter == "r" and opts.app.r < 1 then
        -- (a GETBULK of no repetitions returns nothing: a walk would end at once)
        usage_error("-Cr needs a number of repetitions of at least 1")
      end
      i = select(2, text:find("^%s*%d+", i)) + 1
    else
      opts.app[letter] = true
    end
  end
end

local function number_option(text, name, integer)
  local n = tonumber(text)
  if not n or n < 0 or (integer and math.type(n) ~= "integer") then
    usage_error(("%s must be a %snumber"):format(name, integer and "whole " or ""))
  end
  return n
end

--- Parses argv (a list of strings) into {sub=, positional=, ...}.
-- `opts` (optional) is filled in and returned.
function args.parse(argv, opts)
  opts = opts or {}
  opts.positional, opts.app, opts.secrets = {}, {}, opts.secrets or {}
  local first = argv[1]
  if first == nil then usage_error("no subcommand given") end
  if first == "-h" or first == "--help" then opts.help = true return opts end
  if first == "--version" then opts.version_only = true return opts end
  if not SUBCOMMANDS[first] then
    if first:sub(1, 1) == "-" then usage_error("a subcommand must come first") end
    usage_error(("unknown subcommand '%s'"):format(first))
  end
  opts.sub = first
  local raw = {} -- option values as given
  local i, only_positional = 2, false
  while i <= #argv do
    local a = argv[i]
    i = i + 1
    if only_positional or a == "-" or a:sub(1, 1) ~= "-" or is_negative_number(a) then
      opts.positional[#opts.positional + 1] = a
    elseif a == "--" then
      only_positional = true
    elseif a:sub(1, 2) == "--" then
      local name, value = a:match("^%-%-([^=]+)=(.*)$")
      name = name or a:sub(3)
      if name == "json" or name == "csv" then
        if value then usage_error(("--%s takes no value"):format(name)) end
        opts.format = name
      elseif name == "help" then
        opts.help = true
      elseif name == "stats" then
        if value then usage_error("--stats takes no value") end
        opts.stats = true
      elseif name == "version" then
        opts.version_only = true
      elseif name == "count" or name == "timeout" then
        if not value then
          value = argv[i]
          i = i + 1
          if value == nil then usage_error(("--%s needs a value"):format(name)) end
        end
        if opts.sub ~= "listen-traps" and not (name == "timeout" and opts.sub == "simulate") then
          usage_error(("--%s is an option of listen-traps"):format(name))
        end
        if name == "count" then
          opts.count = number_option(value, "--count", true)
        else
          opts.listen_timeout = number_option(value, "--timeout")
        end
      elseif name == "listen" then
        if not value then
          value = argv[i]
          i = i + 1
          if value == nil then usage_error("--listen needs an ADDRESS") end
        end
        if opts.sub ~= "simulate" then usage_error("--listen is an option of simulate") end
        opts.listen = value
      else
        usage_error(("unknown option --%s"):format(name))
      end
    else
      local letter = a:sub(2, 2)
      local key = WITH_VALUE[letter]
      if letter == "h" and #a == 2 then
        opts.help = true
      elseif not key then
        usage_error(("unknown option -%s"):format(letter))
      else
        local value = a:sub(3)
        if value == "" then
          value = argv[i]
          i = i + 1
          if value == nil then usage_error(("option -%s needs a value"):format(letter)) end
        end
        if SECRET[key] then table.insert(opts.secrets, value) end
        if key == "app" then
          parse_app(opts, opts.sub, value)
        elseif key == "output" then
          for c in value:gmatch(".") do
            if c ~= "n" then usage_error(("-O%s is not supported (only -On)"):format(c)) end
          end
          opts.numeric = true
        else
          raw[key] = value
        end
      end
    end
  end
  if opts.help or opts.version_only then return opts end

  -- Check and normalise the values.
  if raw.version then
    opts.version = VERSIONS[raw.version]
    if not opts.version then usage_error("-v must be 1, 2c or 3") end
  end
  if raw.level then
    opts.level = LEVELS[raw.level:lower()]
    if not opts.level then usage_error("-l must be noAuthNoPriv, authNoPriv or authPriv") end
  end
  if raw.auth then
    opts.auth = usm.auth(raw.auth)
    if not opts.auth then
      usage_error("-a must be MD5, SHA, SHA-224, SHA-256, SHA-384 or SHA-512")
    end
  end
  if raw.priv then
    opts.priv = usm.priv(raw.priv)
    if not opts.priv then usage_error("-x must be DES, AES, AES-192 or AES-256") end
  end
  if raw.timeout then opts.timeout = number_option(raw.timeout, "-t") end
  if raw.retries then opts.retries = number_option(raw.retries, "-r", true) end
  opts.community, opts.user, opts.context = raw.community, raw.user, raw.context
  opts.auth_pass, opts.priv_pass = raw.auth_pass, raw.priv_pass
  opts.modules, opts.dirs = raw.modules, raw.dirs
  if raw.outfile and opts.sub ~= "record" then usage_error("-o is an option of record") end
  opts.outfile = raw.outfile
  return opts
end


--- The defaults under the flags: snmp.conf's def* directives, read as
-- net-snmp's tools read them (winsnmp.conf), then the WINSNMP_* environment
-- variables over them; checked and normalised like the flags.  `getenv`
-- (default os.getenv) reads the environment.
function args.defaults(getenv)
  getenv = getenv or os.getenv
  local conf = require("winsnmp.conf")
  local found, msg, _, warnings = conf.read()
  if not found then args.fail(EXIT.USAGE, "snmp.conf: " .. tostring(msg)) end
  for _, warning in ipairs(warnings or {}) do
    io.stderr:write("winsnmp: warning: ", warning, "\n")
  end
  local env_names = {}
  for name in pairs(conf.ENVIRONMENT) do env_names[#env_names + 1] = name end
  table.sort(env_names)
  for _, name in ipairs(env_names) do
    local key, value = conf.ENVIRONMENT[name], getenv(name)
    if value and value ~= "" then
      local ok = true
      if key == "version" then
        value = VERSIONS[value]
        ok = value ~= nil
      elseif key == "level" then
        value = LEVELS[value:lower()]
        ok = value ~= nil
      elseif key == "auth" then
        value = usm.auth(value)
        ok = value ~= nil
      elseif key == "priv" then
        value = usm.priv(value)
        ok = value ~= nil
      end
      if not ok then usage_error(("%s has an unknown value"):format(name)) end
      found[key] = value
    end
  end
  return found
end

--- The secrets on the command line (-c, -A, -X values), found before
-- anything can fail, so that no message shows them.
function args.secrets(list)
  local secrets = {}
  for i, a in ipairs(list) do
    if a == "--" then break end
    local letter, value = a:match("^%-([cAX])(.*)$")
    if letter then secrets[#secrets + 1] = value ~= "" and value or list[i + 1] end
  end
  return secrets
end

-- ---- OIDs and values from the command line ----------------------------------------------

--- The OID of an argument: numeric, or a name from the loaded MIBs (`mibs`:
-- true once -m loaded some).
function args.oid(text, mibs)
  local oid, msg = mib.oid(text)
  if not oid then
    if not mibs and text:find("%a") then
      msg = "unknown object name (load its MIB with -m)"
    end
    usage_error(("%s: %s"):format(text, tostring(msg):gsub("^%w+: ", "")))
  end
  return oid
end

--- The integer `text` when it is one in lo..hi, else nil.
function args.integer_in(text, lo, hi)
  local n = math.tointeger(tonumber(text))
  if not text:match("^%s*[-+]?%d+%s*$") or not n or n < lo or n > hi then return nil end
  return n
end
local integer_in = args.integer_in

local function hex_value(text)
  local digits = text:gsub("^%s*0[xX]", ""):gsub("[%s:]", "")
  if digits:find("%X") or #digits % 2 ~= 0 then return nil end
  return (digits:gsub("%x%x", function(h) return string.char(tonumber(h, 16)) end))
end

local function decimal_value(text)
  local bytes = {}
  for part in text:gmatch("[^%s%.]+") do
    local n = integer_in(part, 0, 255)
    if not n then return nil end
    bytes[#bytes + 1] = string.char(n)
  end
  return table.concat(bytes)
end

local function bits_value(text)
  local bytes = {}
  for part in text:gmatch("[^%s,]+") do
    local n = integer_in(part, 0, 65535)
    if not n then return nil end
    local i = n // 8 + 1
    for j = #bytes + 1, i do bytes[j] = 0 end
    bytes[i] = bytes[i] | (0x80 >> (n % 8))
  end
  return string.char(table.unpack(bytes))
end

--- The minimal BER contents of a 64-bit integer (`unsigned`: read as
-- unsigned, so 2^63..2^64-1 get a leading zero byte).
local function ber_int64(n, unsigned)
  local bytes = string.pack(">i8", n)
  if unsigned then bytes = "\0" .. bytes end
  -- drop leading bytes that only repeat the sign
  while #bytes > 1 do
    local a, b = bytes:byte(1), bytes:byte(2)
    if (a == 0 and b < 0x80) or (a == 0xff and b >= 0x80) then
      bytes = bytes:sub(2)
    else
      break
    end
  end
  return bytes
end

local function opaque(tag, body)
  return string.char(0x9f, tag, #body) .. body
end

local function unsigned64(text)
  if not text:match("^%s*%d+%s*$") then return nil end
  local digits = text:match("%d+"):gsub("^0+(%d)", "%1")
  if #digits > 20 or (#digits == 20 and digits > "18446744073709551615") then return nil end
  local n = 0
  for d in digits:gmatch("%d") do n = n * 10 + tonumber(d) end -- wraps like uint64
  return n
end

--- {oid, type, value} from the command line's OID TYPE VALUE.
function args.varbind(oid_text, letter, text, mibs)
  local oid = args.oid(oid_text, mibs)
  local function bad(what)
    usage_error(("%s: bad value for type '%s' (%s)"):format(oid_text, letter, what))
  end
  if letter == "i" then
    return { oid, "int", integer_in(text, -2147483648, 2147483647) or bad("a 32-bit integer") }
  elseif letter == "u" or letter == "c" or letter == "t" or letter == "3" then
    local t = ({ u = "gauge32", c = "cntr32", t = "timeticks", ["3"] = "uint32" })[letter]
    return { oid, t, integer_in(text, 0, 4294967295) or bad("0..4294967295") }
  elseif letter == "C" then
    local n = unsigned64(text) or bad("0..18446744073709551615")
    return { oid, "cntr64", n }
  elseif letter == "a" then
    local a, b, c, d = text:match("^(%d+)%.(%d+)%.(%d+)%.(%d+)$")
    for _, x in ipairs({ a, b, c, d }) do
      if not x or tonumber(x) > 255 then bad("a.b.c.d") end
    end
    return { oid, "ipaddr", text }
  elseif letter == "o" then
    local value, msg = mib.oid(text)
    if not value then bad(msg) end
    return { oid, "oid", value }
  elseif letter == "s" then
    return { oid, "octets", text }
  elseif letter == "x" then
    return { oid, "octets", hex_value(text) or bad("hex digits in pairs") }
  elseif letter == "d" then
    return { oid, "octets", decimal_value(text) or bad("numbers 0..255 separated by dots") }
  elseif letter == "b" then
    return { oid, "octets", bits_value(text) or bad("bit numbers separated by spaces") }
  elseif letter == "n" then
    return { oid, "null" }
  elseif letter == "U" then
    local n = unsigned64(text) or bad("0..18446744073709551615")
    return { oid, "opaque", opaque(0x7b, ber_int64(n, true)) }
  elseif letter == "I" then
    local n = integer_in(text, math.mininteger, math.maxinteger) or bad("a 64-bit integer")
    return { oid, "opaque", opaque(0x7a, ber_int64(n)) }
  elseif letter == "F" or letter == "D" then
    local n = tonumber(text) or bad("a number")
    if letter == "F" then return { oid, "opaque", opaque(0x78, string.pack(">f", n)) } end
    return { oid, "opaque", opaque(0x79, string.pack(">d", n)) }
  elseif letter == "=" then
    usage_error(("%s: type '=' (the MIB's type) is not supported: give a type letter")
      :format(oid_text))
  end
  usage_error(("%s: unknown type '%s' (i u 3 t a o s x d b n U I F D c C)")
    :format(oid_text, letter))
end

--- The OID TYPE VALUE triples from position `first` on.
function args.triples(list, first, mibs)
  local out = {}
  local n = #list - first + 1
  if n % 3 ~= 0 then usage_error("OID TYPE VALUE arguments must come in threes") end
  for i = first, #list, 3 do
    out[#out + 1] = args.varbind(list[i], list[i + 1], list[i + 2], mibs)
  end
  return out
end

return args
