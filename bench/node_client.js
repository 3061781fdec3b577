#!/usr/bin/env node
// node net-snmp peer client of the winsnmp benchmark.
//
// Install once:  npm install --prefix bench    (net-snmp into bench/node_modules)
// Usage:
//   node bench/node_client.js seq N ADDR
//   node bench/node_client.js pipe N INFLIGHT ADDR   (INFLIGHT requests via callbacks)
//   node bench/node_client.js walk ROOT ADDR [MAXREP] (session.subtree, GETBULK, 25)
//   node bench/node_client.js many ADDR...           (one session per agent, all at once)
//   node bench/node_client.js count N ADDR           (N sequential GETs, for callgrind)
//
// ADDR is udp:127.0.0.1:PORT (or 127.0.0.1:PORT).  SNMPv2c, community
// public, timeout 1 s, 3 retries, GET of sysName.0.  Prints ONE line of JSON.
"use strict";

const path = require("path");
const snmp = require(path.join(__dirname, "node_modules", "net-snmp"));

const GET_OID = "1.3.6.1.2.1.1.5.0";

function parseAddr(addr) {
  const a = addr.replace(/^udp:/, "");
  const i = a.lastIndexOf(":");
  return { host: a.slice(0, i), port: Number(a.slice(i + 1)) };
}

function open(addr) {
  const { host, port } = parseAddr(addr);
  return snmp.createSession(host, "public", {
    port, version: snmp.Version2c, timeout: 1000, retries: 3, backoff: 1.0,
    transport: "udp4",
  });
}

function good(error, varbinds) {
  return !error && varbinds && varbinds.length === 1 && !snmp.isVarbindError(varbinds[0]);
}

// Monotonic clock and CPU time (user + system) of this process.
function clock() {
  return { t: process.hrtime.bigint(), cpu: process.cpuUsage() };
}
function since(c0) {
  const secs = Number(process.hrtime.bigint() - c0.t) / 1e9;
  const cpu = process.cpuUsage(c0.cpu);
  return { secs, cpu: (cpu.user + cpu.system) / 1e6 };
}
const r4 = (x) => Math.round(x * 1e4) / 1e4;

function emit(obj) {
  process.stdout.write(JSON.stringify(Object.assign({ client: "node-net-snmp" }, obj)) + "\n");
}

function runSeq(n, addr, done, mode = "seq") {
  const session = open(addr);
  let ok = 0, errors = 0, i = 0;
  const c0 = clock();
  const next = () => {
    if (i === n) {
      const { secs, cpu } = since(c0);
      if (mode === "count") emit({ mode, n, ok });
      else emit({ mode: "seq", n, seconds: r4(secs), per_second: Math.round(n / secs),
             cpu_seconds: r4(cpu), ok, errors });
      session.close();
      return done(ok === n);
    }
    i++;
    session.get([GET_OID], (error, varbinds) => {
      if (good(error, varbinds)) ok++; else errors++;
      next();
    });
  };
  next();
}

function runPipe(n, inflight, addr, done) {
  const session = open(addr);
  let ok = 0, errors = 0, sent = 0, finished = 0;
  const c0 = clock();
  const send = () => {
    sent++;
    session.get([GET_OID], (error, varbinds) => {
      if (good(error, varbinds)) ok++; else errors++;
      finished++;
      if (sent < n) send();
      else if (finished === n) {
        const { secs, cpu } = since(c0);
        emit({ mode: "pipe", n, inflight, seconds: r4(secs), per_second: Math.round(n / secs),
               cpu_seconds: r4(cpu), ok, errors });
        session.close();
        done(ok === n);
      }
    });
  };
  for (let k = 0; k < inflight && sent < n; k++) send();
}

function runWalk(root, addr, maxrep, done) {
  const session = open(addr);
  root = root.replace(/^\./, "");
  let count = 0;
  const c0 = clock();
  session.subtree(root, maxrep, (varbinds) => {
    for (const vb of varbinds) if (!snmp.isVarbindError(vb)) count++;
  }, (error) => {
    const { secs, cpu } = since(c0);
    if (error) process.stderr.write("node_client: " + error.toString() + "\n");
    emit({ mode: "walk", root, max_repetitions: maxrep, varbinds: count, seconds: r4(secs),
           varbinds_per_second: secs ? Math.round(count / secs) : 0, cpu_seconds: r4(cpu),
           errors: error ? 1 : 0 });
    session.close();
    done(!error);
  });
}

function runMany(addrs, done) {
  let ok = 0, errors = 0, finished = 0;
  const c0 = clock();
  const sessions = addrs.map(open);
  const openSecs = since(c0).secs;
  sessions.forEach((session) => {
    session.get([GET_OID], (error, varbinds) => {
      if (good(error, varbinds)) ok++; else errors++;
      if (++finished === addrs.length) {
        const { secs, cpu } = since(c0);
        emit({ mode: "many", agents: addrs.length, sessions: sessions.length,
               seconds: r4(secs), open_seconds: r4(openSecs),
               per_second: Math.round(addrs.length / secs), cpu_seconds: r4(cpu), ok, errors,
               note: "one session (one UDP socket) per agent: node net-snmp binds a session to a target" });
        sessions.forEach((s) => s.close());
        done(ok === addrs.length);
      }
    });
  });
}

function usage() {
  process.stderr.write("usage: node_client.js seq N ADDR | pipe N INFLIGHT ADDR | " +
                       "walk ROOT ADDR [MAXREP] | many ADDR... | count N ADDR\n");
  process.exit(2);
}

function main(argv) {
  const [mode, ...args] = argv;
  const done = (ok) => { process.exitCode = ok ? 0 : 1; };
  if ((mode === "seq" || mode === "count") && args.length === 2)
    runSeq(Number(args[0]), args[1], done, mode);
  else if (mode === "pipe" && args.length === 3)
    runPipe(Number(args[0]), Number(args[1]), args[2], done);
  else if (mode === "walk" && (args.length === 2 || args.length === 3))
    runWalk(args[0], args[1], args.length === 3 ? Number(args[2]) : 25, done);
  else if (mode === "many" && args.length >= 1) runMany(args, done);
  else usage();
}

main(process.argv.slice(2));
