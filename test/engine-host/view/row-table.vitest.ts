// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { RowTable } from '../../../src/engine-host/view/row-table.ts';
import { totalBytesAt, downRateAt } from '../../../src/shared/flows/endpoints.ts';
import { C } from '../../../src/shared/flow-update.ts';
import type { FlowRow } from '../../../src/shared/flow.ts';
import { row } from '../../shared/fixtures.ts';

/** Applies one row; returns its slot. */
const put = (t: RowTable, r: FlowRow): number => t.applyRows([r]).counters[0];

describe('row table', () => {
  it('is a read-only Map by id in arrival order, with stable slots', () => {
    const t = new RowTable();
    const a = row({ id: 5 });
    const b = row({ id: 2 });
    expect(put(t, a)).toBe(0);
    expect(put(t, b)).toBe(1);
    const a2 = row({ id: 5, bytes_fwd: 1 });
    expect(put(t, a2)).toBe(0);
    expect(t.get(5)).toEqual(a2);
    expect(t.rowAt(0)).toBe(t.get(5));
    expect([...t.keys()]).toEqual([5, 2]);
    expect([...t.values()]).toEqual([a2, b]);
    expect([...t]).toEqual([[5, a2], [2, b]]);
    expect(t.size).toBe(2);
    expect(t.delete(5)).toBe(0);
    expect(t.delete(5)).toBe(-1);
    expect(t.rowAt(0)).toBeUndefined();
    expect(t.textAt(0)).toBeUndefined();
    expect(t.has(5)).toBe(false);
    // A returning id is new: it gets a new slot at the end.
    expect(put(t, row({ id: 5 }))).toBe(2);
    expect([...t.keys()]).toEqual([2, 5]);
  });

  it('applies changed rows: a new text only when the text changed, counters always', () => {
    const t = new RowTable();
    const r = t.applyRows([row({ id: 1 }), row({ id: 2 })]);
    expect(Array.from(r.texts)).toEqual([0, 1]);
    expect(Array.from(r.counters)).toEqual([0, 1]);
    const text1 = t.textAt(0);
    const text2 = t.textAt(1);
    const epoch1 = t.epoch;
    // Flow 2: counters only (a fresh row object with equal text); flow 3: new.
    const r2 = t.applyRows([row({ id: 2, bytes_rev: 4, rate_fwd_1s: 7 }), row({ id: 3 })]);
    expect(Array.from(r2.counters)).toEqual([1, 2]);
    expect(Array.from(r2.texts)).toEqual([2]);
    expect(t.textAt(1)).toBe(text2);
    expect(t.get(2)).toEqual(row({ id: 2, bytes_rev: 4, rate_fwd_1s: 7 }));
    expect(t.stampAt(1)).toBe(t.epoch);
    expect(t.stampAt(0)).toBe(epoch1);
    // A changed text field (a list element included) replaces the text.
    const r3 = t.applyRows([row({ id: 1, state: 'closed' }), row({ id: 3, dns_queries: ['a.example'] })]);
    expect(Array.from(r3.texts)).toEqual([0, 2]);
    expect(t.textAt(0)).not.toBe(text1);
    expect(t.get(1)?.state).toBe('closed');
    expect(t.get(3)?.dns_queries).toEqual(['a.example']);
  });

  it('writes changed slots into a recycled buffer when it is large enough', () => {
    const t = new RowTable();
    const buf = new Int32Array(8);
    const r = t.applyRows([row({ id: 1 }), row({ id: 2 }), row({ id: 1, state: 'closed' })], buf);
    expect(r.counters.buffer).toBe(buf.buffer);
    expect(r.texts.buffer).toBe(buf.buffer);
    expect(Array.from(r.counters)).toEqual([0, 1, 0]);
    expect(Array.from(r.texts)).toEqual([0, 1, 0]);
    const small = new Int32Array(3);
    const r2 = t.applyRows([row({ id: 1 }), row({ id: 2 })], small);
    expect(r2.counters.buffer).not.toBe(small.buffer);
    expect(Array.from(r2.counters)).toEqual([0, 1]);
  });

  it('keeps the sort key of each slot as counters and texts arrive, and recomputes it when the key changes', () => {
    const t = new RowTable();
    put(t, row({ id: 1, bytes_fwd: 10, bytes_rev: 1 }));
    t.useSortKey(totalBytesAt);
    expect(t.sortKeyAt(0)).toBe(11);
    for (let i = 2; i < 3000; i++) put(t, row({ id: i, bytes_fwd: i, bytes_rev: 0 }));
    expect(t.sortKeyAt(2998)).toBe(2999);
    t.applyRows([row({ id: 1, bytes_fwd: 7, bytes_rev: 0 })]);
    expect(t.sortKeyAt(0)).toBe(7);
    t.useSortKey((c, o) => c[o + C.last_seen]);
    expect(t.sortKeyAt(0)).toBe(row({ id: 1 }).last_seen);
    // ↓ rate reads `local` from the text: a new text alone moves the key.
    t.useSortKey(downRateAt);
    expect(t.sortKeyAt(0)).toBe(2000);
    t.applyRows([row({ id: 1, local: 'dst', bytes_fwd: 7, bytes_rev: 0 })]);
    expect(t.sortKeyAt(0)).toBe(100);
  });

  it('compacts after many removals, keeping order, lookups, numbers, sort keys and built rows', () => {
    const t = new RowTable();
    t.useSortKey((c, o) => c[o + C.bytes_fwd]);
    for (let i = 1; i <= 20_000; i++) put(t, row({ id: i, bytes_fwd: i * 2 }));
    const r20k = t.get(20_000);
    for (let i = 1; i <= 15_000; i++) t.delete(i);
    expect(t.compactIfSparse()).toBe(true);
    expect(t.slotCount).toBe(5000);
    expect(t.size).toBe(5000);
    expect([...t.keys()].slice(0, 3)).toEqual([15_001, 15_002, 15_003]);
    expect(t.slotOfId(15_001)).toBe(0);
    expect(t.get(15_001)).toEqual(row({ id: 15_001, bytes_fwd: 30_002 }));
    expect(t.get(20_000)).toBe(r20k);
    expect(t.sortKeyAt(t.slotOfId(20_000))).toBe(40_000);
    expect(t.compactIfSparse()).toBe(false);
    // New flows after compaction go after the kept ones.
    expect(put(t, row({ id: 30_000 }))).toBe(5000);
  });

  it("a cleared table hands out slots from 0 again, with only the new flows' numbers", () => {
    const t = new RowTable();
    t.useSortKey(totalBytesAt);
    put(t, row({ id: 1, packets_fwd: 99, bytes_fwd: 50, bytes_rev: 50 }));
    const old = t.get(1);
    t.clear();
    expect(t.size).toBe(0);
    expect(t.get(1)).toBeUndefined();
    t.applyRows([row({ id: 2, packets_fwd: 3, bytes_fwd: 1, bytes_rev: 1 })]);
    expect(t.slotOfId(2)).toBe(0);
    expect(t.get(2)).toEqual(row({ id: 2, packets_fwd: 3, bytes_fwd: 1, bytes_rev: 1 }));
    expect(t.get(2)).not.toBe(old);
    expect(t.sortKeyAt(0)).toBe(2);
  });
});
