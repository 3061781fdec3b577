--- Shared spec helpers.
-- Every spec file calls `helper.check_no_leaks()` inside its top-level
-- describe, so the file ends by asserting that winsnmp.stats() is back to
-- zero once garbage has been collected.
local winsnmp = require("winsnmp")

local helper = {}

--- Two full cycles: objects with finalizers are freed one cycle later.
function helper.full_gc()
  collectgarbage("collect")
  collectgarbage("collect")
end

local COUNTS = { "sessions", "entities", "contexts", "pdus", "vbls", "pending",
                 "registrations", "descriptors" }

--- Asserts that every live count is zero.
function helper.assert_clean()
  helper.full_gc()
  local stats = winsnmp.stats()
  for _, name in ipairs(COUNTS) do
    assert(stats[name] == 0,
      string.format("winsnmp.stats().%s is %d, expected 0 (a leak)", name, stats[name]))
  end
end

--- Registers the end-of-file leak check in the enclosing describe block.
-- busted defines its DSL (teardown, it, ...) in each spec file's environment,
-- not in _G, so a required module reaches it through require("busted").
function helper.check_no_leaks()
  require("busted").teardown(helper.assert_clean)
end

return helper
