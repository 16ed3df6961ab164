/**
 * A record's header as a reader hands it to its sink: one object per reader, refilled for every record, so the
 * timestamp (a double) reaches the sink in a field rather than as an argument, which would cost a heap number per
 * packet wherever the call is not inlined.
 */
export class RecordHeader {
  /** Captured bytes. */
  caplen = 0;
  /** The original length on the wire. */
  wirelen = 0;
  /** Seconds since the epoch. */
  ts = 0;
  /** The LINKTYPE_* value of the packet's interface, or -1 when the capture names no usable interface for it. */
  linktype = -1;
}

/**
 * Where readers hand each packet: the bytes are buf[off, off + h.caplen); the bytes and `h` are valid only during the
 * call (both are reused).
 */
export type PacketSink = (buf: Uint8Array, off: number, h: RecordHeader) => void;

/** Cuts a stream into records: how long the record at `off` is, and what to do with a complete one. */
export interface RecordFramer {
  /** Bytes needed at a record's start before recordLength can answer. */
  readonly headerSize: number;
  /**
   * Total length of the record at off (>= headerSize), 0 when the framer handed over to another one (the reader
   * then asks the new framer), or throws CaptureFormatError. `pos` is the record's byte offset in the stream.
   */
  recordLength(view: DataView, off: number, pos: number): number;
  record(buf: Uint8Array, view: DataView, off: number, len: number, pos: number): void;
  /**
   * Optional fast path: hands over every whole record in buf[off, end) in one loop and returns the offset after
   * the last one. It stops early, without throwing, at a record it cannot take (the reader then asks
   * recordLength, which reports the error with its offset).
   */
  records?(buf: Uint8Array, view: DataView, off: number, end: number): number;
}

/** Largest record or block we accept; anything larger is corruption, not something to allocate. */
export const MAX_RECORD_BYTES = 256 * 1024 * 1024;
