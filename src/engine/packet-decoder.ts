/**
 * Link, network and transport decoding into one reusable PacketInfo (no allocation per packet). Every read is
 * bounds-checked against the captured bytes; tag stacks and IPv6 extension-header chains are walked a bounded
 * number of steps. Anything not understood is reported as undecoded, never thrown.
 * Tunnels are walked in tunnels.ts, other link layers in link-layers.ts.
 */
import {
  LINKTYPE_C_HDLC, LINKTYPE_IEEE802_11, LINKTYPE_IEEE802_11_RADIOTAP, LINKTYPE_NFLOG, LINKTYPE_PPI, LINKTYPE_PPP, LINKTYPE_PPP_WITH_DIR,
  decodeCiscoHdlc, decodeIeee80211, decodeNflog, decodePpi, decodePppWithDirection, decodeRadiotap,
} from './link-layers.ts';
import { decodeIpTunnel, decodeMpls, decodeNshFrame, decodePpp, decodePppoe, decodeUdpTunnel, isTunnelPort } from './tunnels.ts';

export const DECODED_UNDECODED = 0;
export const DECODED_ARP = 1;
/** An IP packet with its transport fields filled in (ports only for TCP/UDP/SCTP, echo id for ICMP echo). */
export const DECODED_IP = 2;
/** A non-first IP fragment: addresses, protocol and fragId are set, nothing above IP. */
export const DECODED_FRAGMENT = 3;
export type DecodeResult = 0 | 1 | 2 | 3;

export const LINKTYPE_NULL = 0;
export const LINKTYPE_ETHERNET = 1;
export const LINKTYPE_RAW = 101;
export const LINKTYPE_LOOP = 108;
export const LINKTYPE_LINUX_SLL = 113;
export const LINKTYPE_IPV4 = 228;
export const LINKTYPE_IPV6 = 229;
export const LINKTYPE_LINUX_SLL2 = 276;
export const LINKTYPE_PPP_HDLC = 50;
/** A PPPoE header with no Ethernet header before it. */
export const LINKTYPE_PPP_ETHER = 51;
export const LINKTYPE_C_HDLC_WITH_DIR = 205;
/** IP over InfiniBand as Linux captures it: a 40-byte address pseudo-header, then type and reserved (2 + 2). */
export const LINKTYPE_IPOIB = 242;
/** Apple PKTAP: a little-endian header (its own length, the kind of what follows, the packet's link type), then the packet. */
export const LINKTYPE_PKTAP = 258;

/** The link types decodePacket understands; any other is undecoded (and named in the read summary). */
export function isDecodedLinkType(linktype: number): boolean {
  switch (linktype) {
    case LINKTYPE_NULL:
    case LINKTYPE_ETHERNET:
    case LINKTYPE_RAW:
    case 12:
    case 14:
    case LINKTYPE_LOOP:
    case LINKTYPE_LINUX_SLL:
    case LINKTYPE_IPV4:
    case LINKTYPE_IPV6:
    case LINKTYPE_LINUX_SLL2:
    case LINKTYPE_PPP:
    case LINKTYPE_PPP_HDLC:
    case LINKTYPE_PPP_ETHER:
    case LINKTYPE_C_HDLC_WITH_DIR:
    case LINKTYPE_C_HDLC:
    case LINKTYPE_IEEE802_11:
    case LINKTYPE_IEEE802_11_RADIOTAP:
    case LINKTYPE_PPI:
    case LINKTYPE_PPP_WITH_DIR:
    case LINKTYPE_NFLOG:
    case LINKTYPE_IPOIB:
    case LINKTYPE_PKTAP:
      return true;
    default:
      return false;
  }
}

export const ICMP_KIND_NONE = 0;
/** Echo request/reply: sport = dport = identifier. */
export const ICMP_KIND_ECHO = 1;
/** Any other ICMP message: keyed by the two hosts only. */
export const ICMP_KIND_OTHER = 2;

const MAX_VLAN_TAGS = 4;
/** Well above any real chain; each header is at least 8 bytes, so the packet's end also ends the walk. */
const MAX_IPV6_EXT_HEADERS = 32;

export class PacketInfo {
  /**
   * Capture time (seconds), set by the caller rather than decoded: the flow table reads it here, as a field, because
   * a double passed as an argument to a call that is not inlined costs a heap number.
   */
  ts = 0;
  /** 4 or 6. */
  family = 0;
  /** Offsets of the source and destination addresses in the buffer (4 or 16 bytes each). */
  srcOff = 0;
  dstOff = 0;
  /** IP protocol number of the transport. */
  proto = 0;
  sport = 0;
  dport = 0;
  /** TCP flags byte (FIN 1, SYN 2, RST 4, PSH 8, ACK 16). */
  tcpFlags = 0;
  seq = 0;
  /** Transport payload (TCP/UDP), clipped to the IP length and the captured bytes. */
  payloadOff = 0;
  payloadLen = 0;
  /** IPv4 identification or IPv6 fragment identification. */
  fragId = 0;
  /** The first fragment of a fragmented datagram (offset 0, more fragments). */
  fragFirst = false;
  icmpKind = 0;
  /** ICMP/ICMPv6 type and code of the packet (0 for other transports). */
  icmpType = 0;
  icmpCode = 0;
  /** Cumulative: IPv6 packets whose extension-header chain went past the walk bound (reported undecoded). */
  ipv6ExtChainTooLong = 0;
  /** Encapsulations passed to reach the packet (tunnels.ts kind codes, 4 bits each, outermost in the low bits). */
  tunnelKinds = 0;
  tunnelDepth = 0;
  /** The outermost IP header that carried an encapsulation; family 0 when none did (e.g. PPPoE, MPLS on Ethernet). */
  outerFamily = 0;
  outerSrcOff = 0;
  outerDstOff = 0;
  /** This packet went past the tunnel depth bound. */
  tooDeep = false;
  /** Cumulative: packets nested deeper than the tunnel depth bound (reported undecoded). */
  tunnelTooDeep = 0;
}

export function u16(b: Uint8Array, o: number): number {
  return (b[o] << 8) | b[o + 1];
}

export function u32(b: Uint8Array, o: number): number {
  return ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
}

export function decodePacket(buf: Uint8Array, off: number, caplen: number, linktype: number, p: PacketInfo): DecodeResult {
  const end = Math.min(off + caplen, buf.length);
  p.tunnelKinds = 0;
  p.tunnelDepth = 0;
  p.outerFamily = 0;
  p.tooDeep = false;
  switch (linktype) {
    case LINKTYPE_ETHERNET:
      if (end - off < 14) return DECODED_UNDECODED;
      return decodeEthertype(buf, u16(buf, off + 12), off + 14, end, p);
    case LINKTYPE_LINUX_SLL:
      if (end - off < 16) return DECODED_UNDECODED;
      return decodeEthertype(buf, u16(buf, off + 14), off + 16, end, p);
    case LINKTYPE_LINUX_SLL2:
      if (end - off < 20) return DECODED_UNDECODED;
      return decodeEthertype(buf, u16(buf, off), off + 20, end, p);
    case LINKTYPE_RAW:
    case 12: // DLT_RAW as Linux numbers it
    case 14: // DLT_RAW on some BSDs, as libpcap maps it on Linux
      if (end - off < 1) return DECODED_UNDECODED;
      return decodeIp(buf, off, end, p);
    case LINKTYPE_IPV4:
      return decodeIpv4(buf, off, end, p);
    case LINKTYPE_IPV6:
      return decodeIpv6(buf, off, end, p);
    case LINKTYPE_NULL:
    case LINKTYPE_LOOP: {
      if (end - off < 4) return DECODED_UNDECODED;
      const be = u32(buf, off);
      // NULL stores the address family in the capturing host's byte order; LOOP always big-endian.
      const af = linktype === LINKTYPE_LOOP || be < 0x10000 ? be : (((buf[off + 3] << 24) | (buf[off + 2] << 16) | (buf[off + 1] << 8) | buf[off]) >>> 0);
      if (af === 2) return decodeIpv4(buf, off + 4, end, p);
      if (af === 10 || af === 24 || af === 28 || af === 30) return decodeIpv6(buf, off + 4, end, p);
      return DECODED_UNDECODED;
    }
    case LINKTYPE_PPP:
    case LINKTYPE_PPP_HDLC:
      return decodePpp(buf, off, end, p);
    case LINKTYPE_PPP_ETHER:
      return decodePppoe(buf, off, end, p);
    case LINKTYPE_C_HDLC_WITH_DIR:
      return decodeCiscoHdlc(buf, off + 1, end, p);
    case LINKTYPE_PPP_WITH_DIR:
      return decodePppWithDirection(buf, off, end, p);
    case LINKTYPE_C_HDLC:
      return decodeCiscoHdlc(buf, off, end, p);
    case LINKTYPE_IEEE802_11:
      return decodeIeee80211(buf, off, end, p);
    case LINKTYPE_IEEE802_11_RADIOTAP:
      return decodeRadiotap(buf, off, end, p);
    case LINKTYPE_PPI:
      return decodePpi(buf, off, end, p);
    case LINKTYPE_NFLOG:
      return decodeNflog(buf, off, end, p);
    case LINKTYPE_IPOIB:
      if (end - off < 44) return DECODED_UNDECODED;
      return decodeEthertype(buf, u16(buf, off + 40), off + 44, end, p);
    case LINKTYPE_PKTAP: {
      if (end - off < 12) return DECODED_UNDECODED;
      const len = buf[off] | (buf[off + 1] << 8) | (buf[off + 2] << 16) | (buf[off + 3] << 24);
      const next = buf[off + 4] | (buf[off + 5] << 8) | (buf[off + 6] << 16) | (buf[off + 7] << 24);
      const dlt = buf[off + 8] | (buf[off + 9] << 8) | (buf[off + 10] << 16) | (buf[off + 11] << 24);
      // Only a packet record (type 1), and never PKTAP inside PKTAP.
      if (len < 12 || len > end - off || next !== 1 || dlt === LINKTYPE_PKTAP) return DECODED_UNDECODED;
      return decodePacket(buf, off + len, end - off - len, dlt, p);
    }
    default:
      return DECODED_UNDECODED;
  }
}

export function decodeEthertype(buf: Uint8Array, type: number, off: number, end: number, p: PacketInfo): DecodeResult {
  for (let i = 0; i <= MAX_VLAN_TAGS; i++) {
    switch (type) {
      case 0x0800:
        return decodeIpv4(buf, off, end, p);
      case 0x86dd:
        return decodeIpv6(buf, off, end, p);
      case 0x0806:
        return DECODED_ARP;
      case 0x8864:
        return decodePppoe(buf, off, end, p);
      case 0x8847:
      case 0x8848:
        return decodeMpls(buf, off, end, p);
      case 0x894f:
        return decodeNshFrame(buf, off, end, p);
      case 0x8100:
      case 0x88a8:
      case 0x9100:
        if (end - off < 4) return DECODED_UNDECODED;
        type = u16(buf, off + 2);
        off += 4;
        break;
      case 0x88e5: {
        // MACsec (802.1AE) with integrity only: the SecTAG (6 bytes, 14 with the SCI), then the frame's own type;
        // the ICV after the packet lies beyond its IP length. Encrypted or modified payload is not ours to read.
        if (end - off < 8 || (buf[off] & 0x0c) !== 0) return DECODED_UNDECODED;
        const tag = (buf[off] & 0x20) !== 0 ? 14 : 6;
        if (end - off < tag + 2) return DECODED_UNDECODED;
        type = u16(buf, off + tag);
        off += tag + 2;
        break;
      }
      default:
        return DECODED_UNDECODED;
    }
  }
  return DECODED_UNDECODED;
}

export function decodeIp(buf: Uint8Array, off: number, end: number, p: PacketInfo): DecodeResult {
  const v = buf[off] >> 4;
  if (v === 4) return decodeIpv4(buf, off, end, p);
  if (v === 6) return decodeIpv6(buf, off, end, p);
  return DECODED_UNDECODED;
}

export function decodeIpv4(buf: Uint8Array, off: number, end: number, p: PacketInfo): DecodeResult {
  if (end - off < 20) return DECODED_UNDECODED;
  const vihl = buf[off];
  if (vihl >> 4 !== 4) return DECODED_UNDECODED;
  const ihl = (vihl & 15) * 4;
  if (ihl < 20 || off + ihl > end) return DECODED_UNDECODED;
  const total = u16(buf, off + 2);
  // Total length 0 happens with TSO on the sending host: trust the captured bytes then.
  let ipEnd = total === 0 ? end : off + total;
  if (total !== 0 && total < ihl) return DECODED_UNDECODED;
  if (ipEnd > end) ipEnd = end;
  const frag = u16(buf, off + 6);
  p.family = 4;
  p.srcOff = off + 12;
  p.dstOff = off + 16;
  p.proto = buf[off + 9];
  p.fragId = u16(buf, off + 4);
  if ((frag & 0x1fff) !== 0) return DECODED_FRAGMENT;
  p.fragFirst = (frag & 0x2000) !== 0;
  return decodeTransport(buf, off + ihl, ipEnd, p);
}

export function decodeIpv6(buf: Uint8Array, off: number, end: number, p: PacketInfo): DecodeResult {
  if (end - off < 40) return DECODED_UNDECODED;
  if (buf[off] >> 4 !== 6) return DECODED_UNDECODED;
  const plen = u16(buf, off + 4);
  let ipEnd = plen === 0 ? end : off + 40 + plen;
  if (ipEnd > end) ipEnd = end;
  p.family = 6;
  p.srcOff = off + 8;
  p.dstOff = off + 24;
  p.fragFirst = false;
  p.fragId = 0;
  let nh = buf[off + 6];
  let q = off + 40;
  for (let i = 0; i < MAX_IPV6_EXT_HEADERS; i++) {
    switch (nh) {
      case 0: // hop-by-hop
      case 43: // routing
      case 60: // destination options
        if (ipEnd - q < 8) return DECODED_UNDECODED;
        nh = buf[q];
        q += (buf[q + 1] + 1) * 8;
        continue;
      case 51: // AH: length in 4-byte units, minus 2
        if (ipEnd - q < 8) return DECODED_UNDECODED;
        nh = buf[q];
        q += (buf[q + 1] + 2) * 4;
        continue;
      case 44: {
        if (ipEnd - q < 8) return DECODED_UNDECODED;
        const fo = u16(buf, q + 2);
        p.fragId = u32(buf, q + 4);
        nh = buf[q];
        q += 8;
        if ((fo & 0xfff8) !== 0) {
          p.proto = nh;
          return DECODED_FRAGMENT;
        }
        p.fragFirst = (fo & 1) !== 0;
        continue;
      }
      default:
        if (q > ipEnd) return DECODED_UNDECODED;
        p.proto = nh;
        return decodeTransport(buf, q, ipEnd, p);
    }
  }
  p.ipv6ExtChainTooLong++;
  return DECODED_UNDECODED;
}

function decodeTransport(buf: Uint8Array, q: number, ipEnd: number, p: PacketInfo): DecodeResult {
  p.sport = 0;
  p.dport = 0;
  p.tcpFlags = 0;
  p.seq = 0;
  p.payloadOff = q;
  p.payloadLen = 0;
  p.icmpKind = ICMP_KIND_NONE;
  p.icmpType = 0;
  p.icmpCode = 0;
  const avail = ipEnd - q;
  switch (p.proto) {
    case 6: {
      // Ports, sequence number and flags are enough to count the packet; the payload needs the full header.
      if (avail < 14) return DECODED_UNDECODED;
      p.sport = u16(buf, q);
      p.dport = u16(buf, q + 2);
      p.seq = u32(buf, q + 4);
      p.tcpFlags = buf[q + 13];
      const doff = (buf[q + 12] >> 4) * 4;
      if (doff >= 20 && doff <= avail) {
        p.payloadOff = q + doff;
        p.payloadLen = avail - doff;
      }
      return DECODED_IP;
    }
    case 17: {
      if (avail < 4) return DECODED_UNDECODED;
      p.sport = u16(buf, q);
      p.dport = u16(buf, q + 2);
      if (avail >= 8) {
        const ulen = u16(buf, q + 4);
        let n = avail - 8;
        if (ulen >= 8 && ulen - 8 < n) n = ulen - 8;
        p.payloadOff = q + 8;
        p.payloadLen = n;
        if (isTunnelPort(p.dport) || isTunnelPort(p.sport)) return decodeUdpTunnel(buf, p);
      }
      return DECODED_IP;
    }
    case 132: // SCTP: ports only
      if (avail < 4) return DECODED_UNDECODED;
      p.sport = u16(buf, q);
      p.dport = u16(buf, q + 2);
      return DECODED_IP;
    case 4:
    case 41:
    case 47:
      return decodeIpTunnel(buf, q, ipEnd, p);
    case 1:
    case 58: {
      if (avail < 4) return DECODED_UNDECODED;
      const type = buf[q];
      p.icmpType = type;
      p.icmpCode = buf[q + 1];
      const echo = p.proto === 1 ? type === 8 || type === 0 : type === 128 || type === 129;
      if (echo && avail >= 8) {
        p.icmpKind = ICMP_KIND_ECHO;
        p.sport = p.dport = u16(buf, q + 4);
      } else {
        p.icmpKind = ICMP_KIND_OTHER;
      }
      return DECODED_IP;
    }
    default:
      return DECODED_IP;
  }
}
