/**
 * Where readers hand each packet: the bytes are buf[off, off+caplen), valid only during the call (the buffer is
 * reused). `wirelen` is the original length on the wire, `ts` seconds since the epoch, `linktype` the LINKTYPE_*
 * value of the packet's interface, or -1 when the capture names no usable interface for it.
 */
export type PacketSink = (buf: Uint8Array, off: number, caplen: number, wirelen: number, ts: number, linktype: number) => void;

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
