/**
 * RADIUS (RFC 2865/2866, dynamic authorization RFC 5176) over its UDP ports: a known code, a length field equal to
 * the datagram (20..4096), and attributes that exactly fill what follows the 20-byte header.
 */
import { u16 } from './bytes.ts';

export function isRadiusPort(port: number): boolean {
  return port === 1812 || port === 1813 || port === 1645 || port === 1646 || port === 1700 || port === 3799;
}

function codeKnown(code: number): boolean {
  return (code >= 1 && code <= 5) || (code >= 11 && code <= 13) || (code >= 40 && code <= 45);
}

export function looksLikeRadius(buf: Uint8Array, off: number, len: number): boolean {
  if (len < 20 || len > 4096 || !codeKnown(buf[off])) return false;
  if (u16(buf, off + 2) !== len) return false;
  let p = off + 20;
  const end = off + len;
  while (p < end) {
    if (p + 2 > end) return false;
    const alen = buf[p + 1];
    if (alen < 2) return false;
    p += alen;
  }
  return p === end;
}
