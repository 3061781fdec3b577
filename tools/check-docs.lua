-- Checks that the LDoc reference (build/doc, from `ldoc .`) documents every
-- public Lua function: winsnmp.*, winsnmp.mib.*, winsnmp.receiver.* (which is
-- winsnmp.agent), winsnmp.notifications.*, winsnmp.usm.*, and the
-- methods of every object a script gets.  Run by `make doc`; prints what is
-- missing and exits 1.
--   lua5.4 tools/check-docs.lua [DOC_DIR]
local winsnmp = require("winsnmp")

local dir = arg[1] or "build/doc"
local documented = {}
local list = io.popen("ls " .. dir .. "/modules/*.html")
for path in list:lines() do
  local module = path:match("([^/]+)%.html$")
  local f = assert(io.open(path))
  for name in f:read("a"):gmatch('name = "([^"]+)"') do
    documented[name] = true
    documented[module .. "." .. name] = true
  end
  f:close()
end
list:close()

local missing = {}
local function need(anchor, shown)
  if not documented[anchor] then missing[#missing + 1] = shown or anchor end
end
local function public_functions(t)
  local names = {}
  for k, v in pairs(t) do
    if type(v) == "function" and not k:match("^_") then names[#names + 1] = k end
  end
  table.sort(names)
  return names
end

-- Module functions: winsnmp.X is documented wherever it is defined
-- (winsnmp.core for C, winsnmp.tasks for poll/spawn/run, ...).
for _, name in ipairs(public_functions(winsnmp)) do need(name, "winsnmp." .. name) end
for _, name in ipairs(public_functions(winsnmp.mib)) do
  need("winsnmp.mib." .. name, "winsnmp.mib." .. name)
end
-- The Lua modules' own functions (winsnmp.agent is winsnmp.receiver).
for _, module in ipairs({ "receiver", "notifications", "usm" }) do
  for _, name in ipairs(public_functions(require("winsnmp." .. module))) do
    need("winsnmp." .. module .. "." .. name)
  end
end

-- Methods of the objects scripts get.  `close` is the alias of `free` on
-- handles, documented with it.
local s = assert(winsnmp.session())
local objects = {
  Session = s, Entity = s:entity("127.0.0.1", {}), Context = s:context("x"),
  Pdu = s:pdu("get"), Vbl = s:vbl(),
  AgentX = assert(winsnmp.agentx({ address = "unix:/nonexistent/agentx" })),
}
for class, object in pairs(objects) do
  local methods = getmetatable(object).__index
  for _, name in ipairs(public_functions(methods)) do
    if not (name == "close" and class ~= "Session" and methods.free) then
      need(class .. ":" .. name)
    end
  end
end
s:close()
objects.AgentX:close()

if #missing > 0 then
  table.sort(missing)
  io.stderr:write("check-docs: not in the LDoc reference: ", table.concat(missing, ", "), "\n")
  os.exit(1)
end
print("check-docs: every public function is documented")
