import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEngine, CaptureFormatError } from '../../src/engine/index.ts';
import { QueuedIngest } from '../../src/engine/queued-ingest.ts';
import { eth, ipv4, pcap, udp } from './capture-fixtures.ts';

/** 400 packets over 40 flows, cut into chunks of 97 bytes. */
function chunks(): Uint8Array[] {
  const bytes = pcap(Array.from({ length: 400 }, (_, i) => ({ ts: 100 + i * 0.01, data: eth(0x0800, ipv4('10.0.0.1', '10.0.0.2', 17, udp(1000 + (i % 40), 53, [i & 255]))) })));
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += 97) out.push(bytes.slice(i, i + 97));
  return out;
}

/** A scheduler the test runs by hand. */
function manual() {
  const jobs: (() => void)[] = [];
  return { schedule: (cb: () => void) => void jobs.push(cb), run: () => jobs.splice(0).forEach((j) => j()), get pending() { return jobs.length; } };
}

test('QueuedIngest: push only queues; the scheduled slices ingest the chunks in order; the flows are the plain engine\'s', () => {
  const plain = createEngine();
  for (const c of chunks()) plain.push(c);
  plain.end();

  const s = manual();
  const q = new QueuedIngest(createEngine(), { schedule: s.schedule, sliceMs: 0 });
  for (const c of chunks()) q.push(c);
  assert.equal(q.stats.packets, 0, 'nothing ingested while the pushes come');
  assert.ok(q.queuedBytes > 0);
  assert.equal(s.pending, 1, 'one slice scheduled, not one per push');
  s.run();
  assert.ok(q.stats.packets > 0 && q.stats.packets < 400, `a slice ingests part of the queue (${q.stats.packets})`);
  while (s.pending > 0) s.run();
  assert.equal(q.queuedBytes, 0);
  assert.equal(q.stats.packets, 400);
  q.end();
  const recs = (e: typeof plain) => [...e.flows()].map((f) => e.toRecord(f)).sort((a, b) => a.id - b.id);
  assert.deepEqual(recs(q), recs(plain));
  assert.equal(q.completeBytes, plain.completeBytes);
});

test('QueuedIngest: end ingests what is still queued', () => {
  const s = manual();
  const q = new QueuedIngest(createEngine(), { schedule: s.schedule });
  for (const c of chunks()) q.push(c);
  q.end();
  assert.equal(q.stats.packets, 400);
  assert.equal(q.queuedBytes, 0);
});

test('QueuedIngest: at the bound the queue is full and pushes stay queued; onRoom once the slices free half of it', () => {
  const s = manual();
  const q = new QueuedIngest(createEngine(), { schedule: s.schedule, sliceMs: 0, maxQueuedBytes: 1000 });
  let rooms = 0;
  q.onRoom(() => rooms++);
  const all = chunks();
  let i = 0;
  while (!q.full) q.push(all[i++]);
  assert.ok(q.queuedBytes >= 1000 && q.queuedBytes < 1000 + 97);
  assert.equal(q.stats.packets, 0, 'a full queue is not ingested at once: the event loop keeps turning');
  while (q.queuedBytes > 500) {
    assert.equal(rooms, 0, 'no room until half the bound is free');
    s.run();
  }
  assert.equal(rooms, 1);
  assert.equal(q.full, false);
  // A caller that reads on past twice the bound has each such push ingested at once: memory stays bounded.
  let most = 0;
  for (; i < all.length; i++) {
    q.push(all[i]);
    most = Math.max(most, q.queuedBytes);
  }
  assert.ok(most <= 2000, `at most twice the bound waits (${most})`);
  q.end();
  assert.equal(q.stats.packets, 400);
});

test('QueuedIngest: a corrupt queued chunk is thrown by the next push or by end, and `failure` tells it', () => {
  const good = chunks();
  const bad = Uint8Array.from(good[3]);
  // Record 2's header starts in chunk 1: an absurd capture length there corrupts the stream at chunk 3's turn.
  const whole = new Uint8Array(good.reduce((n, c) => n + c.length, 0));
  let o = 0;
  for (const c of good) {
    whole.set(c, o);
    o += c.length;
  }
  whole.fill(0xff, 24 + 8, 24 + 12);
  const s = manual();
  const q = new QueuedIngest(createEngine(), { schedule: s.schedule });
  const failure = (x: QueuedIngest): unknown => x.failure;
  q.push(whole.subarray(0, 200));
  assert.equal(failure(q), null, 'nothing ingested yet');
  s.run();
  assert.ok(failure(q) instanceof CaptureFormatError);
  assert.throws(() => q.push(bad), CaptureFormatError);

  const e = new QueuedIngest(createEngine(), { schedule: manual().schedule });
  e.push(whole.subarray(0, 200));
  assert.throws(() => e.end(), CaptureFormatError);
  assert.ok(e.failure instanceof CaptureFormatError, 'end was the first to meet it: failure says it was a queued chunk');
});

test('QueuedIngest: afterIngested runs at its point of the stream, before later chunks are ingested; at once when nothing waits', () => {
  const s = manual();
  const q = new QueuedIngest(createEngine(), { schedule: s.schedule, sliceMs: 0 });
  const seen: Array<[string, number]> = [];
  q.afterIngested(() => seen.push(['empty', q.completeBytes]));
  assert.deepEqual(seen, [['empty', 0]], 'nothing queued: at once');
  const cs = chunks();
  let pushed = 0;
  for (const [i, c] of cs.entries()) {
    q.push(c);
    pushed += c.length;
    if (i === 10) {
      const at = pushed;
      q.afterIngested(() => seen.push(['mark', q.completeBytes, q.stats.packets, at] as unknown as [string, number]));
    }
  }
  assert.equal(seen.length, 1, 'queued behind the chunks before it');
  while (s.pending > 0) s.run();
  const plain = createEngine();
  for (const c of cs.slice(0, 11)) plain.push(c);
  assert.deepEqual(seen[1], ['mark', plain.completeBytes, plain.stats.packets, cs.slice(0, 11).reduce((n, c) => n + c.length, 0)], "the engine's state as of the point it was queued at");
});

test('QueuedIngest: a failing queued chunk is told to onFailure listeners at once, and runs the callbacks still due', () => {
  const good = chunks();
  // The first record's capture length made absurd: the stream is corrupt by its 200th byte.
  const bad = Uint8Array.from([...good[0], ...good[1], ...good[2]].slice(0, 200));
  bad.fill(0xff, 24 + 8, 24 + 12);
  const s = manual();
  const q = new QueuedIngest(createEngine(), { schedule: s.schedule, sliceMs: 0 });
  const told: unknown[] = [];
  q.onFailure((e) => told.push(e));
  let due = 0;
  q.push(bad);
  q.afterIngested(() => due++);
  q.push(good[3]);
  assert.equal(due, 0);
  while (s.pending > 0) s.run();
  assert.equal(told.length, 1);
  assert.ok(told[0] instanceof CaptureFormatError);
  assert.equal(due, 1, 'the callback behind the failed chunk ran');
  assert.equal(q.queuedBytes, 0);
});
