/**
 * Cost of socket events on the engine: a local UDP flood where every datagram is also a udpSend event (what a
 * process sending from its own socket makes), ingested with and without the events. Prints packets per second of
 * each and the ratio; run with `node bench/socket-events-cost.ts [packets] [on|off]` (one mode only, once: for
 * instruction counts with `perf stat -e instructions`).
 */
import { createEngine } from '../src/engine/engine.ts';
import { SocketAttribution } from '../src/engine/socket-attribution.ts';
import { encodeSocketEvent, encodeSocketEventsHeader, SocketEventKind } from '../src/shared/socket-events.ts';

const N = Number(process.argv[2] ?? 1_000_000);
const FLOWS = 1000;
const T0 = 1_700_000_000;
const BATCH = 4096;

function packet(i: number): Buffer {
  const f = i % FLOWS;
  const b = Buffer.alloc(16 + 14 + 20 + 8 + 18);
  const ts = T0 + i / 1e6;
  b.writeUInt32LE(Math.floor(ts), 0);
  b.writeUInt32LE(Math.round((ts % 1) * 1e6) % 1e6, 4);
  b.writeUInt32LE(b.length - 16, 8);
  b.writeUInt32LE(b.length - 16, 12);
  b.writeUInt16BE(0x0800, 16 + 12);
  const ip = 16 + 14;
  b[ip] = 0x45;
  b.writeUInt16BE(20 + 8 + 18, ip + 2);
  b[ip + 8] = 64;
  b[ip + 9] = 17;
  b.set([10, 0, 0, 1], ip + 12);
  b.set([10, 0, 1, 1], ip + 16);
  b.writeUInt16BE(30000 + f, ip + 20);
  b.writeUInt16BE(9999, ip + 22);
  b.writeUInt16BE(8 + 18, ip + 24);
  return b;
}

function event(i: number): Buffer {
  const f = i % FLOWS;
  const local = new Uint8Array(16);
  local.set([10, 0, 0, 1]);
  const remote = new Uint8Array(16);
  remote.set([10, 0, 1, 1]);
  return encodeSocketEvent({ kind: SocketEventKind.udpSend, family: 4, protocol: 17, localAddress: local, localPort: 30000 + f, remoteAddress: remote,
    remotePort: 9999, pid: 1000 + (f % 50), uid: 65534, timeNs: BigInt(i) * 1000n, comm: 'flooder' });
}

const header = Buffer.alloc(24);
header.writeUInt32LE(0xa1b2c3d4, 0);
header.writeUInt16LE(2, 4);
header.writeUInt16LE(4, 6);
header.writeUInt32LE(262144, 16);
header.writeUInt32LE(1, 20);
const pktChunks: Buffer[] = [];
const evChunks: Buffer[] = [];
for (let i = 0; i < N; i += BATCH) {
  const p: Buffer[] = [];
  const e: Buffer[] = [];
  for (let j = i; j < Math.min(N, i + BATCH); j++) {
    p.push(packet(j));
    e.push(event(j));
  }
  pktChunks.push(Buffer.concat(p));
  evChunks.push(Buffer.concat(e));
}

function run(withEvents: boolean): number {
  const sa = withEvents ? new SocketAttribution({ procRoot: '/nonexistent', uid: -2 }) : undefined;
  const e = createEngine({ detail: true, socketAttribution: sa, geo: null });
  const start = performance.now();
  e.push(header);
  if (withEvents) e.pushSocketEvents(encodeSocketEventsHeader({ monotonicNs: 0n, realtimeNs: BigInt(T0) * 1_000_000_000n }));
  for (let c = 0; c < pktChunks.length; c++) {
    if (withEvents) e.pushSocketEvents(evChunks[c]);
    e.push(pktChunks[c]);
  }
  const ms = performance.now() - start;
  if (withEvents && (e.stats.socketEvents?.matched ?? 0) < 0.99 * N) throw new Error(`matched ${e.stats.socketEvents?.matched} of ${N}`);
  return N / (ms / 1000);
}

const only = process.argv[3];
if (only === 'on' || only === 'off') {
  console.log(JSON.stringify({ packets: N, events: only === 'on', pps: Math.round(run(only === 'on')) }));
  process.exit(0);
}
const rounds = 5;
let best = { off: 0, on: 0 };
for (let r = 0; r < rounds; r++) {
  best = { off: Math.max(best.off, run(false)), on: Math.max(best.on, run(true)) };
}
console.log(JSON.stringify({ packets: N, pps_without_events: Math.round(best.off), pps_with_events: Math.round(best.on), ratio: +(best.on / best.off).toFixed(3) }));
