// A deliberately small classic-pcap reader for DPI tests over the tcpdump captures (the engine's own readers are
// tested elsewhere): Ethernet (+VLAN), BSD null/loopback, raw IP and PPP link types; IPv4/IPv6; TCP/UDP payloads.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createFlowDpi, createNameCache } from '../../../src/engine/dpi/index.ts';
import type { DpiFacts, NameCache } from '../../../src/engine/dpi/types.ts';
import { formatIPv4, formatIPv6 } from '../../../src/engine/dpi/ip-text.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const PCAP_DIR = path.resolve(repoRoot, '../shared/pcaps/tcpdump');
export const havePcaps = existsSync(PCAP_DIR);
export const skipNoPcaps = havePcaps ? false : `test captures not found at ${PCAP_DIR}`;

export interface Pkt {
  ts: number;
  proto: 6 | 17;
  src: string;
  sport: number;
  dst: string;
  dport: number;
  seq: number;
  syn: boolean;
  ack: boolean;
  buf: Uint8Array;
  off: number;
  len: number;
}

function ip(b: Uint8Array, o: number, end: number, ts: number): Pkt | null {
  if (o >= end) return null;
  const v = b[o] >> 4;
  let proto: number, src: string, dst: string, p: number;
  if (v === 4) {
    const ihl = (b[o] & 15) * 4;
    if (ihl < 20 || o + ihl > end) return null;
    if (((b[o + 6] & 0x1f) << 8 | b[o + 7]) !== 0) return null; // non-first fragment
    end = Math.min(end, o + ((b[o + 2] << 8) | b[o + 3]));
    proto = b[o + 9]; src = formatIPv4(b, o + 12); dst = formatIPv4(b, o + 16); p = o + ihl;
  } else if (v === 6) {
    if (o + 40 > end) return null;
    end = Math.min(end, o + 40 + ((b[o + 4] << 8) | b[o + 5]));
    proto = b[o + 6]; src = formatIPv6(b, o + 8); dst = formatIPv6(b, o + 24); p = o + 40;
    for (let i = 0; i < 4 && (proto === 0 || proto === 43 || proto === 60); i++) {
      if (p + 2 > end) return null;
      proto = b[p]; p += (b[p + 1] + 1) * 8;
    }
  } else return null;
  if (proto === 6) {
    if (p + 20 > end) return null;
    const doff = (b[p + 12] >> 4) * 4;
    if (doff < 20 || p + doff > end) return null;
    const seq = ((b[p + 4] << 24) >>> 0) + ((b[p + 5] << 16) | (b[p + 6] << 8) | b[p + 7]);
    return { ts, proto: 6, src, sport: (b[p] << 8) | b[p + 1], dst, dport: (b[p + 2] << 8) | b[p + 3], seq,
      syn: (b[p + 13] & 2) !== 0, ack: (b[p + 13] & 0x10) !== 0, buf: b, off: p + doff, len: end - p - doff };
  }
  if (proto === 17) {
    if (p + 8 > end) return null;
    const ulen = Math.min(end - p, Math.max(8, (b[p + 4] << 8) | b[p + 5]));
    return { ts, proto: 17, src, sport: (b[p] << 8) | b[p + 1], dst, dport: (b[p + 2] << 8) | b[p + 3], seq: 0,
      syn: false, ack: false, buf: b, off: p + 8, len: ulen - 8 };
  }
  return null;
}

/** TCP/UDP packets of a classic pcap file (pcapng and other link types yield nothing). */
export function* pcapPackets(file: string): Generator<Pkt> {
  const b = new Uint8Array(readFileSync(file));
  if (b.length < 24) return;
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const magic = dv.getUint32(0, true);
  let le: boolean, nano: boolean;
  if (magic === 0xa1b2c3d4 || magic === 0xa1b23c4d) { le = true; nano = magic === 0xa1b23c4d; }
  else if (magic === 0xd4c3b2a1 || magic === 0x4d3cb2a1) { le = false; nano = magic === 0x4d3cb2a1; }
  else return;
  const link = dv.getUint32(20, le) & 0xffff;
  for (let o = 24; o + 16 <= b.length;) {
    const ts = dv.getUint32(o, le) + dv.getUint32(o + 4, le) / (nano ? 1e9 : 1e6);
    const incl = dv.getUint32(o + 8, le);
    const d = o + 16;
    const end = Math.min(b.length, d + incl);
    o = d + incl;
    let pkt: Pkt | null = null;
    if (link === 1) {
      let q = d + 12;
      let et = end >= q + 2 ? (b[q] << 8) | b[q + 1] : 0;
      while ((et === 0x8100 || et === 0x88a8) && q + 6 <= end) { q += 4; et = (b[q] << 8) | b[q + 1]; }
      if (et === 0x0800 || et === 0x86dd) pkt = ip(b, q + 2, end, ts);
    } else if (link === 0 || link === 108) {
      pkt = ip(b, d + 4, end, ts);
    } else if (link === 101 || link === 12 || link === 14) {
      pkt = ip(b, d, end, ts);
    } else if (link === 9) {
      let q = d;
      if (b[q] === 0xff && b[q + 1] === 0x03) q += 2;
      const proto = (b[q] << 8) | b[q + 1];
      if (proto === 0x0021 || proto === 0x0057) pkt = ip(b, q + 2, end, ts);
    }
    if (pkt && pkt.len >= 0) yield pkt;
  }
}

export interface FlowResult {
  key: string;
  proto: 6 | 17;
  src: string;
  sport: number;
  dst: string;
  dport: number;
  facts: DpiFacts;
}

/** Runs the DPI over every TCP/UDP flow of a capture, the way the flow table does (≤ 32 payload packets). */
export function inspectCapture(file: string, names: NameCache = createNameCache()): FlowResult[] {
  const flows = new Map<string, { r: FlowResult; dpi: ReturnType<typeof createFlowDpi> | null; n: number; done: boolean }>();
  for (const p of pcapPackets(file)) {
    const fwd = `${p.proto} ${p.src} ${p.sport} ${p.dst} ${p.dport}`;
    const rev = `${p.proto} ${p.dst} ${p.dport} ${p.src} ${p.sport}`;
    let f = flows.get(fwd) ?? flows.get(rev);
    if (!f) {
      // Initiator: the SYN sender, else the sender of the first packet (a SYN-ACK means the other side).
      const flip = p.proto === 6 && p.syn && p.ack;
      const r: FlowResult = flip
        ? { key: rev, proto: p.proto, src: p.dst, sport: p.dport, dst: p.src, dport: p.sport, facts: null as unknown as DpiFacts }
        : { key: fwd, proto: p.proto, src: p.src, sport: p.sport, dst: p.dst, dport: p.dport, facts: null as unknown as DpiFacts };
      f = { r, dpi: null, n: 0, done: false };
      flows.set(r.key, f);
    }
    if (p.len <= 0 || f.done) continue;
    f.dpi ??= createFlowDpi(names);
    const fromInitiator = p.src === f.r.src && p.sport === f.r.sport;
    f.done = f.dpi.inspect({ proto: p.proto, fromInitiator, srcPort: f.r.sport, dstPort: f.r.dport, seq: p.seq, ts: p.ts }, p.buf, p.off, p.len);
    if (++f.n >= 32) f.done = true;
  }
  const out: FlowResult[] = [];
  for (const f of flows.values()) {
    f.r.facts = f.dpi ? f.dpi.facts : createFlowDpi(names).facts;
    out.push(f.r);
  }
  return out;
}
