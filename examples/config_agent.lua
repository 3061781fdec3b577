-- A configuration agent: a writable table of "virtual links" under a private
-- enterprise OID, created and destroyed by managers through its RowStatus
-- column (RFC 2579), each change applied by a Lua callback that rewrites a
-- configuration file.  A change the callback refuses fails the whole SET
-- (commitFailed) and leaves the table as it was.  The community "private"
-- may write, "public" may read, loopback senders only.
--   lua5.4 examples/config_agent.lua [ADDRESS] [SECONDS] [CONFIG_FILE]
--   snmpset -v2c -c private 127.0.0.1:16200 \
--     1.3.6.1.4.1.99999.7.1.1.2.4.101.116.104.48 i 1500 \
--     1.3.6.1.4.1.99999.7.1.1.4.4.101.116.104.48 i 4       # eth0: mtu 1500, createAndGo
--   cat /tmp/links.conf
local winsnmp = require("winsnmp")

local address, seconds, config_file = ...
address = address or "udp:127.0.0.1:16200"
config_file = config_file or "/tmp/links.conf"

-- linkEntry = 1.3.6.1.4.1.99999.7.1.1, INDEX { linkName } (a string):
-- 2 linkMtu (read-create, 68..9216), 3 linkEnabled (read-create,
-- true(1)/false(2), default true), 4 linkStatus (RowStatus)
local LINK_ENTRY = "1.3.6.1.4.1.99999.7.1.1"
local MTU, ENABLED, STATUS = 2, 3, 4

local links = {} -- what the "system" runs: name -> {mtu=, enabled=}

local function write_config()
  local names = {}
  for name in pairs(links) do names[#names + 1] = name end
  table.sort(names)
  local f = assert(io.open(config_file, "w"))
  for _, name in ipairs(names) do
    f:write(("%s mtu %d %s\n"):format(name, links[name].mtu,
      links[name].enabled and "up" or "down"))
  end
  f:close()
end

-- The callback: runs inside the SET's commit for every row it creates,
-- changes or destroys.  Only active rows are configured.
local function apply(index, row, old)
  local name = index[1]
  if row and row[MTU] == 1234 then
    print(("refusing %s: mtu 1234 is reserved"):format(name))
    return nil -- the SET fails with commitFailed and is undone
  end
  if row and row[STATUS] == 1 then
    links[name] = { mtu = row[MTU], enabled = row[ENABLED] == 1 }
    print(("%s %s: mtu %d, %s"):format(old and "changed" or "created", name, row[MTU],
      row[ENABLED] == 1 and "up" or "down"))
  else
    links[name] = nil
    print(("%s %s"):format(row and "disabled" or "destroyed", name))
  end
  write_config()
  return true
end

local view = winsnmp.mibview({
  { "1.3.6.1.4.1.99999.7.2.0", "octets", "links.conf via winsnmp" },
})
local tbl = view:table(LINK_ENTRY, {
  index = { "octets" },
  columns = {
    [MTU] = { type = "int", access = "rc", range = { 68, 9216 } },
    [ENABLED] = { type = "int", access = "rc", enum = { 1, 2 }, default = 1 },
    [STATUS] = { rowstatus = true },
  },
  apply = apply,
})
tbl:add({ "lo" }, { [MTU] = 9216 }) -- what runs already
links.lo = { mtu = 9216, enabled = true }
write_config()

local session <close> = assert(winsnmp.session())
local listener <close> = assert(session:listen(address, view.handler, {
  communities = { public = "ro", private = "rw" },
  sources = { "127.0.0.0/8", "::1/128" },
}))
print(("config agent on %s, writing %s"):format(listener.address, config_file))
io.stdout:flush()

local deadline = seconds and winsnmp.now() + tonumber(seconds)
while not deadline or winsnmp.now() < deadline do
  winsnmp.poll(deadline and math.min(1, deadline - winsnmp.now()) or 1)
  io.stdout:flush()
end
