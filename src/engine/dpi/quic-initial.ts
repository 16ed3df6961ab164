/**
 * QUIC v1/v2 client Initial inspection: removes header protection, decrypts the payload with the Initial keys derived
 * from the Destination Connection ID, reassembles the CRYPTO stream across frames, packets and datagrams, and parses
 * the ClientHello it carries for SNI and ALPN. Server Initials fail authentication under client keys and are
 * ignored; derivations are bounded per flow, so a flood of DCIDs costs little.
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { u32 } from './bytes.ts';
import { clientInitialKeys, versionParams, type InitialKeys } from './quic-keys.ts';
import { StreamPrefix } from './stream-prefix.ts';
import { MAX_HELLO, handshakeMessageLength, parseClientHello, type ClientHelloInfo } from './tls-client-hello.ts';

export { QUIC_V1, QUIC_V2 } from './quic-keys.ts';

/** Distinct DCIDs we derive keys for per flow: a client changes DCID at most once during the handshake. */
const MAX_KEY_DERIVATIONS = 4;
/** Chrome scatters its ClientHello over many small CRYPTO frames in random order. */
const MAX_CRYPTO_HOLES = 64;
const MAX_PACKETS_PER_DATAGRAM = 4;

let varintEnd = 0;

/** Reads a QUIC variable-length integer at pos (RFC 9000 §16); -1 if it does not fit before end. Sets varintEnd. */
export function readVarint(buf: Uint8Array, pos: number, end: number): number {
  if (pos >= end) return -1;
  const n = 1 << (buf[pos] >> 6);
  if (pos + n > end) return -1;
  let v = buf[pos] & 0x3f;
  for (let i = 1; i < n; i++) v = v * 256 + buf[pos + i];
  varintEnd = pos + n;
  return v;
}

/** Version of a long-header packet at buf[off] if it is v1 or v2, else 0. */
export function quicLongHeaderVersion(buf: Uint8Array, off: number, len: number): number {
  if (len < 7 || (buf[off] & 0xc0) !== 0xc0) return 0;
  const v = u32(buf, off + 1);
  return versionParams(v) ? v : 0;
}

/** True when the datagram starts with a v1/v2 Initial packet (by the unprotected type bits). */
export function looksLikeQuicInitial(buf: Uint8Array, off: number, len: number): boolean {
  const v = quicLongHeaderVersion(buf, off, len);
  const p = v ? versionParams(v) : null;
  return p !== null && ((buf[off] >> 4) & 3) === p.initialType;
}

interface DcidKeys {
  version: number;
  dcid: string;
  keys: InitialKeys;
}

export type QuicStatus = 'more' | 'done' | 'invalid';

export class QuicInitialReader {
  info: ClientHelloInfo | null = null;
  /** Initial packets successfully decrypted. */
  decrypted = 0;
  private readonly crypto = new StreamPrefix(MAX_HELLO + 4, MAX_CRYPTO_HOLES);
  private readonly keys: DcidKeys[] = [];
  private derivations = 0;

  constructor() {
    this.crypto.startAt(0);
  }

  /** Feeds one UDP payload from the client. */
  pushDatagram(buf: Uint8Array, off: number, len: number): QuicStatus {
    const end = off + len;
    let p = off;
    for (let n = 0; n < MAX_PACKETS_PER_DATAGRAM && p < end; n++) {
      const next = this.packet(buf, p, end);
      if (next < 0) break;
      const st = this.check();
      if (st !== 'more') return st;
      p = next;
    }
    return this.crypto.failed ? 'invalid' : 'more';
  }

  /** Handles the long-header packet at p; returns the offset of the next coalesced packet, or -1 to stop. */
  private packet(buf: Uint8Array, p: number, end: number): number {
    const version = quicLongHeaderVersion(buf, p, end - p);
    if (!version) return -1;
    const vp = versionParams(version)!;
    const type = (buf[p] >> 4) & 3;
    let q = p + 5;
    const dcidLen = buf[q];
    if (dcidLen > 20 || q + 1 + dcidLen >= end) return -1;
    const dcidOff = q + 1;
    q = dcidOff + dcidLen;
    const scidLen = buf[q];
    if (scidLen > 20 || q + 1 + scidLen > end) return -1;
    q += 1 + scidLen;
    const isInitial = type === vp.initialType;
    const retryType = version === 1 ? 3 : 0;
    if (type === retryType) return -1;
    if (isInitial) {
      const tokenLen = readVarint(buf, q, end);
      if (tokenLen < 0 || varintEnd + tokenLen > end) return -1;
      q = varintEnd + tokenLen;
    }
    const length = readVarint(buf, q, end);
    if (length < 0) return -1;
    const pnOffset = varintEnd;
    const packetEnd = pnOffset + length;
    if (packetEnd > end) return -1;
    if (isInitial) this.initial(buf, p, pnOffset, packetEnd, version, buf.subarray(dcidOff, dcidOff + dcidLen));
    return packetEnd;
  }

  private keysFor(version: number, dcid: Uint8Array): DcidKeys | null {
    const id = Buffer.from(dcid).toString('hex');
    const found = this.keys.find((k) => k.version === version && k.dcid === id);
    if (found) return found;
    if (this.derivations >= MAX_KEY_DERIVATIONS) return null;
    this.derivations++;
    const keys = clientInitialKeys(version, dcid);
    if (!keys) return null;
    const k = { version, dcid: id, keys };
    this.keys.push(k);
    return k;
  }

  private initial(buf: Uint8Array, p: number, pnOffset: number, packetEnd: number, version: number, dcid: Uint8Array): void {
    // Keys come from the client's first DCID; a later Initial may carry the server-chosen DCID but the same keys.
    let plain: Buffer | null = null;
    for (const k of this.keys) {
      if (k.version === version) plain = decryptInitial(buf, p, pnOffset, packetEnd, k.keys);
      if (plain) break;
    }
    if (!plain) {
      const k = this.keysFor(version, dcid);
      if (k) plain = decryptInitial(buf, p, pnOffset, packetEnd, k.keys);
    }
    if (!plain) return;
    this.decrypted++;
    this.frames(plain);
  }

  /** Walks the frames of a decrypted Initial payload, storing CRYPTO data. */
  private frames(b: Uint8Array): void {
    const end = b.length;
    let p = 0;
    while (p < end) {
      const t = b[p];
      if (t === 0x00) { p++; continue; } // PADDING
      if (t === 0x01) { p++; continue; } // PING
      if (t === 0x02 || t === 0x03) {
        // ACK: largest, delay, range count, first range, ranges, [ECN counts]
        let q = p + 1;
        if (readVarint(b, q, end) < 0) return; q = varintEnd; // largest acknowledged
        if (readVarint(b, q, end) < 0) return; q = varintEnd; // ack delay
        const ranges = readVarint(b, q, end); if (ranges < 0 || ranges > end) return; q = varintEnd;
        if (readVarint(b, q, end) < 0) return; q = varintEnd; // first range
        for (let i = 0; i < ranges * 2 + (t === 0x03 ? 3 : 0); i++) { if (readVarint(b, q, end) < 0) return; q = varintEnd; }
        p = q;
        continue;
      }
      if (t === 0x06) {
        const o = readVarint(b, p + 1, end); if (o < 0) return;
        const l = readVarint(b, varintEnd, end); if (l < 0) return;
        const d = varintEnd;
        if (d + l > end) return;
        const limit = MAX_HELLO + 4;
        if (o < limit && l > 0) this.crypto.push(o, b, d, Math.min(l, limit - o));
        p = d + l;
        continue;
      }
      return; // CONNECTION_CLOSE or anything not allowed/needed in a client Initial
    }
  }

  private check(): QuicStatus {
    const avail = this.crypto.contiguous;
    if (this.crypto.failed) return 'invalid';
    if (avail < 1) return 'more';
    const data = this.crypto.data;
    if (data[0] !== 0x01) return 'invalid';
    const total = handshakeMessageLength(data, 0, avail);
    if (total < 0) return 'more';
    if (total > MAX_HELLO + 4) return 'invalid';
    if (avail < total) return 'more';
    this.info = parseClientHello(data, 0, total);
    return this.info ? 'done' : 'invalid';
  }
}

/** The 5-byte header protection mask: AES-128-ECB of the 16-byte sample under the hp key (RFC 9001 §5.4.3). */
export function headerProtectionMask(hp: Uint8Array, sample: Uint8Array): Buffer {
  const ecb = createCipheriv('aes-128-ecb', hp, null);
  ecb.setAutoPadding(false);
  return Buffer.concat([ecb.update(sample), ecb.final()]).subarray(0, 5);
}

/**
 * Removes header protection from the long-header packet buf[p, packetEnd) whose packet number starts at pnOffset.
 * Returns a copy of the header with the first byte and packet number unmasked, or null if the packet is too short.
 */
export function unprotectHeader(buf: Uint8Array, p: number, pnOffset: number, packetEnd: number, hp: Uint8Array): Buffer | null {
  const sampleOff = pnOffset + 4;
  if (sampleOff + 16 > packetEnd) return null;
  const mask = headerProtectionMask(hp, buf.subarray(sampleOff, sampleOff + 16));
  const first = buf[p] ^ (mask[0] & 0x0f);
  const pnLen = (first & 3) + 1;
  if (pnOffset + pnLen + 16 > packetEnd) return null;
  const header = Buffer.from(buf.subarray(p, pnOffset + pnLen));
  header[0] = first;
  for (let i = 0; i < pnLen; i++) header[pnOffset - p + i] ^= mask[1 + i];
  return header;
}

/**
 * Removes header protection and decrypts one Initial packet buf[p, packetEnd) whose packet number starts at
 * pnOffset. Returns the plaintext payload, or null if the packet is too short or fails authentication.
 */
export function decryptInitial(buf: Uint8Array, p: number, pnOffset: number, packetEnd: number, k: InitialKeys): Buffer | null {
  try {
    const header = unprotectHeader(buf, p, pnOffset, packetEnd, k.hp);
    if (!header) return null;
    const pnLen = (header[0] & 3) + 1;
    let pn = 0;
    for (let i = 0; i < pnLen; i++) pn = pn * 256 + header[header.length - pnLen + i];
    // Client Initial packet numbers are small, so the truncated number is the full one.
    const nonce = Buffer.from(k.iv);
    for (let i = 0; i < 4; i++) nonce[11 - i] ^= (pn >>> (8 * i)) & 0xff;
    const gcm = createDecipheriv('aes-128-gcm', k.key, nonce);
    gcm.setAAD(header);
    gcm.setAuthTag(buf.subarray(packetEnd - 16, packetEnd));
    return Buffer.concat([gcm.update(buf.subarray(p + header.length, packetEnd - 16)), gcm.final()]);
  } catch {
    return null; // authentication failure: not an Initial we can read
  }
}
