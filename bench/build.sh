#!/bin/sh
# Builds the benchmark's C reference client and canned responder, and installs
# the node peer.
#   sh bench/build.sh          # ref_client only
#   sh bench/build.sh --node   # also `npm install` net-snmp into bench/node_modules
set -e
here=$(cd "$(dirname "$0")" && pwd)
${CC:-cc} -O2 -Wall -o "$here/ref_client" "$here/ref_client.c" $(pkg-config --cflags --libs netsnmp)
${CC:-cc} -O2 -Wall -o "$here/responder" "$here/responder.c"
# node's net-snmp is optional: without npm the runner reports it as missing.
if [ "$1" = "--node" ] && [ ! -d "$here/node_modules/net-snmp" ] && command -v npm >/dev/null; then
  npm install --prefix "$here" --no-audit --no-fund >&2 || echo "bench: npm install failed" >&2
fi
