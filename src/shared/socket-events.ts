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

/** One decoded event. The reader reuses a single instance per stream; copy what you keep. */
export interface SocketEvent {
  kind: SocketEventKind;
  family: 4 | 6;
  protocol: 6 | 17;
  /** The address's bytes (4 or 16, network order), a view into the chunk: valid only during the callback. */
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

function readComm(v: DataView, at: number): string {
  let s = '';
  for (let i = 0; i < 16; i++) {
    const c = v.getUint8(at + i);
    if (c === 0) break;
    s += String.fromCharCode(c);
  }
  return s;
}

/**
 * Incremental reader of the stream: feed it chunks as they arrive from the pipe, in any split. A bad header or a
 * record of an unknown kind or family throws SocketEventsFormatError (the stream cannot be resynchronised); a
 * partial record waits for the next chunk.
 */
export class SocketEventsReader {
  readonly #onEvent: (e: SocketEvent) => void;
  readonly #onLost: (count: number) => void;
  #clock: SocketEventsClock | null = null;
  #pending: Buffer = Buffer.alloc(0);
  readonly #event: SocketEvent = {
    kind: SocketEventKind.tcpConnect, family: 4, protocol: 6, localAddress: new Uint8Array(4), localPort: 0,
    remoteAddress: new Uint8Array(4),
    remotePort: 0, pid: 0, uid: 0, timeUs: 0, comm: '',
  };

  constructor(onEvent: (e: SocketEvent) => void, onLost: (count: number) => void = () => {}) {
    this.#onEvent = onEvent;
    this.#onLost = onLost;
  }

  get clock(): SocketEventsClock | null {
    return this.#clock;
  }

  push(chunk: Uint8Array): void {
    let buf = this.#pending.length === 0 ? Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
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
      at = HEADER_SIZE;
    }
    const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    const clock = this.#clock;
    const e = this.#event;
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
      const ns = v.getBigUint64(at + RECORD.timeNs, true);
      e.timeUs = Number((clock.realtimeNs + ns - clock.monotonicNs) / 1000n);
      const addressLength = family === 4 ? 4 : 16;
      e.localAddress = buf.subarray(at + RECORD.localAddress, at + RECORD.localAddress + addressLength);
      e.remoteAddress = buf.subarray(at + RECORD.remoteAddress, at + RECORD.remoteAddress + addressLength);
      e.comm = readComm(v, at + RECORD.comm);
      this.#onEvent(e);
    }
    this.#pending = at < buf.length ? Buffer.from(buf.subarray(at)) : Buffer.alloc(0);
  }

  /** Bytes of an unfinished record or header held back; non-zero at end of stream means it was cut short. */
  get pendingBytes(): number {
    return this.#pending.length;
  }
}
