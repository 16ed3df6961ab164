/**
 * QUIC CPU amplification: the engine's time on 20 k UDP datagrams that each coalesce 4 QUIC v1 Initials with
 * different DCIDs (fresh flows, every DCID new; a quarter of the datagrams correctly protected, the rest random
 * ciphertext behind valid-looking headers), against 20 k plain UDP datagrams of the same sizes and times. Each run is
 * its own process (createEngine, one push of the whole pcap); the two kinds alternate over several rounds and the
 * medians are compared. Target: flood ≤ 3 × plain. Writes bench/results/quic-flood.json.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { createEngine } from '../src/engine/index.ts';
import { concat, protectInitial, u16be } from '../test/engine/dpi/builders.ts';

const DATAGRAMS = 20_000;
const PACKETS_PER_DATAGRAM = 4;
/** Each coalesced Initial, header included; the datagram is 4 of them (a full-size 1200-byte client datagram). */
const PACKET_BYTES = 300;
/** Datagrams per second of capture time. */
const RATE = 5_000;
const ROUNDS = 5;
const TARGET = 3;

const here = fileURLToPath(import.meta.url);
const root = path.resolve(path.dirname(here), '..');

let seed = 0x5eed;
function rand(): number {
  seed = (seed * 1103515245 + 12345) >>> 0;
  return seed >>> 24;
}
function randomBytes(n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = rand();
  return b;
}

/** A distinct 8-byte DCID for packet k of datagram i. */
function dcidOf(i: number, k: number): Uint8Array {
  const d = randomBytes(8);
  d[0] = k;
  d[1] = i >>> 16; d[2] = (i >>> 8) & 255; d[3] = i & 255;
  return d;
}

/** A v1 Initial of exactly PACKET_BYTES whose payload is random (fails authentication under any key). */
function garbageInitial(dcid: Uint8Array): Uint8Array {
  const head = concat(new Uint8Array([0xc3, 0, 0, 0, 1, dcid.length]), dcid, new Uint8Array([0, 0]));
  const length = PACKET_BYTES - head.length - 2;
  return concat(head, u16be(0x4000 | length), randomBytes(length));
}

/** A correctly protected v1 Initial of PACKET_BYTES carrying PING and PADDING (decrypts, holds no ClientHello). */
function validInitial(dcid: Uint8Array): Uint8Array {
  const overhead = 1 + 4 + 1 + dcid.length + 1 + 1 + 2 + 4 + 16;
  const frames = new Uint8Array(PACKET_BYTES - overhead);
  frames[0] = 0x01;
  return protectInitial({ dcid, frames, pad: false });
}

function floodPayload(i: number): Uint8Array {
  const parts: Uint8Array[] = [];
  for (let k = 0; k < PACKETS_PER_DATAGRAM; k++) parts.push(i % 4 === 3 ? validInitial(dcidOf(i, k)) : garbageInitial(dcidOf(i, k)));
  return concat(...parts);
}

function plainPayload(): Uint8Array {
  return randomBytes(PACKETS_PER_DATAGRAM * PACKET_BYTES);
}

/** Ethernet/IPv4/UDP from a fresh source (address and port) per datagram to 192.0.2.1:443. */
function frame(i: number, payload: Uint8Array): Uint8Array {
  const f = new Uint8Array(14 + 20 + 8 + payload.length);
  const v = new DataView(f.buffer);
  f.set([2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2], 0);
  v.setUint16(12, 0x0800);
  f[14] = 0x45;
  v.setUint16(16, 20 + 8 + payload.length);
  f[22] = 64;
  f[23] = 17;
  f.set([10, 1 + ((i >>> 16) & 63), (i >>> 8) & 255, i & 255], 26);
  f.set([192, 0, 2, 1], 30);
  v.setUint16(34, 1024 + (i % 60000));
  v.setUint16(36, 443);
  v.setUint16(38, 8 + payload.length);
  f.set(payload, 42);
  return f;
}

function pcapFile(payloads: (i: number) => Uint8Array): Uint8Array {
  const recs: Uint8Array[] = [];
  const gh = new DataView(new ArrayBuffer(24));
  gh.setUint32(0, 0xa1b2c3d4, true);
  gh.setUint16(4, 2, true);
  gh.setUint16(6, 4, true);
  gh.setUint32(16, 262144, true);
  gh.setUint32(20, 1, true);
  recs.push(new Uint8Array(gh.buffer));
  for (let i = 0; i < DATAGRAMS; i++) {
    const f = frame(i, payloads(i));
    const ts = 1_700_000_000 + i / RATE;
    const rh = new DataView(new ArrayBuffer(16));
    rh.setUint32(0, Math.floor(ts), true);
    rh.setUint32(4, Math.round((ts - Math.floor(ts)) * 1e6), true);
    rh.setUint32(8, f.length, true);
    rh.setUint32(12, f.length, true);
    recs.push(new Uint8Array(rh.buffer), f);
  }
  return concat(...recs);
}

interface Run {
  ms: number;
  flows: number;
  summary: unknown;
}

function runOne(file: string): void {
  const data = new Uint8Array(readFileSync(file));
  const t0 = performance.now();
  const engine = createEngine();
  engine.push(data);
  engine.end();
  const ms = performance.now() - t0;
  const out: Run = { ms, flows: engine.stats.flows, summary: engine.summary() };
  process.stdout.write(JSON.stringify(out) + '\n');
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

if (process.argv[2]) {
  runOne(process.argv[2]);
} else {
  const dir = mkdtempSync(path.join(tmpdir(), 'sandpiper-quic-flood-'));
  try {
    const files = { plain: path.join(dir, 'plain.pcap'), flood: path.join(dir, 'flood.pcap') };
    writeFileSync(files.plain, pcapFile(() => plainPayload()));
    writeFileSync(files.flood, pcapFile(floodPayload));
    const ms: Record<'plain' | 'flood', number[]> = { plain: [], flood: [] };
    let last: Record<string, Run> = {};
    for (let r = 0; r < ROUNDS; r++) {
      for (const kind of ['plain', 'flood'] as const) {
        const p = spawnSync(process.execPath, [here, files[kind]], { encoding: 'utf8' });
        if (p.status !== 0) {
          console.error(p.stderr);
          process.exit(1);
        }
        const run = JSON.parse(p.stdout.trim().split('\n').pop() as string) as Run;
        ms[kind].push(run.ms);
        last = { ...last, [kind]: run };
      }
    }
    const plain = median(ms.plain);
    const flood = median(ms.flood);
    const ratio = flood / plain;
    console.log(`${DATAGRAMS} datagrams (${PACKETS_PER_DATAGRAM} coalesced Initials, different DCIDs, fresh flows, ${RATE}/s): ` +
      `plain UDP ${plain.toFixed(0)} ms, QUIC flood ${flood.toFixed(0)} ms (medians of ${ROUNDS}), ratio ${ratio.toFixed(2)} (target ≤ ${TARGET})`);
    console.log(`flood summary: ${JSON.stringify(last.flood.summary)}`);
    mkdirSync(path.join(root, 'bench/results'), { recursive: true });
    writeFileSync(path.join(root, 'bench/results/quic-flood.json'), JSON.stringify({
      datagrams: DATAGRAMS, packetsPerDatagram: PACKETS_PER_DATAGRAM, datagramBytes: PACKETS_PER_DATAGRAM * PACKET_BYTES, rate: RATE,
      rounds: ROUNDS, plainMs: ms.plain, floodMs: ms.flood, plainMedianMs: plain, floodMedianMs: flood, ratio, target: TARGET,
      floodSummary: last.flood.summary, cpus: cpus().length, loadavg: loadavg(),
    }, null, 2) + '\n');
    if (ratio > TARGET) process.exit(1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
