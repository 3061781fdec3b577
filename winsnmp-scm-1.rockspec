rockspec_format = "3.0"
package = "winsnmp"
version = "scm-1"
source = {
  url = "git+https://example.invalid/winsnmp.git",
}
description = {
  summary = "A WinSNMP-style SNMP session engine for Lua 5.4, over net-snmp",
  detailed = [[
    Sessions own handles (entities, contexts, PDUs, variable-binding lists)
    in a C core modelled on Microsoft's WinSNMP 2.0, with resource
    accounting, per-session and process-wide last errors, and values that
    are never guessed.
  ]],
  license = "MIT",
}
dependencies = {
  "lua >= 5.4, < 5.5",
}
external_dependencies = {
  NETSNMP = { header = "net-snmp/net-snmp-config.h", library = "netsnmp" },
}
build = {
  type = "cmake",
  variables = {
    CMAKE_BUILD_TYPE = "Release",
    CMAKE_INSTALL_PREFIX = "$(PREFIX)",
    LUA_CMOD_DIR = "$(LIBDIR)",
    LUA_LMOD_DIR = "$(LUADIR)",
    WINSNMP_INSTALL_CLIB = "OFF",
    -- the winsnmp command (a C launcher) goes to $(PREFIX)/bin, deployed
    -- to the tree's bin/ by LuaRocks
    WINSNMP_INSTALL_CLI = "ON",
    CMAKE_INSTALL_BINDIR = "bin",
  },
}
