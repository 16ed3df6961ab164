/**
 * The NetBIOS datagram service (RFC 1002 §4.4) on UDP 138: a direct or broadcast datagram's header (type 0x10..0x12)
 * whose length field counts exactly the bytes after its 14-byte header; an error (0x13) or query (0x14..0x16) has a
 * fixed size.
 */
import { u16 } from './bytes.ts';

export const NETBIOS_DGM_PORT = 138;

export function looksLikeNetbiosDatagram(buf: Uint8Array, off: number, len: number): boolean {
  if (len < 11) return false;
  const type = buf[off];
  const flags = buf[off + 1];
  if ((flags & 0xf0) !== 0) return false; // reserved bits
  if (type >= 0x10 && type <= 0x12) return len >= 14 && u16(buf, off + 10) + 14 === len;
  if (type === 0x13) return len === 11;
  return false;
}
