import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTyped, stringifyTyped } from './typed-json.ts';
import { FlowBatchEncoder } from '../../../src/main/session/flow-batch-encoder.ts';
import { isEngineUpdate } from '../../../src/shared/engine-host-protocol.ts';
import type { EngineUpdate } from '../../../src/shared/ipc.ts';
import { makeRow } from '../../main/session/fake-engine.ts';

test('an EngineUpdate survives the bridge JSON with its Float64Arrays, exactly', () => {
  const rows = new FlowBatchEncoder().encode([makeRow(1, { last_seen: 1_700_000_000.123456, rate_fwd_1s: 1 / 3 }), makeRow(2, { bytes_rev: 2 ** 53 - 1 })], true);
  const u: EngineUpdate = { seq: 4, full: true, rows, removed: [3], stats: { packets: 1 } as EngineUpdate['stats'], ts: 1_700_000_000.5 };
  const back = parseTyped(stringifyTyped(u));
  assert.ok(isEngineUpdate(back), 'the shape main and the renderer expect');
  assert.deepEqual(back, u);
  assert.ok(back.rows.ids instanceof Float64Array && back.rows.counters instanceof Float64Array);
});

test('non-finite numbers in a Float64Array come back; look-alike objects elsewhere are left alone', () => {
  const a = Float64Array.from([NaN, Infinity, -Infinity, -1.5, 0]);
  const back = parseTyped(stringifyTyped({ a, b: { __f64: [1], x: 1 }, c: { __f64: 'no' } })) as { a: Float64Array; b: unknown; c: unknown };
  assert.deepEqual([...back.a], [NaN, Infinity, -Infinity, -1.5, 0]);
  assert.deepEqual(back.b, { __f64: [1], x: 1 });
  assert.deepEqual(back.c, { __f64: 'no' });
  assert.equal(stringifyTyped({ s: 'x' }), JSON.stringify({ s: 'x' }), 'plain JSON otherwise');
});
