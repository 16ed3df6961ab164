/**
 * OpenVPN's control channel handshake, over UDP or TCP (where each packet has a 2-byte length before it). The
 * client's hard reset (opcode 7 or 10, key id 0) carries its 8-byte session id, no acks and message packet id 0; the
 * server's hard reset (opcode 8) acknowledges it, naming the client's session id as the remote one. Only that pair
 * labels a flow: a 64-bit id echoed back is not chance. With tls-auth an HMAC, a replay packet id and a time come
 * before the ack array; their length depends on the digest, so each common one is tried. tls-crypt encrypts the ack
 * array: such a flow gets no label.
 */
import { u32 } from './bytes.ts';

const CLIENT_RESET_V2 = 7;
const SERVER_RESET_V2 = 8;
const CLIENT_RESET_V3 = 10;
/** Bytes between the session id and the ack array: none, or tls-auth with SHA-1, SHA-256 or SHA-512 (+ 8). */
const AUTH_LENGTHS = [0, 28, 40, 72];
const MAX_ACKS = 8;

/** The client's hard reset at d[o, o+n): the session id is then at o+1 (8 bytes). */
export function isOpenvpnClientReset(d: Uint8Array, o: number, n: number): boolean {
  if (n < 14) return false;
  const op = d[o] >> 3;
  if ((op !== CLIENT_RESET_V2 && op !== CLIENT_RESET_V3) || (d[o] & 7) !== 0) return false;
  for (const h of AUTH_LENGTHS) {
    const p = o + 9 + h;
    // No acks, then message packet id 0.
    if (p + 5 <= o + n && d[p] === 0 && u32(d, p + 1) === 0) return true;
  }
  return false;
}

/** The server's hard reset at d[o, o+n), acknowledging the client session id (hi, lo). */
export function isOpenvpnServerReset(d: Uint8Array, o: number, n: number, hi: number, lo: number): boolean {
  if (n < 26) return false;
  if (d[o] >> 3 !== SERVER_RESET_V2 || (d[o] & 7) !== 0) return false;
  for (const h of AUTH_LENGTHS) {
    const p = o + 9 + h;
    if (p >= o + n) return false;
    const acks = d[p];
    if (acks === 0 || acks > MAX_ACKS) continue;
    const sid = p + 1 + 4 * acks;
    if (sid + 8 <= o + n && u32(d, sid) === hi && u32(d, sid + 4) === lo) return true;
  }
  return false;
}
