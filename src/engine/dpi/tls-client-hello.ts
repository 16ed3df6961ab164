/**
 * TLS ClientHello inspection: SNI (RFC 6066) and ALPN (RFC 7301). `parseClientHello` reads one complete handshake
 * message (as found in TLS records or QUIC CRYPTO frames); `TlsClientHelloReader` pulls the handshake bytes out of
 * the client's TLS records as the stream prefix grows, so a ClientHello split across TCP segments and/or TLS
 * records is reassembled (bounded by MAX_HELLO).
 */
import { asciiText, scratchBytes, scratchText, u16, u24 } from './bytes.ts';

export const MAX_HELLO = 16 * 1024;
const MAX_ALPN = 16;
const EXT_SERVER_NAME = 0;
const EXT_ALPN = 16;

export interface ClientHelloInfo {
  sni: string | null;
  alpn: string[];
}

/** Host name text, lower-cased, or null if it contains bytes that cannot be in a DNS name / IP literal. */
function hostText(buf: Uint8Array, off: number, len: number): string | null {
  if (len === 0 || len > 255) return null;
  const out = scratchBytes();
  for (let i = 0; i < len; i++) {
    const c = buf[off + i];
    if (c <= 0x20 || c >= 0x7f) return null;
    out[i] = c >= 0x41 && c <= 0x5a ? c | 0x20 : c;
  }
  return scratchText(len);
}

const HEX = '0123456789abcdef';

/** ALPN protocol ids are opaque bytes (at most 255); printable ones are shown as text, others as hex. */
function alpnText(buf: Uint8Array, off: number, len: number): string {
  let printable = true;
  for (let i = off; i < off + len; i++) if (buf[i] < 0x21 || buf[i] > 0x7e) printable = false;
  if (printable) return asciiText(buf, off, len);
  const out = scratchBytes();
  out[0] = 0x30; out[1] = 0x78; // "0x"
  for (let i = 0; i < len; i++) {
    out[2 + 2 * i] = HEX.charCodeAt(buf[off + i] >> 4);
    out[3 + 2 * i] = HEX.charCodeAt(buf[off + i] & 15);
  }
  return scratchText(2 + 2 * len);
}

/** Total length (header included) of the handshake message at buf[off] if its 4-byte header is present, else -1. */
export function handshakeMessageLength(buf: Uint8Array, off: number, avail: number): number {
  return avail < 4 ? -1 : 4 + u24(buf, off + 1);
}

/**
 * Parses a ClientHello handshake message starting at buf[off] (type byte 0x01) within avail bytes.
 * Returns null when it is not a well-formed ClientHello.
 */
export function parseClientHello(buf: Uint8Array, off: number, avail: number): ClientHelloInfo | null {
  if (avail < 4 || buf[off] !== 0x01) return null;
  const bodyLen = u24(buf, off + 1);
  if (4 + bodyLen > avail) return null;
  const end = off + 4 + bodyLen;
  let p = off + 4 + 2 + 32; // legacy_version, random
  if (p + 1 > end) return null;
  p += 1 + buf[p]; // session id
  if (p + 2 > end) return null;
  p += 2 + u16(buf, p); // cipher suites
  if (p + 1 > end) return null;
  p += 1 + buf[p]; // compression methods
  const info: ClientHelloInfo = { sni: null, alpn: [] };
  if (p === end) return info; // no extensions (SSLv3-style hello)
  if (p + 2 > end) return null;
  const extEnd = p + 2 + u16(buf, p);
  if (extEnd > end) return null;
  p += 2;
  while (p + 4 <= extEnd) {
    const type = u16(buf, p);
    const len = u16(buf, p + 2);
    const d = p + 4;
    if (d + len > extEnd) return null;
    if (type === EXT_SERVER_NAME && len >= 2) {
      const listEnd = Math.min(d + 2 + u16(buf, d), d + len);
      let q = d + 2;
      while (q + 3 <= listEnd && info.sni === null) {
        const nameLen = u16(buf, q + 1);
        if (q + 3 + nameLen > listEnd) break;
        if (buf[q] === 0) info.sni = hostText(buf, q + 3, nameLen);
        q += 3 + nameLen;
      }
    } else if (type === EXT_ALPN && len >= 2) {
      const listEnd = Math.min(d + 2 + u16(buf, d), d + len);
      let q = d + 2;
      while (q < listEnd && info.alpn.length < MAX_ALPN) {
        const l = buf[q];
        if (l === 0 || q + 1 + l > listEnd) break;
        info.alpn.push(alpnText(buf, q + 1, l));
        q += 1 + l;
      }
    }
    p = d + len;
  }
  return info;
}

/** Largest TLS record we accept (2^14 plaintext plus the allowed expansion). */
const MAX_RECORD = 16384 + 2048;

/**
 * True when buf[off..] starts like a TLS handshake record carrying a ClientHello or ServerHello: content type 22,
 * version 3.0..3.4, a plausible record length, handshake type 1 or 2. Needs 6 bytes; fewer is "not yet".
 */
export function looksLikeTlsHandshakeRecord(buf: Uint8Array, off: number, len: number): boolean {
  if (len < 6 || buf[off] !== 0x16 || buf[off + 1] !== 0x03 || buf[off + 2] > 0x04) return false;
  const recLen = u16(buf, off + 3);
  const hsType = buf[off + 5];
  return recLen >= 4 && recLen <= MAX_RECORD && (hsType === 1 || hsType === 2);
}

export type HelloStatus = 'more' | 'done' | 'invalid';

/**
 * Extracts the ClientHello from the client's record stream. Call `update(data, base, avail)` with the contiguous
 * stream prefix data[base, base+avail) whenever it grows; returns 'more' until the hello is complete ('done', see
 * `info`) or impossible ('invalid': not a handshake record, not a ClientHello, or larger than MAX_HELLO). When the
 * first record holds the whole hello (the common case) it is parsed in place, without copying.
 */
export class TlsClientHelloReader {
  info: ClientHelloInfo | null = null;
  /** Handshake-layer bytes gathered from the records parsed so far; allocated only for a hello spanning records. */
  private hs: Uint8Array | null = null;
  private hsLen = 0;
  /** Stream offset of the next unparsed record. */
  private recPos = 0;

  update(data: Uint8Array, base: number, avail: number): HelloStatus {
    if (this.recPos === 0 && avail >= 9 && data[base] === 0x16 && data[base + 1] === 0x03) {
      const recLen = u16(data, base + 3);
      const total = 4 + u24(data, base + 6);
      if (data[base + 5] === 0x01 && total <= recLen && 5 + recLen <= avail) {
        this.info = parseClientHello(data, base + 5, total);
        return this.info ? 'done' : 'invalid';
      }
    }
    while (this.recPos + 5 <= avail) {
      const r = base + this.recPos;
      if (data[r] !== 0x16 || data[r + 1] !== 0x03) return 'invalid';
      const recLen = u16(data, r + 3);
      if (recLen === 0 || recLen > MAX_RECORD) return 'invalid';
      if (this.recPos + 5 + recLen > avail) break;
      if (!this.append(data, r + 5, recLen)) return 'invalid';
      this.recPos += 5 + recLen;
      const st = this.check();
      if (st !== 'more') return st;
    }
    // An incomplete record header can already be rejected by its content type.
    if (avail > this.recPos && data[base + this.recPos] !== 0x16) return 'invalid';
    return 'more';
  }

  private append(src: Uint8Array, off: number, len: number): boolean {
    if (this.hsLen + len > MAX_HELLO + 4) return false;
    const hs = this.hs;
    if (hs === null || this.hsLen + len > hs.length) {
      const next = new Uint8Array(Math.min(MAX_HELLO + 4, Math.max(2 * (hs?.length ?? 0), this.hsLen + len, 1024)));
      if (hs !== null) next.set(hs.subarray(0, this.hsLen));
      this.hs = next;
    }
    this.hs!.set(src.subarray(off, off + len), this.hsLen);
    this.hsLen += len;
    return true;
  }

  private check(): HelloStatus {
    const hs = this.hs;
    if (hs === null || this.hsLen < 1) return 'more';
    if (hs[0] !== 0x01) return 'invalid';
    const total = handshakeMessageLength(hs, 0, this.hsLen);
    if (total < 0) return 'more';
    if (total > MAX_HELLO + 4) return 'invalid';
    if (this.hsLen < total) return 'more';
    this.info = parseClientHello(hs, 0, total);
    return this.info ? 'done' : 'invalid';
  }
}
