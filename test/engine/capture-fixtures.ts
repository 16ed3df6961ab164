/**
 * Builds packets and capture files in memory for the engine tests: Ethernet/VLAN/SLL/SLL2/raw/null framing,
 * IPv4/IPv6 (with extension headers and fragments), TCP/UDP/ICMP, and pcap/pcapng files in either byte order.
 */

import type { PacketSink } from '../../src/engine/packet-sink.ts';
export function ip4(a: string): number[] {
  return a.split('.').map(Number);
}

export function ip6(a: string): number[] {
  const [head, tail] = a.includes('::') ? a.split('::') : [a, null];
  const hs = head ? head.split(':') : [];
  const ts = tail ? tail.split(':') : [];
  const groups = tail === null ? hs : [...hs, ...Array(8 - hs.length - ts.length).fill('0'), ...ts];
  return groups.flatMap((g) => {
    const v = parseInt(g || '0', 16);
    return [v >> 8, v & 255];
  });
}

const be16 = (v: number) => [(v >> 8) & 255, v & 255];
const be32 = (v: number) => [(v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];

export const TCP = { FIN: 1, SYN: 2, RST: 4, PSH: 8, ACK: 16 } as const;

export function tcp(sport: number, dport: number, flags: number, payload: number[] = [], seq = 1000): number[] {
  return [...be16(sport), ...be16(dport), ...be32(seq), ...be32(0), 0x50, flags, ...be16(65535), 0, 0, 0, 0, ...payload];
}

export function udp(sport: number, dport: number, payload: number[] = []): number[] {
  return [...be16(sport), ...be16(dport), ...be16(8 + payload.length), 0, 0, ...payload];
}

export function icmpEcho(request: boolean, id: number, seq: number, v6 = false): number[] {
  const type = v6 ? (request ? 128 : 129) : request ? 8 : 0;
  return [type, 0, 0, 0, ...be16(id), ...be16(seq), 1, 2, 3, 4];
}

export function ipv4(src: string, dst: string, proto: number, l4: number[], o: { id?: number; fragOffset8?: number; mf?: boolean; totalLen?: number } = {}): number[] {
  const frag = ((o.mf ? 0x2000 : 0) | (o.fragOffset8 ?? 0)) & 0xffff;
  return [0x45, 0, ...be16(o.totalLen ?? 20 + l4.length), ...be16(o.id ?? 1), ...be16(frag), 64, proto, 0, 0, ...ip4(src), ...ip4(dst), ...l4];
}

/** IPv6 with a chain of extension headers, each [type, bytes-after-the-first-two] (padded to 8). */
export function ipv6(src: string, dst: string, proto: number, l4: number[], ext: { type: number; body?: number[] }[] = []): number[] {
  let chain: number[] = [];
  const types = ext.map((e) => e.type);
  for (let i = 0; i < ext.length; i++) {
    const next = i + 1 < ext.length ? types[i + 1] : proto;
    const e = ext[i];
    if (e.type === 44) {
      chain = chain.concat([next, 0, ...(e.body ?? [0, 1, 0, 0, 0, 1])]);
    } else if (e.type === 51) {
      const body = e.body ?? [0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
      chain = chain.concat([next, (body.length + 2) / 4 - 2, ...body]);
    } else {
      const body = e.body ?? [0, 0, 0, 0, 0, 0];
      chain = chain.concat([next, (body.length + 2) / 8 - 1, ...body]);
    }
  }
  const payload = [...chain, ...l4];
  return [0x60, 0, 0, 0, ...be16(payload.length), ext.length ? ext[0].type : proto, 64, ...ip6(src), ...ip6(dst), ...payload];
}

export function eth(type: number, payload: number[], tags: number[][] = []): number[] {
  const macs = [2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2];
  let hdr: number[] = [...macs];
  for (const [tpid, vid] of tags) hdr = hdr.concat([...be16(tpid), ...be16(vid)]);
  return [...hdr, ...be16(type), ...payload];
}

export function sll(type: number, payload: number[]): number[] {
  return [0, 0, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0, ...be16(type), ...payload];
}

export function sll2(type: number, payload: number[]): number[] {
  return [...be16(type), 0, 0, 0, 0, 0, 2, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0, ...payload];
}

export interface Rec {
  ts: number;
  data: number[];
  wire?: number;
}

/** Records of one TCP connection over Ethernet between a (port sport) and b (port dport), either way. */
export function tcpConnection(a: string, b: string, sport: number, dport: number): (ts: number, fromA: boolean, flags: number, payload?: number[]) => Rec {
  return (ts, fromA, flags, payload = []) => ({ ts, data: eth(0x0800, fromA ? ipv4(a, b, 6, tcp(sport, dport, flags, payload)) : ipv4(b, a, 6, tcp(dport, sport, flags, payload))) });
}

class Bytes {
  readonly out: number[] = [];
  readonly le: boolean;
  constructor(le: boolean) {
    this.le = le;
  }
  u8(v: number) {
    this.out.push(v & 255);
  }
  u16(v: number) {
    const b = be16(v);
    this.out.push(...(this.le ? b.reverse() : b));
  }
  u32(v: number) {
    const b = be32(v);
    this.out.push(...(this.le ? b.reverse() : b));
  }
  raw(b: number[]) {
    this.out.push(...b);
  }
}

export function pcap(recs: Rec[], o: { le?: boolean; nano?: boolean; linktype?: number; snaplen?: number } = {}): Uint8Array {
  const b = new Bytes(o.le ?? true);
  b.u32(o.nano ? 0xa1b23c4d : 0xa1b2c3d4);
  b.u16(2);
  b.u16(4);
  b.u32(0);
  b.u32(0);
  b.u32(o.snaplen ?? 262144);
  b.u32(o.linktype ?? 1);
  for (const r of recs) {
    const sec = Math.floor(r.ts);
    b.u32(sec);
    b.u32(Math.round((r.ts - sec) * (o.nano ? 1e9 : 1e6)));
    b.u32(r.data.length);
    b.u32(r.wire ?? r.data.length);
    b.raw(r.data);
  }
  return Uint8Array.from(b.out);
}

export interface NgInterface {
  linktype: number;
  /** if_tsresol byte; absent = microseconds. */
  tsresol?: number;
  snaplen?: number;
}

export type NgBlock =
  | { kind: 'epb'; iface: number; ts: number; data: number[]; wire?: number }
  | { kind: 'opb'; iface: number; ts: number; data: number[] }
  | { kind: 'spb'; data: number[]; wire?: number }
  | { kind: 'unknown'; type: number; body: number[] };

export interface NgSection {
  le?: boolean;
  interfaces: NgInterface[];
  blocks: NgBlock[];
}

function units(i: NgInterface): number {
  if (i.tsresol === undefined) return 1e6;
  return i.tsresol & 0x80 ? 2 ** (i.tsresol & 0x7f) : 10 ** i.tsresol;
}

export function pcapng(sections: NgSection[]): Uint8Array {
  const out: number[] = [];
  for (const sec of sections) {
    const le = sec.le ?? true;
    const block = (type: number, body: (b: Bytes) => void) => {
      const inner = new Bytes(le);
      body(inner);
      while (inner.out.length % 4) inner.out.push(0);
      const b = new Bytes(le);
      b.u32(type);
      b.u32(12 + inner.out.length);
      b.raw(inner.out);
      b.u32(12 + inner.out.length);
      out.push(...b.out);
    };
    block(0x0a0d0d0a, (b) => {
      b.u32(0x1a2b3c4d);
      b.u16(1);
      b.u16(0);
      b.u32(0xffffffff);
      b.u32(0xffffffff);
    });
    for (const i of sec.interfaces) {
      block(1, (b) => {
        b.u16(i.linktype);
        b.u16(0);
        b.u32(i.snaplen ?? 0);
        if (i.tsresol !== undefined) {
          b.u16(9);
          b.u16(1);
          b.raw([i.tsresol, 0, 0, 0]);
        }
        b.u16(0);
        b.u16(0);
      });
    }
    const tsParts = (iface: number, ts: number) => {
      const t = BigInt(Math.round(ts * units(sec.interfaces[iface] ?? { linktype: 1 })));
      return [Number(t >> 32n), Number(t & 0xffffffffn)];
    };
    for (const k of sec.blocks) {
      if (k.kind === 'epb' || k.kind === 'opb') {
        block(k.kind === 'epb' ? 6 : 2, (b) => {
          if (k.kind === 'epb') b.u32(k.iface);
          else {
            b.u16(k.iface);
            b.u16(0);
          }
          const [hi, lo] = tsParts(k.iface, k.ts);
          b.u32(hi);
          b.u32(lo);
          b.u32(k.data.length);
          b.u32(k.kind === 'epb' ? (k.wire ?? k.data.length) : k.data.length);
          b.raw(k.data);
        });
      } else if (k.kind === 'spb') {
        block(3, (b) => {
          b.u32(k.wire ?? k.data.length);
          b.raw(k.data);
        });
      } else {
        block(k.type, (b) => b.raw(k.body));
      }
    }
  }
  return Uint8Array.from(out);
}

/** Collects what a reader hands out, copying the bytes (they are only valid during the call). */
export interface Seen {
  data: number[];
  wire: number;
  ts: number;
  linktype: number;
}

export function collector(): { seen: Seen[]; sink: PacketSink } {
  const seen: Seen[] = [];
  return { seen, sink: (buf, off, h) => seen.push({ data: Array.from(buf.subarray(off, off + h.caplen)), wire: h.wirelen, ts: h.ts, linktype: h.linktype }) };
}

export function tlsClientHello(sni: string, alpn: string[] = ['h2']): number[] {
  const name = [...new TextEncoder().encode(sni)];
  const sniExt = [0, 0, ...be16(name.length + 5), ...be16(name.length + 3), 0, ...be16(name.length), ...name];
  const protos = alpn.flatMap((p) => [p.length, ...new TextEncoder().encode(p)]);
  const alpnExt = [0, 16, ...be16(protos.length + 2), ...be16(protos.length), ...protos];
  const exts = [...sniExt, ...alpnExt];
  const body = [3, 3, ...Array(32).fill(7), 0, 0, 4, 0x13, 1, 0x13, 2, 1, 0, ...be16(exts.length), ...exts];
  const hs = [1, 0, ...be16(body.length), ...body];
  return [0x16, 3, 1, ...be16(hs.length), ...hs];
}

function dnsNameBytes(n: string): number[] {
  return [...n.split('.').flatMap((l) => [l.length, ...new TextEncoder().encode(l)]), 0];
}

export function dnsQuery(id: number, name: string): number[] {
  return [...be16(id), 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, ...dnsNameBytes(name), 0, 1, 0, 1];
}

export function dnsResponse(id: number, name: string, a: string): number[] {
  return [...be16(id), 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0, ...dnsNameBytes(name), 0, 1, 0, 1, 0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, ...ip4(a)];
}
