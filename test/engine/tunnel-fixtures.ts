/** Tunnel packets for the decoder, engine and fuzz tests. */
import { eth, ipv4, ipv6, tcp, udp, TCP } from './capture-fixtures.ts';

const be16 = (v: number) => [(v >> 8) & 255, v & 255];
const be32 = (v: number) => [(v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];

export const OUT_A = '198.18.0.1';
export const OUT_B = '198.18.0.2';
export const innerTcp = ipv4('10.0.0.1', '10.0.0.2', 6, tcp(40000, 443, TCP.SYN));
export const innerUdp6 = ipv6('2001:db8::1', '2001:db8::2', 17, udp(5000, 53, [1, 2, 3]));

/** Outer IPv4 between OUT_A and OUT_B over Ethernet. */
export const overIp = (proto: number, l4: number[]) => eth(0x0800, ipv4(OUT_A, OUT_B, proto, l4));
export const overUdp = (port: number, payload: number[]) => overIp(17, udp(33333, port, payload));
export const gre = (type: number, payload: number[], flags = 0, extra: number[] = []) => [...be16(flags), ...be16(type), ...extra, ...payload];
export const pppoe = (ppp: number[]) => [0x11, 0, ...be16(0x1234), ...be16(ppp.length), ...ppp];
export const mpls = (labels: number[], payload: number[]) => [
  ...labels.flatMap((l, i) => [...be32(((l << 12) | (i === labels.length - 1 ? 0x100 : 0) | 64) >>> 0)]),
  ...payload,
];
export const vxlan = (frame: number[]) => [0x08, 0, 0, 0, 0, 0, 42, 0, ...frame];
export const geneve = (type: number, payload: number[], optWords = 0) => [optWords, 0, ...be16(type), 0, 0, 7, 0, ...Array(optWords * 4).fill(0), ...payload];
export const gtpu = (ip: number[], ext = false) => ext
  ? [0x34, 0xff, ...be16(ip.length + 4 + 4), ...be32(1), 0, 0, 0, 0x85, 1, 0, 9, 0, ...ip]
  : [0x30, 0xff, ...be16(ip.length), ...be32(1), ...ip];
/** CAPWAP data: preamble 0, HLEN 2 words, T clear (an 802.3 frame). */
export const capwap = (frame: number[]) => [...be32(2 << 19), 0, 0, 0, 0, ...frame];
