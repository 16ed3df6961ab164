/**
 * Labels for TCP applications told by the first bytes of one direction, where nothing more is read from the flow:
 * BitTorrent's handshake and MQTT's CONNECT on any port (both begin with a fixed protocol name), SMB after its
 * NetBIOS session header on 445/139, Kerberos's record-marked requests and replies on 88.
 */
import type { FlowApp } from '../../shared/flow.ts';

const BT_NAME = 'BitTorrent protocol';
const KERBEROS_PORT = 88;

function asciiAt(d: Uint8Array, p: number, end: number, text: string): boolean {
  if (p + text.length > end) return false;
  for (let i = 0; i < text.length; i++) if (d[p + i] !== text.charCodeAt(i)) return false;
  return true;
}

/** MQTT CONNECT (3.1 "MQIsdp" level 3, 3.1.1 "MQTT" level 4, 5.0 level 5): fixed header 0x10, remaining length. */
function looksLikeMqttConnect(d: Uint8Array, o: number, end: number): boolean {
  if (d[o] !== 0x10) return false;
  let p = o + 1;
  let remaining = 0;
  let shift = 0;
  for (let i = 0; ; i++) {
    if (i === 4 || p >= end) return false;
    const b = d[p++];
    remaining += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if ((b & 0x80) === 0) break;
  }
  if (remaining < 12) return false;
  if (asciiAt(d, p, end, '\x00\x04MQTT')) return p + 6 < end && (d[p + 6] === 4 || d[p + 6] === 5);
  return asciiAt(d, p, end, '\x00\x06MQIsdp') && p + 8 < end && d[p + 8] === 3;
}

/** SMB1/SMB2/SMB3-transform header after a NetBIOS session message header. */
function looksLikeSmb(d: Uint8Array, o: number, end: number): boolean {
  if (o + 8 > end || d[o] !== 0x00) return false;
  const m = d[o + 4];
  return (m === 0xff || m === 0xfe || m === 0xfd) && d[o + 5] === 0x53 && d[o + 6] === 0x4d && d[o + 7] === 0x42;
}

/** A Kerberos message's outer tag: AS-REQ, AS-REP, TGS-REQ, TGS-REP, KRB-ERROR (RFC 4120 §5.10). */
function isKerberosTag(b: number): boolean {
  return b === 0x6a || b === 0x6b || b === 0x6c || b === 0x6d || b === 0x7e;
}

/** Where the content starts after a BER length at p, when that length spans exactly to end; -1 otherwise. */
function berContentTo(d: Uint8Array, p: number, end: number): number {
  if (p >= end) return -1;
  const b = d[p];
  let v = b;
  let q = p + 1;
  if (b >= 0x80) {
    const k = b & 0x7f;
    if (k === 0 || k > 3 || q + k > end) return -1;
    v = 0;
    for (let i = 0; i < k; i++) v = v * 256 + d[q + i];
    q += k;
  }
  return q + v === end ? q : -1;
}

/** One Kerberos message filling [o, end): outer tag, a length spanning it, then the SEQUENCE inside. */
function kerberosMessage(d: Uint8Array, o: number, end: number): boolean {
  if (end - o < 8 || !isKerberosTag(d[o])) return false;
  const c = berContentTo(d, o + 1, end);
  return c > 0 && c < end && d[c] === 0x30;
}

/** Kerberos over UDP 88: one message spanning the datagram. */
export function looksLikeKerberosDatagram(d: Uint8Array, o: number, n: number): boolean {
  return kerberosMessage(d, o, o + n);
}

/** Kerberos over TCP 88: a 4-byte record mark (high bit clear) then one message filling the record. */
function looksLikeKerberosRecord(d: Uint8Array, o: number, end: number): boolean {
  if (o + 12 > end || d[o] >= 0x80) return false;
  const mark = d[o] * 0x1000000 + (d[o + 1] << 16) + (d[o + 2] << 8) + d[o + 3];
  // Only a whole first record is judged.
  return mark >= 8 && o + 4 + mark <= end && kerberosMessage(d, o + 4, o + 4 + mark);
}

export function tcpAppLabel(srcPort: number, dstPort: number, d: Uint8Array, o: number, n: number): FlowApp | null {
  const end = o + n;
  const b0 = d[o];
  if (b0 === 0x13) return asciiAt(d, o + 1, end, BT_NAME) ? 'bittorrent' : null;
  if (b0 === 0x10) return looksLikeMqttConnect(d, o, end) ? 'mqtt' : null;
  if (b0 !== 0x00) return null;
  const port445 = srcPort === 445 || dstPort === 445 || srcPort === 139 || dstPort === 139;
  if (port445 && looksLikeSmb(d, o, end)) return 'smb';
  if ((srcPort === KERBEROS_PORT || dstPort === KERBEROS_PORT) && looksLikeKerberosRecord(d, o, end)) return 'kerberos';
  return null;
}
