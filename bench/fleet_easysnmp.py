#!/usr/bin/python3
"""The easysnmp client of `make bench-fleet` (Debian python3-easysnmp):
a thread pool of WORKERS threads, one Session and one bulkwalk of ifEntry
per agent at 25 repetitions; after an error or an empty walk the table is
walked again at 10.  Every cell is checked against the simulator's data
(bench/fleet_data.h).  SNMPv2c, community public, timeout 1 s, 2 retries.

    /usr/bin/python3 bench/fleet_easysnmp.py PORTSFILE [WORKERS] [BUDGET]

After BUDGET seconds (default 150) no new agent is started: the ones left
are reported as "unfinished" (easysnmp is slow at this, see bench/fleet.md).
With 8 threads or more it crashed (SIGSEGV) in development: easysnmp is not
safe with concurrent sessions.
"""
import concurrent.futures
import json
import os
import sys
import time

os.environ["MIBS"] = ""
os.environ["MIBDIRS"] = ""

import easysnmp  # noqa: E402

ROWS, COLS = 24, 22
IF_ENTRY = ".1.3.6.1.2.1.2.2.1"


def expected(port, col, row):
    h = (port * 2654435761 + col * 40503 + row * 2246822519) & 0xFFFFFFFF
    if col == 1:
        return "INTEGER", str(row)
    if col == 2:
        return "OCTETSTR", "a%d-if%d" % (port, row)
    if col == 3:
        return "INTEGER", "6"
    if col == 4:
        return "INTEGER", "1500"
    if col == 5:
        return "GAUGE", str(h)
    if col == 6:
        return "OCTETSTR", bytes([2, (port >> 8) & 255, port & 255, 0xAB, 0xCD, row]).decode("latin-1")
    if col == 7:
        return "INTEGER", "1"
    if col == 8:
        return "INTEGER", str(1 + h % 2)
    if col == 9:
        return "TICKS", str(h)
    if col == 21:
        return "GAUGE", str(h % 100)
    if col == 22:
        return "OBJECTID", ".0.0"
    return "COUNTER", str(h)


def walk(port, reps):
    """(rows right, varbinds, error) of one agent's table."""
    ok, bad, n, error = set(), set(), 0, None
    try:
        s = easysnmp.Session(hostname="127.0.0.1", remote_port=port, version=2,
                             community="public", timeout=1, retries=2, use_numeric=True)
        varlist = s.bulkwalk(IF_ENTRY, non_repeaters=0, max_repetitions=reps)
    except easysnmp.EasySNMPError as e:
        varlist, error = [], e
    for v in varlist:
        if not v.oid.startswith(IF_ENTRY + "."):
            continue
        n += 1
        try:
            col, row = int(v.oid[len(IF_ENTRY) + 1:]), int(v.oid_index)
        except ValueError:
            continue
        if not (1 <= col <= COLS and 1 <= row <= ROWS):
            continue
        if (v.snmp_type, v.value) == expected(port, col, row):
            ok.add((col, row))
        else:
            bad.add(row)
    whole = sum(1 for r in range(1, ROWS + 1)
                if r not in bad and all((c, r) in ok for c in range(1, COLS + 1)))
    return whole, n, error


DEADLINE = [None]


def collect(port):
    if time.perf_counter() > DEADLINE[0]:
        return port, 0, "unfinished"
    whole, n, error = walk(port, 25)
    if error or n == 0:
        whole, n, error = walk(port, 10)
    return port, whole, error


def main(argv):
    if not argv:
        sys.stderr.write(__doc__)
        return 2
    ports = [int(line) for line in open(argv[0]) if line.strip()]
    workers = int(argv[1]) if len(argv) > 1 else 4
    t0 = time.perf_counter()
    DEADLINE[0] = t0 + (float(argv[2]) if len(argv) > 2 else 150)
    rows_ok = agents_ok = unfinished = 0
    failed = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
        for port, whole, error in pool.map(collect, ports):
            rows_ok += whole
            if error == "unfinished":
                unfinished += 1
            elif whole == ROWS and not error:
                agents_ok += 1
            else:
                failed.append(port)
    print(json.dumps({"client": "easysnmp", "seconds": round(time.perf_counter() - t0, 3),
                      "agents": len(ports), "agents_ok": agents_ok, "rows_ok": rows_ok,
                      "window": workers, "unfinished": unfinished, "failed_ports": " ".join(map(str, sorted(failed)))},
                     separators=(",", ":")))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
