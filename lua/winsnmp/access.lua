--- Access control of the agent role (s:listen options): which communities
-- may read or write, which senders may ask at all, and how large an answer
-- may be.  Checked before any handler runs, so a listener answers nothing it
-- was not configured to answer (see API.md, "Agent access control").
-- @module winsnmp.access

local views = require("winsnmp.views")

local access = {}

--- Requests dropped without an answer since the process started, added to
-- winsnmp.stats(): `bad_community` (a v1/v2c community the listener does not
-- know) and `bad_source` (a sender outside the listener's `sources`).
access.counts = { bad_community = 0, bad_source = 0 }
-- The same per listening session (s:stats()), weakly keyed.
access.session_counts = setmetatable({}, { __mode = "k" })

local function count(session, name)
  access.counts[name] = access.counts[name] + 1
  if session then
    local c = access.session_counts[session]
    if not c then
      c = { bad_community = 0, bad_source = 0 }
      access.session_counts[session] = c
    end
    c[name] = c[name] + 1
  end
end

local DEFAULT_MAX_SIZE = 1472 -- an Ethernet MTU's UDP payload, as snmpd
local LARGEST_UDP = 65507
local DEFAULT_MAX_REPETITIONS = 100 -- snmpd's default cap
-- Answers a listener's handler put off (req.delay) that may wait at once:
-- each holds its request's source and context handles and the handler's
-- varbinds, and a sender could otherwise make them pile up without end.
local DEFAULT_MAX_DELAYED = 256

-- ---- addresses and prefixes -------------------------------------------------------

local function ipv4_bytes(text)
  local a, b, c, d = text:match("^(%d+)%.(%d+)%.(%d+)%.(%d+)$")
  if not a then return nil end
  local out = {}
  for _, part in ipairs({ a, b, c, d }) do
    local n = tonumber(part)
    if n > 255 or #part > 3 then return nil end
    out[#out + 1] = string.char(n)
  end
  return table.concat(out)
end

local function ipv6_bytes(text)
  text = text:gsub("%%.*$", "") -- a zone index does not take part
  -- a trailing dotted quad (::ffff:10.0.0.1) is the last two groups
  local front, quad = text:match("^(.*:)([%d.]+)$")
  if quad and quad:find(".", 1, true) then
    local b = ipv4_bytes(quad)
    if not b then return nil end
    text = ("%s%x:%x"):format(front, b:byte(1) << 8 | b:byte(2), b:byte(3) << 8 | b:byte(4))
  end
  local head, tail = text:match("^(.-)::(.*)$")
  local function groups(s)
    local list = {}
    if s == "" then return list end
    for g in (s .. ":"):gmatch("([^:]*):") do
      if not g:match("^%x%x?%x?%x?$") then return nil end
      list[#list + 1] = tonumber(g, 16)
    end
    return list
  end
  local left, right
  if head then
    left, right = groups(head), groups(tail)
    if not left or not right or #left + #right > 7 then return nil end
  else
    left, right = groups(text), {}
    if not left or #left ~= 8 then return nil end
  end
  local all = {}
  for _, g in ipairs(left) do all[#all + 1] = g end
  for _ = 1, 8 - #left - #right do all[#all + 1] = 0 end
  for _, g in ipairs(right) do all[#all + 1] = g end
  local out = {}
  for _, g in ipairs(all) do out[#out + 1] = string.char(g >> 8, g & 0xFF) end
  return table.concat(out)
end

-- "127.0.0.0/8" or "::1/128" -> {bytes=, bits=}; nil for a malformed prefix.
local function parse_prefix(text)
  if type(text) ~= "string" then return nil end
  local host, bits = text:match("^([^/]+)/(%d+)$")
  host = host or text
  local bytes = ipv4_bytes(host) or ipv6_bytes(host)
  if not bytes then return nil end
  bits = bits and tonumber(bits) or #bytes * 8
  if bits > #bytes * 8 then return nil end
  return { bytes = bytes, bits = bits }
end

-- The address bytes of a canonical entity address ("udp:1.2.3.4:161",
-- "udp6:[::1]:161").
local function source_bytes(address)
  local v6 = address:match("^%a+6?:%[(.-)%]:%d+$")
  if v6 then return ipv6_bytes(v6) end
  local v4 = address:match("^%a+:([%d.]+):%d+$")
  return v4 and ipv4_bytes(v4)
end

local function prefix_matches(prefix, bytes)
  if #bytes ~= #prefix.bytes then return false end
  local whole, rest = prefix.bits // 8, prefix.bits % 8
  if bytes:sub(1, whole) ~= prefix.bytes:sub(1, whole) then return false end
  if rest == 0 then return true end
  local mask = (0xFF << (8 - rest)) & 0xFF
  return (bytes:byte(whole + 1) & mask) == (prefix.bytes:byte(whole + 1) & mask)
end

-- ---- a listener's policy ----------------------------------------------------------

--- Checks and normalises the access options of s:listen; raises on a Lua
-- misuse (a bad option is a bug in the script, never a runtime condition).
-- Returns the policy.
function access.policy(opts, level)
  level = (level or 1) + 1
  if opts ~= nil and type(opts) ~= "table" then
    error("bad argument #3 to 'listen' (table of options expected)", level)
  end
  opts = opts or {}
  local policy = { communities = {}, sources = nil }
  local communities = opts.communities
  if communities == nil then communities = { public = "ro" } end
  if type(communities) ~= "table" then
    error("listen: communities must be a table {name = \"ro\" | \"rw\"}", level)
  end
  for name, mode in pairs(communities) do
    if type(name) ~= "string" or (mode ~= "ro" and mode ~= "rw") then
      error(("listen: community %q must map to \"ro\" or \"rw\""):format(tostring(name)), level)
    end
    policy.communities[name] = mode
  end
  if opts.sources ~= nil then
    if type(opts.sources) ~= "table" then
      error("listen: sources must be a list of address prefixes", level)
    end
    policy.sources = {}
    for i, text in ipairs(opts.sources) do
      local prefix = parse_prefix(text)
      if not prefix then
        error(("listen: sources[%d] is not an address prefix: %s"):format(i, tostring(text)),
          level)
      end
      policy.sources[#policy.sources + 1] = prefix
    end
  end
  local max_size = opts.max_size
  if max_size ~= nil and (math.type(max_size) ~= "integer" or max_size < 484) then
    error("listen: max_size must be an integer of at least 484 (RFC 3416)", level)
  end
  policy.max_size = max_size and math.min(max_size, LARGEST_UDP) -- nil: per request

  local max_rep = opts.max_repetitions
  if max_rep ~= nil and (math.type(max_rep) ~= "integer" or max_rep < 1) then
    error("listen: max_repetitions must be a positive integer", level)
  end
  policy.max_repetitions = max_rep or DEFAULT_MAX_REPETITIONS
  local max_delayed = opts.max_delayed
  if max_delayed ~= nil and (math.type(max_delayed) ~= "integer" or max_delayed < 0) then
    error("listen: max_delayed must be an integer >= 0", level)
  end
  policy.max_delayed = max_delayed or DEFAULT_MAX_DELAYED
  policy.users = {} -- name -> access, and the list handed to the engine
  policy.user_list = {}
  if opts.users ~= nil then
    if type(opts.users) ~= "table" then
      error("listen: users must be a list of {user=, level=, auth=, auth_pass=, ...}", level)
    end
    for i, u in ipairs(opts.users) do
      if type(u) ~= "table" or type(u.user) ~= "string" then
        error(("listen: users[%d] needs a user name"):format(i), level)
      end
      local mode = u.access or "ro"
      if mode ~= "ro" and mode ~= "rw" then
        error(("listen: users[%d].access must be \"ro\" or \"rw\""):format(i), level)
      end
      policy.users[u.user] = mode
      policy.user_list[#policy.user_list + 1] = u
    end
  end
  policy.views = views.check(opts.views, level)
  return policy
end

--- The largest answer to `req` in bytes: the listener's max_size, else the
-- v3 requester's msgMaxSize, else 1,472; never above 65,507.
function access.max_size(policy, req)
  local size = policy.max_size or (req.max_size and req.max_size >= 484 and req.max_size) or
    DEFAULT_MAX_SIZE
  return math.min(size, LARGEST_UDP)
end

--- The access a request is given: "ro" or "rw", or nil (drop it, counted,
-- also for `session` when given) for a sender outside `sources` or a
-- community the listener does not know.  A community is compared byte for
-- byte, and never quoted.
function access.check(policy, req, session)
  if policy.sources then
    local bytes = source_bytes(req.source)
    local allowed = false
    for _, prefix in ipairs(policy.sources) do
      if bytes and prefix_matches(prefix, bytes) then allowed = true break end
    end
    if not allowed then
      count(session, "bad_source")
      return nil
    end
  end
  if req.version == "3" then
    -- the engine has authenticated the user at its level or better
    return policy.users[req.user]
  end
  local mode = req.community and policy.communities[req.community]
  if not mode then
    count(session, "bad_community")
    return nil
  end
  return mode
end

-- For the specs of the prefix parser.
access._parse_prefix = parse_prefix
access._source_bytes = source_bytes
access._prefix_matches = prefix_matches

return access
