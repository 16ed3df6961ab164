// Byte builders for DPI tests: DNS messages, TLS ClientHellos, QUIC Initial packets, all made in code.
import { createCipheriv } from 'node:crypto';
import { clientInitialKeys, QUIC_V1, versionParams } from '../../../src/engine/dpi/quic-keys.ts';

export function hex(s: string): Uint8Array {
  return new Uint8Array(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
}

export function ascii(s: string): Uint8Array {
  return new Uint8Array(Buffer.from(s, 'latin1'));
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}

export function u16be(n: number): Uint8Array {
  return new Uint8Array([(n >> 8) & 0xff, n & 0xff]);
}

export function u24be(n: number): Uint8Array {
  return new Uint8Array([(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff]);
}

// ---- DNS ----

export function dnsName(name: string): Uint8Array {
  if (name === '.') return new Uint8Array([0]);
  const parts = name.split('.').map((l) => concat(new Uint8Array([l.length]), ascii(l)));
  return concat(...parts, new Uint8Array([0]));
}

export interface RR { name: Uint8Array; type: number; rdata: Uint8Array }

export function dnsMessage(opts: { id?: number; response?: boolean; rcode?: number; questions?: { name: Uint8Array; type: number }[]; answers?: RR[]; additional?: RR[] }): Uint8Array {
  const q = opts.questions ?? [];
  const a = opts.answers ?? [];
  const ad = opts.additional ?? [];
  const flags = (opts.response ? 0x8180 : 0x0100) | (opts.rcode ?? 0);
  const header = concat(u16be(opts.id ?? 0x1234), u16be(flags), u16be(q.length), u16be(a.length), u16be(0), u16be(ad.length));
  const rr = (r: RR) => concat(r.name, u16be(r.type), u16be(1), new Uint8Array([0, 0, 0x0e, 0x10]), u16be(r.rdata.length), r.rdata);
  return concat(header, ...q.map((x) => concat(x.name, u16be(x.type), u16be(1))), ...a.map(rr), ...ad.map(rr));
}

/** A compression pointer to offset `off` of the message. */
export function ptr(off: number): Uint8Array {
  return new Uint8Array([0xc0 | (off >> 8), off & 0xff]);
}

// ---- TLS ----

function ext(type: number, body: Uint8Array): Uint8Array {
  return concat(u16be(type), u16be(body.length), body);
}

export function sniExt(host: string): Uint8Array {
  const name = ascii(host);
  const entry = concat(new Uint8Array([0]), u16be(name.length), name);
  return ext(0, concat(u16be(entry.length), entry));
}

export function alpnExt(protos: string[]): Uint8Array {
  const list = concat(...protos.map((p) => concat(new Uint8Array([p.length]), ascii(p))));
  return ext(16, concat(u16be(list.length), list));
}

export function paddingExt(n: number): Uint8Array {
  return ext(21, new Uint8Array(n));
}

/** A ClientHello handshake message (type 1 + 24-bit length + body). */
export function clientHelloMessage(opts: { sni?: string; alpn?: string[]; padding?: number } = {}): Uint8Array {
  const exts: Uint8Array[] = [];
  if (opts.sni !== undefined) exts.push(sniExt(opts.sni));
  if (opts.alpn) exts.push(alpnExt(opts.alpn));
  exts.push(ext(43, hex('0403040303'))); // supported_versions
  if (opts.padding) exts.push(paddingExt(opts.padding));
  const extBlock = concat(...exts);
  const body = concat(
    hex('0303'), new Uint8Array(32).fill(7), new Uint8Array([32]), new Uint8Array(32).fill(9),
    u16be(4), hex('13011302'), new Uint8Array([1, 0]), u16be(extBlock.length), extBlock,
  );
  return concat(new Uint8Array([1]), u24be(body.length), body);
}

/** Wraps handshake bytes into TLS records of at most `maxRecord` bytes each. */
export function tlsRecords(hs: Uint8Array, maxRecord = 16384): Uint8Array {
  const recs: Uint8Array[] = [];
  for (let i = 0; i < hs.length; i += maxRecord) {
    const frag = hs.subarray(i, Math.min(hs.length, i + maxRecord));
    recs.push(concat(hex('160301'), u16be(frag.length), frag));
  }
  return concat(...recs);
}

// ---- QUIC ----

export function varint(v: number): Uint8Array {
  if (v < 0x40) return new Uint8Array([v]);
  if (v < 0x4000) return u16be(v | 0x4000);
  return new Uint8Array([0x80 | (v >>> 24), (v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff]);
}

export function cryptoFrame(offset: number, data: Uint8Array): Uint8Array {
  return concat(new Uint8Array([6]), varint(offset), varint(data.length), data);
}

/** Protects a client Initial carrying `frames` (padded to 1162 payload bytes by default), like a real client. */
export function protectInitial(opts: { version?: number; dcid: Uint8Array; keyDcid?: Uint8Array; scid?: Uint8Array; pn?: number; frames: Uint8Array; pad?: boolean }): Uint8Array {
  const version = opts.version ?? QUIC_V1;
  const k = clientInitialKeys(version, opts.keyDcid ?? opts.dcid)!;
  const vp = versionParams(version)!;
  const pn = opts.pn ?? 0;
  const pnLen = 4;
  let payload = opts.frames;
  if (opts.pad !== false && payload.length < 1100) payload = concat(payload, new Uint8Array(1100 - payload.length));
  const scid = opts.scid ?? new Uint8Array(0);
  const length = pnLen + payload.length + 16;
  const first = 0xc0 | (vp.initialType << 4) | (pnLen - 1);
  const header = concat(
    new Uint8Array([first]), new Uint8Array([version >>> 24, (version >> 16) & 0xff, (version >> 8) & 0xff, version & 0xff]),
    new Uint8Array([opts.dcid.length]), opts.dcid, new Uint8Array([scid.length]), scid, varint(0), u16be(0x4000 | length),
    new Uint8Array([pn >>> 24, (pn >> 16) & 0xff, (pn >> 8) & 0xff, pn & 0xff]),
  );
  const nonce = Buffer.from(k.iv);
  for (let i = 0; i < 4; i++) nonce[11 - i] ^= (pn >>> (8 * i)) & 0xff;
  const gcm = createCipheriv('aes-128-gcm', k.key, nonce);
  gcm.setAAD(header);
  const ct = Buffer.concat([gcm.update(payload), gcm.final(), gcm.getAuthTag()]);
  const packet = Buffer.concat([header, ct]);
  const pnOffset = header.length - pnLen;
  const ecb = createCipheriv('aes-128-ecb', k.hp, null);
  const mask = ecb.update(packet.subarray(pnOffset + 4, pnOffset + 20));
  packet[0] ^= mask[0] & 0x0f;
  for (let i = 0; i < pnLen; i++) packet[pnOffset + i] ^= mask[1 + i];
  return new Uint8Array(packet);
}
