--- net-snmp command-line tools as a reference for the integration specs.
-- Runs snmpget / snmpgetnext / snmpbulkget / snmpbulkwalk / snmpwalk with
-- numeric output and no MIBs, and parses their lines
--   .1.3.6.1.2.1.1.5.0 = STRING: "winsnmp-agent"
-- into winsnmp-style varbinds {oid=, type=, value=}.
local cli = {}

local function quote(s)
  return "'" .. tostring(s):gsub("'", "'\\''") .. "'"
end
cli.quote = quote

local function unquote(text)
  -- net-snmp writes a printable string between double quotes, escaping
  -- '"' and '\' with a backslash.
  local inner = text:match('^"(.*)"$')
  if not inner then return text end
  return (inner:gsub("\\(.)", "%1"))
end

local function hex_bytes(text)
  local out = {}
  for byte in text:gmatch("%x%x") do
    out[#out + 1] = string.char(tonumber(byte, 16))
  end
  return table.concat(out)
end

--- One "TYPE: text" right-hand side as {type=, value=}.
local function convert(rhs)
  if rhs == '""' then return "octets", "" end
  if rhs:match("^No Such Object") then return "nosuchobject", nil end
  if rhs:match("^No Such Instance") then return "nosuchinstance", nil end
  if rhs:match("^No more variables") then return "endofmibview", nil end
  local kind, text = rhs:match("^([%w%-]+): ?(.*)$")
  if not kind then return "unknown", rhs end
  if kind == "STRING" then return "octets", unquote(text) end
  if kind == "Hex-STRING" then return "octets", hex_bytes(text) end
  if kind == "OID" then return "oid", (text:gsub("^%.", "")) end
  if kind == "INTEGER" then return "int", tonumber(text:match("%-?%d+")) end
  if kind == "Gauge32" then return "gauge32", tonumber(text:match("%d+")) end
  if kind == "Counter32" then return "cntr32", tonumber(text:match("%d+")) end
  if kind == "Counter64" then return "cntr64", math.tointeger(tonumber(text:match("%d+"))) end
  if kind == "Timeticks" then return "timeticks", tonumber(text:match("%((%d+)%)")) end
  if kind == "IpAddress" then return "ipaddr", text end
  if kind == "Opaque" then return "opaque", text end
  return "unknown", text
end

--- Parses the tools' output (continuation lines belong to the previous
-- varbind's value) into an array of varbinds.
function cli.parse(text)
  local out, current = {}, nil
  for line in text:gmatch("[^\n]*") do
    local oid, rhs = line:match("^%.?([%d%.]+) = (.*)$")
    if oid then
      current = { oid = oid, rhs = rhs }
      out[#out + 1] = current
    elseif current and line ~= "" then
      current.rhs = current.rhs .. "\n" .. line
    end
  end
  for _, vb in ipairs(out) do
    vb.type, vb.value = convert(vb.rhs)
  end
  return out
end

--- Runs a tool and returns its parsed output; raises with the tool's
-- stderr when it fails.
function cli.run(tool, args)
  local err = os.tmpname()
  -- LD_PRELOAD is emptied: under `make asan` the sanitizer runtime is
  -- preloaded for lua5.4, and its leak report must not fail the tools.
  local cmd = string.format("LD_PRELOAD= %s -m '' -On -Oe %s 2>%s", tool, args, quote(err))
  local p = assert(io.popen(cmd, "r"))
  local text = p:read("a")
  local ok, _, status = p:close()
  local f = io.open(err, "r")
  local errtext = f and f:read("a") or ""
  if f then f:close() end
  os.remove(err)
  if not ok then
    error(string.format("%s failed (status %s): %s %s", tool, tostring(status), errtext, text), 2)
  end
  return cli.parse(text), text
end

local function oid_args(oids)
  local q = {}
  for i, oid in ipairs(oids) do q[i] = quote(oid) end
  return table.concat(q, " ")
end

--- v2c (or `version`) with a community; returns parsed varbinds.
local function common(address, opts)
  opts = opts or {}
  return string.format("-v%s -c %s -t 2 -r 1 %s", opts.version or "2c",
    quote(opts.community or "public"), quote(address))
end

--- cli.get / cli.getnext (address, oids, opts) and cli.bulkwalk / cli.walk
-- (address, root, opts): the varbinds the tool shows.
for name, tool in pairs({ get = "snmpget", getnext = "snmpgetnext" }) do
  cli[name] = function(address, oids, opts)
    return cli.run(tool, common(address, opts) .. " " .. oid_args(oids))
  end
end

for name, tool in pairs({ bulkwalk = "snmpbulkwalk", walk = "snmpwalk" }) do
  cli[name] = function(address, root, opts)
    return cli.run(tool, common(address, opts) .. " " .. quote(root))
  end
end

function cli.getbulk(address, oids, non_repeaters, max_repetitions, opts)
  return cli.run("snmpbulkget", string.format("-Cn%d -Cr%d %s %s", non_repeaters,
    max_repetitions, common(address, opts), oid_args(oids)))
end

--- Just the OIDs of a varbind list, in order.
function cli.oids(list)
  local out = {}
  for i, vb in ipairs(list) do out[i] = vb.oid end
  return out
end

return cli
