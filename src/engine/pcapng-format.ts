/**
 * pcapng: sections (SHB) of interfaces (IDB, each with its own link type, if_tsresol and if_tsoffset) and packets
 * (EPB, SPB, and the obsolete OPB). Both byte orders; a new SHB starts over with no interfaces; unknown blocks are
 * skipped. Every length is checked against its block before use.
 */
import { CaptureFormatError } from './capture-format-error.ts';
import { MAX_RECORD_BYTES, RecordHeader, type PacketSink, type RecordFramer } from './packet-sink.ts';

export const PCAPNG_SHB = 0x0a0d0d0a;
const BOM = 0x1a2b3c4d;
const IDB = 1;
const OPB = 2;
const SPB = 3;
const EPB = 6;
/** A section declaring more interfaces than this is corrupt (and would otherwise grow without bound). */
const MAX_INTERFACES = 65536;

export class PcapngFramer implements RecordFramer {
  readonly headerSize = 12;
  private readonly sink: PacketSink;
  private le = true;
  private sawShb = false;
  private ifCount = 0;
  private ifLinktype = new Int32Array(4);
  private ifUnits = new Float64Array(4);
  private ifOffset = new Float64Array(4);
  private ifSnaplen = new Uint32Array(4);
  /** SPBs carry no timestamp: they get the last one seen. */
  private lastTs = 0;
  private readonly header = new RecordHeader();

  constructor(sink: PacketSink) {
    this.sink = sink;
  }

  recordLength(view: DataView, off: number, pos: number): number {
    const type = view.getUint32(off, this.le);
    if (type === PCAPNG_SHB) {
      const bom = view.getUint32(off + 8, true);
      if (bom === BOM) this.le = true;
      else if (bom === 0x4d3c2b1a) this.le = false;
      else throw new CaptureFormatError('pcapng section header has a bad byte-order magic', pos + 8);
    } else if (!this.sawShb) {
      throw new CaptureFormatError('pcapng stream does not start with a section header block', pos);
    }
    const len = view.getUint32(off + 4, this.le);
    if (len < 12 || len % 4 !== 0) throw new CaptureFormatError(`pcapng block length ${len} is invalid`, pos);
    if (len > MAX_RECORD_BYTES) throw new CaptureFormatError(`pcapng block length ${len} is too large`, pos);
    if (type === PCAPNG_SHB && len < 28) throw new CaptureFormatError('pcapng section header block is too short', pos);
    return len;
  }

  record(buf: Uint8Array, view: DataView, off: number, len: number, pos: number): void {
    const le = this.le;
    if (view.getUint32(off + len - 4, le) !== len) throw new CaptureFormatError('pcapng block trailing length does not match', pos + len - 4);
    const type = view.getUint32(off, le);
    const bodyEnd = off + len - 4;
    switch (type) {
      case PCAPNG_SHB: {
        const major = view.getUint16(off + 12, le);
        if (major !== 1) throw new CaptureFormatError(`unsupported pcapng version ${major}`, pos + 12);
        this.sawShb = true;
        this.ifCount = 0;
        return;
      }
      case IDB:
        if (len < 20) throw new CaptureFormatError('pcapng interface block is too short', pos);
        this.addInterface(view, off, bodyEnd, pos);
        return;
      case EPB:
      case OPB: {
        if (len < 32) throw new CaptureFormatError('pcapng packet block is too short', pos);
        const ifid = type === EPB ? view.getUint32(off + 8, le) : view.getUint16(off + 8, le);
        const caplen = view.getUint32(off + 20, le);
        const wire = view.getUint32(off + 24, le);
        if (caplen > bodyEnd - (off + 28)) throw new CaptureFormatError(`pcapng packet length ${caplen} overflows its block`, pos + 20);
        let ts = 0;
        let linktype = -1;
        if (ifid < this.ifCount) {
          ts = (view.getUint32(off + 12, le) * 4294967296 + view.getUint32(off + 16, le)) / this.ifUnits[ifid] + this.ifOffset[ifid];
          linktype = this.ifLinktype[ifid];
          this.lastTs = ts;
        }
        this.emit(buf, off + 28, caplen, wire, ts, linktype);
        return;
      }
      case SPB: {
        if (len < 16) throw new CaptureFormatError('pcapng simple packet block is too short', pos);
        const wire = view.getUint32(off + 8, le);
        let caplen = Math.min(wire, bodyEnd - (off + 12));
        let linktype = -1;
        if (this.ifCount > 0) {
          linktype = this.ifLinktype[0];
          const snap = this.ifSnaplen[0];
          if (snap > 0 && caplen > snap) caplen = snap;
        }
        this.emit(buf, off + 12, caplen, wire, this.lastTs, linktype);
        return;
      }
      default:
        return; // NRB, ISB, DSB, custom and unknown blocks carry nothing the flow table needs.
    }
  }

  private emit(buf: Uint8Array, off: number, caplen: number, wire: number, ts: number, linktype: number): void {
    const h = this.header;
    h.caplen = caplen;
    h.wirelen = wire < caplen ? caplen : wire;
    h.ts = ts;
    h.linktype = linktype;
    this.sink(buf, off, h);
  }

  private addInterface(view: DataView, off: number, end: number, pos: number): void {
    const le = this.le;
    if (this.ifCount >= MAX_INTERFACES) throw new CaptureFormatError('pcapng section declares too many interfaces', pos);
    let units = 1e6;
    let tsOffset = 0;
    // Options: each step advances at least 4 bytes, so the walk is bounded by the block length.
    let p = off + 16;
    while (p + 4 <= end) {
      const code = view.getUint16(p, le);
      const olen = view.getUint16(p + 2, le);
      if (code === 0) break;
      if (p + 4 + olen > end) throw new CaptureFormatError('pcapng interface option overflows its block', p - off + pos);
      if (code === 9 && olen >= 1) {
        const r = view.getUint8(p + 4);
        const exp = r & 0x7f;
        units = r & 0x80 ? 2 ** exp : 10 ** exp;
        if (!(units >= 1) || !Number.isFinite(units)) units = 1e6;
      } else if (code === 14 && olen >= 8) {
        tsOffset = Number(view.getBigInt64(p + 4, le));
      }
      p += 4 + ((olen + 3) & ~3);
    }
    const i = this.ifCount++;
    if (i >= this.ifLinktype.length) {
      const n = this.ifLinktype.length * 2;
      this.ifLinktype = grow(this.ifLinktype, new Int32Array(n));
      this.ifUnits = grow(this.ifUnits, new Float64Array(n));
      this.ifOffset = grow(this.ifOffset, new Float64Array(n));
      this.ifSnaplen = grow(this.ifSnaplen, new Uint32Array(n));
    }
    this.ifLinktype[i] = view.getUint16(off + 8, le);
    this.ifSnaplen[i] = view.getUint32(off + 12, le);
    this.ifUnits[i] = units;
    this.ifOffset[i] = tsOffset;
  }
}

function grow<T extends Int32Array | Float64Array | Uint32Array>(from: T, to: T): T {
  to.set(from);
  return to;
}
