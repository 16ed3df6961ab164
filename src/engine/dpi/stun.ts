/**
 * STUN (RFC 8489) and TURN (RFC 8656) messages on any UDP port: the two top bits clear, the magic cookie 0x2112A442
 * at byte 4, and a length (a multiple of 4) that is exactly the rest of the datagram after the 20-byte header.
 * Attributes must tile the body. RFC 3489's cookie-less form is not recognised (too weak a signature).
 */
import { u16, u32 } from './bytes.ts';

const MAGIC = 0x2112a442;

export function looksLikeStun(buf: Uint8Array, off: number, len: number): boolean {
  if (len < 20 || (buf[off] & 0xc0) !== 0 || u32(buf, off + 4) !== MAGIC) return false;
  const bodyLen = u16(buf, off + 2);
  if ((bodyLen & 3) !== 0 || bodyLen !== len - 20) return false;
  let p = off + 20;
  const end = off + len;
  while (p < end) {
    if (p + 4 > end) return false;
    const l = u16(buf, p + 2);
    p += 4 + ((l + 3) & ~3);
  }
  return p === end;
}
