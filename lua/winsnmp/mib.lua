--- MIB names through net-snmp's parser, loaded on request.
--
-- Nothing is loaded at start-up.  After `load`, names are accepted wherever
-- an OID is (`s:get(agent, {"IF-MIB::ifDescr.1"})`), and OIDs, enumerations
-- and values can be shown with the MIB's names and DISPLAY-HINTs.  Values
-- in results are never rewritten: formatting is an explicit call.
-- @module winsnmp.mib

local core = require("winsnmp.core")

local mib = {}

local function list(t, key)
  local v = t[key]
  if v == nil then return nil end
  if type(v) == "string" then return { v } end
  if type(v) ~= "table" then
    error(("bad option '%s' to 'mib.load' (string or table of strings expected, got %s)")
      :format(key, type(v)), 3)
  end
  return v
end

--- Loads MIB modules and files: `{dirs = {...}, modules = {...}, files = {...}}`
-- (each a string or a list).  `dirs` are searched for `modules` (the
-- module "ALL" loads every module in them); `files` are read as they are.
-- A module's imports are looked up in `dirs` too.
-- @return true, or nil, msg, NAME; msg names the file and line of a syntax
-- error, and what was loaded before stays loaded.
function mib.load(opts)
  if type(opts) ~= "table" then
    error("bad argument #1 to 'load' (table expected, got " .. type(opts) .. ")", 2)
  end
  return core._mib_load(list(opts, "dirs"), list(opts, "modules"), list(opts, "files"))
end

--- A name ("IF-MIB::ifDescr.3", "ifDescr.3") or OID as a dotted OID.
-- @return "1.3.6.1.2.1.2.2.1.2.3", or nil, msg, "SNMPAPI_OID_INVALID"
function mib.oid(name)
  return core._mib_oid(name)
end

--- An OID (or name) as "MODULE::label.index"; the dotted OID when no
-- loaded module names it.
function mib.name(oid)
  return core._mib_name(oid)
end

--- The label of enumeration `value` of the object `oid` ("up" for ifOperStatus 1).
-- @return the label, or nil, msg, NAME when the object has no such label
function mib.enum(oid, value)
  return core._mib_enum(oid, value)
end

--- A value as text, with the object's DISPLAY-HINT and enumeration labels
-- applied, as net-snmp's tools show it ("0:1b:21:a:ff:1", "21.5", "up").
-- `opts.varbind` gives the whole line ("IF-MIB::ifDescr.1 = STRING: lo"),
-- `opts.numeric` shows the name as a numeric OID there (net-snmp's -On).
function mib.format(oid, type_name, value, opts)
  opts = opts or {}
  return core._mib_format(oid, type_name, value, opts.varbind, opts.numeric)
end

return mib
