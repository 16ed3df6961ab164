/**
 * The capture benches' flood: 60-byte Ethernet/IPv4/UDP frames from namespace B to A over many source ports, sent by
 * one of several senders. Each sender reports the frames it handed the kernel and its wall time.
 *
 * - `raw` (default): bench/support/flood-sender.c, compiled here with the installed cc: a pre-built set of frames
 *   through an AF_PACKET TX ring with PACKET_QDISC_BYPASS, each frame in the skb's linear part (see the source).
 * - `udp`: the same program sending datagrams from UDP sockets by sendmmsg (what the eBPF UDP hook sees per datagram).
 * - `trafgen` (Debian's netsniff-ng) with one frame template whose source port is random per packet.
 * - `tcpreplay --topspeed --preload-pcap` of the generated file.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NetnsPair } from '../../test/support/netns.ts';

export type SenderKind = 'raw' | 'udp' | 'trafgen' | 'tcpreplay';
export const SENDER_KINDS: readonly SenderKind[] = ['raw', 'udp', 'trafgen', 'tcpreplay'];

const here = path.dirname(fileURLToPath(import.meta.url));
const SOURCE = path.join(here, 'flood-sender.c');
const FRAME_LEN = 60;
/** The udp sender's first port (source and destination) and its sockets: SOCKETS x (flows / SOCKETS) flows. */
const UDP_BASE_PORT = 20_000;
const UDP_SOCKETS = 64;

export function isSenderKind(s: string): s is SenderKind {
  return (SENDER_KINDS as readonly string[]).includes(s);
}

/** The compiled sender, rebuilt when its source is newer. */
export function floodSenderBinary(): string {
  const dir = path.join(tmpdir(), 'sandpiper-bench');
  mkdirSync(dir, { recursive: true });
  const bin = path.join(dir, 'flood-sender');
  if (!existsSync(bin) || statSync(bin).mtimeMs < statSync(SOURCE).mtimeMs) {
    const cc = ['cc', 'gcc', 'clang'].find((c) => {
      try {
        execFileSync(c, ['--version'], { stdio: 'ignore' });
        return true;
      } catch {
        return false;
      }
    });
    if (!cc) throw new Error('no C compiler (cc, gcc or clang) to build the flood sender');
    execFileSync(cc, ['-O2', '-Wall', '-o', bin, SOURCE], { stdio: ['ignore', 'inherit', 'inherit'] });
  }
  return bin;
}

function mac(ns: string, dev: string): Buffer {
  const out = execFileSync('ip', ['-n', ns, '-j', 'link', 'show', 'dev', dev], { encoding: 'utf8' });
  const addr = (JSON.parse(out) as Array<{ address: string }>)[0].address;
  return Buffer.from(addr.split(':').map((h) => parseInt(h, 16)));
}

function ipv4(text: string): Buffer {
  return Buffer.from(text.split('.').map(Number));
}

/** `count` frames from B to A over `flows` source ports (so `flows` flows), consecutive frames in flows far apart. */
export function writeFloodPcap(file: string, p: NetnsPair, count: number, flows: number): void {
  const buf = Buffer.alloc(24 + count * (16 + FRAME_LEN));
  buf.writeUInt32LE(0xa1b2c3d4, 0);
  buf.writeUInt16LE(2, 4);
  buf.writeUInt16LE(4, 6);
  buf.writeUInt32LE(65535, 16);
  buf.writeUInt32LE(1, 20);
  const frame = Buffer.alloc(FRAME_LEN);
  mac(p.a, p.ifA).copy(frame, 0);
  mac(p.b, p.ifB).copy(frame, 6);
  frame.writeUInt16BE(0x0800, 12);
  frame[14] = 0x45;
  frame.writeUInt16BE(46, 16); // IP total length: 20 + 8 + 18
  frame[22] = 64;
  frame[23] = 17;
  ipv4(p.ipB).copy(frame, 26);
  ipv4(p.ipA).copy(frame, 30);
  frame.writeUInt16BE(9999, 36);
  frame.writeUInt16BE(26, 38);
  let off = 24;
  for (let i = 0; i < count; i++) {
    frame.writeUInt16BE(i & 0xffff, 18); // IP id
    frame.writeUInt16BE(0, 24);
    let sum = 0;
    for (let k = 14; k < 34; k += 2) sum += frame.readUInt16BE(k);
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
    frame.writeUInt16BE(~sum & 0xffff, 24);
    // An odd multiplier permutes the 16-bit ports, so consecutive frames belong to flows far apart.
    frame.writeUInt16BE(flows === 65_536 ? (i * 40_503) & 0xffff : 1024 + ((i * 40_503) % flows), 34);
    buf.writeUInt32LE(1_700_000_000, off);
    buf.writeUInt32LE(i, off + 4);
    buf.writeUInt32LE(FRAME_LEN, off + 8);
    buf.writeUInt32LE(FRAME_LEN, off + 12);
    frame.copy(buf, off + 16);
    off += 16 + FRAME_LEN;
  }
  writeFileSync(file, buf);
}

/** The same flood for trafgen: one frame template whose source port is random per packet (so about 65 k flows). */
export function writeTrafgenConfig(file: string, p: NetnsPair): void {
  const hex = (b: Buffer) => [...b].map((x) => `0x${x.toString(16).padStart(2, '0')}`).join(', ');
  const cfg = [
    '{',
    `  ${hex(mac(p.a, p.ifA))}, ${hex(mac(p.b, p.ifB))}, 0x08, 0x00,`,
    '  0x45, 0x00, 0x00, 0x2e, 0x00, 0x00, 0x00, 0x00, 0x40, 0x11, csumip(14, 33),',
    `  ${hex(ipv4(p.ipB))}, ${hex(ipv4(p.ipA))},`,
    `  drnd(2), 0x27, 0x0f, 0x00, 0x1a, 0x00, 0x00,`,
    `  ${Array.from({ length: 18 }, () => '0x00').join(', ')}`,
    '}',
  ].join('\n');
  writeFileSync(file, cfg + '\n');
}

export interface Flood {
  kind: SenderKind;
  /** The frames (or datagrams) the sender handed the kernel. */
  sent: number;
  /** Wall time of the send, from spawning the sender to its exit. */
  seconds: number;
  /** The sender's own count of its send loop's time, when it reports one (raw and udp). */
  senderSeconds: number | null;
  /** The sender's CPU time (user + system, the kernel's send path and what runs in it), when it reports one. */
  senderCpuSeconds: number | null;
  command: string;
}

/** Files a flood needs, made once per namespace pair: the frames (a whole number of `flows`) and trafgen's config. */
export function prepareFlood(dir: string, p: NetnsPair, flows: number, unique: number): { pcap: string; cfg: string; unique: number } {
  const pcap = path.join(dir, 'flood.pcap');
  const cfg = path.join(dir, 'flood.cfg');
  writeFloodPcap(pcap, p, unique, flows);
  writeTrafgenConfig(cfg, p);
  return { pcap, cfg, unique };
}

/** Sends `count` frames of the flood from B to A with the sender `kind` and resolves with what it reports. */
export function sendFlood(kind: SenderKind, p: NetnsPair, files: { pcap: string; cfg: string; unique: number }, count: number, flows: number): Promise<Flood> {
  let argv: string[];
  if (kind === 'raw') argv = [floodSenderBinary(), 'packet', p.ifB, files.pcap, String(count)];
  else if (kind === 'udp') {
    const sockets = Math.min(UDP_SOCKETS, flows);
    argv = [floodSenderBinary(), 'udp', p.ipB, p.ipA, String(UDP_BASE_PORT), String(sockets), String(Math.max(1, Math.round(flows / sockets))), String(count)];
  } else if (kind === 'trafgen') argv = ['trafgen', '--in', files.cfg, '--out', p.ifB, '--num', String(count), '--cpus', '1', '--no-sock-mem'];
  else argv = ['tcpreplay', '--topspeed', '--preload-pcap', `--loop=${Math.max(1, Math.round(count / files.unique))}`, '-i', p.ifB, files.pcap];
  const t0 = process.hrtime.bigint();
  const child = spawn('ip', ['netns', 'exec', p.b, ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  return new Promise((resolve, reject) => {
    child.on('close', (code) => {
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      if (code !== 0) return reject(new Error(`${kind} sender failed (${code}): ${err.trim()}`));
      let sent = count;
      let senderSeconds: number | null = null;
      let senderCpuSeconds: number | null = null;
      if (kind === 'raw' || kind === 'udp') {
        const r = JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as { sent?: number; seconds?: number; cpu_seconds?: number };
        sent = r.sent ?? NaN;
        senderSeconds = r.seconds ?? null;
        senderCpuSeconds = r.cpu_seconds ?? null;
      } else if (kind === 'tcpreplay') sent = Number(/Actual: (\d+) packets/.exec(out)?.[1] ?? NaN);
      resolve({ kind, sent, seconds, senderSeconds, senderCpuSeconds, command: ['ip', 'netns', 'exec', p.b, ...argv].join(' ') });
    });
  });
}
