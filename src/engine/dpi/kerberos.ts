/**
 * Kerberos (RFC 4120) on port 88: a message is an APPLICATION-tagged BER value spanning exactly what carries it, with
 * the SEQUENCE inside. Over UDP one fills the datagram; over TCP a 4-byte record mark precedes each.
 */
import { u32 } from './bytes.ts';

export const KERBEROS_PORT = 88;

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
export function looksLikeKerberosRecord(d: Uint8Array, o: number, end: number): boolean {
  if (o + 12 > end || d[o] >= 0x80) return false;
  const mark = u32(d, o);
  // Only a whole first record is judged.
  return mark >= 8 && o + 4 + mark <= end && kerberosMessage(d, o + 4, o + 4 + mark);
}
