/**
 * Streaming capture reader: recognises pcap or pcapng from the first bytes and cuts chunks of any size into
 * records. Records wholly inside a chunk are parsed in place; only a record straddling chunks is assembled in the one
 * reusable pending buffer. Never holds more than one record.
 */
import { CaptureFormatError } from './capture-format-error.ts';
import type { PacketSink, RecordFramer } from './packet-sink.ts';
import { PcapHeaderFramer, isPcapMagic } from './pcap-format.ts';
import { PCAPNG_SHB, PcapngFramer } from './pcapng-format.ts';

export class CaptureReader {
  private framer: RecordFramer;
  private pend = new Uint8Array(65536);
  private pendView = new DataView(this.pend.buffer);
  private pendLen = 0;
  /** Stream offset of the first byte not yet consumed (the start of pending data, if any). */
  private pos = 0;
  private failure: CaptureFormatError | null = null;
  /** 'pcap' | 'pcapng' once recognised. */
  format: 'pcap' | 'pcapng' | null = null;

  constructor(sink: PacketSink) {
    const install = (f: RecordFramer) => {
      this.framer = f;
    };
    this.framer = {
      headerSize: 4,
      recordLength: (view, off, pos) => {
        const magic = view.getUint32(off, false);
        if (magic === PCAPNG_SHB) {
          this.format = 'pcapng';
          install(new PcapngFramer(sink));
        } else if (isPcapMagic(magic)) {
          this.format = 'pcap';
          install(new PcapHeaderFramer(sink, install));
        } else {
          throw new CaptureFormatError('not a pcap or pcapng capture', pos);
        }
        return 0;
      },
      record: () => {},
    };
  }

  /** Bytes consumed so far (complete records). */
  get offset(): number {
    return this.pos;
  }

  push(chunk: Uint8Array): void {
    if (this.failure) throw this.failure;
    if (chunk.length === 0) return;
    try {
      let off = 0;
      if (this.pendLen > 0) {
        off = this.completePending(chunk);
        if (off < 0) return;
      }
      const view = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      off = this.drain(chunk, view, off, chunk.length);
      if (off < chunk.length) this.stash(chunk, off);
    } catch (e) {
      if (e instanceof CaptureFormatError) this.failure = e;
      throw e;
    }
  }

  /** The stream ended: anything left over is a truncated record. */
  end(): void {
    if (this.failure) throw this.failure;
    if (this.pos === 0 && this.pendLen === 0) this.failure = new CaptureFormatError('empty file, not a capture', 0);
    else if (this.format === null) this.failure = new CaptureFormatError('not a pcap or pcapng capture', 0);
    else if (this.pendLen > 0) this.failure = new CaptureFormatError('truncated capture: incomplete record', this.pos);
    if (this.failure) throw this.failure;
  }

  private drain(buf: Uint8Array, view: DataView, off: number, end: number): number {
    for (;;) {
      const f = this.framer;
      if (f.records !== undefined) {
        const to = f.records(buf, view, off, end);
        this.pos += to - off;
        off = to;
      }
      const avail = end - off;
      if (avail < f.headerSize) return off;
      const len = f.recordLength(view, off, this.pos);
      if (len === 0) continue;
      if (avail < len) return off;
      f.record(buf, view, off, len, this.pos);
      off += len;
      this.pos += len;
    }
  }

  /** Completes the straddling record from the chunk's head; returns how much of the chunk it used, -1 if all. */
  private completePending(chunk: Uint8Array): number {
    let used = 0;
    for (;;) {
      const f = this.framer;
      if (this.pendLen < f.headerSize) {
        used += this.take(chunk, used, f.headerSize - this.pendLen);
        if (this.pendLen < f.headerSize) return -1;
      }
      const len = f.recordLength(this.pendView, 0, this.pos);
      if (len === 0) continue;
      if (this.pendLen < len) {
        this.reserve(len);
        used += this.take(chunk, used, len - this.pendLen);
        if (this.pendLen < len) return -1;
      }
      f.record(this.pend, this.pendView, 0, len, this.pos);
      this.pos += len;
      // A pending record never holds more than one record's bytes, so nothing is left behind.
      this.pendLen = 0;
      return used;
    }
  }

  private take(chunk: Uint8Array, from: number, want: number): number {
    const n = Math.min(want, chunk.length - from);
    this.pend.set(chunk.subarray(from, from + n), this.pendLen);
    this.pendLen += n;
    return n;
  }

  private stash(chunk: Uint8Array, off: number): void {
    const n = chunk.length - off;
    this.reserve(n);
    this.pend.set(chunk.subarray(off), 0);
    this.pendLen = n;
  }

  private reserve(n: number): void {
    if (n <= this.pend.length) return;
    const next = new Uint8Array(Math.max(n, this.pend.length * 2));
    next.set(this.pend.subarray(0, this.pendLen));
    this.pend = next;
    this.pendView = new DataView(next.buffer);
  }
}
