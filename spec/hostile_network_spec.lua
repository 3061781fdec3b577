--- A hostile network (issue 6, item 1): a real snmpd behind a loopback
-- proxy (spec/support/fault_proxy.lua) that drops, duplicates, reorders
-- and delays datagrams both ways, and before real replies sends forged
-- ones (same request id, values "FORGED", from another port), truncated
-- copies, random bytes, replays of earlier replies and, for v3, copies
-- with one byte changed.  For v2c and v3 authPriv, blocking gets, many
-- gets in tasks and a walk must all complete, with the agent's real
-- values; every piece of junk must be dropped; nothing may stay pending.
--
-- v3 replies are encrypted and authenticated, so the proxy cannot rewrite
-- them: it forges them with a second snmpd (the "forger") that has the same
-- engine id and user, and sysName etc. "FORGED".  Its replies are valid
-- messages for the client's keys; only the source port tells them apart
-- (the sanity tests show that winsnmp accepts them from the right port).
--
-- The fault counts are printed to stderr once per version.
-- WINSNMP_HOSTILE_SEED=N changes the proxy's seed.
local winsnmp = require("winsnmp")
local helper = require("helper")
local cli = require("support.cli")
local proxy = require("support.proxy")

local FORGED = "FORGED"
local ENGINE = "engineID winsnmp-hostile"
local SYSTEM = "1.3.6.1.2.1.1"
local SYS_UPTIME = "1.3.6.1.2.1.1.3.0"
--- Objects whose values do not change while the agent runs: the gets
-- ask for them (each request a different pair, so a replayed reply to
-- another request could not pass for the right one).
local STABLE = {
  "1.3.6.1.2.1.1.1.0", "1.3.6.1.2.1.1.2.0", "1.3.6.1.2.1.1.4.0", "1.3.6.1.2.1.1.5.0",
  "1.3.6.1.2.1.1.6.0", "1.3.6.1.2.1.1.9.1.2.1", "1.3.6.1.2.1.1.9.1.2.6", "1.3.6.1.2.1.1.9.1.3.5",
}

--- The faults, each with its probability.  flip only touches v3
-- authenticated replies.
local FAULTS = {
  drop = 0.1, dup = 0.1, reorder = 0.1, delay = 0.1, forge = 0.2, truncate = 0.1,
  garbage = 0.1, flip = 0.2, replay = 0.1,
}
--- Datagrams that can never be a valid reply from the agent's address.
local JUNK = { "forge", "truncate", "garbage", "flip" }
--- With these, no request runs out of retries: an attempt fails with a
-- probability of about 0.3, so 21 attempts all fail with about 1e-11.
local TIMING = { timeout = 0.3, retries = 20 }
local SEED = tonumber(os.getenv("WINSNMP_HOSTILE_SEED") or "") or 20240601

local poll_for = helper.poll_for

describe("a hostile network #integration", function()
  helper.check_no_leaks()

  local agent = helper.agent({ extra = ENGINE })
  local forger = helper.agent({
    sysname = FORGED,
    extra = table.concat({ ENGINE, "sysDescr " .. FORGED, "sysLocation " .. FORGED,
                           "sysContact " .. FORGED }, "\n"),
  })

  --- The agent's system group read without the proxy (snmpbulkwalk), and
  -- by OID.
  local reference, by_oid
  local function expected()
    if not reference then
      local walk, map = cli.bulkwalk(agent.address, SYSTEM), {}
      for _, vb in ipairs(walk) do map[vb.oid] = vb end
      for _, oid in ipairs(STABLE) do assert(map[oid], "the agent has no " .. oid) end
      reference, by_oid = walk, map
    end
    return reference, by_oid
  end

  --- Asserts that `vbs` are the agent's real varbinds for `oids`.
  local function assert_real(oids, vbs, what)
    local _, want = expected()
    assert.is_table(vbs, what)
    assert.equals(#oids, #vbs, what)
    for i, oid in ipairs(oids) do
      local vb = vbs[i]
      assert.are_not.equal(FORGED, vb.value, what .. ": a forged reply was delivered")
      assert.equals(oid, vb.oid, what)
      assert.equals(want[oid].type, vb.type, what .. " type of " .. oid)
      assert.equals(want[oid].value, vb.value, what .. " value of " .. oid)
    end
  end

  --- A walk of the system group compared with snmpbulkwalk's.
  local function assert_real_walk(got, what)
    local want = expected()
    assert.is_table(got, what)
    assert.same(cli.oids(want), cli.oids(got), what)
    for i, w in ipairs(want) do
      local vb = got[i]
      assert.are_not.equal(FORGED, vb.value, what .. ": a forged reply was delivered")
      assert.equals(w.type, vb.type, what .. " type of " .. w.oid)
      if w.oid ~= SYS_UPTIME then
        assert.equals(w.value, vb.value, what .. " value of " .. w.oid)
      end
    end
  end

  --- Request n asks for a pair of stable objects that depends on n.
  local function oids_for(n)
    local a = n % #STABLE + 1
    local b = (n // #STABLE + a) % #STABLE + 1
    return { STABLE[a], STABLE[b] }
  end

  --- Counts `after - before` of the proxy, summed over `kinds`.
  local function delta(before, after, kinds)
    local n = 0
    for _, kind in ipairs(kinds) do n = n + (after[kind] or 0) - (before[kind] or 0) end
    return n
  end

  for _, version in ipairs({ "2c", "3" }) do
    describe("v" .. version .. " #integration", function()
      local net, s

      setup(function()
        net = proxy.start(helper.merge(FAULTS, {
          target_port = agent.port, forger = forger.port, seed = SEED + #version,
        }))
      end)
      teardown(function() if net then net:stop() end end)
      before_each(function() s = assert(winsnmp.session()) end)
      after_each(function() helper.close_session(s) end)

      --- An entity for the agent behind the proxy (or `address`).
      local function entity(address, opts)
        local base = { version = "2c", community = "public" }
        if version == "3" then base = helper.merge(agent.v3, { version = "3" }) end
        return assert(s:entity(address or net.address, helper.merge(base, TIMING, opts)))
      end

      --- Runs `work` through the proxy, lets late datagrams arrive, and
      -- asserts that nothing is pending, that every piece of junk the proxy
      -- sent was dropped, and that the proxy had no internal error.
      local function hostile(work)
        local before, dropped = net:stats(), winsnmp.stats().dropped
        work()
        -- Delayed and held-back datagrams (300 ms at most each way), and
        -- the junk sent before them, arrive meanwhile.
        poll_for(0.8)
        assert.equals(0, winsnmp.stats().pending)
        local after = net:stats()
        poll_for(0.2) -- whatever the proxy counted has been read
        local junk = delta(before, after, JUNK)
        local seen = winsnmp.stats().dropped - dropped
        assert.is_true(seen >= junk,
          string.format("only %d datagrams dropped, but %d were junk", seen, junk))
        assert.equals("", net:log())
        return before, after
      end

      it("forged replies are valid: from the agent's port they would be accepted", function()
        -- The same forgeries, sent from the proxy's own port instead of the
        -- real replies: this is what the source port check must stop.
        local same_port = proxy.start({ target_port = agent.port, forger = forger.port,
                                        forge = 1, forge_from = "listen" })
        local ok, err = pcall(function()
          local e = entity(same_port.address, { timeout = 1, retries = 1 })
          local got = assert(s:get(e, { "1.3.6.1.2.1.1.5.0" }))
          assert.equals(FORGED, got[1].value)
          local counts = same_port:stats()
          assert.is_true(counts.forge > 0 and counts.suppressed > 0)
          assert.equals("", same_port:log())
        end)
        same_port:stop()
        assert(ok, err)
      end)

      it("blocking gets all complete with the agent's values", function()
        local e = entity()
        hostile(function()
          for n = 1, 30 do
            local oids = oids_for(n)
            local got, msg, name = s:get(e, oids)
            assert(got, string.format("get %d failed: %s %s", n, tostring(msg), tostring(name)))
            assert_real(oids, got, "get " .. n)
          end
        end)
      end)

      it("many gets in tasks all complete with the agent's values", function()
        local e = entity()
        local TASKS, EACH = 100, 3
        local results = {}
        hostile(function()
          for t = 1, TASKS do
            winsnmp.spawn(function()
              for k = 1, EACH do
                local n = t * EACH + k
                local got, msg, name = s:get(e, oids_for(n))
                results[n] = got or string.format("%s %s", tostring(msg), tostring(name))
              end
            end)
          end
          assert.is_true(winsnmp.run(60))
        end)
        for t = 1, TASKS do
          for k = 1, EACH do
            local n = t * EACH + k
            assert(type(results[n]) == "table",
              string.format("task %d get %d: %s", t, k, tostring(results[n])))
            assert_real(oids_for(n), results[n], "task " .. t .. " get " .. k)
          end
        end
      end)

      it("walks (small GETBULK steps), blocking and in tasks, match snmpbulkwalk", function()
        local e = entity()
        local walks = {}
        hostile(function()
          walks[1] = { s:walk(e, SYSTEM, { max_repetitions = 3 }) }
          for i = 2, 5 do
            winsnmp.spawn(function()
              walks[i] = { s:walk(e, SYSTEM, { max_repetitions = i }) }
            end)
          end
          assert.is_true(winsnmp.run(60))
        end)
        for i = 1, 5 do
          local got, msg, name = table.unpack(walks[i])
          assert(got, string.format("walk %d failed: %s %s", i, tostring(msg), tostring(name)))
          assert_real_walk(got, "walk " .. i)
        end
      end)

      it("every fault kind was injected (the counts are printed)", function()
        local kinds = {}
        for _, kind in ipairs(proxy.FAULTS) do
          if kind ~= "flip" or version == "3" then kinds[#kinds + 1] = kind end
        end
        local function missing(counts)
          for _, kind in ipairs(kinds) do
            if (counts[kind] or 0) == 0 then return kind end
            if kind == "drop" or kind == "dup" or kind == "reorder" or kind == "delay" then
              for _, dir in ipairs({ "up", "down" }) do
                if (counts[kind .. "_" .. dir] or 0) == 0 then return kind .. "_" .. dir end
              end
            end
          end
        end
        -- After the tests above this loop does nothing; run alone, it makes
        -- the traffic.
        local e = entity()
        local n = 0
        hostile(function()
          while missing(net:stats()) and n < 300 do
            n = n + 1
            assert_real(oids_for(n), assert(s:get(e, oids_for(n))), "get " .. n)
          end
        end)
        local counts = net:stats()
        io.stderr:write(string.format("\nhostile network v%s (seed %d): %s\n", version,
          SEED + #version, proxy.format(counts)))
        assert.is_nil(missing(counts), "a fault kind never happened")
        if version == "3" then assert.is_true(counts.forge_v3 > 0) end
      end)
    end)
  end
end)
