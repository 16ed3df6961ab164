import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FlowBatchEncoder } from '../../../src/main/session/flow-batch-encoder.ts';
import { COUNTER_COUNT, batchRows, type FlowBatch, type FlowText } from '../../../src/shared/flow-update.ts';
import type { FlowRow } from '../../../src/shared/flow.ts';
import { makeRow } from './fake-engine.ts';

const textIds = (b: FlowBatch) => b.texts.map((t) => t.id);

/** A receiver as the contract describes it: texts per id, kept until the flow is removed or a full update comes. */
class Receiver {
  readonly known = new Map<number, FlowText>();
  apply(b: FlowBatch, full: boolean, removed: readonly number[] = []): FlowRow[] {
    if (full) this.known.clear();
    const rows = batchRows(b, this.known);
    for (const t of b.texts) this.known.set(t.id, t);
    for (const id of removed) this.known.delete(id);
    return rows;
  }
}

test('a full batch carries every id, its counters and every text, in arrays of exactly the rows', () => {
  const enc = new FlowBatchEncoder();
  const rows = [makeRow(3, { packets_fwd: 5, bytes_rev: 77 }), makeRow(1), makeRow(2, { last_seen: 1234.5 })];
  const b = enc.encode(rows, true);
  assert.deepEqual([...b.ids], [3, 1, 2]);
  assert.deepEqual(textIds(b), [3, 1, 2]);
  assert.ok(b.ids instanceof Float64Array && b.counters instanceof Float64Array);
  assert.equal(b.counters.length, 3 * COUNTER_COUNT);
  // Not views into a larger buffer: a structured clone would copy all of it.
  assert.equal(b.ids.buffer.byteLength, b.ids.byteLength);
  assert.equal(b.counters.buffer.byteLength, b.counters.byteLength);
  assert.deepEqual(new Receiver().apply(b, true), rows);
  assert.equal(enc.size, 3);
});

test('a delta whose flows kept their text sends no text, only ids and counters', () => {
  const enc = new FlowBatchEncoder();
  const rx = new Receiver();
  rx.apply(enc.encode([makeRow(1), makeRow(2)], true), true);
  // Fresh objects and fresh lists, as the engine makes them: same text by value.
  const next = [makeRow(2, { packets_fwd: 9, bytes_fwd: 900, last_seen: 1001, rate_fwd_1s: 90 }), makeRow(1, { packets_rev: 4 })];
  const b = enc.encode(next, false);
  assert.deepEqual(b.texts, []);
  assert.deepEqual([...b.ids], [2, 1]);
  assert.deepEqual(rx.apply(b, false), next, 'the receiver rebuilds the rows from its known texts');
});

test('a delta sends the text of exactly the flows whose state, host, process or a list changed', () => {
  const changes: [string, Partial<FlowRow>][] = [
    ['state', { state: 'closed' }],
    ['host', { host: 'other.example' }],
    ['process', { pid: 77, process: 'curl', exe: '/usr/bin/curl', user: 'alice' }],
    ['dns list', { dns_queries: ['a.example'] }],
    ['dns answers', { dns_answers: ['192.0.2.9'] }],
    ['alpn', { alpn: ['h2'] }],
  ];
  for (const [what, change] of changes) {
    const enc = new FlowBatchEncoder();
    const rx = new Receiver();
    rx.apply(enc.encode([makeRow(1), makeRow(2), makeRow(3)], true), true);
    const next = [makeRow(1, { packets_fwd: 1 }), makeRow(2, { packets_fwd: 1, ...change }), makeRow(3, { packets_fwd: 1 })];
    const b = enc.encode(next, false);
    assert.deepEqual(textIds(b), [2], what);
    assert.deepEqual(rx.apply(b, false), next, what);
    // Sent once: the same text again is not resent.
    assert.deepEqual(enc.encode([makeRow(2, { packets_fwd: 2, ...change })], false).texts, [], `${what}, unchanged since`);
  }
});

test('a new flow in a delta sends its text; a removed flow that comes back sends it again', () => {
  const enc = new FlowBatchEncoder();
  enc.encode([makeRow(1)], true);
  assert.deepEqual(textIds(enc.encode([makeRow(1), makeRow(2)], false)), [2], 'new since the full update');
  enc.forget([2]);
  assert.equal(enc.size, 1, 'a removed flow is forgotten');
  assert.deepEqual(textIds(enc.encode([makeRow(2)], false)), [2], 'back after removal: text again');
  assert.deepEqual(textIds(enc.encode([makeRow(2)], false)), [], 'and only once');
  enc.forget([99]);
  assert.equal(enc.size, 2, 'forgetting an unknown id is harmless');
});

test('a full batch after deltas starts over: every text again, and flows gone since are not remembered', () => {
  const enc = new FlowBatchEncoder();
  enc.encode([makeRow(1), makeRow(2), makeRow(3)], true);
  enc.encode([makeRow(1, { packets_fwd: 3 })], false);
  const b = enc.encode([makeRow(1), makeRow(3)], true);
  assert.deepEqual(textIds(b), [1, 3]);
  assert.equal(enc.size, 2);
  assert.deepEqual(textIds(enc.encode([makeRow(2)], false)), [2], 'flow 2 was not in the full update');
});

test('an empty batch is valid', () => {
  const b = new FlowBatchEncoder().encode([], false);
  assert.deepEqual([b.ids.length, b.counters.length, b.texts.length], [0, 0, 0]);
});

test('counters round-trip through batchRows over a long random stream, with text changes and removals', () => {
  // A deterministic generator, so a failure reproduces.
  let seed = 12345;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return seed % n;
  };
  const STATES = ['syn_sent', 'established', 'closing', 'closed', 'reset'] as const;
  const live = new Map<number, FlowRow>();
  const enc = new FlowBatchEncoder();
  const rx = new Receiver();
  const table = new Map<number, FlowRow>();
  let nextId = 1;
  let sentTexts = 0;
  for (let step = 0; step < 400; step++) {
    const full = step % 97 === 0;
    const removed: number[] = [];
    const changed = new Set<number>();
    for (let k = 0; k < 5; k++) {
      const op = rand(10);
      if (op < 2 || live.size === 0) {
        const r = makeRow(nextId++, { first_seen: 1000 + step });
        live.set(r.id, r);
        changed.add(r.id);
      } else {
        const ids = [...live.keys()];
        const id = ids[rand(ids.length)];
        const r = live.get(id)!;
        if (op === 2) {
          live.delete(id);
          changed.delete(id);
          removed.push(id);
          continue;
        }
        // Fresh lists on every change, as the engine's toRow makes them.
        const next: FlowRow = { ...r, dns_queries: [...r.dns_queries], alpn: [...r.alpn], dns_answers: [...r.dns_answers] };
        next.packets_fwd += 1 + rand(5);
        next.bytes_fwd += 100 * (1 + rand(5));
        next.bytes_rev += rand(3) * 1500;
        next.last_seen = 1000 + step + rand(1000) / 1000;
        next.rate_fwd_1s = rand(1_000_000) / 7;
        next.rate_rev_10s = rand(1_000_000) / 3;
        if (op === 3) next.state = STATES[rand(STATES.length)];
        if (op === 4) next.dns_answers = [...next.dns_answers, `192.0.2.${rand(255)}`];
        if (op === 5) next.host = rand(2) ? null : `h${rand(50)}.example`;
        live.set(id, next);
        changed.add(id);
      }
    }
    const rows = full ? [...live.values()] : [...changed].map((id) => live.get(id)!);
    const b = enc.encode(rows, full);
    enc.forget(removed);
    sentTexts += b.texts.length;
    if (full) table.clear();
    for (const r of rx.apply(b, full, removed)) table.set(r.id, r);
    for (const id of removed) table.delete(id);
    assert.deepEqual(table, live, `step ${step}`);
  }
  assert.ok(sentTexts < 400 * 5, `texts are sent only when needed (${sentTexts})`);
  assert.equal(enc.size, live.size, 'no text kept for a removed flow');
});
