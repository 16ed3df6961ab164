/**
 * RTP (RFC 3550) after STUN on the same flow, as WebRTC and VoIP clients send media once connectivity checks pass.
 * The header alone is weak (any datagram starting 0x80 has version 2), so the label needs two packets of one
 * direction with the same SSRC and sequence numbers a few apart, each with an RTP payload type (RFC 3551 static
 * types or the dynamic range, never RTCP's 72-76 with the marker) or RTCP's compound start (SR/RR).
 */
import { u16, u32 } from './bytes.ts';

/** How far apart the sequence numbers of the two packets may be (losses, reordering). */
const MAX_SEQ_GAP = 16;

/** 1 an RTP header, 2 an RTCP SR/RR starting a compound packet, 0 neither. */
export function rtpKind(d: Uint8Array, o: number, n: number): number {
  if (n < 12 || d[o] >> 6 !== 2) return 0;
  const pt = d[o + 1];
  // RTCP SR (200) or RR (201): the length in 32-bit words minus one must fit.
  if (pt === 200 || pt === 201) return (u16(d, o + 2) + 1) * 4 <= n ? 2 : 0;
  const type = pt & 0x7f;
  if ((type >= 72 && type <= 76) || (type > 34 && type < 96)) return 0;
  // CSRC list and, when flagged, the extension header must fit.
  let h = 12 + 4 * (d[o] & 0x0f);
  if (h > n) return 0;
  if ((d[o] & 0x10) !== 0) {
    if (h + 4 > n) return 0;
    h += 4 + 4 * u16(d, o + h + 2);
    if (h > n) return 0;
  }
  return 1;
}

export function rtpSsrc(d: Uint8Array, o: number): number {
  return u32(d, o + 8);
}

export function rtpSeq(d: Uint8Array, o: number): number {
  return u16(d, o + 2);
}

/** Whether sequence number b follows a within the gap allowed (modulo 2^16). */
export function rtpFollows(a: number, b: number): boolean {
  const gap = (b - a) & 0xffff;
  return gap >= 1 && gap <= MAX_SEQ_GAP;
}
