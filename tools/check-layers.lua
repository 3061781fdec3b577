-- Checks the layering of the C core (doc/architecture.md), from the
-- sources and from the compiled objects' symbol tables:
--
--  1. includes: a file in src/core/LAYER includes only the headers of its
--     own layer and of the layers below, by bare name (no path); only
--     base.h reaches the public header, only wire/ includes netsnmp_glue.h;
--  2. calls: every symbol a core object uses from another core object is
--     defined in the same layer or a lower one (nm), so the graph between
--     folders has no cycle and no file-level cycle crosses a folder;
--  3. names: every global symbol a core file defines is public API
--     (Snmp*, Wsnmp*, or wsnmp_unlocked_ and a public name: the core's side of
--     the generated locked entry points, api/locked.c) or starts with
--     wsnmp_<file>, so a symbol's name
--     tells its file, and the file its layer.
--
--   lua5.4 tools/check-layers.lua [BUILD_DIR]      (run by `make lint`)
local build = arg[1] or "build"
local LAYERS = { "base", "model", "wire", "objects", "engine", "api" }
local rank = {}
for i, layer in ipairs(LAYERS) do rank[layer] = i end

local problems = {}
local function problem(fmt, ...) problems[#problems + 1] = fmt:format(...) end

local function lines(cmd)
  local p = assert(io.popen(cmd))
  local out = {}
  for line in p:lines() do out[#out + 1] = line end
  p:close()
  return out
end

-- Every source and header of the core, by layer.
local files = {}         -- { layer =, name =, path = }
local header_layer = {}  -- "model.h" -> "model"
for _, layer in ipairs(LAYERS) do
  for _, path in ipairs(lines(("ls src/core/%s/*.[ch] 2>/dev/null"):format(layer))) do
    local name = path:match("([^/]+)$")
    files[#files + 1] = { layer = layer, name = name, path = path }
    if name:match("%.h$") then
      if header_layer[name] then problem("%s: two headers named %s", path, name) end
      header_layer[name] = layer
    end
  end
end
for _, stray in ipairs(lines("ls src/core/*.[ch] 2>/dev/null")) do
  problem("%s: outside every layer folder", stray)
end

-- 1. includes
for _, f in ipairs(files) do
  local n = 0
  for line in io.lines(f.path) do
    n = n + 1
    local target = line:match('^%s*#%s*include%s*"([^"]+)"')
    if target then
      local where = ("%s:%d"):format(f.path, n)
      if target == "../../winsnmp.h" then
        if f.name ~= "base.h" then problem("%s: only base.h includes the public header", where) end
      elseif target:find("/", 1, true) then
        problem("%s: includes %s by path; core headers are included by name", where, target)
      elseif target == "netsnmp_glue.h" and f.layer ~= "wire" then
        problem("%s: net-snmp's headers are for wire/ only", where)
      elseif not header_layer[target] then
        problem("%s: includes %s, which is no core header", where, target)
      elseif rank[header_layer[target]] > rank[f.layer] then
        problem("%s: %s/ includes %s from the layer above it (%s/)", where, f.layer, target,
          header_layer[target])
      end
    end
  end
end

-- 2. and 3. symbols of the compiled objects
local defined, used = {}, {} -- symbol -> "layer/file"; list of {user, symbol}
local objects = 0
for _, f in ipairs(files) do
  if f.name:match("%.c$") then
    local object = ("%s/CMakeFiles/winsnmp_%s.dir/src/core/%s/%s.o"):format(build, f.layer,
      f.layer, f.name)
    local unit = f.layer .. "/" .. f.name:gsub("%.c$", "")
    if not io.open(object) then
      problem("%s: no object %s (build first)", f.path, object)
    else
      objects = objects + 1
      for _, line in ipairs(lines("nm " .. object)) do
        local kind, symbol = line:match("^%x*%s+(%a)%s+([%w_.]+)$")
        if kind == "U" then
          used[#used + 1] = { unit, symbol }
        elseif kind and kind:match("[TDBRC]") then
          defined[symbol] = unit
          local stem = f.name:gsub("%.c$", "")
          if not (symbol:match("^Snmp") or symbol:match("^Wsnmp") or
                  symbol:match("^wsnmp_unlocked_Snmp") or symbol:match("^wsnmp_unlocked_Wsnmp") or
                  symbol == "wsnmp_" .. stem or symbol:find("^wsnmp_" .. stem .. "_")) then
            problem("%s: defines %s; internal names start with wsnmp_%s", f.path, symbol, stem)
          end
        end
      end
    end
  end
end

local edges, edge_count = {}, 0
for _, u in ipairs(used) do
  local user, symbol = u[1], u[2]
  local owner = defined[symbol]
  if owner and owner ~= user then
    local from, to = user:match("^(%w+)/"), owner:match("^(%w+)/")
    if rank[to] > rank[from] then
      problem("%s calls %s in %s: a call upward (%s/ is above %s/)", user, symbol, owner, to, from)
    end
    local key = user .. " -> " .. owner
    if not edges[key] then edges[key] = true; edge_count = edge_count + 1 end
  end
end

if #problems > 0 then
  for _, p in ipairs(problems) do io.stderr:write("check-layers: ", p, "\n") end
  io.stderr:write(("check-layers: %d problems\n"):format(#problems))
  os.exit(1)
end
print(("check-layers: %d files in %d layers, %d objects, %d file-to-file dependencies, "
  .. "none upward; every internal name says its file"):format(#files, #LAYERS, objects,
  edge_count))
