/**
 * SNMP (RFC 3416 over UDP 161/162): a BER SEQUENCE holding the version INTEGER (0 v1, 1 v2c, 3 v3), then for v1/v2c
 * the community OCTET STRING and a PDU tag [0xa0..0xa8]; for v3 the header data SEQUENCE. The community is a
 * password in clear: it is skipped over, never kept.
 */

/** BER length at p: [value, bytes taken], or null. Definite lengths up to 4 bytes. */
function berLength(buf: Uint8Array, p: number, end: number): number {
  if (p >= end) return -1;
  const b = buf[p];
  if (b < 0x80) { berTaken = 1; return b; }
  const n = b & 0x7f;
  if (n === 0 || n > 3 || p + 1 + n > end) return -1;
  let v = 0;
  for (let i = 1; i <= n; i++) v = v * 256 + buf[p + i];
  berTaken = 1 + n;
  return v;
}
let berTaken = 0;

export function looksLikeSnmp(buf: Uint8Array, off: number, len: number): boolean {
  const end = off + len;
  if (len < 12 || buf[off] !== 0x30) return false;
  const total = berLength(buf, off + 1, end);
  if (total < 0) return false;
  let p = off + 1 + berTaken;
  if (p + total > end) return false;
  const stop = p + total;
  if (buf[p] !== 0x02 || buf[p + 1] !== 0x01) return false;
  const version = buf[p + 2];
  p += 3;
  if (p >= stop) return false;
  if (version === 3) return buf[p] === 0x30;
  if (version !== 0 && version !== 1) return false;
  if (buf[p] !== 0x04) return false;
  const cl = berLength(buf, p + 1, stop);
  if (cl < 0) return false;
  p += 1 + berTaken + cl;
  if (p >= stop) return false;
  const pdu = buf[p];
  if (pdu < 0xa0 || pdu > 0xa8) return false;
  const pl = berLength(buf, p + 1, stop);
  return pl >= 0 && p + 1 + berTaken + pl === stop;
}
