#!/bin/bash
# net-snmp command-line peer of the winsnmp benchmark: one process per GET
# (snmpget), one process per walk (snmpbulkwalk).  Prints ONE line of JSON.
#   bash bench/cli_client.sh seq N ADDR              (N snmpget processes, one after another)
#   bash bench/cli_client.sh pipe N INFLIGHT ADDR    -> {"skipped": ...}
#   bash bench/cli_client.sh walk ROOT ADDR [MAXREP] (snmpbulkwalk -Cr25)
#   bash bench/cli_client.sh many ADDR...            (one snmpget per agent, sequential)
# SNMPv2c, community public, timeout 1 s, 3 retries, sysName.0; no MIBs loaded.
# For callgrind, measure one process: sh bench/callgrind_ir.sh snmpget ... (= Ir per GET).
export MIBS= MIBDIRS=
OPTS=(-v2c -c public -t 1 -r 3 -On -m "")
GET_OID=1.3.6.1.2.1.1.5.0

ns() { date +%s%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.4f", (b - a) / 1e9 }'; }
rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }'; }
# user+system seconds of this shell's children so far (bash's `times`, second
# line); `times` must run in this shell, not in a $(...) subshell.
TIMES=$(mktemp)
trap 'rm -f "$TIMES"' EXIT
child_cpu() {
  times > "$TIMES"
  CPU=$(awk 'NR == 2 { for (i = 1; i <= 2; i++) { split($i, p, /[ms]/); t += p[1] * 60 + p[2] } }
             END { printf "%.4f", t }' "$TIMES")
}
cpu_since() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.4f", b - a }'; }
usage() { sed -n '2,9p' "$0" >&2; exit 2; }

get_ok() { # ADDR -> 0 when the answer has a value
  local out
  out=$(snmpget "${OPTS[@]}" "$1" "$GET_OID" 2>/dev/null) || return 1
  case "$out" in *"No Such"*|*"No more variables"*|"") return 1 ;; esac
  return 0
}

mode=$1; shift || usage
case "$mode" in
  seq)
    [ $# -eq 2 ] || usage
    n=$1 addr=$2 ok=0 errors=0
    child_cpu; c0=$CPU; t0=$(ns)
    for ((i = 0; i < n; i++)); do
      if get_ok "$addr"; then ok=$((ok + 1)); else errors=$((errors + 1)); fi
    done
    t1=$(ns); s=$(secs "$t0" "$t1"); child_cpu; c1=$CPU
    printf '{"client":"net-snmp-cli","mode":"seq","n":%d,"seconds":%s,"per_second":%s,"cpu_seconds":%s,"ok":%d,"errors":%d,"note":"one snmpget process per GET"}\n' \
      "$n" "$s" "$(rate "$n" "$s")" "$(cpu_since "$c0" "$c1")" "$ok" "$errors"
    [ "$ok" -eq "$n" ] ;;
  pipe)
    printf '{"client":"net-snmp-cli","mode":"pipe","skipped":"a CLI process has one request at a time"}\n' ;;
  walk)
    [ $# -eq 2 ] || [ $# -eq 3 ] || usage
    root=${1#.} addr=$2 maxrep=${3:-25}
    child_cpu; c0=$CPU; t0=$(ns)
    out=$(snmpbulkwalk "${OPTS[@]}" -Cr"$maxrep" "$addr" "$root" 2>/dev/null); rc=$?
    t1=$(ns); s=$(secs "$t0" "$t1"); child_cpu; c1=$CPU
    count=$(printf '%s\n' "$out" | grep '^\.[0-9]' | grep -vc 'No more variables left')
    printf '{"client":"net-snmp-cli","mode":"walk","root":"%s","max_repetitions":%d,"varbinds":%d,"seconds":%s,"varbinds_per_second":%s,"cpu_seconds":%s,"errors":%d}\n' \
      "$root" "$maxrep" "$count" "$s" "$(rate "$count" "$s")" "$(cpu_since "$c0" "$c1")" "$((rc != 0))"
    [ "$rc" -eq 0 ] ;;
  many)
    [ $# -ge 1 ] || usage
    ok=0 errors=0
    child_cpu; c0=$CPU; t0=$(ns)
    for addr in "$@"; do
      if get_ok "$addr"; then ok=$((ok + 1)); else errors=$((errors + 1)); fi
    done
    t1=$(ns); s=$(secs "$t0" "$t1"); child_cpu; c1=$CPU
    printf '{"client":"net-snmp-cli","mode":"many","agents":%d,"seconds":%s,"per_second":%s,"cpu_seconds":%s,"ok":%d,"errors":%d,"note":"one snmpget process per agent, sequential"}\n' \
      "$#" "$s" "$(rate "$#" "$s")" "$(cpu_since "$c0" "$c1")" "$ok" "$errors"
    [ "$ok" -eq "$#" ] ;;
  *) usage ;;
esac
