/**
 * Syslog over UDP 514 (RFC 3164 / RFC 5424): "<PRI>" with PRI 0..191 (at most 3 digits, no leading zero unless 0),
 * then a version digit (5424), a month name or a printable character (3164).
 */
export function looksLikeSyslog(buf: Uint8Array, off: number, len: number): boolean {
  if (len < 4 || buf[off] !== 0x3c) return false;
  let p = off + 1;
  const end = off + Math.min(len, 5);
  let v = 0;
  let digits = 0;
  while (p < end && buf[p] >= 0x30 && buf[p] <= 0x39) {
    if (digits === 1 && v === 0) return false;
    v = v * 10 + buf[p] - 0x30;
    digits++;
    p++;
  }
  if (digits === 0 || v > 191 || p >= off + len || buf[p] !== 0x3e) return false;
  p++;
  return p < off + len && buf[p] >= 0x20 && buf[p] <= 0x7e;
}
