/**
 * The socket-event stream, version 1: the privileged helper's second output pipe (file descriptor 3), present only
 * with `--attribute-processes` when its eBPF programs loaded.
 *
 * The helper writes a header, then the ring buffer's records verbatim: it frames them and interprets nothing. The
 * records are written by the eBPF program (src/privileged-helper/bpf), whose C struct must match RECORD below.
 * All integers are little-endian (the helper refuses to load the program on a big-endian host); ports are numbers,
 * not network-order bytes; IPv4 addresses fill the first 4 bytes of their 16-byte field, and an IPv6 socket talking
 * to an IPv4-mapped address is reported as family 4 (the flow the packets make).
 *
 * Header (HEADER_SIZE bytes):
 *   0  4  magic "SPSE"
 *   4  2  version (SOCKET_EVENTS_VERSION)
 *   6  2  record size (RECORD_SIZE)
 *   8  8  CLOCK_MONOTONIC at the helper's start, ns (the clock of a record's time_ns)
 *  16  8  CLOCK_REALTIME at the same moment, ns (so a record's time maps to packet timestamps)
 *
 * Any change an older reader could misread bumps SOCKET_EVENTS_VERSION.
 */

export const SOCKET_EVENTS_VERSION = 1;
export const SOCKET_EVENTS_MAGIC = 0x45535053; // "SPSE" read as a little-endian u32
export const HEADER_SIZE = 24;
export const RECORD_SIZE = 72;
/** The file descriptor the helper writes socket events to. */
export const SOCKET_EVENTS_FD = 3;

/** Byte offsets inside one record. */
export const RECORD = {
  kind: 0, // u8, SocketEventKind
  family: 1, // u8, 4 or 6
  protocol: 2, // u8, 6 (TCP) or 17 (UDP)
  flags: 3, // u8, reserved, 0
  localPort: 4, // u16
  remotePort: 6, // u16
  pid: 8, // u32, the thread group id (what userspace calls the pid); for `lost`, the number of records lost
  uid: 12, // u32
  timeNs: 16, // u64, CLOCK_MONOTONIC
  localAddress: 24, // 16 bytes
  remoteAddress: 40, // 16 bytes
  comm: 56, // 16 bytes, NUL-padded, the thread's name as the kernel keeps it
} as const;

export const SocketEventKind = {
  /** A TCP connect() began (SYN_SENT): the process is the client. */
  tcpConnect: 1,
  /** A TCP connection was accepted (became ESTABLISHED from SYN_RECV): the listening process is the server. */
  tcpAccept: 2,
  /** A UDP datagram was sent (connected or not). */
  udpSend: 3,
  /** A UDP datagram was received on a socket (first one per socket and peer is enough for the reader). */
  udpReceive: 4,
  /** The ring buffer was full: `pid` holds how many records were lost. */
  lost: 255,
} as const;
export type SocketEventKind = (typeof SocketEventKind)[keyof typeof SocketEventKind];

const KINDS = new Set<number>(Object.values(SocketEventKind));

export interface SocketEventsClock {
  monotonicNs: bigint;
  realtimeNs: bigint;
}

/**
 * One decoded event. The reader reuses a single instance per stream, and its byte arrays: copy what you keep.
 * `comm` is decoded from `commBytes` only when read (most events are of a process already known by its bytes).
 */
export interface SocketEvent {
  kind: SocketEventKind;
  family: 4 | 6;
  protocol: 6 | 17;
  /** The address's bytes (4 or 16, network order), valid only during the callback. */
  localAddress: Uint8Array;
  localPort: number;
  remoteAddress: Uint8Array;
  remotePort: number;
  pid: number;
  uid: number;
  /** Wall-clock time of the event, microseconds since the epoch (the unit of packet timestamps). */
  timeUs: number;
  comm: string;
}

/**
 * The reader's reused event, with the record's raw words (not enumerable, so a spread copy is a plain SocketEvent):
 * the addresses and comm as the record holds them, read as words, so a caller that keys or compares by them needs
 * neither the byte arrays nor the string (which are made from these only when read).
 */
export interface SocketEventRecord extends SocketEvent {
  /** Local and remote address as four big-endian words each (IPv4 in word 0, zeros after), valid during the callback. */
  readonly localWords: Uint32Array;
  readonly remoteWords: Uint32Array;
  /** The 16 comm bytes (NUL-padded) as four little-endian words, valid only during the callback. */
  readonly commWords: Uint32Array;
  /** The comm bytes themselves. */
  readonly commBytes: Uint8Array;
}

export class SocketEventsFormatError extends Error {}

/** Encodes a header; used by the helper and by tests. */
export function encodeSocketEventsHeader(clock: SocketEventsClock): Buffer {
  const b = Buffer.alloc(HEADER_SIZE);
  b.writeUInt32LE(SOCKET_EVENTS_MAGIC, 0);
  b.writeUInt16LE(SOCKET_EVENTS_VERSION, 4);
  b.writeUInt16LE(RECORD_SIZE, 6);
  b.writeBigUInt64LE(clock.monotonicNs, 8);
  b.writeBigUInt64LE(clock.realtimeNs, 16);
  return b;
}

/** Encodes one record as the eBPF program would; for tests and fixtures. */
export function encodeSocketEvent(e: Omit<SocketEvent, 'timeUs'> & { timeNs: bigint }): Buffer {
  const b = Buffer.alloc(RECORD_SIZE);
  b.writeUInt8(e.kind, RECORD.kind);
  b.writeUInt8(e.family, RECORD.family);
  b.writeUInt8(e.protocol, RECORD.protocol);
  b.writeUInt16LE(e.localPort, RECORD.localPort);
  b.writeUInt16LE(e.remotePort, RECORD.remotePort);
  b.writeUInt32LE(e.pid, RECORD.pid);
  b.writeUInt32LE(e.uid, RECORD.uid);
  b.writeBigUInt64LE(e.timeNs, RECORD.timeNs);
  b.set(e.localAddress.subarray(0, 16), RECORD.localAddress);
  b.set(e.remoteAddress.subarray(0, 16), RECORD.remoteAddress);
  b.write(e.comm.slice(0, 15), RECORD.comm, 'latin1');
  return b;
}

const COMM_BYTES = 16;

function decodeComm(b: Uint8Array): string {
  let n = 0;
  while (n < COMM_BYTES && b[n] !== 0) n++;
  return String.fromCharCode.apply(null, Array.from(b.subarray(0, n)));
}

/** Big-endian words → bytes (the first `n` bytes of `out`). */
function wordsToBytes(w: Uint32Array, out: Uint8Array, n: number): Uint8Array {
  for (let i = 0; i < n; i++) out[i] = (w[i >>> 2] >>> (24 - 8 * (i & 3))) & 255;
  return n === 16 ? out : out.subarray(0, n);
}

/** The reader's reused event: the record's words are read in, the byte arrays and the comm string made on demand. */
function newEventRecord(): SocketEventRecord {
  const localWords = new Uint32Array(4);
  const remoteWords = new Uint32Array(4);
  const commWords = new Uint32Array(4);
  const commBytes = new Uint8Array(commWords.buffer);
  const local = new Uint8Array(16);
  const remote = new Uint8Array(16);
  const e = {
    kind: SocketEventKind.tcpConnect as SocketEventKind, family: 4 as 4 | 6, protocol: 6 as 6 | 17, localAddress: local, localPort: 0,
    remoteAddress: remote, remotePort: 0, pid: 0, uid: 0, timeUs: 0, comm: '',
  };
  const n = () => (e.family === 4 ? 4 : 16);
  Object.defineProperty(e, 'localAddress', { enumerable: true, get: () => wordsToBytes(localWords, local, n()) });
  Object.defineProperty(e, 'remoteAddress', { enumerable: true, get: () => wordsToBytes(remoteWords, remote, n()) });
  Object.defineProperty(e, 'comm', { enumerable: true, get: () => decodeComm(commBytes) });
  for (const [k, v] of [['localWords', localWords], ['remoteWords', remoteWords], ['commWords', commWords], ['commBytes', commBytes]] as const) {
    Object.defineProperty(e, k, { enumerable: false, value: v });
  }
  return e as SocketEventRecord;
}

const TWO_32 = 4294967296;

/**
 * Incremental reader of the stream: feed it chunks as they arrive from the pipe, in any split. A bad header or a
 * record of an unknown kind or family throws SocketEventsFormatError (the stream cannot be resynchronised); a
 * partial record waits for the next chunk. Nothing is allocated per record: a process may send a datagram per
 * packet of a flood, and each is an event.
 */
export class SocketEventsReader {
  readonly #onEvent: (e: SocketEventRecord) => void;
  readonly #onLost: (count: number) => void;
  #clock: SocketEventsClock | null = null;
  /** realtime - monotonic from the header, as whole microseconds and the nanoseconds left over (0..999). */
  #offsetUs = 0;
  #offsetNs = 0;
  #pending: Buffer = Buffer.alloc(0);
  readonly #event = newEventRecord();

  constructor(onEvent: (e: SocketEventRecord) => void, onLost: (count: number) => void = () => {}) {
    this.#onEvent = onEvent;
    this.#onLost = onLost;
  }

  get clock(): SocketEventsClock | null {
    return this.#clock;
  }

  push(chunk: Uint8Array): void {
    const buf = this.#pending.length === 0 ? Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
      : Buffer.concat([this.#pending, chunk]);
    let at = 0;
    if (this.#clock === null) {
      if (buf.length < HEADER_SIZE) { this.#pending = Buffer.from(buf); return; }
      if (buf.readUInt32LE(0) !== SOCKET_EVENTS_MAGIC) throw new SocketEventsFormatError('not a socket-event stream (bad magic)');
      const version = buf.readUInt16LE(4);
      if (version !== SOCKET_EVENTS_VERSION) throw new SocketEventsFormatError(`socket-event stream version ${version}, expected ${SOCKET_EVENTS_VERSION}`);
      const size = buf.readUInt16LE(6);
      if (size !== RECORD_SIZE) throw new SocketEventsFormatError(`socket-event record size ${size}, expected ${RECORD_SIZE}`);
      this.#clock = { monotonicNs: buf.readBigUInt64LE(8), realtimeNs: buf.readBigUInt64LE(16) };
      const offset = this.#clock.realtimeNs - this.#clock.monotonicNs;
      const us = offset / 1000n - (offset % 1000n < 0n ? 1n : 0n);
      this.#offsetUs = Number(us);
      this.#offsetNs = Number(offset - us * 1000n);
      at = HEADER_SIZE;
    }
    const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    const e = this.#event;
    const lw = e.localWords;
    const rw = e.remoteWords;
    const cw = e.commWords;
    for (; at + RECORD_SIZE <= buf.length; at += RECORD_SIZE) {
      const kind = v.getUint8(at + RECORD.kind);
      if (!KINDS.has(kind)) throw new SocketEventsFormatError(`socket event of unknown kind ${kind}`);
      if (kind === SocketEventKind.lost) { this.#onLost(v.getUint32(at + RECORD.pid, true)); continue; }
      const family = v.getUint8(at + RECORD.family);
      const protocol = v.getUint8(at + RECORD.protocol);
      if (family !== 4 && family !== 6) throw new SocketEventsFormatError(`socket event of unknown family ${family}`);
      if (protocol !== 6 && protocol !== 17) throw new SocketEventsFormatError(`socket event of unknown protocol ${protocol}`);
      e.kind = kind as SocketEventKind;
      e.family = family;
      e.protocol = protocol;
      e.localPort = v.getUint16(at + RECORD.localPort, true);
      e.remotePort = v.getUint16(at + RECORD.remotePort, true);
      e.pid = v.getUint32(at + RECORD.pid, true);
      e.uid = v.getUint32(at + RECORD.uid, true);
      // The u64 in two halves, exactly: floor((hi * 2^32 + lo + offsetNs) / 1000) without a BigInt per record.
      const lo = v.getUint32(at + RECORD.timeNs, true);
      const hi = v.getUint32(at + RECORD.timeNs + 4, true);
      e.timeUs = this.#offsetUs + hi * Math.floor(TWO_32 / 1000) + Math.floor((hi * (TWO_32 % 1000) + lo + this.#offsetNs) / 1000);
      const v6 = family === 6;
      const la = at + RECORD.localAddress;
      const ra = at + RECORD.remoteAddress;
      lw[0] = v.getUint32(la, false);
      rw[0] = v.getUint32(ra, false);
      lw[1] = v6 ? v.getUint32(la + 4, false) : 0;
      lw[2] = v6 ? v.getUint32(la + 8, false) : 0;
      lw[3] = v6 ? v.getUint32(la + 12, false) : 0;
      rw[1] = v6 ? v.getUint32(ra + 4, false) : 0;
      rw[2] = v6 ? v.getUint32(ra + 8, false) : 0;
      rw[3] = v6 ? v.getUint32(ra + 12, false) : 0;
      const c = at + RECORD.comm;
      cw[0] = v.getUint32(c, true);
      cw[1] = v.getUint32(c + 4, true);
      cw[2] = v.getUint32(c + 8, true);
      cw[3] = v.getUint32(c + 12, true);
      this.#onEvent(e);
    }
    this.#pending = at < buf.length ? Buffer.from(buf.subarray(at)) : Buffer.alloc(0);
  }
  /** Bytes of an unfinished record or header held back; non-zero at end of stream means it was cut short. */
  get pendingBytes(): number {
    return this.#pending.length;
  }
}
