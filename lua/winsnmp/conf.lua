--- net-snmp's client defaults (snmp.conf) for scripts and the CLI:
-- `winsnmp.conf([path])` reads the `def*` directives that net-snmp's tools
-- (snmpget, snmpwalk, ...) take their defaults from, and returns them as
-- options for `s:entity`, so that no secret need be written in a script
-- or on a command line.
--
-- Without `path`, the files are the ones net-snmp's tools read, in their
-- order, later lines overriding earlier ones: in each folder of
-- `SNMPCONFPATH` (colon-separated) if it is set, else of net-snmp's
-- built-in path (`/etc/snmp:/usr/share/snmp:/usr/lib/<arch>/snmp` on
-- Debian) followed by `~/.snmp`, the files `snmp.conf` and then
-- `snmp.local.conf`.  Lines are `TOKEN VALUE`, tokens in any case, `#`
-- starts a comment; a value in double quotes may hold `\"` and `\\`;
-- `[snmp]` and `[OTHER]` switch the type of what follows (only `snmp`
-- lines count), and `includeFile FILE` (relative to the including file) is
-- followed.
--
-- Directives read: `defVersion` (1, 2c, 3), `defCommunity`,
-- `defSecurityName`, `defSecurityLevel`, `defAuthType`,
-- `defAuthPassphrase`, `defPrivType`, `defPrivPassphrase`,
-- `defPassphrase` (for whichever of the two is not given) and
-- `defContext`.  Other directives are returned in `directives` as they are.
-- @module winsnmp.conf

local core = require("winsnmp.core")
local usm = require("winsnmp.usm")

local conf = {}

--- The def* directives read: lower-case token -> net-snmp's spelling.
conf.DIRECTIVES = {
  defversion = "defVersion", defcommunity = "defCommunity",
  defsecurityname = "defSecurityName", defsecuritylevel = "defSecurityLevel",
  defauthtype = "defAuthType", defauthpassphrase = "defAuthPassphrase",
  defprivtype = "defPrivType", defprivpassphrase = "defPrivPassphrase",
  defpassphrase = "defPassphrase", defcontext = "defContext",
}

local VERSIONS = { ["1"] = "1", ["2c"] = "2c", ["3"] = "3" }
local LEVELS = { noauthnopriv = "noAuthNoPriv", authnopriv = "authNoPriv",
                 authpriv = "authPriv" }

--- The folders searched, in order (SNMPCONFPATH, or net-snmp's built-in
-- folders and ~/.snmp).
function conf.dirs()
  local env = os.getenv("SNMPCONFPATH")
  local path = env
  if not path then
    path = core.netsnmp_conf_dirs()
    local home = os.getenv("HOME")
    if home then path = path .. ":" .. home .. "/.snmp" end
  end
  local out = {}
  for d in path:gmatch("[^:]+") do out[#out + 1] = d end
  return out
end

--- The files net-snmp's tools would read, in order (whether they exist or not).
function conf.files()
  local out = {}
  for _, d in ipairs(conf.dirs()) do
    out[#out + 1] = d .. "/snmp.conf"
    out[#out + 1] = d .. "/snmp.local.conf"
  end
  return out
end

-- A value as net-snmp reads a string directive: in double quotes with
-- backslash escapes, else the rest of the line.
local function unquote(value)
  if value:sub(1, 1) ~= '"' then return value end
  local out, i = {}, 2
  while i <= #value do
    local c = value:sub(i, i)
    if c == "\\" and i < #value then
      out[#out + 1] = value:sub(i + 1, i + 1)
      i = i + 2
    elseif c == '"' then
      break
    else
      out[#out + 1] = c
      i = i + 1
    end
  end
  return table.concat(out)
end

-- Reads one file into `found` (token -> {value=, where=}); `depth` bounds
-- includeFile.  nil, msg when it cannot be read.
local function read_file(path, found, depth)
  local f, err = io.open(path, "r")
  if not f then return nil, err end
  local section = "snmp"
  local n = 0
  for line in f:lines() do
    n = n + 1
    local text = line:gsub("^%s+", ""):gsub("%s+$", "")
    if text ~= "" and text:sub(1, 1) ~= "#" then
      local tag, rest = text:match("^%[([^%]]*)%]%s*(.*)$")
      local this = section
      if tag then
        if rest == "" then section = tag else this = tag; text = rest end
      end
      if (not tag or rest ~= "") and this == "snmp" then
        local token, value = text:match("^(%S+)%s*(.*)$")
        local lower = token:lower()
        if lower == "includefile" and depth < 8 then
          local target = unquote(value)
          if target:sub(1, 1) ~= "/" then
            target = (path:match("^(.*)/") or ".") .. "/" .. target
          end
          read_file(target, found, depth + 1)
        else
          found[conf.DIRECTIVES[lower] or token] =
            { value = unquote(value), where = ("%s:%d"):format(path, n) }
        end
      end
    end
  end
  f:close()
  return true
end

-- The entity options of the directives found; nil, msg when one is bad
-- (the message never quotes a value: it may be a secret).  With
-- `warnings` (a list), a bad directive is noted there and ignored instead,
-- as net-snmp's tools warn about a bad line of the system's files and go on.
local function options(found, warnings)
  local function v(name) return found[name] and found[name].value end
  local function bad(name, what)
    local msg = ("%s: %s must be %s"):format(found[name].where, name, what)
    if not warnings then return nil, msg end
    warnings[#warnings + 1] = msg .. " (ignored)"
    found[name] = nil
    return options(found, warnings)
  end
  local o = {}
  if v("defVersion") then
    o.version = VERSIONS[v("defVersion"):lower()]
    if not o.version then return bad("defVersion", "1, 2c or 3") end
  end
  o.community = v("defCommunity")
  o.user = v("defSecurityName")
  if v("defSecurityLevel") then
    o.level = LEVELS[v("defSecurityLevel"):lower()]
    if not o.level then return bad("defSecurityLevel", "noAuthNoPriv, authNoPriv or authPriv") end
  end
  if v("defAuthType") then
    o.auth = usm.auth(v("defAuthType"))
    if not o.auth then
      return bad("defAuthType", "MD5, SHA, SHA-224, SHA-256, SHA-384 or SHA-512")
    end
  end
  if v("defPrivType") then
    o.priv = usm.priv(v("defPrivType"))
    if not o.priv then return bad("defPrivType", "DES, AES, AES-192 or AES-256") end
  end
  o.auth_pass = v("defAuthPassphrase") or v("defPassphrase")
  o.priv_pass = v("defPrivPassphrase") or v("defPassphrase")
  o.context = v("defContext")
  return o
end

--- Reads snmp.conf defaults: the file `path`, or without it every file
-- net-snmp's tools read (`conf.files()`; missing ones are skipped).
-- Returns `options, directives, files`: `options` has the entity options
-- the file sets (`version`, `community`, `user`, `level`, `auth`,
-- `auth_pass`, `priv`, `priv_pass`, `context`), ready for `s:entity`;
-- `directives` maps each directive (net-snmp's spelling for the def*
-- ones) to its last value; `files` lists the files read.  A file that
-- cannot be read (with `path`) or a bad value in it: nil, msg,
-- "SNMPAPI_OTHER_ERROR"; the message names the file and line, never a value.
-- Without `path` (the system's files), a bad value is ignored and named in
-- a 4th result, a list of warnings, as net-snmp's tools do.
function conf.read(path)
  if path ~= nil and type(path) ~= "string" then
    error("winsnmp.conf: path must be a string", 2)
  end
  local found, files = {}, {}
  if path then
    local ok, err = read_file(path, found, 0)
    if not ok then
      return core._fail(nil, "cannot read " .. tostring(err), "SNMPAPI_OTHER_ERROR")
    end
    files[1] = path
  else
    for _, f in ipairs(conf.files()) do
      if read_file(f, found, 0) then files[#files + 1] = f end
    end
  end
  local warnings = not path and {} or nil
  local o, msg = options(found, warnings)
  if not o then return core._fail(nil, msg, "SNMPAPI_OTHER_ERROR") end
  local directives = {}
  for k, d in pairs(found) do directives[k] = d.value end
  return o, directives, files, warnings
end

--- Environment variables the CLI reads (after snmp.conf, before its
-- flags): name -> entity option.
conf.ENVIRONMENT = {
  WINSNMP_VERSION = "version", WINSNMP_COMMUNITY = "community", WINSNMP_USER = "user",
  WINSNMP_LEVEL = "level", WINSNMP_AUTH = "auth", WINSNMP_AUTH_PASS = "auth_pass",
  WINSNMP_PRIV = "priv", WINSNMP_PRIV_PASS = "priv_pass", WINSNMP_CONTEXT = "context",
}

return conf
