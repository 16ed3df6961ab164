/**
 * Sandpiper's IPFIX templates and how a flow becomes data records (docs/fleet.md lists the elements).
 *
 * - Two uniflow records per flow (initiator → responder, then responder → initiator when it sent anything), not
 *   RFC 5103 biflows: every collector sums uniflows, and nfcapd and pmacct read them without biflow support.
 * - octetDeltaCount is IP-layer octets (IP header and payload, RFC 7012). The engine counts frame lengths on the
 *   wire, link header included, so the link header of the capture's link type is taken off per packet
 *   (linkHeaderBytes). 802.1Q tags and Ethernet padding of short received frames stay counted: both are
 *   invisible to the flow counters.
 * - tcpControlBits is derived from the engine's TCP state (SYN seen, SYN-ACK, FIN, RST), not an OR of every
 *   packet's flags, which the engine does not keep.
 * - flowDirection (61) is sent only when the local end of the flow is known (a live capture that found the socket):
 *   templates with and without it.
 * - Enterprise elements under SANDPIPER_PEN: process name, pid, user name, server name (SNI or HTTP Host), app label.
 */
import type { IpfixField, IpfixTemplate, IpfixValue } from './encoder.ts';
import { VARIABLE_LENGTH } from './encoder.ts';
import { addressWords } from '../../engine/address-text.ts';

/**
 * Sandpiper has no IANA Private Enterprise Number yet: 32473 is the number RFC 5612 reserves for documentation,
 * used as a placeholder until one is registered. Collectors treat it like any other enterprise.
 */
export const SANDPIPER_PEN = 32473;

export const IE = {
  octetDeltaCount: 1,
  packetDeltaCount: 2,
  protocolIdentifier: 4,
  tcpControlBits: 6,
  sourceTransportPort: 7,
  sourceIPv4Address: 8,
  destinationTransportPort: 11,
  destinationIPv4Address: 12,
  sourceIPv6Address: 27,
  destinationIPv6Address: 28,
  flowDirection: 61,
  flowEndReason: 136,
  flowStartMilliseconds: 152,
  flowEndMilliseconds: 153,
} as const;

/** Enterprise-specific elements under SANDPIPER_PEN (all strings are UTF-8, variable length). */
export const SANDPIPER_IE = {
  processName: 1,
  processId: 2,
  userName: 3,
  serverName: 4,
  appLabel: 5,
} as const;

/** flowEndReason values (RFC 7012 / IANA). */
export const END_REASON = { idleTimeout: 1, activeTimeout: 2, endOfFlow: 3, forcedEnd: 4, lackOfResources: 5 } as const;

const f = (id: number, length: number, pen?: number): IpfixField => (pen === undefined ? { id, length } : { id, length, pen });

function fields(v6: boolean, direction: boolean): IpfixField[] {
  const a = v6 ? 16 : 4;
  return [
    f(v6 ? IE.sourceIPv6Address : IE.sourceIPv4Address, a),
    f(v6 ? IE.destinationIPv6Address : IE.destinationIPv4Address, a),
    f(IE.sourceTransportPort, 2),
    f(IE.destinationTransportPort, 2),
    f(IE.protocolIdentifier, 1),
    f(IE.tcpControlBits, 2),
    f(IE.octetDeltaCount, 8),
    f(IE.packetDeltaCount, 8),
    f(IE.flowStartMilliseconds, 8),
    f(IE.flowEndMilliseconds, 8),
    f(IE.flowEndReason, 1),
    ...(direction ? [f(IE.flowDirection, 1)] : []),
    f(SANDPIPER_IE.processId, 4, SANDPIPER_PEN),
    f(SANDPIPER_IE.processName, VARIABLE_LENGTH, SANDPIPER_PEN),
    f(SANDPIPER_IE.userName, VARIABLE_LENGTH, SANDPIPER_PEN),
    f(SANDPIPER_IE.serverName, VARIABLE_LENGTH, SANDPIPER_PEN),
    f(SANDPIPER_IE.appLabel, VARIABLE_LENGTH, SANDPIPER_PEN),
  ];
}

/** Template ids: 256 + 1 for IPv6 + 2 with flowDirection. */
export const FLOW_TEMPLATES: readonly IpfixTemplate[] = [0, 1, 2, 3].map((i) => ({ id: 256 + i, fields: fields((i & 1) === 1, (i & 2) === 2) }));

/** What one uniflow record says. Addresses are 4 or 16 bytes. */
export interface UniflowRecord {
  src: Uint8Array;
  dst: Uint8Array;
  sport: number;
  dport: number;
  proto: number;
  tcpFlags: number;
  octets: number;
  packets: number;
  startMs: number;
  endMs: number;
  endReason: number;
  /** 0 ingress, 1 egress, null unknown. */
  direction: 0 | 1 | null;
  pid: number | null;
  process: string | null;
  user: string | null;
  serverName: string | null;
  app: string | null;
}

export function templateFor(r: UniflowRecord): IpfixTemplate {
  return FLOW_TEMPLATES[(r.src.length === 16 ? 1 : 0) + (r.direction === null ? 0 : 2)];
}

export function recordValues(r: UniflowRecord): IpfixValue[] {
  const v: IpfixValue[] = [r.src, r.dst, r.sport, r.dport, r.proto, r.tcpFlags, r.octets, r.packets, r.startMs, r.endMs, r.endReason];
  if (r.direction !== null) v.push(r.direction);
  // pid 0 means unknown: no process has pid 0 in a flow.
  v.push(r.pid ?? 0, r.process, r.user, r.serverName, r.app);
  return v;
}

/** Link header octets per pcap link type (LINKTYPE_*), taken off frame lengths to count IP octets. */
export function linkHeaderBytes(linktype: number): number {
  switch (linktype) {
    case 1: // Ethernet
      return 14;
    case 113: // Linux cooked (SLL)
      return 16;
    case 276: // SLL2
      return 20;
    case 0: // BSD loopback / null
    case 108:
      return 4;
    default: // raw IP (101, 228, 229, 12, 14) and anything unknown
      return 0;
  }
}

/** The link type a pcap or pcapng stream starts with (its first interface), or null before enough bytes. */
export function sniffLinktype(head: Uint8Array): number | null {
  if (head.length < 24) return null;
  const v = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const magic = v.getUint32(0, false);
  if (magic === 0xa1b2c3d4 || magic === 0xa1b23c4d) return v.getUint32(20, false) & 0xffff;
  if (magic === 0xd4c3b2a1 || magic === 0x4d3cb2a1) return v.getUint32(20, true) & 0xffff;
  if (magic === 0x0a0d0d0a && head.length >= 12) {
    const le = v.getUint32(8, true) === 0x1a2b3c4d;
    const shbLen = v.getUint32(4, le);
    // The first block after the section header is normally the interface description block.
    const o = shbLen;
    if (head.length >= o + 10 && v.getUint32(o, le) === 1) return v.getUint16(o + 8, le);
  }
  return null;
}

/**
 * TCP flags implied by the engine's state name, and whether a SYN was seen: a flow first seen mid-stream claims no
 * SYN, even once a FIN or RST has moved its state on.
 */
export function tcpFlagsOf(state: string, synSeen: boolean): number {
  const FIN = 1, SYN = 2, RST = 4, ACK = 16;
  const syn = synSeen ? SYN : 0;
  switch (state) {
    case 'syn_sent':
      return SYN;
    case 'established':
      return syn | ACK;
    case 'closing':
    case 'closed':
      return syn | ACK | FIN;
    case 'reset':
      return syn | RST | ACK;
    default:
      return syn | ACK;
  }
}

/** The bytes of a textual IPv4 or IPv6 address (as the engine formats them; an IPv6 zone is left out), or null. */
export function addressBytes(a: string): Uint8Array | null {
  const zone = a.includes(':') ? a.indexOf('%') : -1;
  const w = new Uint32Array(4);
  const family = addressWords(zone >= 0 ? a.slice(0, zone) : a, w);
  if (family === 0) return null;
  const out = new Uint8Array(family === 4 ? 4 : 16);
  const v = new DataView(out.buffer);
  for (let i = 0; i < out.length / 4; i++) v.setUint32(4 * i, w[i]);
  return out;
}
