/**
 * Classic pcap savefiles: the 24-byte global header, then records of a 16-byte header (24 in the "modified" variant)
 * and caplen bytes. Both byte orders; micro- and nanosecond magics.
 */
import { CaptureFormatError } from './capture-format-error.ts';
import { RecordHeader, type PacketSink, type RecordFramer } from './packet-sink.ts';

export const PCAP_MAGIC_US = 0xa1b2c3d4;
export const PCAP_MAGIC_NS = 0xa1b23c4d;
/** Alexey Kuznetzov's patched libpcap: 8 more bytes per record header. */
export const PCAP_MAGIC_MODIFIED = 0xa1b2cd34;
export const PCAP_GLOBAL_HEADER_BYTES = 24;
/** libpcap's usual maximum snapshot length; a header may declare more, up to PCAP_HARD_CAPLEN. */
const DEFAULT_MAX_CAPLEN = 262144;
const PCAP_HARD_CAPLEN = 16 * 1024 * 1024;

function swap32(v: number): number {
  return (((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24)) >>> 0;
}

/** True when the big-endian first word of a stream is a pcap magic in either byte order. */
export function isPcapMagic(be: number): boolean {
  for (const m of [PCAP_MAGIC_US, PCAP_MAGIC_NS, PCAP_MAGIC_MODIFIED]) if (be === m || be === swap32(m)) return true;
  return false;
}

/** Frames the global header (as one record), then hands over to PcapRecords via `install`. */
export class PcapHeaderFramer implements RecordFramer {
  readonly headerSize = PCAP_GLOBAL_HEADER_BYTES;
  private readonly sink: PacketSink;
  private readonly install: (f: RecordFramer) => void;

  constructor(sink: PacketSink, install: (f: RecordFramer) => void) {
    this.sink = sink;
    this.install = install;
  }

  recordLength(): number {
    return PCAP_GLOBAL_HEADER_BYTES;
  }

  record(_buf: Uint8Array, view: DataView, off: number, _len: number, pos: number): void {
    const be = view.getUint32(off, false);
    const le = !(be === PCAP_MAGIC_US || be === PCAP_MAGIC_NS || be === PCAP_MAGIC_MODIFIED);
    const magic = le ? swap32(be) : be;
    const major = view.getUint16(off + 4, le);
    if (major !== 2) throw new CaptureFormatError(`unsupported pcap version ${major}`, pos + 4);
    const snaplen = view.getUint32(off + 16, le);
    // The upper bits of the link-type field carry FCS information; the link type is the low 16 bits.
    const linktype = view.getUint32(off + 20, le) & 0xffff;
    const maxCaplen = Math.max(DEFAULT_MAX_CAPLEN, Math.min(snaplen, PCAP_HARD_CAPLEN));
    this.install(new PcapRecordFramer(this.sink, le, magic === PCAP_MAGIC_NS, magic === PCAP_MAGIC_MODIFIED ? 24 : 16, linktype, maxCaplen));
  }
}

class PcapRecordFramer implements RecordFramer {
  readonly headerSize: number;
  private readonly sink: PacketSink;
  private readonly le: boolean;
  private readonly fracScale: number;
  private readonly linktype: number;
  private readonly maxCaplen: number;
  private readonly header = new RecordHeader();

  constructor(sink: PacketSink, le: boolean, nano: boolean, headerSize: number, linktype: number, maxCaplen: number) {
    this.sink = sink;
    this.le = le;
    this.fracScale = nano ? 1e-9 : 1e-6;
    this.headerSize = headerSize;
    this.linktype = linktype;
    this.maxCaplen = maxCaplen;
  }

  recordLength(view: DataView, off: number, pos: number): number {
    const caplen = view.getUint32(off + 8, this.le);
    if (caplen > this.maxCaplen) throw new CaptureFormatError(`record capture length ${caplen} exceeds the limit ${this.maxCaplen}`, pos);
    return this.headerSize + caplen;
  }

  records(buf: Uint8Array, view: DataView, off: number, end: number): number {
    const le = this.le;
    const hs = this.headerSize;
    const max = this.maxCaplen;
    while (end - off >= hs) {
      const caplen = view.getUint32(off + 8, le);
      if (caplen > max || end - off - hs < caplen) break;
      this.record(buf, view, off, hs + caplen);
      off += hs + caplen;
    }
    return off;
  }

  record(buf: Uint8Array, view: DataView, off: number, len: number): void {
    const le = this.le;
    const h = this.header;
    const caplen = len - this.headerSize;
    const wire = view.getUint32(off + 12, le);
    h.ts = view.getUint32(off, le) + view.getUint32(off + 4, le) * this.fracScale;
    h.caplen = caplen;
    h.wirelen = wire < caplen ? caplen : wire;
    h.linktype = this.linktype;
    this.sink(buf, off + this.headerSize, h);
  }
}
