#!/bin/sh
# fuzz/build.sh [OUTDIR] — builds the libFuzzer targets into OUTDIR
# (default build/fuzz): fuzz_decode_msg, fuzz_authority, fuzz_agentx,
# fuzz_lua_values, fuzz_parsers.
#
# Needs clang (Debian: clang, clang 14) with libFuzzer's runtime (Debian:
# libclang-rt-14-dev), and the project's build dependencies (libsnmp-dev,
# liblua5.4-dev, pkg-config).  Every source is compiled with
#   -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
# the core (src/core/*.c) into every target, the Lua binding (src/lua/*.c)
# into fuzz_lua_values and fuzz_parsers (for its OID parser, values.c).
# Objects are rebuilt only when a source or header is newer.
set -eu
cd "$(dirname "$0")/.."

OUT=${1:-build/fuzz}
CC=${CC:-clang}
JOBS=${JOBS:-2}

if ! command -v "$CC" >/dev/null 2>&1; then
    echo "fuzz/build.sh: $CC not found (Debian packages: clang libclang-rt-14-dev)" >&2
    exit 1
fi

# Same version defines and include directories as CMakeLists.txt.
VERSION=$(sed -n 's/^project(winsnmp VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
DATE=$(sed -n 's/.*WSNMP_VERSION_DATE="\([^"]*\)".*/\1/p' CMakeLists.txt)
NETSNMP_CFLAGS=$(pkg-config --cflags netsnmp)
NETSNMP_LIBS=$(pkg-config --libs netsnmp)
LUA_CFLAGS=$(pkg-config --cflags lua5.4)
LUA_LIBS=$(pkg-config --libs lua5.4)

SAN="-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined"
CFLAGS="-g -O1 $SAN -fno-omit-frame-pointer -std=gnu11 -Wall -Wextra -Wno-unused-parameter"
CFLAGS="$CFLAGS -DWSNMP_VERSION_STRING=\"$VERSION\" -DWSNMP_VERSION_DATE=\"$DATE\""
CORE_INCLUDES=""
for layer in base model wire objects engine api; do CORE_INCLUDES="$CORE_INCLUDES -Isrc/core/$layer"; done
CFLAGS="$CFLAGS -Isrc $CORE_INCLUDES -I$OUT/obj/fuzz $NETSNMP_CFLAGS $LUA_CFLAGS"
# -Wl,--wrap=getaddrinfo: the targets' own __wrap_getaddrinfo aborts, so no
# input can ever make the core resolve a host name (fuzz_common.h).
LDFLAGS="$SAN -Wl,--wrap=getaddrinfo"

mkdir -p "$OUT/obj/core" "$OUT/obj/lua" "$OUT/obj/fuzz"

# The Lua side of fuzz_lua_values, as bytes for a C array initialiser.
harness=$OUT/obj/fuzz/lua_values_harness.inc
if [ ! -f "$harness" ] || [ fuzz/lua_values_harness.lua -nt "$harness" ]; then
    od -An -v -tx1 fuzz/lua_values_harness.lua | sed 's/ *\([0-9a-f][0-9a-f]\)/0x\1,/g' >"$harness"
fi

# Newest header: any change recompiles everything.
newest_header=$(ls -t src/*.h src/core/*/*.h src/lua/*.h fuzz/*.h "$harness" | head -n 1)

# Writes "source object" lines for what needs compiling.
stale=$(mktemp)
trap 'rm -f "$stale"' EXIT
for src in src/core/*/*.c src/lua/*.c fuzz/fuzz_*.c; do
    case $src in
        src/core/*) obj=$OUT/obj/core/$(basename "$src" .c).o ;;
        src/lua/*) obj=$OUT/obj/lua/$(basename "$src" .c).o ;;
        *) obj=$OUT/obj/fuzz/$(basename "$src" .c).o ;;
    esac
    if [ ! -f "$obj" ] || [ "$src" -nt "$obj" ] || [ "$newest_header" -nt "$obj" ]; then
        echo "$src $obj" >>"$stale"
    fi
done

if [ -s "$stale" ]; then
    echo "fuzz/build.sh: compiling $(wc -l <"$stale") files with $CC ($($CC --version | head -n 1))"
    # (CFLAGS holds no spaces inside a word: the defines' quotes reach the
    # compiler as written, making string literals.)
    export CC CFLAGS
    # shellcheck disable=SC2016
    xargs -P "$JOBS" -L 1 sh -c 'echo "  CC $0"; exec $CC $CFLAGS -c "$0" -o "$1"' <"$stale"
fi

CORE_OBJS=$(ls "$OUT"/obj/core/*.o)
LUA_OBJS=$(ls "$OUT"/obj/lua/*.o)

link() {
    target=$1
    shift
    # shellcheck disable=SC2086
    $CC $LDFLAGS -o "$OUT/$target" "$OUT/obj/fuzz/$target.o" "$@"
}

# shellcheck disable=SC2086
link fuzz_decode_msg $CORE_OBJS $NETSNMP_LIBS -lm
# shellcheck disable=SC2086
link fuzz_authority $CORE_OBJS $NETSNMP_LIBS -lm
# shellcheck disable=SC2086
link fuzz_agentx $CORE_OBJS $NETSNMP_LIBS -lm
# shellcheck disable=SC2086
link fuzz_parsers $LUA_OBJS $CORE_OBJS $NETSNMP_LIBS $LUA_LIBS -lm
# shellcheck disable=SC2086
link fuzz_lua_values $LUA_OBJS $CORE_OBJS $NETSNMP_LIBS $LUA_LIBS -lm
echo "fuzz/build.sh: built $OUT/fuzz_decode_msg $OUT/fuzz_authority $OUT/fuzz_agentx $OUT/fuzz_lua_values $OUT/fuzz_parsers"
