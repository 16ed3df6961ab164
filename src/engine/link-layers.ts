/**
 * Link layers beyond Ethernet and cooked Linux: PPP (with and without a direction byte), Cisco HDLC, IEEE 802.11
 * data frames (bare, under radiotap or PPI) carrying LLC/SNAP, and NFLOG. Encrypted or non-data 802.11 frames are
 * undecoded.
 */
import { DECODED_UNDECODED, type DecodeResult, type PacketInfo, decodeEthertype, decodeIpv4, decodeIpv6, u16 } from './packet-decoder.ts';
import { decodePpp } from './tunnels.ts';

export const LINKTYPE_PPP = 9;
export const LINKTYPE_C_HDLC = 104;
export const LINKTYPE_IEEE802_11 = 105;
export const LINKTYPE_IEEE802_11_RADIOTAP = 127;
export const LINKTYPE_PPI = 192;
export const LINKTYPE_PPP_WITH_DIR = 204;
export const LINKTYPE_NFLOG = 239;

function u16le(b: Uint8Array, o: number): number {
  return b[o] | (b[o + 1] << 8);
}

function u32le(b: Uint8Array, o: number): number {
  return (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0;
}

/** Cisco HDLC: address, control, then an ethertype. */
export function decodeCiscoHdlc(buf: Uint8Array, off: number, end: number, p: PacketInfo): DecodeResult {
  if (end - off < 4) return DECODED_UNDECODED;
  return decodeEthertype(buf, u16(buf, off + 2), off + 4, end, p);
}

export function decodePppWithDirection(buf: Uint8Array, off: number, end: number, p: PacketInfo): DecodeResult {
  if (end - off < 2) return DECODED_UNDECODED;
  return decodePpp(buf, off + 1, end, p);
}

/**
 * An 802.11 data frame: header of 24 bytes, 30 with four addresses, plus QoS control and HT control when present,
 * then LLC/SNAP (AA AA 03, an OUI, an ethertype).
 */
export function decodeIeee80211(buf: Uint8Array, off: number, end: number, p: PacketInfo): DecodeResult {
  if (end - off < 24) return DECODED_UNDECODED;
  const fc0 = buf[off];
  const fc1 = buf[off + 1];
  const type = (fc0 >> 2) & 3;
  const subtype = fc0 >> 4;
  // Data frames only; null-function subtypes (bit 2) carry nothing; protected frames are encrypted.
  if ((fc0 & 3) !== 0 || type !== 2 || (subtype & 4) !== 0 || (fc1 & 0x40) !== 0) return DECODED_UNDECODED;
  let q = off + 24;
  if ((fc1 & 3) === 3) q += 6;
  if ((subtype & 8) !== 0) {
    q += 2;
    if ((fc1 & 0x80) !== 0) q += 4;
  }
  if (end - q < 8 || buf[q] !== 0xaa || buf[q + 1] !== 0xaa || buf[q + 2] !== 0x03) return DECODED_UNDECODED;
  return decodeEthertype(buf, u16(buf, q + 6), q + 8, end, p);
}

/** Radiotap: a little-endian length to skip; the Flags field says whether the frame ends in an FCS. */
export function decodeRadiotap(buf: Uint8Array, off: number, end: number, p: PacketInfo): DecodeResult {
  if (end - off < 8 || buf[off] !== 0) return DECODED_UNDECODED;
  const len = u16le(buf, off + 2);
  if (len < 8 || len > end - off) return DECODED_UNDECODED;
  const present = u32le(buf, off + 4);
  // Extra presence words follow while bit 31 is set; the fields start after the last.
  let q = off + 8;
  let w = present;
  for (let i = 0; (w & 0x80000000) !== 0; i++) {
    if (i >= 8 || q + 4 > off + len) return DECODED_UNDECODED;
    w = u32le(buf, q);
    q += 4;
  }
  let frameEnd = end;
  if ((present & 2) !== 0) {
    // TSFT (bit 0) is 8 bytes aligned to 8 from the header's start; Flags is the byte after it.
    if ((present & 1) !== 0) q = off + (((q - off + 7) >> 3) << 3) + 8;
    if (q >= off + len) return DECODED_UNDECODED;
    if ((buf[q] & 0x10) !== 0) frameEnd -= 4;
  }
  return decodeIeee80211(buf, off + len, frameEnd, p);
}

/** PPI: a little-endian header length and the link type of the frame after it (802.11 or Ethernet). */
export function decodePpi(buf: Uint8Array, off: number, end: number, p: PacketInfo): DecodeResult {
  if (end - off < 8 || buf[off] !== 0) return DECODED_UNDECODED;
  const len = u16le(buf, off + 2);
  const dlt = u32le(buf, off + 4);
  if (len < 8 || len > end - off) return DECODED_UNDECODED;
  const q = off + len;
  if (dlt === LINKTYPE_IEEE802_11) return decodeIeee80211(buf, q, end, p);
  if (dlt === 1 && end - q >= 14) return decodeEthertype(buf, u16(buf, q + 12), q + 14, end, p);
  return DECODED_UNDECODED;
}

/** NFLOG: family, version, resource id, then TLVs (little-endian length and type, padded to 4); type 9 is the packet. */
export function decodeNflog(buf: Uint8Array, off: number, end: number, p: PacketInfo): DecodeResult {
  if (end - off < 4) return DECODED_UNDECODED;
  const family = buf[off];
  let q = off + 4;
  for (let i = 0; i < 64 && end - q >= 4; i++) {
    const len = u16le(buf, q);
    const type = u16le(buf, q + 2) & 0x7fff;
    if (len < 4 || len > end - q) return DECODED_UNDECODED;
    if (type === 9) {
      if (family === 2) return decodeIpv4(buf, q + 4, q + len, p);
      if (family === 10) return decodeIpv6(buf, q + 4, q + len, p);
      return DECODED_UNDECODED;
    }
    q += (len + 3) & ~3;
  }
  return DECODED_UNDECODED;
}
