--- The `winsnmp` command-line tool (bin/winsnmp is a two-line wrapper).
--
--     winsnmp get|getnext|walk|bulkwalk|table|set|trap|listen-traps [OPTIONS] AGENT ...
--
-- The subcommands mirror net-snmp's snmpget, snmpgetnext, snmpwalk,
-- snmpbulkwalk, snmptable, snmpset, snmptrap and `snmptrapd -f -Lo`: the
-- same option letters, the same AGENT syntax, and by default the same text
-- (every line comes from net-snmp's own snprint_variable, through
-- winsnmp.mib.format).  `--json` writes JSON lines and `--csv` CSV instead.
-- `cli.USAGE` is the help text; it documents the exit status and the
-- formats.  Community strings and passphrases are never written anywhere.
-- @module winsnmp.cli

local winsnmp = require("winsnmp")
local tasks = require("winsnmp.tasks")
local notifications = require("winsnmp.notifications")
local usm = require("winsnmp.usm")

local mib = winsnmp.mib
local cli = {}

--- Exit statuses.
cli.EXIT = { OK = 0, SNMP = 1, USAGE = 2, MIB = 3, INTERRUPTED = 130 }
local EXIT = cli.EXIT

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
  OID defaults to 1.3.6.1.2.1 for walk and bulkwalk.  TABLE-OID is the
  table (1.3.6.1.2.1.2.2) or its entry (1.3.6.1.2.1.2.2.1).  An empty UPTIME
  ('') means the host's uptime now.  OIDs are numeric, or MIB names with -m.
%%
AGENT: [udp:|tcp:|udp6:]HOST[:PORT], e.g. 127.0.0.1:1161, tcp:10.0.0.1,
  udp6:[::1]:1161 (port 161 when omitted).

Options (net-snmp's letters; a value may be attached, -v2c, or follow, -v 2c):
  -v 1|2c|3        SNMP version (default 2c)
  -c COMMUNITY     community string (default public)
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
  -Cr N            bulkwalk, table: max-repetitions (default 10; table 25)
  -Cn N            bulkwalk: non-repeaters
  -Cc, -Ci, -Cp    walk, bulkwalk: do not check that OIDs increase; get the
                   OID itself first; print the number of variables found
  -Ci              trap: send an inform and wait for the acknowledgement;
                   table: accepted (as snmptable's -Ci; the index is always shown)
  --count N        listen-traps: exit after N notifications
  --timeout S      listen-traps: exit after S seconds
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
cli.USAGE = HELP:gsub("%%%%\n", "\n")
cli.SYNOPSIS = HELP:match("^(.-)%%%%\n") ..
  "Options, value types, output formats and exit statuses: winsnmp --help\n"

-- ---- small helpers ----------------------------------------------------------------

local DEFAULT_ROOT = "1.3.6.1.2.1"

local EXCEPTIONS = { nosuchobject = true, nosuchinstance = true, endofmibview = true }

-- net-snmp's snmp_errstring texts, by winsnmp's error name.
local ERROR_TEXT = {
  SNMP_ERROR_NOERROR = "(noError) No Error",
  SNMP_ERROR_TOOBIG = "(tooBig) Response message would have been too large.",
  SNMP_ERROR_NOSUCHNAME = "(noSuchName) There is no such variable name in this MIB.",
  SNMP_ERROR_BADVALUE = "(badValue) The value given has the wrong type or length.",
  SNMP_ERROR_READONLY =
    "(readOnly) The two parties used do not have access to use the specified SNMP PDU.",
  SNMP_ERROR_GENERR = "(genError) A general failure occured",
  SNMP_ERROR_NOACCESS = "noAccess",
  SNMP_ERROR_WRONGTYPE =
    "wrongType (The set datatype does not match the data type the agent expects)",
  SNMP_ERROR_WRONGLENGTH =
    "wrongLength (The set value has an illegal length from what the agent expects)",
  SNMP_ERROR_WRONGENCODING = "wrongEncoding",
  SNMP_ERROR_WRONGVALUE = "wrongValue (The set value is illegal or unsupported in some way)",
  SNMP_ERROR_NOCREATION =
    "noCreation (That table does not support row creation or that object can not ever be created)",
  SNMP_ERROR_INCONSISTENTVALUE =
    "inconsistentValue (The set value is illegal or unsupported in some way)",
  SNMP_ERROR_RESOURCEUNAVAILABLE =
    "resourceUnavailable (This is likely a out-of-memory failure within the agent)",
  SNMP_ERROR_COMMITFAILED = "commitFailed",
  SNMP_ERROR_UNDOFAILED = "undoFailed",
  SNMP_ERROR_AUTHORIZATIONERROR = "authorizationError (access denied to that object)",
  SNMP_ERROR_NOTWRITABLE = "notWritable (That object does not support modification)",
  SNMP_ERROR_INCONSISTENTNAME = "inconsistentName (That object can not currently be created)",
}

local function split(text, sep)
  local out = {}
  for part in (text .. sep):gmatch("(.-)" .. sep:gsub("%p", "%%%0")) do
    if part ~= "" then out[#out + 1] = part end
  end
  return out
end

local function is_dir(path)
  -- (io.open succeeds on a directory on Linux; reading from it fails)
  local f = io.open(path, "r")
  if not f then return false end
  local _, _, code = f:read(1)
  f:close()
  return code == 21 -- EISDIR
end

--- An error that ends the run with `code` after printing `message`.
local Failure = {}
Failure.__index = Failure

local function fail(code, message, usage)
  error(setmetatable({ code = code, message = message, usage = usage }, Failure), 0)
end

local function usage_error(message)
  fail(EXIT.USAGE, message, true)
end

-- ---- JSON and CSV ------------------------------------------------------------------

local JSON_ESCAPES = { ['"'] = '\\"', ["\\"] = "\\\\", ["\n"] = "\\n", ["\r"] = "\\r",
                       ["\t"] = "\\t", ["\b"] = "\\b", ["\f"] = "\\f" }

--- True when octets are text: valid UTF-8 without control characters other
-- than tab, CR and LF.
local function is_text(s)
  if s:find("[\0-\8\11\12\14-\31\127]") then return false end
  return utf8.len(s) ~= nil
end
cli.is_text = is_text

local function hex(s)
  return (s:gsub(".", function(c) return ("%02x"):format(c:byte()) end))
end

--- A JSON string literal.  Text goes through as UTF-8; anything else has
-- each byte mapped to one code point U+0000..U+00FF.
local function json_string(s, binary)
  local pattern = binary and '[%c"\\\127-\255]' or '[%c"\\\127]'
  return '"' .. s:gsub(pattern, function(c)
    return JSON_ESCAPES[c] or ("\\u%04x"):format(c:byte())
  end) .. '"'
end
cli.json_string = json_string

local OCTET_TYPES = { octets = true, opaque = true, bits = true, nsapaddr = true }

--- The JSON members `"type":..,"value":..[,"hex":..]` of a varbind.
local function json_value(vb)
  local t, v = vb.type, vb.value
  local parts = { '"type":', json_string(t), ',"value":' }
  if v == nil then
    parts[#parts + 1] = "null"
  elseif t == "cntr64" then
    parts[#parts + 1] = json_string(winsnmp.u64(v))
  elseif math.type(v) == "integer" then
    parts[#parts + 1] = tostring(v)
  elseif OCTET_TYPES[t] and not is_text(v) then
    parts[#parts + 1] = json_string(v, true)
    parts[#parts + 1] = ',"hex":'
    parts[#parts + 1] = json_string(hex(v))
  else
    parts[#parts + 1] = json_string(tostring(v))
  end
  return table.concat(parts)
end

local function csv_field(s)
  if s:find('[,"\r\n]') then return '"' .. s:gsub('"', '""') .. '"' end
  return s
end
cli.csv_field = csv_field

--- A varbind's value as one CSV field.
local function csv_value(vb)
  local t, v = vb.type, vb.value
  if v == nil then return "" end
  if t == "cntr64" then return winsnmp.u64(v) end
  if OCTET_TYPES[t] and (not is_text(v) or v:sub(1, 2) == "0x") then
    return "0x" .. hex(v):upper()
  end
  return csv_field(tostring(v))
end

-- ---- options -----------------------------------------------------------------------

local SUBCOMMANDS = { get = true, getnext = true, walk = true, bulkwalk = true, table = true,
                      set = true, trap = true, ["listen-traps"] = true }

-- Short options that take a value.
local WITH_VALUE = { v = "version", c = "community", u = "user", l = "level", a = "auth",
                     A = "auth_pass", x = "priv", X = "priv_pass", n = "context", t = "timeout",
                     r = "retries", m = "modules", M = "dirs", O = "output", C = "app" }
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
function cli.parse(argv, opts)
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
      elseif name == "version" then
        opts.version_only = true
      elseif name == "count" or name == "timeout" then
        if not value then
          value = argv[i]
          i = i + 1
          if value == nil then usage_error(("--%s needs a value"):format(name)) end
        end
        if opts.sub ~= "listen-traps" then
          usage_error(("--%s is an option of listen-traps"):format(name))
        end
        if name == "count" then
          opts.count = number_option(value, "--count", true)
        else
          opts.listen_timeout = number_option(value, "--timeout")
        end
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
  return opts
end

-- ---- the run: output, MIBs, the agent --------------------------------------------------

local Run = {}
Run.__index = Run

--- `text` with every secret given on the command line blanked out (secrets
-- shorter than 3 characters would blank too much of any message).
function Run:scrub(text)
  text = tostring(text)
  for _, secret in ipairs(self.opts.secrets) do
    if #secret >= 3 then
      text = text:gsub(secret:gsub("[%p]", "%%%0"), "****")
    end
  end
  return text
end

function Run:err(...)
  local parts = table.pack(...)
  for i = 1, parts.n do parts[i] = self:scrub(parts[i]) end
  self.stderr:write(table.concat(parts))
end

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

--- The OID as net-snmp prints it (iso.3.6..., SNMPv2-MIB::sysName.0, .1.3.6...).
function Run:oid_text(oid)
  local line = mib.format(oid, "null", nil, { varbind = true, numeric = self.opts.numeric })
  return line and line:match("^(.-) = ") or oid
end

local OPAQUE_SPECIAL = { [0x78] = "Float", [0x79] = "Double", [0x7a] = "Int64",
                         [0x7b] = "UInt64", [0x76] = "Counter64" }

--- net-snmp's text for an Opaque holding one of its special types (which
-- its tools decode, and mib.format shows as raw Opaque bytes), or nil.
local function opaque_special(v)
  local tag, len = v:byte(2), v:byte(3)
  if v:byte(1) ~= 0x9f or not OPAQUE_SPECIAL[tag] or #v ~= 3 + (len or -1) then return nil end
  local body = v:sub(4)
  local kind = OPAQUE_SPECIAL[tag]
  if kind == "Float" and len == 4 then
    return ("Opaque: Float: %f"):format((string.unpack(">f", body)))
  elseif kind == "Double" and len == 8 then
    -- (net-snmp calls a double "Float" as well)
    return ("Opaque: Float: %f"):format((string.unpack(">d", body)))
  elseif kind ~= "Float" and kind ~= "Double" and len >= 1 and len <= 9 then
    if len == 9 and body:byte(1) ~= 0 then return nil end
    local n = 0
    local negative = kind == "Int64" and body:byte(1) >= 0x80
    for i = 1, len do n = (n << 8) | body:byte(i) end
    if negative and len < 8 then n = n - (1 << (8 * len)) end
    local text = kind == "Int64" and ("%d"):format(n) or winsnmp.u64(n)
    return ("Opaque: %s: %s"):format(kind, text)
  end
  return nil
end

--- A varbind as one line of net-snmp text.
function Run:text_line(vb)
  if vb.type == "opaque" and vb.value then
    local special = opaque_special(vb.value)
    if special then return self:oid_text(vb.oid) .. " = " .. special end
  end
  local line, msg = mib.format(vb.oid, vb.type, vb.value,
                               { varbind = true, numeric = self.opts.numeric })
  return line or (vb.oid .. " = ?? " .. tostring(msg))
end

--- A varbind's value alone, as net-snmp's quick print shows it (for tables).
function Run:text_value(vb)
  if vb.type == "opaque" and vb.value then
    local special = opaque_special(vb.value)
    if special then return (special:gsub("^Opaque: %w+: ", "")) end
  end
  local text = mib.format(vb.oid, vb.type, vb.value, { numeric = self.opts.numeric })
  return text or "?"
end

--- The "name" member for JSON, when a loaded MIB names the OID.
function Run:json_name(oid)
  if not self.mibs then return "" end
  local name = mib.name(oid)
  if not name or name == oid then return "" end
  return ',"name":' .. json_string(name)
end

function Run:json_varbind(vb)
  return '{"oid":' .. json_string(vb.oid) .. self:json_name(vb.oid) .. "," .. json_value(vb) .. "}"
end

--- Writes one varbind in the chosen format.
function Run:emit(vb)
  local f = self.opts.format
  if f == "json" then
    self.stdout:write(self:json_varbind(vb), "\n")
  elseif f == "csv" then
    if not self.csv_header then
      self.stdout:write("oid,type,value\n")
      self.csv_header = true
    end
    self.stdout:write(vb.oid, ",", vb.type, ",", csv_value(vb), "\n")
  else
    self.stdout:write(self:text_line(vb), "\n")
  end
end

--- Text that only the text format shows ("End of MIB").
function Run:note(line)
  if not self.opts.format then self.stdout:write(line, "\n") end
end

--- Progress on stderr during long walks, only when stderr is a terminal.
function Run:progress(count)
  if count % 1000 ~= 0 then return end
  if self.tty == nil then
    self.tty = os.execute("test -t 2") == true
  end
  if self.tty then
    self.stderr:write(("\r%s: %d variables"):format(self.opts.sub, count))
    self.progress_shown = true
  end
end

function Run:progress_done()
  if self.progress_shown then
    self.stderr:write("\r", (" "):rep(40), "\r")
    self.progress_shown = false
  end
end

function Run:entity_options()
  local o = self.opts
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
  local eopts = self:entity_options()
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

--- Reports a failed request (net-snmp's words where it has them); returns
-- the exit status.  `dot` adds snmpset/snmpwalk's "Error in packet." period.
function Run:report(msg, name, index, list, dot)
  if ERROR_TEXT[name] then
    self:err("Error in packet", dot and "." or "", "\nReason: ", ERROR_TEXT[name], "\n")
    local vb = list and index and list[index]
    if vb then
      local oid = type(vb) == "table" and (vb.oid or vb[1]) or vb
      self:err("Failed object: ", self:oid_text(mib.oid(oid) or oid), "\n")
    end
  elseif name == "SNMPAPI_TL_TIMEOUT" then
    self:err("Timeout: No Response from ", self.address, dot and "\n" or ".\n")
  else
    self:err("winsnmp: ", tostring(msg), name and (" (" .. name .. ")") or "", "\n")
  end
  return EXIT.SNMP
end

-- ---- OIDs and values from the command line ----------------------------------------------

function Run:oid_arg(text)
  local oid, msg = mib.oid(text)
  if not oid then
    if not self.mibs and text:find("%a") then
      msg = "unknown object name (load its MIB with -m)"
    end
    usage_error(("%s: %s"):format(text, tostring(msg):gsub("^%w+: ", "")))
  end
  return oid
end

local function integer_in(text, lo, hi)
  local n = math.tointeger(tonumber(text))
  if not text:match("^%s*[-+]?%d+%s*$") or not n or n < lo or n > hi then return nil end
  return n
end

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
function Run:typed_varbind(oid_text, letter, text)
  local oid = self:oid_arg(oid_text)
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
function Run:triples(args, first)
  local list = {}
  local n = #args - first + 1
  if n % 3 ~= 0 then usage_error("OID TYPE VALUE arguments must come in threes") end
  for i = first, #args, 3 do
    list[#list + 1] = self:typed_varbind(args[i], args[i + 1], args[i + 2])
  end
  return list
end

-- ---- subcommands --------------------------------------------------------------------

local commands = {}

local function need(args, n, what)
  if #args < n then usage_error("missing " .. what) end
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
    if vbs then
      for _, vb in ipairs(vbs) do
        run:emit(vb)
        if EXCEPTIONS[vb.type] then status = EXIT.SNMP end
      end
      return status
    end
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

  local f = run.opts.format
  local out = run.stdout
  if f == "json" then
    for _, index in ipairs(order) do
      local cells = {}
      for i, c in ipairs(columns) do
        local vb = rows[index][c]
        if vb then
          cells[#cells + 1] = json_string(labels[i]) .. ':{"oid":' .. json_string(vb.oid) .. ","
            .. json_value(vb) .. "}"
        end
      end
      out:write('{"index":', json_string(index), ',"columns":{', table.concat(cells, ","), "}}\n")
    end
  elseif f == "csv" then
    local header = { "index" }
    for i = 1, #columns do header[#header + 1] = csv_field(labels[i]) end
    out:write(table.concat(header, ","), "\n")
    for _, index in ipairs(order) do
      local line = { index }
      for i, c in ipairs(columns) do
        local vb = rows[index][c]
        line[i + 1] = vb and csv_value(vb) or ""
      end
      out:write(table.concat(line, ","), "\n")
    end
  else
    local title = run:oid_text(root)
    if #order == 0 then
      out:write(title, ": No entries\n")
      return EXIT.OK
    end
    out:write("SNMP table: ", title, "\n\n")
    -- snmptable -Ci's layout: the index right-aligned in max(6, longest)
    -- columns, then each column right-aligned in 1 + its widest cell.
    local grid = { { "index" } }
    for i = 1, #columns do grid[1][i + 1] = labels[i] end
    for _, index in ipairs(order) do
      local line = { index }
      for i, c in ipairs(columns) do
        local vb = rows[index][c]
        line[i + 1] = vb and run:text_value(vb):gsub("\n", " ") or "?"
      end
      grid[#grid + 1] = line
    end
    local widths = { 6 }
    for _, line in ipairs(grid) do
      for i, cell in ipairs(line) do
        local w = #cell + (i > 1 and 1 or 0)
        if w > (widths[i] or 0) then widths[i] = w end
      end
    end
    for _, line in ipairs(grid) do
      local cells = {}
      for i, cell in ipairs(line) do
        cells[i] = (" "):rep(widths[i] - #cell) .. cell
      end
      out:write(table.concat(cells), "\n")
    end
  end
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
  local status = EXIT.OK
  for _, vb in ipairs(vbs) do
    run:emit(vb)
    if EXCEPTIONS[vb.type] then status = EXIT.SNMP end
  end
  return status
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

local function timestamp()
  return os.date("%Y-%m-%d %H:%M:%S")
end

function Run:print_notification(n)
  local f = self.opts.format
  local out = self.stdout
  local when = timestamp()
  local version = n.version == "2c" and "v2c" or ("v" .. tostring(n.version))
  if f == "json" then
    local vbs = {}
    for i, vb in ipairs(n.varbinds) do vbs[i] = self:json_varbind(vb) end
    out:write('{"time":', json_string(when), ',"source":', json_string(n.source or ""),
      ',"version":', json_string(tostring(n.version)), ',"type":', json_string(n.type or "trap"),
      ',"uptime":', n.uptime and tostring(n.uptime) or "null",
      ',"trap_oid":', n.trap_oid and json_string(n.trap_oid) or "null",
      self.mibs and n.trap_oid and mib.name(n.trap_oid) ~= n.trap_oid
        and (',"trap_name":' .. json_string(mib.name(n.trap_oid))) or "",
      ',"varbinds":[', table.concat(vbs, ","), "]}\n")
  elseif f == "csv" then
    if not self.csv_header then
      out:write("time,source,version,pdu,uptime,trap_oid,oid,type,value\n")
      self.csv_header = true
    end
    local head = table.concat({ when, csv_field(n.source or ""), tostring(n.version),
      n.type or "trap", n.uptime and tostring(n.uptime) or "", n.trap_oid or "" }, ",")
    if #n.varbinds == 0 then out:write(head, ",,,\n") end
    for _, vb in ipairs(n.varbinds) do
      out:write(head, ",", vb.oid, ",", vb.type, ",", csv_value(vb), "\n")
    end
  else
    local lines = {}
    for i, vb in ipairs(notifications.received_varbinds(n)) do lines[i] = self:text_line(vb) end
    out:write(when, " ", n.source or "?", " [", version, " ", n.type or "trap", "]:\n",
      table.concat(lines, "\t"), "\n")
  end
  out:flush()
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
    if not o.count or received <= o.count then run:print_notification(n) end
  end)
  if not registration then
    if rname == "SNMPAPI_ENTITY_UNKNOWN" then
      fail(EXIT.USAGE, ("bad ADDRESS '%s': %s"):format(address, rmsg), true)
    end
    fail(EXIT.SNMP, ("cannot listen on %s: %s"):format(address, rmsg))
  end
  run:err("winsnmp: listening on ", address, "\n")
  local deadline = o.listen_timeout and (winsnmp.now() + o.listen_timeout)
  while not (o.count and received >= o.count) do
    local wait = 1
    if deadline then
      wait = deadline - winsnmp.now()
      if wait <= 0 then break end
      if wait > 1 then wait = 1 end
    end
    winsnmp.poll(wait)
  end
  registration:close()
  if o.count and received < o.count then
    run:err(("winsnmp: timeout after %s s: %d of %d notifications\n")
      :format(o.listen_timeout, received, o.count))
    return EXIT.SNMP
  end
  return EXIT.OK
end

-- ---- main ---------------------------------------------------------------------------------

local INTERRUPTED = {}

--- Runs the tool with `argv` (a list of strings, as `arg`); returns the exit
-- status.  `out` and `err` (default io.stdout, io.stderr) receive the output.
function cli.main(argv, out, err)
  out, err = out or io.stdout, err or io.stderr
  local list = {}
  for i = 1, #(argv or {}) do list[i] = argv[i] end
  -- The secrets, found before anything can fail, so no message shows them.
  local secrets = {}
  for i, a in ipairs(list) do
    if a == "--" then break end
    local letter, value = a:match("^%-([cAX])(.*)$")
    if letter then secrets[#secrets + 1] = value ~= "" and value or list[i + 1] end
  end
  local run = setmetatable({ stdout = out, stderr = err, opts = { secrets = secrets } }, Run)
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
    run:load_mibs()
    return commands[opts.sub](run)
  end, function(e)
    if getmetatable(e) == Failure then return e end
    -- Ctrl-C: lua5.4 turns SIGINT into this error in the running Lua code.
    if type(e) == "string" and e:find("interrupted!$") then return INTERRUPTED end
    return debug.traceback(tostring(e), 2)
  end)
  if run.session then run.session:close() end
  out:flush()
  if ok then return result end
  if result == INTERRUPTED then return EXIT.INTERRUPTED end
  if getmetatable(result) == Failure then
    run:err("winsnmp: ", result.message, "\n")
    if result.usage then run:err(cli.SYNOPSIS) end
    return result.code
  end
  run:err("winsnmp: internal error: ", result, "\n")
  return EXIT.SNMP
end

return cli
