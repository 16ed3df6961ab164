/**
 * The helper's side of the socket-event ring (src/privileged-helper/socket-events-stream.ts) over a ring laid out in
 * ordinary memory as the kernel lays it out (record headers with busy and discard bits, data mapped twice so a
 * record never wraps): what it copies, where it stops, the consumer position it publishes, what it does when its
 * buffer is full, and that a quiet ring is still delivered by the drain timer without a wakeup.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, readSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { HEADER_SIZE, RECORD, RECORD_SIZE, SocketEventKind } from '../../src/shared/socket-events.ts';
import { DRAIN_INTERVAL_MS, PendingEvents, RingReader, startSocketEvents } from '../../src/privileged-helper/socket-events-stream.ts';
import type { RingMemory } from '../../src/privileged-helper/native/libbpf.ts';

const BUSY = 0x80000000;
const DISCARD = 0x40000000;
const SIZE = 4096;

/** A ring in plain memory, written as the kernel's producer writes it. */
class FakeRing {
  readonly memory: RingMemory = {
    consumer: new BigUint64Array(1),
    producer: new BigUint64Array(1),
    data: new Uint8Array(2 * SIZE),
    size: SIZE,
  };
  private writePos = 0;

  private put(pos: number, bytes: Uint8Array): void {
    const d = this.memory.data;
    for (let k = 0; k < bytes.length; k++) {
      const j = (pos % SIZE) + k;
      d[j] = bytes[k];
      d[j >= SIZE ? j - SIZE : j + SIZE] = bytes[k];
    }
  }

  /** Reserves and fills a record; returns its position (for commit). */
  write(payload: Uint8Array, flags = 0): number {
    const pos = this.writePos;
    const header = new Uint8Array(8);
    new DataView(header.buffer).setUint32(0, (payload.length | flags) >>> 0, true);
    this.put(pos, header);
    this.put(pos + 8, payload);
    this.writePos += (payload.length + 8 + 7) & ~7;
    this.memory.producer[0] = BigInt(this.writePos);
    return pos;
  }

  /** Clears the busy bit of the record at `pos` (the program's submit). */
  commit(pos: number, len: number): void {
    const header = new Uint8Array(4);
    new DataView(header.buffer).setUint32(0, len, true);
    this.put(pos, header);
  }
}

/** A record whose every byte says which one it is. */
const record = (n: number) => new Uint8Array(RECORD_SIZE).fill(n);

function records(p: PendingEvents): number[] {
  const out: number[] = [];
  for (let off = 0; off < p.length; off += RECORD_SIZE) {
    const r = p.bytes.subarray(off, off + RECORD_SIZE);
    assert.ok(r.every((b) => b === r[0]), `record at ${off} copied whole`);
    out.push(r[0]);
  }
  return out;
}

describe('socket-event ring reader', () => {
  test('copies committed records in order across the wrap, skips discarded and foreign-sized ones, stops at a busy one', () => {
    const ring = new FakeRing();
    const reader = new RingReader(ring.memory);
    const pending = new PendingEvents(1 << 16);
    for (let i = 1; i <= 40; i++) ring.write(record(i));
    assert.equal(reader.readInto(pending), 40);
    assert.deepEqual(records(pending), Array.from({ length: 40 }, (_, i) => i + 1));
    assert.equal(ring.memory.consumer[0], ring.memory.producer[0], 'the consumer position is published');

    pending.consumed(pending.length);
    ring.write(record(41));
    ring.write(record(99), DISCARD);
    ring.write(new Uint8Array(16).fill(98)); // not a record of this format
    for (let i = 42; i <= 60; i++) ring.write(record(i)); // these cross the end of the data area
    const busy = ring.write(record(61), BUSY);
    ring.write(record(62));
    assert.equal(reader.readInto(pending), 20);
    assert.deepEqual(records(pending), Array.from({ length: 20 }, (_, i) => i + 41));
    assert.equal(Number(ring.memory.consumer[0]), busy, 'stops at the record still being written');

    pending.consumed(pending.length);
    ring.commit(busy, RECORD_SIZE);
    assert.equal(reader.readInto(pending), 2);
    assert.deepEqual(records(pending), [61, 62]);
    assert.equal(reader.readInto(pending), 0, 'nothing new');
  });

  test('a header longer than the ring stops reading for good', () => {
    const ring = new FakeRing();
    const reader = new RingReader(ring.memory);
    const pending = new PendingEvents(1 << 16);
    ring.write(record(1));
    const bad = ring.write(record(2));
    ring.commit(bad, SIZE);
    assert.equal(reader.readInto(pending), 1);
    assert.equal(reader.broken, true);
    ring.write(record(3));
    assert.equal(reader.readInto(pending), 0);
  });

  test('a full buffer counts what found no room and reports it as one lost record; a partial write keeps the rest', () => {
    const ring = new FakeRing();
    const reader = new RingReader(ring.memory);
    const pending = new PendingEvents(3 * RECORD_SIZE + 10);
    for (let i = 1; i <= 5; i++) ring.write(record(i));
    assert.equal(reader.readInto(pending), 5, 'all are taken from the ring');
    assert.equal(pending.length, 3 * RECORD_SIZE);
    assert.equal(pending.dropped, 2);
    pending.reportDropped();
    assert.equal(pending.length, 3 * RECORD_SIZE, 'no room for the lost record yet');

    pending.consumed(RECORD_SIZE + 5); // a write that stopped mid-record
    assert.equal(pending.length, 2 * RECORD_SIZE - 5);
    pending.reportDropped();
    const lost = pending.bytes.subarray(pending.length - RECORD_SIZE, pending.length);
    assert.equal(lost[RECORD.kind], SocketEventKind.lost);
    assert.equal(lost.readUInt32LE(RECORD.pid), 2);
    assert.equal(pending.dropped, 0);
    assert.ok(pending.bytes.subarray(0, RECORD_SIZE - 5).every((b) => b === 2), 'the cut record waits first');
    assert.ok(pending.bytes.subarray(RECORD_SIZE - 5, 2 * RECORD_SIZE - 5).every((b) => b === 3));

    pending.consumed(pending.length - 3); // leaves an unaligned length for the next copy
    ring.write(record(7));
    assert.equal(reader.readInto(pending), 1);
    assert.ok(pending.bytes.subarray(3, 3 + RECORD_SIZE).every((b) => b === 7), 'copied whole at an odd offset');
  });
});

describe('socket-event stream', () => {
  test('a quiet ring (no wakeup) is delivered by the drain timer, after the header', async (t) => {
    const { koffi } = await import('../../src/privileged-helper/native/koffi.ts');
    const k = koffi();
    const pipe2 = k.load('libc.so.6').func('int pipe2(_Out_ int *fds, int flags)') as (fds: number[], flags: number) => number;
    const O_NONBLOCK = 0o4000;
    const wake = [0, 0];
    const out = [0, 0];
    assert.equal(pipe2(wake, O_NONBLOCK), 0);
    assert.equal(pipe2(out, O_NONBLOCK), 0);
    t.after(() => [...wake, ...out].forEach((fd) => closeSync(fd)));

    const ring = new FakeRing();
    const stream = startSocketEvents({ fd: wake[0], memory: ring.memory }, { monotonicNs: 1n, realtimeNs: 2n }, out[1]);
    t.after(() => stream.close());
    const buf = Buffer.alloc(4096);
    assert.equal(readSync(out[0], buf), HEADER_SIZE, 'the header is written at once');
    ring.write(record(5));
    ring.write(record(6));
    await sleep(DRAIN_INTERVAL_MS * 3);
    const n = readSync(out[0], buf);
    assert.equal(n, 2 * RECORD_SIZE);
    assert.ok(buf.subarray(0, RECORD_SIZE).every((b) => b === 5));
    assert.ok(buf.subarray(RECORD_SIZE, n).every((b) => b === 6));
  });
});
