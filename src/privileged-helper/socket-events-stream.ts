/**
 * Streams the socket-event ring buffer to fd 3 in the format of src/shared/socket-events.ts: the header with the
 * clock pair, then the records as the eBPF program wrote them. Framing only: the ring's own record headers (length,
 * busy and discard bits) are read, a record's bytes are copied, never read. The ring is mapped before the seccomp
 * filter and then walked with plain memory reads, no call per record; what it holds is copied into one
 * preallocated buffer and written with one write per drain. The program wakes the reader only when the ring is
 * filling (bpf/socket-events.bpf.c), so a drain also runs on a timer: koffi's libuv poll on the ring's fd
 * (epoll_wait, already allowed) and a libuv timer. A reader that stops reading costs records, never the capture.
 */
import { writeSync } from 'node:fs';
import { RECORD, RECORD_SIZE, SOCKET_EVENTS_FD, SocketEventKind, encodeSocketEventsHeader, type SocketEventsClock } from '../shared/socket-events.ts';
import { koffi } from './native/koffi.ts';
import { libbpf, type RingMemory } from './native/libbpf.ts';
import type { Libc } from './native/libc.ts';

const SYS_fcntl = 72;
const F_GETFL = 3;
const F_SETFL = 4;
const O_NONBLOCK = 0o4000;

/** Held for a reader that is momentarily slow; beyond this, records are counted as lost. */
const MAX_PENDING = 4 * 1024 * 1024;
/** How often the ring is drained when the program has not woken the reader (it wakes it only when filling). */
export const DRAIN_INTERVAL_MS = 50;

/** The kernel's ring record header: u32 length with these two bits, u32 page offset (include/uapi/linux/bpf.h). */
const RINGBUF_BUSY = 0x80000000;
const RINGBUF_DISCARD = 0x40000000;
const RINGBUF_HEADER = 8;

export interface SocketEventsStream {
  /** Moves what the ring holds now to fd 3 (also called once at the end). */
  drain(): void;
  close(): void;
}

export interface RingSource {
  /** The ring buffer map's fd: readable (poll) when it holds records and the program asked for a wakeup. */
  fd: number;
  memory: RingMemory;
}

/**
 * Maps the ring buffer the first stage attached (one bpf() call to read the map's size, two mmaps). Done before the
 * seccomp filter, which refuses bpf(). Returns why not on failure.
 */
export function openRing(ringFd: number): RingSource | string {
  try {
    const memory = libbpf().mapRing(ringFd);
    return typeof memory === 'string' ? memory : { fd: ringFd, memory };
  } catch (e) {
    return `libbpf could not be loaded (${e instanceof Error ? e.message : String(e)})`;
  }
}

/**
 * The bytes waiting for the event channel, in one buffer allocated once: records are copied in as they are taken
 * from the ring, and written out from its start.
 */
export class PendingEvents {
  readonly bytes: Buffer;
  private readonly words: Uint32Array;
  length = 0;
  /** Records that found no room since the last `lost` record. */
  dropped = 0;

  constructor(capacity = MAX_PENDING) {
    this.bytes = Buffer.allocUnsafeSlow(capacity - (capacity % 4));
    this.words = new Uint32Array(this.bytes.buffer, this.bytes.byteOffset, this.bytes.length / 4);
  }

  /** Appends `src`'s bytes (the stream header). */
  append(src: Uint8Array): void {
    if (this.length + src.length > this.bytes.length) return;
    this.bytes.set(src, this.length);
    this.length += src.length;
  }

  /** Appends the record of RECORD_SIZE bytes at word `at` of `src` (src8 is the same memory by bytes). */
  addRecord(src: Uint32Array, src8: Uint8Array, at: number): void {
    const n = this.length;
    if (n + RECORD_SIZE > this.bytes.length) {
      this.dropped++;
      return;
    }
    if ((n & 3) === 0) {
      const w = this.words;
      const d = n >>> 2;
      for (let i = 0; i < RECORD_SIZE / 4; i++) w[d + i] = src[at + i];
    } else {
      // After a partial write left an odd number of bytes waiting.
      const b = this.bytes;
      const from = at * 4;
      for (let i = 0; i < RECORD_SIZE; i++) b[n + i] = src8[from + i];
    }
    this.length = n + RECORD_SIZE;
  }

  /** A `lost` record for what found no room, once there is room for it. */
  reportDropped(): void {
    if (this.dropped === 0 || this.length + RECORD_SIZE > this.bytes.length) return;
    const b = this.bytes;
    b.fill(0, this.length, this.length + RECORD_SIZE);
    b.writeUInt8(SocketEventKind.lost, this.length + RECORD.kind);
    b.writeUInt32LE(Math.min(this.dropped, 0xffffffff), this.length + RECORD.pid);
    this.length += RECORD_SIZE;
    this.dropped = 0;
  }

  /** Forgets the first `n` bytes (written). */
  consumed(n: number): void {
    if (n < this.length) this.bytes.copyWithin(0, n, this.length);
    this.length -= Math.min(n, this.length);
  }
}

/**
 * The reading side of a BPF ring buffer, as libbpf's ring_buffer__consume walks it: from the consumer position to
 * the producer's, stopping at a record still being written, skipping discarded ones; then the consumer position is
 * published once, which gives the space back to the program.
 */
export class RingReader {
  private readonly words: Uint32Array;
  private readonly bytes: Uint8Array;
  private readonly m: RingMemory;
  private position: number;
  /** Set when a header is impossible (a length beyond the ring): the ring is no longer read. */
  broken = false;

  constructor(m: RingMemory) {
    this.m = m;
    this.words = new Uint32Array(m.data.buffer, m.data.byteOffset, m.data.byteLength / 4);
    this.bytes = m.data;
    this.position = Number(Atomics.load(m.consumer, 0));
  }

  /** Copies every record ready now into `out` (records of another size are skipped); how many were taken. */
  readInto(out: PendingEvents): number {
    if (this.broken) return 0;
    const producer = Number(Atomics.load(this.m.producer, 0));
    const size = this.m.size;
    let pos = this.position;
    let taken = 0;
    while (pos < producer) {
      const at = (pos % size) / 4;
      const header = Atomics.load(this.words, at);
      if ((header & RINGBUF_BUSY) !== 0) break;
      const len = header & ~(RINGBUF_BUSY | RINGBUF_DISCARD);
      if (len > size - RINGBUF_HEADER) {
        this.broken = true;
        break;
      }
      pos += (len + RINGBUF_HEADER + 7) & ~7;
      if ((header & RINGBUF_DISCARD) === 0 && len === RECORD_SIZE) {
        out.addRecord(this.words, this.bytes, at + RINGBUF_HEADER / 4);
        taken++;
      }
    }
    if (pos !== this.position) {
      this.position = pos;
      Atomics.store(this.m.consumer, 0, BigInt(pos));
    }
    return taken;
  }
}

/** Sets or clears O_NONBLOCK on `fd`; false when fcntl fails. */
export function setNonBlocking(c: Libc, fd: number, on: boolean): boolean {
  const fl = c.syscall(SYS_fcntl, 'int', fd, 'int', F_GETFL, 'int', 0);
  return fl >= 0 && c.syscall(SYS_fcntl, 'int', fd, 'int', F_SETFL, 'int', on ? fl | O_NONBLOCK : fl & ~O_NONBLOCK) === 0;
}

/** A reader that stops reading must not stall the capture: the event channel becomes non-blocking. */
export function makeNonBlocking(c: Libc, fd = SOCKET_EVENTS_FD): boolean {
  return setNonBlocking(c, fd, true);
}

export function startSocketEvents(source: RingSource, clock: SocketEventsClock, fd = SOCKET_EVENTS_FD): SocketEventsStream {
  const pending = new PendingEvents();
  const ring = new RingReader(source.memory);
  let broken = false;
  pending.append(encodeSocketEventsHeader(clock));

  const flush = () => {
    if (broken) return;
    pending.reportDropped();
    let off = 0;
    while (off < pending.length) {
      try {
        off += writeSync(fd, pending.bytes, off, pending.length - off);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN') break;
        broken = true; // the reader is gone (EPIPE): the capture goes on without events
        return;
      }
    }
    pending.consumed(off);
  };
  const drain = () => {
    if (!broken) ring.readInto(pending);
    flush();
  };
  const poller = koffi().node.poll(source.fd, { readable: true }, drain);
  // Never what keeps the helper alive: it ends when the capture does.
  const timer = setInterval(drain, DRAIN_INTERVAL_MS).unref();
  flush();
  return {
    drain,
    close: () => {
      clearInterval(timer);
      poller.close();
    },
  };
}
