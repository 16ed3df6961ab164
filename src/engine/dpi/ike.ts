/**
 * IKE (ISAKMP header, RFC 2408 / RFC 7296) over UDP 500, or 4500 behind the 4-byte zero non-ESP marker of NAT
 * traversal (RFC 3948). The 28-byte header's length field must equal the datagram, the initiator's SPI is never zero,
 * and the exchange type must be one its major version defines.
 */
import { u32 } from './bytes.ts';

export const IKE_PORT = 500;
export const IKE_NATT_PORT = 4500;

function exchangeKnown(major: number, exchange: number): boolean {
  // IKEv1: base..aggressive, informational, transaction; quick mode, new group. IKEv2: IKE_SA_INIT..IKE_INTERMEDIATE.
  if (major === 1) return (exchange >= 1 && exchange <= 6) || exchange === 32 || exchange === 33;
  return major === 2 && exchange >= 34 && exchange <= 44;
}

export function looksLikeIke(buf: Uint8Array, off: number, len: number, natt: boolean): boolean {
  if (natt) {
    if (len < 4 || buf[off] !== 0 || buf[off + 1] !== 0 || buf[off + 2] !== 0 || buf[off + 3] !== 0) return false;
    off += 4;
    len -= 4;
  }
  if (len < 28) return false;
  let spi = 0;
  for (let i = 0; i < 8; i++) spi |= buf[off + i];
  if (spi === 0) return false;
  if (!exchangeKnown(buf[off + 17] >> 4, buf[off + 18])) return false;
  return u32(buf, off + 24) === len;
}
