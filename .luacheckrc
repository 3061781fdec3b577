-- luacheck configuration (`make lint`; Debian package lua-check).
std = "lua54"
max_line_length = 100
files["spec"] = { std = "+busted" }
-- Lines of fixture data and expected tool output in specs may run long.
files["spec"].max_line_length = 120
exclude_files = { "bench/node_modules", "build", "build-asan" }
