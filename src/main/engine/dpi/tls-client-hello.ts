/**
 * TLS ClientHello inspection: SNI (RFC 6066) and ALPN (RFC 7301). `parseClientHello` reads one complete handshake
 * message (as found in TLS records or QUIC CRYPTO frames); `TlsClientHelloReader` pulls the handshake bytes out of
 * the client's TLS records as the stream prefix grows, so a ClientHello split across TCP segments and/or TLS
 * records is reassembled (bounded by MAX_HELLO).
 */
import { u16, u24 } from './bytes.ts';

export const MAX_HELLO = 16 * 1024;
const MAX_ALPN = 16;
const EXT_SERVER_NAME = 0;
const EXT_ALPN = 16;

export interface ClientHelloInfo {
  sni: string | null;
  alpn: string[];
}

/** Host name text, or null if it contains bytes that cannot be in a DNS name / IP literal. */
function hostText(buf: Uint8Array, off: number, len: number): string | null {
  if (len === 0 || len > 255) return null;
  let s = '';
  for (let i = off; i < off + len; i++) {
    const c = buf[i];
    if (c <= 0x20 || c >= 0x7f) return null;
    s += String.fromCharCode(c);
  }
  return s;
}

/** ALPN protocol ids are opaque bytes; printable ones are shown as text, others as hex. */
function alpnText(buf: Uint8Array, off: number, len: number): string {
  let printable = true;
  for (let i = off; i < off + len; i++) if (buf[i] < 0x21 || buf[i] > 0x7e) printable = false;
  let s = '';
  for (let i = off; i < off + len; i++) {
    s += printable ? String.fromCharCode(buf[i]) : buf[i].toString(16).padStart(2, '0');
  }
  return printable ? s : `0x${s}`;
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

/** True when buf[off..] starts like a TLS handshake record (content type 22, version 3.x). */
export function looksLikeTlsHandshakeRecord(buf: Uint8Array, off: number, len: number): boolean {
  return len >= 3 && buf[off] === 0x16 && buf[off + 1] === 0x03 && buf[off + 2] <= 0x04;
}

export type HelloStatus = 'more' | 'done' | 'invalid';

/**
 * Extracts the ClientHello from the client's record stream. Call `update(data, avail)` with the contiguous stream
 * prefix whenever it grows; returns 'more' until the hello is complete ('done', see `info`) or impossible
 * ('invalid': not a handshake record, not a ClientHello, or larger than MAX_HELLO).
 */
export class TlsClientHelloReader {
  info: ClientHelloInfo | null = null;
  /** Handshake-layer bytes gathered from the records parsed so far. */
  private hs = new Uint8Array(0);
  private hsLen = 0;
  /** Stream offset of the next unparsed record. */
  private recPos = 0;

  update(data: Uint8Array, avail: number): HelloStatus {
    while (this.recPos + 5 <= avail) {
      const r = this.recPos;
      if (data[r] !== 0x16 || data[r + 1] !== 0x03) return 'invalid';
      const recLen = u16(data, r + 3);
      if (recLen === 0 || recLen > 16384 + 2048) return 'invalid';
      if (r + 5 + recLen > avail) break;
      if (!this.append(data, r + 5, recLen)) return 'invalid';
      this.recPos = r + 5 + recLen;
      const st = this.check();
      if (st !== 'more') return st;
    }
    // An incomplete record header can already be rejected by its content type.
    if (avail > this.recPos && data[this.recPos] !== 0x16) return 'invalid';
    return 'more';
  }

  private append(src: Uint8Array, off: number, len: number): boolean {
    if (this.hsLen + len > MAX_HELLO + 4) return false;
    if (this.hsLen + len > this.hs.length) {
      const next = new Uint8Array(Math.min(MAX_HELLO + 4, Math.max(2 * this.hs.length, this.hsLen + len, 1024)));
      next.set(this.hs.subarray(0, this.hsLen));
      this.hs = next;
    }
    this.hs.set(src.subarray(off, off + len), this.hsLen);
    this.hsLen += len;
    return true;
  }

  private check(): HelloStatus {
    if (this.hsLen < 1) return 'more';
    if (this.hs[0] !== 0x01) return 'invalid';
    const total = handshakeMessageLength(this.hs, 0, this.hsLen);
    if (total < 0) return 'more';
    if (total > MAX_HELLO + 4) return 'invalid';
    if (this.hsLen < total) return 'more';
    this.info = parseClientHello(this.hs, 0, total);
    return this.info ? 'done' : 'invalid';
  }
}
