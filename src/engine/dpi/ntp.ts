/**
 * NTP (RFC 5905, UDP 123): the 48-byte header, optionally followed by extension fields and a MAC. Modes 1–5 are
 * time messages; mode 6 (control, RFC 9327) and 7 (private, ntpd's monitor interface) have their own header, checked
 * by what they fix: a 12-byte header whose data count fits in the datagram, and mode 7's implementation and request codes.
 */
import { u16 } from './bytes.ts';

export function looksLikeNtp(buf: Uint8Array, off: number, len: number): boolean {
  if (len < 8) return false;
  const b0 = buf[off];
  const version = (b0 >> 3) & 7;
  const mode = b0 & 7;
  if (version < 1 || version > 4) return false;
  if (mode >= 1 && mode <= 5) {
    // Header; then nothing, a MAC (key id + MD5 16 or SHA-1 20 bytes), or extension fields (multiples of 4).
    if (len < 48) return false;
    const rest = len - 48;
    return rest === 0 || rest === 20 || rest === 24 || (rest >= 16 && rest % 4 === 0 && rest <= 1024);
  }
  if (mode === 6) {
    if (len < 12) return false;
    const count = u16(buf, off + 10);
    return 12 + count <= len;
  }
  if (mode === 7) {
    // Implementation 0 (universal), 2 (xntpd old) or 3 (xntpd); request codes below 64.
    const impl = buf[off + 2];
    return (impl === 0 || impl === 2 || impl === 3) && buf[off + 3] < 64;
  }
  return false;
}
