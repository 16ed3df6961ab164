/**
 * Streams the socket-event ring buffer to fd 3 in the format of src/shared/socket-events.ts: the header with the
 * clock pair, then the records as the eBPF program wrote them. Framing only: a record's bytes are copied, never
 * read. Woken by koffi's libuv poll on libbpf's epoll fd (epoll_wait, already allowed by the seccomp filter);
 * consuming the ring is plain memory access. A reader that stops reading costs records, never the capture.
 */
import { writeSync } from 'node:fs';
import { RECORD, RECORD_SIZE, SOCKET_EVENTS_FD, SocketEventKind, encodeSocketEventsHeader, type SocketEventsClock } from '../shared/socket-events.ts';
import { koffi } from './native/koffi.ts';
import { libbpf, type RingBuffer } from './native/libbpf.ts';
import type { Libc } from './native/libc.ts';

const SYS_fcntl = 72;
const F_GETFL = 3;
const F_SETFL = 4;
const O_NONBLOCK = 0o4000;

/** Held for a reader that is momentarily slow; beyond this, records are counted as lost. */
const MAX_PENDING = 4 * 1024 * 1024;

export interface SocketEventsStream {
  /** Moves what the ring holds now to fd 3 (also called once at the end). */
  drain(): void;
  close(): void;
}

function lostRecord(count: number): Buffer {
  const b = Buffer.alloc(RECORD_SIZE);
  b.writeUInt8(SocketEventKind.lost, RECORD.kind);
  b.writeUInt32LE(Math.min(count, 0xffffffff), RECORD.pid);
  return b;
}

export interface RingSource {
  ring: RingBuffer;
  /** Gives each record to `take`; set by openRing's callback. */
  setSink(take: (record: ArrayBuffer) => void): void;
}

/**
 * Maps the ring buffer the first stage attached (libbpf: one bpf() call to read the map's size, mmap, an epoll fd).
 * Done before the seccomp filter, which refuses bpf(). Returns why not on failure.
 */
export function openRing(ringFd: number): RingSource | string {
  let sink: (record: ArrayBuffer) => void = () => {};
  try {
    const ring = libbpf().ringBuffer(ringFd, (r) => sink(r));
    if (ring === null) return `libbpf could not map the event ring (errno ${libbpf().errno()})`;
    return { ring, setSink: (take) => (sink = take) };
  } catch (e) {
    return `libbpf could not be loaded (${e instanceof Error ? e.message : String(e)})`;
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
  const pending: Buffer[] = [];
  let pendingBytes = 0;
  let dropped = 0;
  let broken = false;
  const push = (b: Buffer) => {
    if (pendingBytes + b.length > MAX_PENDING) {
      dropped++;
      return;
    }
    pending.push(b);
    pendingBytes += b.length;
  };
  source.setSink((record) => {
    if (record.byteLength !== RECORD_SIZE) return; // not a record of this format; the program writes none
    push(Buffer.from(new Uint8Array(record)));
  });
  push(encodeSocketEventsHeader(clock));

  const flush = () => {
    if (broken) return;
    if (dropped > 0 && pendingBytes + RECORD_SIZE <= MAX_PENDING) {
      pending.push(lostRecord(dropped));
      pendingBytes += RECORD_SIZE;
      dropped = 0;
    }
    if (pending.length === 0) return;
    const all = pending.length === 1 ? pending[0] : Buffer.concat(pending);
    pending.length = 0;
    pendingBytes = 0;
    let off = 0;
    while (off < all.length) {
      try {
        off += writeSync(fd, all, off);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN') break;
        broken = true; // the reader is gone (EPIPE): the capture goes on without events
        return;
      }
    }
    if (off < all.length) {
      const rest = all.subarray(off);
      pending.push(rest);
      pendingBytes = rest.length;
    }
  };
  const drain = () => {
    if (!broken) source.ring.consume();
    flush();
  };
  const poller = koffi().node.poll(source.ring.epollFd(), { readable: true }, drain);
  flush();
  return {
    drain,
    close: () => poller.close(),
  };
}
