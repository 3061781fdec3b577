#!/bin/sh
# Every C test and every spec under valgrind memcheck (issue 6, item 3).
# Fails on any memory error and on any block definitely, indirectly or
# possibly lost.  No suppression file is needed: what stays allocated at
# exit is only "still reachable", namely
#   * net-snmp's MIB hash table (4.8 KB), made once by init_snmp: net-snmp
#     cannot be initialised again after shutdown, so the library never
#     shuts it down (the reason core.so is linked -z nodelete);
#   * the dynamic loader's records of the C modules Lua loaded (about 7 KB).
# The spec run goes straight to lua5.4 (busted --ignore-lua), since busted
# would otherwise re-run itself under Lua 5.4 in a child valgrind does not
# follow.  Child processes (snmpd, CLI tools, fake agents) are not traced.
set -eu
cd "$(dirname "$0")/.."
build=${WINSNMP_BUILD:-./build}
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
vg="valgrind --error-exitcode=99 --leak-check=full --show-leak-kinds=all
    --errors-for-leak-kinds=definite,indirect,possible --num-callers=30"

status=0
for t in "$build"/test_*; do
    [ -x "$t" ] || continue
    name=$(basename "$t")
    if ! (cd "$build" && $vg --log-file="$logs/$name.log" "./$name" >"$logs/$name.out" 2>&1); then
        echo "valgrind: $name FAILED"; cat "$logs/$name.log" "$logs/$name.out"; status=1
    else
        echo "valgrind: $name: $(grep -o 'ERROR SUMMARY: [0-9]* errors' "$logs/$name.log")," \
            "$(grep -o 'definitely lost: [0-9,]* bytes' "$logs/$name.log" || echo 'no leaks')"
    fi
done

busted=$(command -v busted)
if ! WINSNMP_BUILD="$build" $vg --log-file="$logs/busted.%p.log" \
        lua5.4 "$busted" --ignore-lua -o TAP "$@" >"$logs/busted.out" 2>&1; then
    echo "valgrind: busted FAILED"; tail -50 "$logs/busted.out"; status=1
fi
grep -E '^(not )?ok' "$logs/busted.out" | grep -c '^ok' | sed 's/^/valgrind: specs passed: /'
# Forked children log too; every log must be clean.
for log in "$logs"/busted.*.log; do
    if grep -qE 'ERROR SUMMARY: [1-9]|(definitely|indirectly|possibly) lost: [1-9]' "$log"; then
        echo "valgrind: errors in $log"; cat "$log"; status=1
    fi
done
# The busted process's own log: the one that allocated most.  (Every child
# forked before an exec logs the same command line but no summary, and the
# first such log by name was sometimes one of those.)
main=$(for log in "$logs"/busted.*.log; do
    allocs=$(grep -o 'total heap usage: [0-9,]* allocs' "$log" | tr -dc 0-9)
    [ -n "$allocs" ] && echo "$allocs $log"
done | sort -n | tail -1 | cut -d' ' -f2)
echo "valgrind: specs: $(grep -o 'ERROR SUMMARY: [0-9]* errors' "$main");" \
    "$(grep -o 'in use at exit: [0-9,]* bytes in [0-9]* blocks' "$main") (still reachable)"
exit $status
