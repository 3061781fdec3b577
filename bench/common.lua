-- Small helpers the benchmark runners share.
local common = {}

--- The standard output of shell command `cmd` (its stderr discarded).
function common.run(cmd)
  local p = assert(io.popen(cmd .. " 2>/dev/null"))
  local out = p:read("a")
  p:close()
  return out
end

--- Whether `cmd` is on the PATH.
function common.have(cmd)
  return os.execute("command -v " .. cmd .. " >/dev/null 2>&1") == true
end

return common
