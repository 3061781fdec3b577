--- Starts and stops spec/support/fake_agent.lua in a child process.
--
--     local fake = require("support.fake")
--     local agent = fake.start()      -- {port=, spoof_port=, address=, pid=}
--     fake.oid("noisy")               -- "1.3.6.1.4.1.99999.3"
--     agent:stop()
local child = require("support.child")

local fake = {}

local MODES = {
  echo = 1, late = 2, noisy = 3, spoof_only = 4, equal = 5, decreasing = 6, silent = 7,
  duplicate = 8, multihomed = 9, other_community = 10, table = 11, paced = 12, pacing_figures = 13,
}

--- The OID that selects a behaviour (see fake_agent.lua); `suffix` is
-- appended (for "late", the delay in milliseconds).
function fake.oid(mode, suffix)
  local n = assert(MODES[mode], "unknown fake agent mode " .. tostring(mode))
  local oid = "1.3.6.1.4.1.99999." .. n
  if suffix then oid = oid .. "." .. suffix end
  return oid
end

local Fake = setmetatable({}, { __index = child.methods })
Fake.__index = Fake

--- Starts a fake agent on a free loopback port; raises if it does not
-- come up within 5 s.
function fake.start()
  return child.start("the fake agent", "spec/support/fake_agent.lua", Fake)
end

return fake
