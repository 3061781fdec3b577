-- Data for examples/simulated_agent.lua: a small system group and a
-- two-row interface table.  Entries are {oid, type, value[, writable]}.
return {
  { "1.3.6.1.2.1.1.1.0", "octets", "winsnmp simulated agent" },
  { "1.3.6.1.2.1.1.2.0", "oid", "1.3.6.1.4.1.8072.3.2.10" },
  { "1.3.6.1.2.1.1.3.0", "timeticks", 123456 },
  { "1.3.6.1.2.1.1.5.0", "octets", "simulator" },
  { oid = "1.3.6.1.2.1.1.6.0", type = "octets", value = "bench 4", writable = true },
  { "1.3.6.1.2.1.2.1.0", "int", 2 },
  { "1.3.6.1.2.1.2.2.1.1.1", "int", 1 },
  { "1.3.6.1.2.1.2.2.1.1.2", "int", 2 },
  { "1.3.6.1.2.1.2.2.1.2.1", "octets", "lo" },
  { "1.3.6.1.2.1.2.2.1.2.2", "octets", "eth0" },
  { "1.3.6.1.2.1.2.2.1.5.1", "gauge32", 10000000 },
  { "1.3.6.1.2.1.2.2.1.5.2", "gauge32", 1000000000 },
  { "1.3.6.1.2.1.2.2.1.6.1", "octets", "" },
  { "1.3.6.1.2.1.2.2.1.6.2", "octets", "\0\22\62\1\2\3" },
  { "1.3.6.1.2.1.31.1.1.1.6.2", "cntr64", "18446744073709551615" },
}
