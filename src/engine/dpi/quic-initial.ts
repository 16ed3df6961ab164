/**
 * QUIC client Initial inspection (v1, v2, drafts 27–34, mvfst; quic-keys.ts): removes header protection, decrypts the payload with the Initial keys derived
 * from the Destination Connection ID, reassembles the CRYPTO stream across frames, packets and datagrams, and parses
 * the ClientHello it carries for SNI and ALPN. Server Initials fail authentication under client keys and are
 * ignored. Keys are derived through the engine's DpiGuard (cached per DCID, bounded per second of capture time), and a
 * coalesced packet whose DCID differs from the datagram's first is ignored, so a flood of DCIDs costs little.
 */
import { u32 } from './bytes.ts';
import { DpiGuard } from './guard.ts';
import { nodeCrypto, versionParams, type InitialKeys } from './quic-keys.ts';
import { StreamPrefix } from './stream-prefix.ts';
import { MAX_HELLO, handshakeMessageLength, parseClientHello, type ClientHelloInfo } from './tls-client-hello.ts';

export { QUIC_V1, QUIC_V2 } from './quic-keys.ts';

/** Distinct (version, DCID) keys a flow may ask the engine for: a client changes DCID at most once in the handshake. */
const MAX_KEY_LOOKUPS = 4;
/** Chrome scatters its ClientHello over many small CRYPTO frames in random order. */
const MAX_CRYPTO_HOLES = 64;
const MAX_PACKETS_PER_DATAGRAM = 4;

let varintEnd = 0;

/** A parsed long header (one scratch object: parsing is synchronous and the fields are read at once). */
interface PacketHeader {
  version: number;
  isInitial: boolean;
  dcidOff: number;
  dcidLen: number;
  pnOffset: number;
  packetEnd: number;
}
const scratchHeader: PacketHeader = { version: 0, isInitial: false, dcidOff: 0, dcidLen: 0, pnOffset: 0, packetEnd: 0 };

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

/** Version of a long-header packet at buf[off] if it is one with known Initial keys, else 0. */
export function quicLongHeaderVersion(buf: Uint8Array, off: number, len: number): number {
  if (len < 7 || (buf[off] & 0xc0) !== 0xc0) return 0;
  const v = u32(buf, off + 1);
  return versionParams(v) ? v : 0;
}

/** True when the datagram starts with an Initial packet of a known version (by the unprotected type bits). */
export function looksLikeQuicInitial(buf: Uint8Array, off: number, len: number): boolean {
  const v = quicLongHeaderVersion(buf, off, len);
  const p = v ? versionParams(v) : null;
  return p !== null && ((buf[off] >> 4) & 3) === p.initialType;
}

interface DcidKeys {
  version: number;
  dcid: Uint8Array;
  keys: InitialKeys;
}

export type QuicStatus = 'more' | 'done' | 'invalid';

function sameBytes(a: Uint8Array, aOff: number, aLen: number, b: Uint8Array, bOff: number, bLen: number): boolean {
  if (aLen !== bLen) return false;
  for (let i = 0; i < aLen; i++) if (a[aOff + i] !== b[bOff + i]) return false;
  return true;
}

/**
 * Reads one flow's client Initials. Work per packet is one decryption attempt at most: with the keys of the DCID that
 * first decrypted (a client's Initial keys never change), or before that with the keys of the packet's own DCID,
 * taken from the engine's shared cache or derived within its per-second bound (`guard`).
 */
export class QuicInitialReader {
  info: ClientHelloInfo | null = null;
  /** Initial packets successfully decrypted, and decryptions tried. */
  decrypted = 0;
  attempts = 0;
  /** The CRYPTO stream, allocated with the first CRYPTO frame decrypted (most hostile datagrams never get one). */
  private crypto: StreamPrefix | null = null;
  private readonly guard: DpiGuard;
  private keys: DcidKeys[] | null = null;
  private lookups = 0;
  /** The DCID whose keys decrypted this flow's first readable Initial. */
  private origDcid: Uint8Array | null = null;
  /** Set when an Initial of the current datagram could not be read: the rest of the datagram is skipped. */
  private unreadable = false;

  constructor(guard: DpiGuard = new DpiGuard()) {
    this.guard = guard;
  }

  /** Gives the CRYPTO buffer back to the DPI byte budget; the reader is not used afterwards. */
  release(): void {
    this.crypto?.fail();
  }

  /** Feeds one UDP payload from the client; `ts` is its capture time (seconds), for the derivation bound. */
  pushDatagram(buf: Uint8Array, off: number, len: number, ts = 0): QuicStatus {
    const end = off + len;
    let p = off;
    this.unreadable = false;
    let dcidOff = -1;
    let dcidLen = 0;
    for (let n = 0; n < MAX_PACKETS_PER_DATAGRAM && p < end; n++) {
      const h = this.header(buf, p, end);
      if (!h) break;
      if (dcidOff < 0) {
        dcidOff = h.dcidOff;
        dcidLen = h.dcidLen;
      } else if (!sameBytes(buf, h.dcidOff, h.dcidLen, buf, dcidOff, dcidLen)) {
        // RFC 9000 §12.2: packets of one datagram share the DCID; receivers ignore those that do not.
        this.guard.refused.quicOtherDcid++;
        p = h.packetEnd;
        continue;
      }
      if (h.isInitial) {
        this.initial(buf, p, h.pnOffset, h.packetEnd, h.version, h.dcidOff, h.dcidLen, ts);
        const st = this.check();
        if (st !== 'more') return st;
        if (this.unreadable) break;
      }
      p = h.packetEnd;
    }
    return this.crypto !== null && this.crypto.failed ? 'invalid' : 'more';
  }

  /** Parses the long header at p; null when it is not a packet of a known version that fits before end (or a Retry). */
  private header(buf: Uint8Array, p: number, end: number): PacketHeader | null {
    const version = quicLongHeaderVersion(buf, p, end - p);
    if (!version) return null;
    const vp = versionParams(version)!;
    const type = (buf[p] >> 4) & 3;
    let q = p + 5;
    const dcidLen = buf[q];
    if (dcidLen > 20 || q + 1 + dcidLen >= end) return null;
    const dcidOff = q + 1;
    q = dcidOff + dcidLen;
    const scidLen = buf[q];
    if (scidLen > 20 || q + 1 + scidLen > end) return null;
    q += 1 + scidLen;
    const isInitial = type === vp.initialType;
    if (type === vp.retryType) return null;
    if (isInitial) {
      const tokenLen = readVarint(buf, q, end);
      if (tokenLen < 0 || varintEnd + tokenLen > end) return null;
      q = varintEnd + tokenLen;
    }
    const length = readVarint(buf, q, end);
    if (length < 0) return null;
    const pnOffset = varintEnd;
    const packetEnd = pnOffset + length;
    if (packetEnd > end) return null;
    const h = scratchHeader;
    h.version = version; h.isInitial = isInitial; h.dcidOff = dcidOff; h.dcidLen = dcidLen; h.pnOffset = pnOffset; h.packetEnd = packetEnd;
    return h;
  }

  /** Keys for (version, dcid): this flow's own, else the engine's (cached or derived), at most a few per flow. */
  private keysFor(version: number, d: Uint8Array, dOff: number, dLen: number, ts: number): InitialKeys | null {
    if (this.keys !== null) {
      for (const k of this.keys) if (k.version === version && sameBytes(k.dcid, 0, k.dcid.length, d, dOff, dLen)) return k.keys;
    }
    if (this.lookups >= MAX_KEY_LOOKUPS) return null;
    this.lookups++;
    const dcid = d.subarray(dOff, dOff + dLen);
    const keys = this.guard.quicKeys(version, dcid, ts);
    if (!keys) return null;
    (this.keys ??= []).push({ version, dcid: Uint8Array.from(dcid), keys });
    return keys;
  }

  private initial(buf: Uint8Array, p: number, pnOffset: number, packetEnd: number, version: number, dcidOff: number, dcidLen: number, ts: number): void {
    // Keys come from the client's first DCID; a later Initial may carry the server-chosen DCID but the same keys.
    const orig = this.origDcid;
    const k = orig !== null ? this.keysFor(version, orig, 0, orig.length, ts) : this.keysFor(version, buf, dcidOff, dcidLen, ts);
    if (k) this.attempts++;
    const plain = k ? decryptInitial(buf, p, pnOffset, packetEnd, k) : null;
    if (!plain) {
      this.unreadable = true;
      return;
    }
    if (orig === null) this.origDcid = buf.slice(dcidOff, dcidOff + dcidLen);
    this.decrypted++;
    this.frames(plain);
  }

  private cryptoStream(): StreamPrefix {
    if (this.crypto === null) {
      this.crypto = new StreamPrefix(MAX_HELLO + 4, MAX_CRYPTO_HOLES, this.guard.refused);
      this.crypto.startAt(0);
    }
    return this.crypto;
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
        if (o < limit && l > 0) this.cryptoStream().push(o, b, d, Math.min(l, limit - o));
        p = d + l;
        continue;
      }
      return; // CONNECTION_CLOSE or anything not allowed/needed in a client Initial
    }
  }

  private check(): QuicStatus {
    const c = this.crypto;
    if (c === null) return 'more';
    const avail = c.contiguous;
    if (c.failed) return 'invalid';
    if (avail < 1) return 'more';
    const data = c.data;
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
  const ecb = nodeCrypto().createCipheriv('aes-128-ecb', hp, null);
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
    const gcm = nodeCrypto().createDecipheriv('aes-128-gcm', k.key, nonce);
    gcm.setAAD(header);
    gcm.setAuthTag(buf.subarray(packetEnd - 16, packetEnd));
    return Buffer.concat([gcm.update(buf.subarray(p + header.length, packetEnd - 16)), gcm.final()]);
  } catch {
    return null; // authentication failure: not an Initial we can read
  }
}
