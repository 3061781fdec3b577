#!/bin/sh
# Builds the fleet benchmark's programs: the simulator, the measuring
# wrapper, the C reference client and the gosnmp client (Debian's
# golang-go and golang-github-gosnmp-gosnmp-dev, offline: GOPATH mode
# against /usr/share/gocode).  The node peer: sh bench/build.sh --node.
set -e
here=$(cd "$(dirname "$0")" && pwd)
CC=${CC:-cc}
$CC -O2 -Wall -o "$here/fleet_sim" "$here/fleet_sim.c"
$CC -O2 -Wall -o "$here/fleet_measure" "$here/fleet_measure.c"
$CC -O2 -Wall -o "$here/ref_fleet" "$here/ref_fleet.c" $(pkg-config --cflags --libs netsnmp)
if command -v go >/dev/null && [ -d /usr/share/gocode/src/github.com/gosnmp/gosnmp ]; then
  mkdir -p "$here/fleet-work"
  (cd "$here/fleet_gosnmp" && GO111MODULE=off GOPATH=/usr/share/gocode GOFLAGS= \
    GOCACHE="${GOCACHE:-$here/fleet-work/go-cache}" go build -o "$here/gosnmp_fleet" .)
else
  echo "fleet_build: golang-go or golang-github-gosnmp-gosnmp-dev missing: no gosnmp client" >&2
fi
