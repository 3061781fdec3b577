#!/usr/bin/python3
"""easysnmp peer client of the winsnmp benchmark (Debian python3-easysnmp).

Usage (run with Debian's /usr/bin/python3, where the package installs):
    easysnmp_client.py seq N ADDR
    easysnmp_client.py pipe N INFLIGHT ADDR      -> {"skipped": "no async API"}
    easysnmp_client.py walk ROOT ADDR [MAXREP]   (bulkwalk, max-repetitions 25)
    easysnmp_client.py many ADDR...              (sequential: no async API)
    easysnmp_client.py count N ADDR              (N GETs then exit, for callgrind)

ADDR is udp:127.0.0.1:PORT (or 127.0.0.1:PORT).  SNMPv2c, community
public, timeout 1 s, 3 retries, GET of sysName.0.  Prints ONE line of JSON.
"""
import json
import os
import sys
import time

# Fair start-up: no MIB files (easysnmp's C module calls init_snmp on import).
os.environ["MIBS"] = ""
os.environ["MIBDIRS"] = ""

import easysnmp  # noqa: E402

GET_OID = ".1.3.6.1.2.1.1.5.0"
BAD_TYPES = ("NOSUCHOBJECT", "NOSUCHINSTANCE", "ENDOFMIBVIEW")


def session(addr):
    if addr.startswith("udp:"):
        addr = addr[4:]
    host, port = addr.rsplit(":", 1)
    return easysnmp.Session(hostname=host, remote_port=int(port), version=2,
                            community="public", timeout=1, retries=3,
                            use_numeric=True)


def emit(obj):
    obj = dict({"client": "easysnmp"}, **obj)
    print(json.dumps(obj, separators=(",", ":")))


def good(var):
    return var is not None and var.snmp_type not in BAD_TYPES


def run_seq(n, addr):
    s = session(addr)
    ok = errors = 0
    t0, c0 = time.perf_counter(), time.process_time()
    for _ in range(n):
        try:
            if good(s.get(GET_OID)):
                ok += 1
            else:
                errors += 1
        except easysnmp.EasySNMPError:
            errors += 1
    secs = time.perf_counter() - t0
    emit({"mode": "seq", "n": n, "seconds": round(secs, 4),
          "per_second": round(n / secs), "cpu_seconds": round(time.process_time() - c0, 4),
          "ok": ok, "errors": errors})
    return ok == n


def run_count(n, addr):
    s = session(addr)
    ok = sum(1 for _ in range(n) if good(s.get(GET_OID)))
    emit({"mode": "count", "n": n, "ok": ok})
    return ok == n


def run_walk(root, addr, maxrep):
    s = session(addr)
    root = "." + root.lstrip(".")
    t0, c0 = time.perf_counter(), time.process_time()
    errors = 0
    try:
        varlist = s.bulkwalk(root, non_repeaters=0, max_repetitions=maxrep)
    except easysnmp.EasySNMPError as e:
        varlist, errors = [], 1
        print("easysnmp_client: %s" % e, file=sys.stderr)
    secs = time.perf_counter() - t0
    # easysnmp stops at the end of the subtree itself; count what is in it.
    prefix = root + "."
    count = 0
    for v in varlist:
        name = v.oid if v.oid.startswith(".") else "." + v.oid
        if v.oid_index:
            name = name + "." + v.oid_index
        if (name + ".").startswith(prefix) and v.snmp_type != "ENDOFMIBVIEW":
            count += 1
    emit({"mode": "walk", "root": root.lstrip("."), "max_repetitions": maxrep,
          "varbinds": count, "seconds": round(secs, 4),
          "varbinds_per_second": round(count / secs) if secs else 0,
          "cpu_seconds": round(time.process_time() - c0, 4), "errors": errors})
    return errors == 0


def run_many(addrs):
    ok = errors = 0
    t0, c0 = time.perf_counter(), time.process_time()
    for addr in addrs:
        try:
            if good(session(addr).get(GET_OID)):
                ok += 1
            else:
                errors += 1
        except easysnmp.EasySNMPError:
            errors += 1
    secs = time.perf_counter() - t0
    emit({"mode": "many", "agents": len(addrs), "seconds": round(secs, 4),
          "per_second": round(len(addrs) / secs),
          "cpu_seconds": round(time.process_time() - c0, 4), "ok": ok, "errors": errors,
          "note": "sequential: easysnmp has no async API; one Session per agent, "
                  "one blocking GET at a time"})
    return ok == len(addrs)


def usage():
    sys.stderr.write(__doc__)
    sys.exit(2)


def main(argv):
    if not argv:
        usage()
    mode, args = argv[0], argv[1:]
    if mode == "seq" and len(args) == 2:
        return run_seq(int(args[0]), args[1])
    if mode == "count" and len(args) == 2:
        return run_count(int(args[0]), args[1])
    if mode == "pipe" and len(args) == 3:
        emit({"mode": "pipe", "skipped": "no async API"})
        return True
    if mode == "walk" and len(args) in (2, 3):
        return run_walk(args[0], args[1], int(args[2]) if len(args) == 3 else 25)
    if mode == "many" and args:
        return run_many(args)
    usage()


if __name__ == "__main__":
    sys.exit(0 if main(sys.argv[1:]) else 1)
