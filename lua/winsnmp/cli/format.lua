--- What the `winsnmp` tool writes: net-snmp's text (through
-- winsnmp.mib.format), JSON lines (--json) and CSV (--csv), for varbinds,
-- tables and received notifications, plus its error reports and progress.
-- `format.Output` holds the run's streams and options; the subcommands'
-- run object (winsnmp.cli.commands) is an Output.
-- @module winsnmp.cli.format

local winsnmp = require("winsnmp")
local notifications = require("winsnmp.notifications")
local EXIT = require("winsnmp.cli.args").EXIT

local mib = winsnmp.mib
local format = {}

--- The exception types (no value).
format.EXCEPTIONS = { nosuchobject = true, nosuchinstance = true, endofmibview = true }

-- net-snmp's snmp_errstring texts, by winsnmp's error name.
format.ERROR_TEXT = {
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
local ERROR_TEXT = format.ERROR_TEXT

-- ---- JSON and CSV ------------------------------------------------------------------

local JSON_ESCAPES = { ['"'] = '\\"', ["\\"] = "\\\\", ["\n"] = "\\n", ["\r"] = "\\r",
                       ["\t"] = "\\t", ["\b"] = "\\b", ["\f"] = "\\f" }

--- True when octets are text: valid UTF-8 without control characters other
-- than tab, CR and LF.
local function is_text(s)
  if s:find("[\0-\8\11\12\14-\31\127]") then return false end
  return utf8.len(s) ~= nil
end
format.is_text = is_text

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
format.json_string = json_string

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
format.csv_field = csv_field

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


-- ---- Output ---------------------------------------------------------------------------

--- The output of one run: `stdout`, `stderr`, `opts` (the parsed command
-- line), `mibs` (true once MIB modules are loaded), `address` (the agent).
local Output = {}
Output.__index = Output
format.Output = Output

--- `text` with every secret given on the command line blanked out (secrets
-- shorter than 3 characters would blank too much of any message).
function Output:scrub(text)
  text = tostring(text)
  for _, secret in ipairs(self.opts.secrets) do
    if #secret >= 3 then
      text = text:gsub(secret:gsub("[%p]", "%%%0"), "****")
    end
  end
  return text
end

--- Writes its arguments to stderr, secrets blanked out.
function Output:err(...)
  local parts = table.pack(...)
  for i = 1, parts.n do parts[i] = self:scrub(parts[i]) end
  self.stderr:write(table.concat(parts))
end

--- The OID as net-snmp prints it (iso.3.6..., SNMPv2-MIB::sysName.0, .1.3.6...).
function Output:oid_text(oid)
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
function Output:text_line(vb)
  if vb.type == "opaque" and vb.value then
    local special = opaque_special(vb.value)
    if special then return self:oid_text(vb.oid) .. " = " .. special end
  end
  local line, msg = mib.format(vb.oid, vb.type, vb.value,
                               { varbind = true, numeric = self.opts.numeric })
  return line or (vb.oid .. " = ?? " .. tostring(msg))
end

--- A varbind's value alone, as net-snmp's quick print shows it (for tables).
function Output:text_value(vb)
  if vb.type == "opaque" and vb.value then
    local special = opaque_special(vb.value)
    if special then return (special:gsub("^Opaque: %w+: ", "")) end
  end
  local text = mib.format(vb.oid, vb.type, vb.value, { numeric = self.opts.numeric })
  return text or "?"
end

--- The "name" member for JSON, when a loaded MIB names the OID.
function Output:json_name(oid)
  if not self.mibs then return "" end
  local name = mib.name(oid)
  if not name or name == oid then return "" end
  return ',"name":' .. json_string(name)
end

--- A varbind as one JSON object.
function Output:json_varbind(vb)
  return '{"oid":' .. json_string(vb.oid) .. self:json_name(vb.oid) .. "," .. json_value(vb) .. "}"
end

--- Writes one varbind in the chosen format.
function Output:emit(vb)
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
function Output:note(line)
  if not self.opts.format then self.stdout:write(line, "\n") end
end

--- Progress on stderr during long walks, only when stderr is a terminal.
function Output:progress(count)
  if count % 1000 ~= 0 then return end
  if self.tty == nil then
    self.tty = os.execute("test -t 2") == true
  end
  if self.tty then
    self.stderr:write(("\r%s: %d variables"):format(self.opts.sub, count))
    self.progress_shown = true
  end
end

--- Clears the progress line, if one is shown.
function Output:progress_done()
  if self.progress_shown then
    self.stderr:write("\r", (" "):rep(40), "\r")
    self.progress_shown = false
  end
end

local function timestamp()
  return os.date("%Y-%m-%d %H:%M:%S")
end

--- Writes a received notification (as s:register's handler gets it) in
-- the chosen format, snmptrapd's layout for text.
function Output:notification(n)
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

--- Writes a conceptual table in the chosen format: `order` lists the row
-- indexes (dotted strings), `rows[index][column]` is a varbind, `columns`
-- the column numbers and `labels` their headings; `root` is the table's
-- OID as the user gave it.
function Output:table(root, order, rows, columns, labels)
  local f = self.opts.format
  local out = self.stdout
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
    local title = self:oid_text(root)
    if #order == 0 then
      out:write(title, ": No entries\n")
      return
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
        line[i + 1] = vb and self:text_value(vb):gsub("\n", " ") or "?"
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
end

--- Reports a failed request (net-snmp's words where it has them); returns
-- the exit status.  `dot` adds snmpset/snmpwalk's "Error in packet." period.
function Output:report(msg, name, index, list, dot)
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

return format
