--- winsnmp.metrics(): every live agent's figures (`e:stats()`) and the
-- library's (`winsnmp.stats()`) in Prometheus's text exposition format
-- (version 0.0.4), ready to be served on a /metrics endpoint.  Agents are
-- labelled by address and SNMP version only, never by a community or a
-- user; entities with the same address and version are added up.
-- @module winsnmp.metrics

local pacing = require("winsnmp.pacing")

-- name, type, help, the field of e:stats()
local AGENT = {
  { "winsnmp_agent_requests_total", "counter", "Requests sent to the agent.", "requests" },
  { "winsnmp_agent_responses_total", "counter", "Replies accepted from the agent.", "responses" },
  { "winsnmp_agent_timeouts_total", "counter", "Requests that got no reply after every retry.",
    "timeouts" },
  { "winsnmp_agent_retries_total", "counter", "Retransmissions to the agent.", "retries" },
  { "winsnmp_agent_too_big_total", "counter", "Replies with error-status tooBig.", "too_big" },
  { "winsnmp_agent_in_flight", "gauge", "Requests to the agent awaiting a reply.", "in_flight" },
  { "winsnmp_agent_rtt_seconds_avg", "gauge", "Mean round trip of the agent's replies.",
    "rtt_avg" },
  { "winsnmp_agent_rtt_seconds_max", "gauge", "Longest round trip of the agent's replies.",
    "rtt_max" },
  { "winsnmp_agent_max_repetitions", "gauge",
    "GETBULK size adaptive walks use with the agent (0: GETNEXT).", "max_repetitions" },
}

-- A label value, escaped as the format says.
local function label(v)
  return (tostring(v):gsub("[\\\"\n]", { ["\\"] = "\\\\", ['"'] = '\\"', ["\n"] = "\\n" }))
end

local function number(v)
  if v ~= v then return "NaN" end
  if math.type(v) == "integer" then return tostring(v) end
  return ("%.9g"):format(v)
end

-- The live agents' figures, added up per (address, version), in a stable order.
local function agents()
  local by_key, keys = {}, {}
  for e in pairs(pacing.live) do
    local st = e:stats()
    local address = st and e:address()
    if address then
      local key = address .. "\0" .. e:version()
      local sum = by_key[key]
      if not sum then
        sum = { address = address, version = e:version(), rtt_weight = 0 }
        for _, m in ipairs(AGENT) do sum[m[4]] = 0 end
        by_key[key] = sum
        keys[#keys + 1] = key
      end
      for _, m in ipairs(AGENT) do
        local f = m[4]
        if f == "rtt_max" or f == "max_repetitions" then
          sum[f] = math.max(sum[f], st[f])
        elseif f == "rtt_avg" then
          local w = sum.rtt_weight + st.responses
          if w > 0 then sum[f] = (sum[f] * sum.rtt_weight + st[f] * st.responses) / w end
          sum.rtt_weight = w
        else
          sum[f] = sum[f] + st[f]
        end
      end
    end
  end
  table.sort(keys)
  local list = {}
  for i, key in ipairs(keys) do list[i] = by_key[key] end
  return list
end

--- The figures as Prometheus text: `winsnmp_agent_*{agent="udp:…",
-- version="2c"}` for every live entity made by `s:entity`, and `winsnmp_*`
-- for each of winsnmp.stats()'s numbers.
-- @function metrics
return function()
  local out = {}
  local function line(s) out[#out + 1] = s end
  local list = agents()
  for _, m in ipairs(AGENT) do
    line(("# HELP %s %s"):format(m[1], m[3]))
    line(("# TYPE %s %s"):format(m[1], m[2]))
    for _, a in ipairs(list) do
      line(('%s{agent="%s",version="%s"} %s'):format(m[1], label(a.address), label(a.version),
        number(a[m[4]])))
    end
  end
  -- winsnmp.stats(): counts of live objects and of what was dropped
  local stats = require("winsnmp").stats()
  local flat = {}
  local function walk(prefix, t)
    for k, v in pairs(t) do
      local key = prefix .. tostring(k):gsub("[^%w_]", "_")
      if type(v) == "table" then
        walk(key .. "_", v)
      elseif type(v) == "number" then
        flat[#flat + 1] = { key, v }
      end
    end
  end
  walk("winsnmp_", stats)
  table.sort(flat, function(a, b) return a[1] < b[1] end)
  for _, kv in ipairs(flat) do
    line(("# HELP %s winsnmp.stats().%s"):format(kv[1], kv[1]:sub(9)))
    line(("# TYPE %s gauge"):format(kv[1]))
    line(("%s %s"):format(kv[1], number(kv[2])))
  end
  return table.concat(out, "\n") .. "\n"
end
