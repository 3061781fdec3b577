-- Walks a subtree and writes it as JSON lines (default) or CSV, streaming:
-- memory stays flat however large the subtree.
--   lua5.4 examples/walk_export.lua ADDRESS [ROOT] [json|csv] [community]
-- Octet strings are binary-safe: in JSON each byte outside printable ASCII
-- is written as \u00XX (so bytes round-trip); in CSV values are quoted.
local winsnmp = require("winsnmp")

local address, root, format, community = ...
assert(address, "usage: walk_export.lua ADDRESS [ROOT] [json|csv] [community]")
root = root or "1.3.6.1.2.1"
format = format or "json"

local function json_string(s)
  return '"' .. s:gsub('[%c"\\\128-\255]', function(c)
    local escapes = { ['"'] = '\\"', ["\\"] = "\\\\", ["\n"] = "\\n", ["\r"] = "\\r",
                      ["\t"] = "\\t" }
    return escapes[c] or ("\\u%04x"):format(c:byte())
  end) .. '"'
end

local function csv_field(s)
  return '"' .. s:gsub('"', '""') .. '"'
end

local function text_of(vb)
  if vb.value == nil then return "" end
  if vb.type == "cntr64" then return winsnmp.u64(vb.value) end
  return tostring(vb.value)
end

local session <close> = assert(winsnmp.session())
local agent = assert(session:entity(address, { community = community or "public" }))

if format == "csv" then io.write("oid,type,value\n") end
local count = 0
for vb, err, name in session:iwalk(agent, root) do
  if vb == false then
    io.stderr:write(("walk failed: %s (%s)\n"):format(err, name))
    os.exit(1)
  end
  count = count + 1
  if format == "csv" then
    io.write(vb.oid, ",", vb.type, ",", csv_field(text_of(vb)), "\n")
  else
    local value = vb.value == nil and "null"
      or (math.type(vb.value) == "integer" and vb.type ~= "cntr64") and tostring(vb.value)
      or json_string(text_of(vb))
    io.write(('{"oid":"%s","type":"%s","value":%s}\n'):format(vb.oid, vb.type, value))
  end
end
io.stderr:write(("%d varbinds\n"):format(count))
