/**
 * IPFIX (RFC 7011) message encoding: template sets, data records and messages of bounded size. Pure: bytes in
 * memory, no sockets (transport.ts sends them). Runs where the engine runs (CLI, engine host), never in the helper.
 *
 * - A message is a 16-byte header (version 10, length, export time, sequence number, observation domain id) and
 *   sets; the sequence number counts the data records sent before this message (templates do not count, §3.1).
 * - Each set is padded with zeros to a 4-byte boundary, but only by fewer octets than the smallest record of its
 *   template, so a collector cannot read the padding as a record (§3.3.1).
 * - Strings are variable-length fields (length 65535 in the template, §7): one length octet, UTF-8, cut at a
 *   character boundary to at most MAX_STRING_BYTES so every record fits a message.
 */

export const IPFIX_VERSION = 10;
export const MESSAGE_HEADER_BYTES = 16;
export const SET_HEADER_BYTES = 4;
export const TEMPLATE_SET_ID = 2;
export const VARIABLE_LENGTH = 0xffff;
/** Strings longer than this are cut; it keeps the one-octet length form (< 255) and bounds a record's size. */
export const MAX_STRING_BYTES = 254;

export interface IpfixField {
  /** Information element id (without the enterprise bit). */
  readonly id: number;
  /** Octets, or VARIABLE_LENGTH for a string. */
  readonly length: number;
  /** Private enterprise number for an enterprise-specific element. */
  readonly pen?: number;
}

export interface IpfixTemplate {
  /** 256..65535 (RFC 7011 §3.4.1). */
  readonly id: number;
  readonly fields: readonly IpfixField[];
}

/**
 * One value per template field: a number for an unsigned field of 1, 2, 4 or 8 octets (integers up to 2^53), the
 * bytes for a fixed-length octet field (addresses), or a string (or null, written empty) for a variable one.
 */
export type IpfixValue = number | Uint8Array | string | null;

const utf8 = new TextEncoder();

/** The smallest data record of `t` (each variable field at least its length octet). */
export function minRecordBytes(t: IpfixTemplate): number {
  let n = 0;
  for (const f of t.fields) n += f.length === VARIABLE_LENGTH ? 1 : f.length;
  return n;
}

/** The largest data record of `t`. */
export function maxRecordBytes(t: IpfixTemplate): number {
  let n = 0;
  for (const f of t.fields) n += f.length === VARIABLE_LENGTH ? 1 + MAX_STRING_BYTES : f.length;
  return n;
}

export function checkTemplate(t: IpfixTemplate): void {
  if (!Number.isInteger(t.id) || t.id < 256 || t.id > 0xffff) throw new RangeError(`template id ${t.id} is not in 256..65535`);
  if (t.fields.length === 0) throw new RangeError(`template ${t.id} has no fields`);
  for (const f of t.fields) {
    if (!Number.isInteger(f.id) || f.id < 1 || f.id > 0x7fff) throw new RangeError(`template ${t.id}: element id ${f.id} is not in 1..32767`);
    if (!Number.isInteger(f.length) || f.length < 1 || f.length > 0xffff) throw new RangeError(`template ${t.id}: bad length ${f.length}`);
    if (f.pen !== undefined && (!Number.isInteger(f.pen) || f.pen < 1 || f.pen > 0xffffffff)) throw new RangeError(`template ${t.id}: bad enterprise number ${f.pen}`);
  }
}

/** A template record: template id, field count, then per field id (enterprise bit set when it has one), length, PEN. */
export function templateRecordBytes(t: IpfixTemplate): number {
  let n = 4;
  for (const f of t.fields) n += f.pen === undefined ? 4 : 8;
  return n;
}

function writeTemplateRecord(v: DataView, o: number, t: IpfixTemplate): number {
  v.setUint16(o, t.id);
  v.setUint16(o + 2, t.fields.length);
  o += 4;
  for (const f of t.fields) {
    v.setUint16(o, f.pen === undefined ? f.id : f.id | 0x8000);
    v.setUint16(o + 2, f.length);
    o += 4;
    if (f.pen !== undefined) {
      v.setUint32(o, f.pen);
      o += 4;
    }
  }
  return o;
}

/** UTF-8 of `s`, cut at a character boundary to at most `max` bytes. */
export function utf8Prefix(s: string, max: number = MAX_STRING_BYTES): Uint8Array {
  const b = utf8.encode(s);
  if (b.length <= max) return b;
  let n = max;
  // Back up over continuation bytes (10xxxxxx) to the start of the character that does not fit.
  while (n > 0 && (b[n] & 0xc0) === 0x80) n--;
  return b.subarray(0, n);
}

function writeUnsigned(v: DataView, o: number, len: number, x: number): void {
  if (!Number.isFinite(x) || x < 0) x = 0;
  x = Math.floor(x);
  switch (len) {
    case 1:
      v.setUint8(o, Math.min(x, 0xff));
      return;
    case 2:
      v.setUint16(o, Math.min(x, 0xffff));
      return;
    case 4:
      v.setUint32(o, Math.min(x, 0xffffffff));
      return;
    case 8: {
      const hi = Math.min(Math.floor(x / 0x100000000), 0xffffffff);
      v.setUint32(o, hi);
      v.setUint32(o + 4, x - hi * 0x100000000 > 0xffffffff ? 0xffffffff : x - hi * 0x100000000);
      return;
    }
    default:
      throw new RangeError(`no unsigned encoding of ${len} octets`);
  }
}

/**
 * Encodes one data record of `t` into `out` at `o`; returns the offset after it. `out` must have maxRecordBytes(t)
 * octets free.
 */
export function writeDataRecord(out: Uint8Array, o: number, t: IpfixTemplate, values: readonly IpfixValue[]): number {
  if (values.length !== t.fields.length) throw new RangeError(`template ${t.id} has ${t.fields.length} fields, got ${values.length} values`);
  const v = new DataView(out.buffer, out.byteOffset, out.byteLength);
  for (let i = 0; i < t.fields.length; i++) {
    const f = t.fields[i];
    const x = values[i];
    if (f.length === VARIABLE_LENGTH) {
      const b = typeof x === 'string' ? utf8Prefix(x) : x instanceof Uint8Array ? x.subarray(0, MAX_STRING_BYTES) : new Uint8Array(0);
      out[o] = b.length;
      out.set(b, o + 1);
      o += 1 + b.length;
    } else if (x instanceof Uint8Array) {
      if (x.length !== f.length) throw new RangeError(`element ${f.id}: ${x.length} octets for a field of ${f.length}`);
      out.set(x, o);
      o += f.length;
    } else {
      writeUnsigned(v, o, f.length, typeof x === 'number' ? x : 0);
      o += f.length;
    }
  }
  return o;
}

export interface MessagePackerOptions {
  /** Largest message in octets (header included). */
  maxBytes: number;
  observationDomainId: number;
  /** Called with each finished message (a buffer of its own). */
  onMessage: (message: Uint8Array, records: number) => void;
}

/**
 * Packs template and data records into messages no larger than maxBytes: a record that does not fit finishes the
 * current message. `flush` finishes the part-filled one.
 */
export class MessagePacker {
  /** Data records in the messages finished so far (the next message's sequence number, mod 2^32). */
  recordsSent = 0;
  private readonly max: number;
  private readonly domain: number;
  private readonly onMessage: (message: Uint8Array, records: number) => void;
  private buf: Uint8Array;
  private view: DataView;
  private off = MESSAGE_HEADER_BYTES;
  /** Start of the open set, or -1. */
  private setStart = -1;
  private setId = -1;
  private setMinRecord = 0;
  private records = 0;
  private hasContent = false;
  private scratch = new Uint8Array(256);

  constructor(o: MessagePackerOptions) {
    if (!Number.isInteger(o.maxBytes) || o.maxBytes < 64 || o.maxBytes > 0xffff) throw new RangeError(`message size ${o.maxBytes} is not in 64..65535`);
    this.max = o.maxBytes;
    this.domain = o.observationDomainId >>> 0;
    this.onMessage = o.onMessage;
    this.buf = new Uint8Array(this.max);
    this.view = new DataView(this.buf.buffer);
  }

  /** Room left in the current message for a record in a new set. */
  private fits(setId: number, bytes: number): boolean {
    const same = this.setStart >= 0 && this.setId === setId;
    // A new set closes the open one first, which may pad it.
    const closing = this.setStart >= 0 && !same ? this.padOf(this.off - this.setStart) : 0;
    const header = same ? 0 : SET_HEADER_BYTES;
    // Up to 3 octets of padding when this set closes.
    return this.off + closing + header + bytes + 3 <= this.max;
  }

  /** The padding closeSet adds to the open set of `length` octets. */
  private padOf(length: number): number {
    const pad = (4 - (length % 4)) % 4;
    return pad > 0 && pad < this.setMinRecord ? pad : 0;
  }

  private openSet(setId: number, minRecord: number): void {
    if (this.setStart >= 0 && this.setId === setId) return;
    this.closeSet();
    this.setStart = this.off;
    this.setId = setId;
    this.setMinRecord = minRecord;
    this.off += SET_HEADER_BYTES;
  }

  private closeSet(): void {
    if (this.setStart < 0) return;
    const pad = this.padOf(this.off - this.setStart);
    if (pad > 0) {
      this.buf.fill(0, this.off, this.off + pad);
      this.off += pad;
    }
    this.view.setUint16(this.setStart, this.setId);
    this.view.setUint16(this.setStart + 2, this.off - this.setStart);
    this.setStart = -1;
    this.setId = -1;
  }

  /** Adds template records (in one template set when they fit one message). */
  templates(list: readonly IpfixTemplate[], exportTime: number): void {
    for (const t of list) {
      checkTemplate(t);
      const n = templateRecordBytes(t);
      if (n + MESSAGE_HEADER_BYTES + SET_HEADER_BYTES > this.max) throw new RangeError(`template ${t.id} does not fit a message of ${this.max} octets`);
      if (!this.fits(TEMPLATE_SET_ID, n)) this.flush(exportTime);
      this.openSet(TEMPLATE_SET_ID, 4);
      this.off = writeTemplateRecord(this.view, this.off, t);
      this.hasContent = true;
    }
  }

  /** Adds one data record of template `t` (whose template was sent on this transport). */
  record(t: IpfixTemplate, values: readonly IpfixValue[], exportTime: number): void {
    const most = maxRecordBytes(t);
    if (this.scratch.length < most) this.scratch = new Uint8Array(most);
    const n = writeDataRecord(this.scratch, 0, t, values);
    if (n + MESSAGE_HEADER_BYTES + SET_HEADER_BYTES + 3 > this.max) throw new RangeError(`a record of template ${t.id} (${n} octets) does not fit a message of ${this.max} octets`);
    if (!this.fits(t.id, n)) this.flush(exportTime);
    this.openSet(t.id, minRecordBytes(t));
    this.buf.set(this.scratch.subarray(0, n), this.off);
    this.off += n;
    this.records++;
    this.hasContent = true;
  }

  /** Finishes the current message, if it holds anything. `exportTime` in seconds since the epoch. */
  flush(exportTime: number): void {
    if (!this.hasContent) return;
    this.closeSet();
    const v = this.view;
    v.setUint16(0, IPFIX_VERSION);
    v.setUint16(2, this.off);
    v.setUint32(4, Math.max(0, Math.floor(exportTime)) >>> 0);
    v.setUint32(8, this.recordsSent >>> 0);
    v.setUint32(12, this.domain);
    const msg = this.buf.slice(0, this.off);
    const n = this.records;
    this.recordsSent = (this.recordsSent + n) % 0x100000000;
    this.off = MESSAGE_HEADER_BYTES;
    this.records = 0;
    this.hasContent = false;
    this.onMessage(msg, n);
  }
}
