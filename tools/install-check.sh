#!/bin/sh
# `make install` into a scratch prefix, as a distribution would, then build a
# C program against it twice: through pkg-config and through CMake's
# find_package(winsnmp).  Also loads the Lua module from that prefix.
set -eu
cd "$(dirname "$0")/.."
build=${WINSNMP_BUILD:-./build}
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
cmake --install "$build" --prefix "$prefix" >/dev/null
pcdir=$(dirname "$(find "$prefix" -name winsnmp.pc)")
libdir=$(dirname "$pcdir")
export LD_LIBRARY_PATH="$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

# The .pc file names the configured prefix; point pkg-config at the scratch one.
cc -Wall -Wextra -o "$prefix/hello-pc" tools/install-check/hello.c \
    $(PKG_CONFIG_PATH="$pcdir" pkg-config --define-variable=prefix="$prefix" \
        --cflags --libs winsnmp)
echo "install-check: pkg-config: $("$prefix/hello-pc")"

# A Windows-style program (<WinSnmp.h>, NULL handles) as C and as C++17.
flags=$(PKG_CONFIG_PATH="$pcdir" pkg-config --define-variable=prefix="$prefix" --cflags --libs winsnmp)
cc -std=c11 -Wall -Wextra -Werror=int-conversion -o "$prefix/windows-c" \
    tools/install-check/windows_style.c $flags
c++ -std=c++17 -Wall -Wextra -x c++ -o "$prefix/windows-cxx" tools/install-check/windows_style.c \
    -x none $flags
echo "install-check: WinSnmp.h from C: $("$prefix/windows-c")"
echo "install-check: WinSnmp.h from C++: $("$prefix/windows-cxx")"

cmake -S tools/install-check -B "$prefix/consumer" -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build "$prefix/consumer" >/dev/null
echo "install-check: find_package: $("$prefix/consumer/hello")"

LUA_PATH="$prefix/share/lua/5.4/?.lua;$prefix/share/lua/5.4/?/init.lua;;" \
LUA_CPATH="$prefix/lib/lua/5.4/?.so;;" \
    lua5.4 -e 'local w = require("winsnmp"); assert(w.session()):close(); print("install-check: lua: " .. w._VERSION)'
LUA_PATH="$prefix/share/lua/5.4/?.lua;$prefix/share/lua/5.4/?/init.lua;;" \
LUA_CPATH="$prefix/lib/lua/5.4/?.so;;" \
    "$prefix/bin/winsnmp" --version | sed 's/^/install-check: cli: /'
