--- Helpers for spec/cli_spec.lua: runs bin/winsnmp and net-snmp's tools as
-- child processes with stdout, stderr and the exit status kept apart, in
-- the foreground (against an snmpd in another process) or in the
-- background while this process keeps polling the engine (against a
-- winsnmp listener or receiver in this process); a strict JSON decoder and
-- an RFC 4180 CSV reader for the tool's --json and --csv output.
local helper = require("helper")
local snmpd = require("winsnmp.snmpd")

local tool = {}

local quote = snmpd.shell_quote
tool.quote = quote

local BUILD = os.getenv("WINSNMP_BUILD") or "./build"
local ENV = ("LUA_PATH=%s LUA_CPATH=%s "):format(quote("./lua/?.lua;./lua/?/init.lua;;"),
  quote(BUILD .. "/?.so;;"))

--- The shell words of a list of arguments.
local function words(args)
  local q = {}
  for i, a in ipairs(args) do q[i] = quote(a) end
  return table.concat(q, " ")
end
tool.words = words

--- The built `winsnmp` command (the C launcher, src/cli/winsnmp.c), or nil
-- when the build has none.
local LAUNCHER = BUILD .. "/bin/winsnmp"
do
  local f = io.open(LAUNCHER, "rb")
  if f then f:close() else LAUNCHER = nil end
end
tool.LAUNCHER = LAUNCHER

--- The command line of `winsnmp ARGS...`: the built launcher, which runs
-- the Lua CLI from ./lua as bin/winsnmp does (else `lua5.4 bin/winsnmp`).
-- The child keeps LD_PRELOAD: under `make asan` it loads the instrumented
-- module.
function tool.winsnmp_cmd(args)
  return ENV .. (LAUNCHER and quote(LAUNCHER) or "lua5.4 bin/winsnmp") .. " " .. words(args)
end

--- The command line of a net-snmp tool.  LD_PRELOAD is emptied: under
-- `make asan` the sanitizer runtime must stay out of the tools.
function tool.netsnmp_cmd(name, args)
  return "LD_PRELOAD= " .. name .. " " .. words(args)
end

--- Runs shell command `cmd`; returns stdout, stderr and the exit status.
function tool.run(cmd)
  local err = os.tmpname()
  local p = assert(io.popen(cmd .. " 2>" .. quote(err) .. " </dev/null", "r"))
  local out = p:read("a")
  local _, how, status = p:close()
  local errtext = snmpd.read_file(err) or ""
  os.remove(err)
  if how ~= "exit" then status = 128 + (status or 0) end
  return out, errtext, status
end

--- Runs `winsnmp ARGS...`: stdout, stderr, exit status.
function tool.winsnmp(args)
  return tool.run(tool.winsnmp_cmd(args))
end

--- Runs a net-snmp tool: stdout, stderr, exit status.
function tool.netsnmp(name, args)
  return tool.run(tool.netsnmp_cmd(name, args))
end

local Job = {}
Job.__index = Job

function Job:status()
  local text = snmpd.read_file(self.status_file)
  return text and tonumber(text:match("%d+"))
end

--- Stdout and stderr so far.
function Job:output()
  return snmpd.read_file(self.out) or "", snmpd.read_file(self.err) or ""
end

--- Polls the engine until `done(stdout, stderr)` or `limit` seconds (default
-- 5); returns whether it came true.
function Job:poll_until(done, limit)
  return helper.poll_until(function() return done(self:output()) end, limit)
end

--- Polls the engine until the command ends (or `limit` seconds, default
-- 8): stdout, stderr and the exit status (nil if it still runs).
function Job:wait(limit)
  helper.poll_until(function() return self:status() ~= nil end, limit or 8)
  local out, err = self:output()
  local status = self:status()
  if status ~= nil then
    os.remove(self.out)
    os.remove(self.err)
    os.remove(self.status_file)
  end
  return out, err, status
end

--- Runs shell command `cmd` in the background; returns a Job.
function tool.spawn(cmd)
  local job = setmetatable({ out = os.tmpname(), err = os.tmpname(),
                             status_file = os.tmpname() }, Job)
  os.remove(job.status_file)
  os.execute(("(%s >%s 2>%s </dev/null; echo $? >%s.tmp; mv %s.tmp %s) &"):format(cmd,
    quote(job.out), quote(job.err), quote(job.status_file), quote(job.status_file),
    quote(job.status_file)))
  return job
end

--- Runs `cmd` in the background and polls the engine until it ends.
function tool.run_polling(cmd, limit)
  return tool.spawn(cmd):wait(limit)
end

-- ---- JSON -------------------------------------------------------------------------

local json = {}
tool.json = json

local function decode_error(text, pos, what)
  error(("JSON: %s at offset %d of %q"):format(what, pos, text), 0)
end

local ESCAPES = { ['"'] = '"', ["\\"] = "\\", ["/"] = "/", b = "\b", f = "\f", n = "\n",
                  r = "\r", t = "\t" }

--- Decodes one JSON text strictly (RFC 8259): objects become tables with a
-- `__order` list of their keys; null becomes json.null.
json.null = setmetatable({}, { __tostring = function() return "null" end })

local function skip(text, pos)
  return text:match("^[ \t\r\n]*()", pos)
end

local value

local function string_at(text, pos)
  -- pos is at the opening quote
  local out = {}
  local i = pos + 1
  while true do
    local c = text:sub(i, i)
    if c == "" then decode_error(text, i, "unterminated string") end
    if c == '"' then return table.concat(out), i + 1 end
    if c:byte() < 0x20 then decode_error(text, i, "control character in a string") end
    if c == "\\" then
      local e = text:sub(i + 1, i + 1)
      if e == "u" then
        local h = text:match("^%x%x%x%x", i + 2)
        if not h then decode_error(text, i, "bad \\u escape") end
        local cp = tonumber(h, 16)
        i = i + 6
        if cp >= 0xD800 and cp <= 0xDBFF then
          local low = text:match("^\\u(%x%x%x%x)", i)
          local lo = low and tonumber(low, 16)
          if not lo or lo < 0xDC00 or lo > 0xDFFF then decode_error(text, i, "lone surrogate") end
          cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00)
          i = i + 6
        elseif cp >= 0xDC00 and cp <= 0xDFFF then
          decode_error(text, i, "lone surrogate")
        end
        out[#out + 1] = utf8.char(cp)
      elseif ESCAPES[e] then
        out[#out + 1] = ESCAPES[e]
        i = i + 2
      else
        decode_error(text, i, "bad escape")
      end
    else
      out[#out + 1] = c
      i = i + 1
    end
  end
end

function value(text, pos)
  pos = skip(text, pos)
  local c = text:sub(pos, pos)
  if c == "{" then
    local obj = { __order = {} }
    pos = skip(text, pos + 1)
    if text:sub(pos, pos) == "}" then return obj, pos + 1 end
    while true do
      pos = skip(text, pos)
      if text:sub(pos, pos) ~= '"' then decode_error(text, pos, "key expected") end
      local key
      key, pos = string_at(text, pos)
      pos = skip(text, pos)
      if text:sub(pos, pos) ~= ":" then decode_error(text, pos, "':' expected") end
      local v
      v, pos = value(text, pos + 1)
      if obj[key] ~= nil then decode_error(text, pos, "duplicate key " .. key) end
      obj[key] = v
      obj.__order[#obj.__order + 1] = key
      pos = skip(text, pos)
      local d = text:sub(pos, pos)
      if d == "}" then return obj, pos + 1 end
      if d ~= "," then decode_error(text, pos, "',' or '}' expected") end
      pos = pos + 1
    end
  elseif c == "[" then
    local arr = {}
    pos = skip(text, pos + 1)
    if text:sub(pos, pos) == "]" then return arr, pos + 1 end
    while true do
      local v
      v, pos = value(text, pos)
      arr[#arr + 1] = v
      pos = skip(text, pos)
      local d = text:sub(pos, pos)
      if d == "]" then return arr, pos + 1 end
      if d ~= "," then decode_error(text, pos, "',' or ']' expected") end
      pos = pos + 1
    end
  elseif c == '"' then
    return string_at(text, pos)
  elseif text:find("^true", pos) then
    return true, pos + 4
  elseif text:find("^false", pos) then
    return false, pos + 5
  elseif text:find("^null", pos) then
    return json.null, pos + 4
  else
    local num = text:match("^-?%d+%.?%d*[eE]?[-+]?%d*", pos)
    if not num or not num:match("^-?0$") and not num:match("^-?[1-9]")
        and not num:match("^-?0[.eE]") then
      decode_error(text, pos, "value expected")
    end
    return math.tointeger(tonumber(num)) or tonumber(num), pos + #num
  end
end

function json.decode(text)
  local v, pos = value(text, 1)
  pos = skip(text, pos)
  if pos <= #text then decode_error(text, pos, "trailing characters") end
  return v
end

--- Decodes JSON lines: one value per non-empty line.
function json.lines(text)
  local out = {}
  for line in text:gmatch("[^\n]+") do out[#out + 1] = json.decode(line) end
  return out
end

--- A string's code points U+0000..U+00FF as bytes (the tool's mapping for
-- binary octet strings); nil if any code point is above U+00FF.
function json.bytes(s)
  local out = {}
  for _, cp in utf8.codes(s) do
    if cp > 0xFF then return nil end
    out[#out + 1] = string.char(cp)
  end
  return table.concat(out)
end

-- ---- CSV ----------------------------------------------------------------------------

--- Reads RFC 4180 CSV into a list of rows (lists of fields).
function tool.csv(text)
  local rows, row, field, i = {}, {}, {}, 1
  local quoted, in_field = false, false
  while i <= #text do
    local c = text:sub(i, i)
    if quoted then
      if c == '"' then
        if text:sub(i + 1, i + 1) == '"' then
          field[#field + 1] = '"'
          i = i + 1
        else
          quoted = false
        end
      else
        field[#field + 1] = c
      end
    elseif c == '"' then
      if in_field and #field > 0 then error("CSV: quote inside an unquoted field") end
      quoted, in_field = true, true
    elseif c == "," then
      row[#row + 1] = table.concat(field)
      field, in_field = {}, false
    elseif c == "\n" then
      row[#row + 1] = table.concat(field)
      rows[#rows + 1] = row
      row, field, in_field = {}, {}, false
    elseif c ~= "\r" then
      field[#field + 1] = c
      in_field = true
    end
    i = i + 1
  end
  if quoted then error("CSV: unterminated quoted field") end
  if #field > 0 or #row > 0 then
    row[#row + 1] = table.concat(field)
    rows[#rows + 1] = row
  end
  return rows
end

--- The lines of `text` as a sorted list, without those `drop(line)` picks.
function tool.line_set(text, drop)
  local out = {}
  for line in text:gmatch("[^\n]+") do
    if not (drop and drop(line)) then out[#out + 1] = line end
  end
  table.sort(out)
  return out
end

return tool
