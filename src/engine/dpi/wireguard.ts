/**
 * WireGuard messages: a type byte and three reserved zero bytes, each type with a fixed length (initiation 148,
 * response 92, cookie reply 64); transport data (type 4) is a 16-byte header plus a ciphertext that is a multiple of
 * 16 with its 16-byte tag. The handshake types are exact; data alone is weak, so the caller takes it only on 51820.
 */
export const WG_PORT = 51820;

/** 1 handshake message, 2 transport data, 0 neither. */
export function wireguardKind(buf: Uint8Array, off: number, len: number): number {
  if (len < 32 || buf[off + 1] !== 0 || buf[off + 2] !== 0 || buf[off + 3] !== 0) return 0;
  const t = buf[off];
  if ((t === 1 && len === 148) || (t === 2 && len === 92) || (t === 3 && len === 64)) return 1;
  return t === 4 && (len - 16) % 16 === 0 ? 2 : 0;
}
