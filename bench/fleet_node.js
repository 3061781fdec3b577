#!/usr/bin/env node
// The node net-snmp client of `make bench-fleet` (bench/node_modules, from
// `sh bench/build.sh --node`): asynchronous, at most WINDOW agents at once,
// one session per agent, session.subtree of ifEntry at 25 repetitions; after
// an error or an empty walk the table is walked again at 10.  Every cell is
// checked against the simulator's data (bench/fleet_data.h).  SNMPv2c,
// community public, timeout 1 s, 2 retries.
//
//   node bench/fleet_node.js PORTSFILE [WINDOW]
"use strict";

const fs = require("fs");
const path = require("path");
const snmp = require(path.join(__dirname, "node_modules", "net-snmp"));

const ROWS = 24, COLS = 22, IF_ENTRY = "1.3.6.1.2.1.2.2.1";
const T = snmp.ObjectType;

const hash = (port, col, row) => (port * 2654435761 + col * 40503 + row * 2246822519) % 4294967296;

function expected(port, col, row) {
  const h = hash(port, col, row);
  switch (col) {
    case 1: return [T.Integer, row];
    case 2: return [T.OctetString, Buffer.from(`a${port}-if${row}`)];
    case 3: return [T.Integer, 6];
    case 4: return [T.Integer, 1500];
    case 5: return [T.Gauge32, h];
    case 6: return [T.OctetString, Buffer.from([2, (port >> 8) & 255, port & 255, 0xab, 0xcd, row])];
    case 7: return [T.Integer, 1];
    case 8: return [T.Integer, 1 + (h % 2)];
    case 9: return [T.TimeTicks, h];
    case 21: return [T.Gauge32, h % 100];
    case 22: return [T.OID, "0.0"];
    default: return [T.Counter32, h];
  }
}

function good(port, vb, col, row) {
  const [type, value] = expected(port, col, row);
  if (vb.type !== type) return false;
  if (Buffer.isBuffer(value)) return Buffer.isBuffer(vb.value) && value.equals(vb.value);
  return vb.value === value;
}

// Walks one agent's table; done(rowsRight, varbinds, error).
function walk(port, reps, done) {
  const session = snmp.createSession("127.0.0.1", "public", {
    port, version: snmp.Version2c, timeout: 1000, retries: 2, backoff: 1.0, transport: "udp4",
  });
  const ok = new Uint8Array(ROWS * COLS), bad = new Uint8Array(ROWS);
  let n = 0;
  session.subtree(IF_ENTRY, reps, (varbinds) => {
    for (const vb of varbinds) {
      if (snmp.isVarbindError(vb)) continue;
      n++;
      const parts = vb.oid.slice(IF_ENTRY.length + 1).split(".");
      if (parts.length !== 2) continue;
      const col = Number(parts[0]), row = Number(parts[1]);
      if (!(col >= 1 && col <= COLS && row >= 1 && row <= ROWS)) continue;
      if (good(port, vb, col, row)) ok[(col - 1) * ROWS + row - 1] = 1;
      else bad[row - 1] = 1;
    }
  }, (error) => {
    session.close();
    let whole = 0;
    for (let r = 0; r < ROWS; r++) {
      let w = !bad[r];
      for (let c = 0; c < COLS && w; c++) w = ok[c * ROWS + r] === 1;
      if (w) whole++;
    }
    done(whole, n, error);
  });
}

function main(argv) {
  if (argv.length < 1) {
    process.stderr.write("usage: node fleet_node.js PORTSFILE [WINDOW]\n");
    process.exit(2);
  }
  const ports = fs.readFileSync(argv[0], "utf8").split("\n").filter(Boolean).map(Number);
  const window = argv.length > 1 ? Number(argv[1]) : 1000;
  const t0 = process.hrtime.bigint();
  let next = 0, active = 0, rowsOk = 0, agentsOk = 0;
  const failed = [];
  const finish = (port, whole, error) => {
    rowsOk += whole;
    if (whole === ROWS && !error) agentsOk++; else failed.push(port);
    active--;
    fill();
  };
  const fill = () => {
    while (active < window && next < ports.length) {
      const port = ports[next++];
      active++;
      walk(port, 25, (whole, n, error) => {
        if (error || n === 0) walk(port, 10, (w2, n2, e2) => finish(port, w2, e2));
        else finish(port, whole, error);
      });
    }
    if (active === 0 && next === ports.length) {
      failed.sort((a, b) => a - b);
      const secs = Number(process.hrtime.bigint() - t0) / 1e9;
      process.stdout.write(JSON.stringify({ client: "node-net-snmp", seconds: Math.round(secs * 1000) / 1000,
        agents: ports.length, agents_ok: agentsOk, rows_ok: rowsOk, window,
        failed_ports: failed.join(" ") }) + "\n");
    }
  };
  fill();
}

main(process.argv.slice(2));
