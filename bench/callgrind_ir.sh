#!/bin/sh
# Prints the number of instructions (callgrind's Ir total) that COMMAND runs.
#   sh bench/callgrind_ir.sh COMMAND [ARGS...]
# Instructions per GET for the C reference, start-up cost removed:
#   a=$(sh bench/callgrind_ir.sh bench/ref_client count 1000 ADDR)
#   b=$(sh bench/callgrind_ir.sh bench/ref_client count 2000 ADDR)
#   echo $(( (b - a) / 1000 ))
# The command's stdout goes to stderr so that only the number is on stdout.
set -e
log=$(mktemp)
trap 'rm -f "$log"' EXIT
valgrind --tool=callgrind --callgrind-out-file=/dev/null --log-file="$log" "$@" >&2
sed -n 's/.*Collected : *\([0-9][0-9]*\).*/\1/p' "$log"
