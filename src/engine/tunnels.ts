/**
 * Encapsulations the decoder walks through to reach the innermost IP packet: PPPoE sessions, MPLS label stacks,
 * GRE (with PPTP's PPP, transparent Ethernet bridging and ERSPAN I/II/III), IP-in-IP, and the UDP tunnels VXLAN,
 * Geneve, GTP-U, Teredo, CAPWAP data and MPLS over UDP. Each layer passed is recorded in PacketInfo (kind codes,
 * outermost first, and the outermost IP header that carried one); the nesting depth is bounded. A UDP or GRE payload that does not
 * decode as what its port or protocol says leaves the packet as the outer flow, as if no tunnel had been tried.
 */
import {
  DECODED_IP, DECODED_UNDECODED, ICMP_KIND_NONE, type DecodeResult, type PacketInfo,
  decodeEthertype, decodeIp, decodeIpv4, decodeIpv6, u16, u32,
} from './packet-decoder.ts';
import { decodeIeee80211 } from './link-layers.ts';

export const TUNNEL_PPPOE = 1;
export const TUNNEL_MPLS = 2;
export const TUNNEL_GRE = 3;
export const TUNNEL_ERSPAN = 4;
export const TUNNEL_4IN4 = 5;
export const TUNNEL_6IN4 = 6;
export const TUNNEL_4IN6 = 7;
export const TUNNEL_6IN6 = 8;
export const TUNNEL_VXLAN = 9;
export const TUNNEL_GENEVE = 10;
export const TUNNEL_GTPU = 11;
export const TUNNEL_TEREDO = 12;
export const TUNNEL_CAPWAP = 13;
export const TUNNEL_VXLAN_GPE = 14;
export const TUNNEL_NSH = 15;

/** JSON names of the kind codes (index = code). */
export const TUNNEL_KIND_NAMES = [
  '', 'pppoe', 'mpls', 'gre', 'erspan', '4in4', '6in4', '4in6', '6in6', 'vxlan', 'geneve', 'gtpu', 'teredo', 'capwap',
  'vxlan-gpe', 'nsh',
] as const;
export type TunnelKindName = Exclude<(typeof TUNNEL_KIND_NAMES)[number], ''>;

/** Encapsulations passed at most (kinds are packed 4 bits each into 32 bits); deeper packets are undecoded and counted. */
export const MAX_TUNNEL_DEPTH = 8;
/** Labels of one MPLS stack walked at most. */
const MAX_MPLS_LABELS = 16;

const UDP_VXLAN = 4789;
const UDP_GENEVE = 6081;
const UDP_GTPU = 2152;
const UDP_TEREDO = 3544;
const UDP_CAPWAP_DATA = 5247;
const UDP_MPLS = 6635;
const UDP_VXLAN_GPE = 4790;

/** Records one more layer; false (and counted) past the depth bound. */
function enter(p: PacketInfo, kind: number): boolean {
  const d = p.tunnelDepth;
  if (d >= MAX_TUNNEL_DEPTH) {
    if (!p.tooDeep) {
      p.tooDeep = true;
      p.tunnelTooDeep++;
    }
    return false;
  }
  p.tunnelKinds = (p.tunnelKinds | (kind << (4 * d))) >>> 0;
  p.tunnelDepth = d + 1;
  return true;
}

/** The IP header in p carries a tunnel: the first such header gives the outer endpoints. */
function markOuter(p: PacketInfo): void {
  if (p.outerFamily === 0) {
    p.outerFamily = p.family;
    p.outerSrcOff = p.srcOff;
    p.outerDstOff = p.dstOff;
  }
}

function enterFromIp(p: PacketInfo, kind: number): boolean {
  if (!enter(p, kind)) return false;
  markOuter(p);
  return true;
}

/** PPP protocol field (1 or 2 bytes, after an optional FF 03 address/control pair) then IPv4, IPv6 or MPLS. */
export function decodePpp(buf: Uint8Array, off: number, end: number, p: PacketInfo): DecodeResult {
  if (end - off >= 2 && buf[off] === 0xff && buf[off + 1] === 0x03) off += 2;
  if (end - off < 1) return DECODED_UNDECODED;
  let proto: number;
  if ((buf[off] & 1) === 1) {
    proto = buf[off];
    off += 1;
  } else {
    if (end - off < 2) return DECODED_UNDECODED;
    proto = u16(buf, off);
    off += 2;
  }
  switch (proto) {
    case 0x21:
      return decodeIpv4(buf, off, end, p);
    case 0x57:
      return decodeIpv6(buf, off, end, p);
    case 0x281:
      return decodeMpls(buf, off, end, p);
    default:
      return DECODED_UNDECODED;
  }
}

/** PPPoE session stage (ethertype 0x8864): version/type 0x11, code 0, then PPP. */
export function decodePppoe(buf: Uint8Array, off: number, end: number, p: PacketInfo): DecodeResult {
  if (end - off < 8 || buf[off] !== 0x11 || buf[off + 1] !== 0) return DECODED_UNDECODED;
  if (!enter(p, TUNNEL_PPPOE)) return DECODED_UNDECODED;
  const len = u16(buf, off + 4);
  const pppEnd = off + 6 + len < end ? off + 6 + len : end;
  return decodePpp(buf, off + 6, pppEnd, p);
}

/**
 * An MPLS label stack to its bottom, then what the first nibble says: IPv4, IPv6, or (0) a pseudowire control
 * word before an Ethernet frame.
 */
export function decodeMpls(buf: Uint8Array, off: number, end: number, p: PacketInfo): DecodeResult {
  if (!enter(p, TUNNEL_MPLS)) return DECODED_UNDECODED;
  for (let i = 0; i < MAX_MPLS_LABELS; i++) {
    if (end - off < 4) return DECODED_UNDECODED;
    const bottom = (buf[off + 2] & 1) === 1;
    off += 4;
    if (!bottom) continue;
    if (end - off < 1) return DECODED_UNDECODED;
    const nibble = buf[off] >> 4;
    if (nibble === 4) return decodeIpv4(buf, off, end, p);
    if (nibble === 6) return decodeIpv6(buf, off, end, p);
    if (nibble === 0 && end - off >= 18) return decodeEthernet(buf, off + 4, end, p);
    return DECODED_UNDECODED;
  }
  return DECODED_UNDECODED;
}

function decodeEthernet(buf: Uint8Array, off: number, end: number, p: PacketInfo): DecodeResult {
  if (end - off < 14) return DECODED_UNDECODED;
  return decodeEthertype(buf, u16(buf, off + 12), off + 14, end, p);
}

/** Fields of the outer IP/transport layer kept while an inner one is tried, so a failed try leaves them as they were. */
class Saved {
  family = 0;
  srcOff = 0;
  dstOff = 0;
  proto = 0;
  sport = 0;
  dport = 0;
  payloadOff = 0;
  payloadLen = 0;
  fragId = 0;
  fragFirst = false;
  kinds = 0;
  depth = 0;
  outerFamily = 0;
  outerSrcOff = 0;
  outerDstOff = 0;
}

/** One per nesting level, so an inner try does not overwrite an outer one's saved fields. */
const saved: Saved[] = Array.from({ length: MAX_TUNNEL_DEPTH + 1 }, () => new Saved());

function save(p: PacketInfo): Saved {
  const s = saved[p.tunnelDepth];
  s.family = p.family;
  s.srcOff = p.srcOff;
  s.dstOff = p.dstOff;
  s.proto = p.proto;
  s.sport = p.sport;
  s.dport = p.dport;
  s.payloadOff = p.payloadOff;
  s.payloadLen = p.payloadLen;
  s.fragId = p.fragId;
  s.fragFirst = p.fragFirst;
  s.kinds = p.tunnelKinds;
  s.depth = p.tunnelDepth;
  s.outerFamily = p.outerFamily;
  s.outerSrcOff = p.outerSrcOff;
  s.outerDstOff = p.outerDstOff;
  return s;
}

function restore(p: PacketInfo, s: Saved): DecodeResult {
  p.family = s.family;
  p.srcOff = s.srcOff;
  p.dstOff = s.dstOff;
  p.proto = s.proto;
  p.sport = s.sport;
  p.dport = s.dport;
  p.payloadOff = s.payloadOff;
  p.payloadLen = s.payloadLen;
  p.fragId = s.fragId;
  p.fragFirst = s.fragFirst;
  p.tunnelKinds = s.kinds;
  p.tunnelDepth = s.depth;
  p.outerFamily = s.outerFamily;
  p.outerSrcOff = s.outerSrcOff;
  p.outerDstOff = s.outerDstOff;
  p.tcpFlags = 0;
  p.seq = 0;
  p.icmpKind = ICMP_KIND_NONE;
  return DECODED_IP;
}

/** Whether a UDP port is one a tunnel is decoded on. */
export function isTunnelPort(port: number): boolean {
  return port === UDP_VXLAN || port === UDP_GENEVE || port === UDP_GTPU || port === UDP_TEREDO || port === UDP_CAPWAP_DATA || port === UDP_MPLS || port === UDP_VXLAN_GPE;
}

/**
 * A UDP datagram on a tunnel port (p holds its ports and payload): the inner packet if it decodes, else the UDP
 * flow itself. Past the depth bound the packet is undecoded.
 */
export function decodeUdpTunnel(buf: Uint8Array, p: PacketInfo): DecodeResult {
  const s = save(p);
  const port = isTunnelPort(p.dport) ? p.dport : p.sport;
  const off = p.payloadOff;
  const end = off + p.payloadLen;
  let r: DecodeResult = DECODED_UNDECODED;
  switch (port) {
    case UDP_VXLAN:
      // Flags with the I bit; the VNI follows. The payload is an Ethernet frame.
      if (end - off >= 8 + 14 && (buf[off] & 0x08) !== 0 && enterFromIp(p, TUNNEL_VXLAN)) r = decodeEthernet(buf, off + 8, end, p);
      break;
    case UDP_GENEVE: {
      if (end - off < 8 || buf[off] >> 6 !== 0) break;
      const hl = 8 + (buf[off] & 0x3f) * 4;
      const type = u16(buf, off + 2);
      if (hl > end - off || !enterFromIp(p, TUNNEL_GENEVE)) break;
      r = type === 0x6558 ? decodeEthernet(buf, off + hl, end, p) : decodeEthertype(buf, type, off + hl, end, p);
      break;
    }
    case UDP_GTPU:
      r = decodeGtpu(buf, off, end, p);
      break;
    case UDP_TEREDO:
      r = decodeTeredo(buf, off, end, p);
      break;
    case UDP_CAPWAP_DATA:
      r = decodeCapwapData(buf, off, end, p);
      break;
    case UDP_MPLS:
      markOuter(p);
      r = decodeMpls(buf, off, end, p);
      break;
    case UDP_VXLAN_GPE:
      // Flags with the P bit (next protocol present), next protocol in the fourth byte.
      if (end - off >= 8 && (buf[off] & 0x04) !== 0 && enterFromIp(p, TUNNEL_VXLAN_GPE)) r = decodeNextProtocol(buf, buf[off + 3], off + 8, end, p);
      break;
  }
  if (r === DECODED_UNDECODED && !p.tooDeep) return restore(p, s);
  return r;
}

/** NSH straight after an Ethernet header (ethertype 0x894F). */
export function decodeNshFrame(buf: Uint8Array, off: number, end: number, p: PacketInfo): DecodeResult {
  return decodeNextProtocol(buf, 4, off, end, p);
}

/** The next-protocol codes VXLAN-GPE and NSH share: 1 IPv4, 2 IPv6, 3 Ethernet, 4 NSH, 5 MPLS. */
function decodeNextProtocol(buf: Uint8Array, next: number, off: number, end: number, p: PacketInfo): DecodeResult {
  switch (next) {
    case 1:
      return decodeIpv4(buf, off, end, p);
    case 2:
      return decodeIpv6(buf, off, end, p);
    case 3:
      return decodeEthernet(buf, off, end, p);
    case 4: {
      // NSH (RFC 8300): length in 4-byte words in the low 6 bits of the first two bytes.
      if (end - off < 8) return DECODED_UNDECODED;
      const hl = (u16(buf, off) & 0x3f) * 4;
      if (hl < 8 || hl > end - off || !enter(p, TUNNEL_NSH)) return DECODED_UNDECODED;
      const inner = buf[off + 3];
      return inner === 4 ? DECODED_UNDECODED : decodeNextProtocol(buf, inner, off + hl, end, p);
    }
    case 5:
      return decodeMpls(buf, off, end, p);
    default:
      return DECODED_UNDECODED;
  }
}

/** GTPv1-U: only G-PDUs (type 255) carry user packets; optional fields and extension headers are skipped. */
function decodeGtpu(buf: Uint8Array, off: number, end: number, p: PacketInfo): DecodeResult {
  if (end - off < 8) return DECODED_UNDECODED;
  const flags = buf[off];
  if (flags >> 5 !== 1 || (flags & 0x10) === 0 || buf[off + 1] !== 0xff) return DECODED_UNDECODED;
  let q = off + 8;
  if ((flags & 0x07) !== 0) {
    if (end - q < 4) return DECODED_UNDECODED;
    let next = buf[q + 3];
    q += 4;
    // Each extension header is a length (in 4-byte units, at least 1) and ends with the next one's type.
    for (let i = 0; next !== 0; i++) {
      if (i >= 16 || end - q < 4) return DECODED_UNDECODED;
      const n = buf[q] * 4;
      if (n === 0 || n > end - q) return DECODED_UNDECODED;
      next = buf[q + n - 1];
      q += n;
    }
  }
  const plen = u16(buf, off + 2);
  const gEnd = off + 8 + plen < end ? off + 8 + plen : end;
  if (gEnd - q < 1 || !enterFromIp(p, TUNNEL_GTPU)) return DECODED_UNDECODED;
  return decodeIp(buf, q, gEnd, p);
}

/** Teredo: IPv6 in UDP, after an optional authentication and/or origin indication. */
function decodeTeredo(buf: Uint8Array, off: number, end: number, p: PacketInfo): DecodeResult {
  let q = off;
  if (end - q >= 4 && buf[q] === 0 && buf[q + 1] === 1) {
    const n = 4 + buf[q + 2] + buf[q + 3] + 9;
    if (n > end - q) return DECODED_UNDECODED;
    q += n;
  }
  if (end - q >= 8 && buf[q] === 0 && buf[q + 1] === 0) q += 8;
  if (end - q < 40 || buf[q] >> 4 !== 6 || !enterFromIp(p, TUNNEL_TEREDO)) return DECODED_UNDECODED;
  return decodeIpv6(buf, q, end, p);
}

/**
 * CAPWAP data channel (RFC 5415): preamble 0, header length in 4-byte words; T clear means an 802.3 frame, T set
 * with wireless binding 1 an 802.11 frame. Fragments are not reassembled.
 */
function decodeCapwapData(buf: Uint8Array, off: number, end: number, p: PacketInfo): DecodeResult {
  if (end - off < 8 || buf[off] !== 0) return DECODED_UNDECODED;
  const w = u32(buf, off);
  const hl = ((w >>> 19) & 0x1f) * 4;
  const wbid = (w >>> 9) & 0x1f;
  const native = (w >>> 8) & 1;
  const fragment = (w >>> 7) & 1;
  if (hl < 8 || hl > end - off || fragment === 1 || !enterFromIp(p, TUNNEL_CAPWAP)) return DECODED_UNDECODED;
  if (native === 0) return decodeEthernet(buf, off + hl, end, p);
  if (wbid === 1) return decodeIeee80211(buf, off + hl, end, p);
  return DECODED_UNDECODED;
}

/**
 * IP protocols 4 (IPv4), 41 (IPv6) and 47 (GRE) in an IP packet whose fields p holds, payload at q..ipEnd: the
 * inner packet if it decodes, else the outer packet as a flow of that protocol.
 */
export function decodeIpTunnel(buf: Uint8Array, q: number, ipEnd: number, p: PacketInfo): DecodeResult {
  const s = save(p);
  let r: DecodeResult = DECODED_UNDECODED;
  const outer6 = p.family === 6;
  if (p.proto === 4) {
    if (enterFromIp(p, outer6 ? TUNNEL_4IN6 : TUNNEL_4IN4)) r = decodeIpv4(buf, q, ipEnd, p);
  } else if (p.proto === 41) {
    if (enterFromIp(p, outer6 ? TUNNEL_6IN6 : TUNNEL_6IN4)) r = decodeIpv6(buf, q, ipEnd, p);
  } else {
    r = decodeGre(buf, q, ipEnd, p);
  }
  if (r === DECODED_UNDECODED && !p.tooDeep) return restore(p, s);
  return r;
}

/** GRE version 0 (RFC 2784/2890) and version 1 (PPTP). Source routing is not followed. */
function decodeGre(buf: Uint8Array, off: number, end: number, p: PacketInfo): DecodeResult {
  if (end - off < 4) return DECODED_UNDECODED;
  const flags = u16(buf, off);
  const type = u16(buf, off + 2);
  const version = flags & 7;
  if ((flags & 0x4000) !== 0 || version > 1) return DECODED_UNDECODED;
  let q = off + 4;
  if ((flags & 0x8000) !== 0) q += 4;
  if ((flags & 0x2000) !== 0) q += 4;
  const seq = (flags & 0x1000) !== 0;
  if (seq) q += 4;
  if (version === 1 && (flags & 0x0080) !== 0) q += 4;
  if (q > end) return DECODED_UNDECODED;
  switch (type) {
    case 0x88be: {
      // ERSPAN type I has no header (and no sequence number); type II an 8-byte one.
      if (!enterFromIp(p, TUNNEL_ERSPAN)) return DECODED_UNDECODED;
      return decodeEthernet(buf, seq ? q + 8 : q, end, p);
    }
    case 0x22eb: {
      // ERSPAN type III: 12 bytes, then an 8-byte platform subheader when the O bit is set; frame type 0 is Ethernet.
      if (end - q < 12 || !enterFromIp(p, TUNNEL_ERSPAN)) return DECODED_UNDECODED;
      const ft = (buf[q + 10] >> 2) & 0x1f;
      const hl = (buf[q + 11] & 1) === 1 ? 20 : 12;
      return ft === 0 ? decodeEthernet(buf, q + hl, end, p) : decodeIp(buf, q + hl, end, p);
    }
    default:
      if (!enterFromIp(p, TUNNEL_GRE)) return DECODED_UNDECODED;
      if (type === 0x6558) return decodeEthernet(buf, q, end, p);
      if (type === 0x880b) return decodePpp(buf, q, end, p);
      // WCCP redirection: IPv4, after a 4-byte redirect header unless the packet starts right away.
      if (type === 0x883e) return end - q >= 1 && buf[q] >> 4 === 4 ? decodeIpv4(buf, q, end, p) : decodeIpv4(buf, q + 4, end, p);
      return decodeEthertype(buf, type, q, end, p);
  }
}
