// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { RowTable } from '../../../src/renderer/state/row-table.ts';
import { totalBytes } from '../../../src/renderer/flows/endpoints.ts';
import { row } from '../fixtures.ts';

describe('row table', () => {
  it('is a read-only Map by id in arrival order, with stable slots', () => {
    const t = new RowTable();
    const a = row({ id: 5 });
    const b = row({ id: 2 });
    expect(t.set(a)).toBe(0);
    expect(t.set(b)).toBe(1);
    const a2 = row({ id: 5, bytes_fwd: 1 });
    expect(t.set(a2)).toBe(0);
    expect(t.get(5)).toBe(a2);
    expect(t.rowAt(0)).toBe(a2);
    expect([...t.keys()]).toEqual([5, 2]);
    expect([...t.values()]).toEqual([a2, b]);
    expect([...t]).toEqual([[5, a2], [2, b]]);
    expect(t.size).toBe(2);
    expect(t.delete(5)).toBe(0);
    expect(t.delete(5)).toBe(-1);
    expect(t.rowAt(0)).toBeUndefined();
    expect(t.has(5)).toBe(false);
    // A returning id is new: it gets a new slot at the end.
    expect(t.set(row({ id: 5 }))).toBe(2);
    expect([...t.keys()]).toEqual([2, 5]);
  });

  it('keeps the sort key of each slot as rows arrive, and recomputes it when the key changes', () => {
    const t = new RowTable();
    t.set(row({ id: 1, bytes_fwd: 10, bytes_rev: 1 }));
    t.useSortKey(totalBytes);
    expect(t.sortKeyAt(0)).toBe(11);
    for (let i = 2; i < 3000; i++) t.set(row({ id: i, bytes_fwd: i, bytes_rev: 0 }));
    expect(t.sortKeyAt(2998)).toBe(2999);
    t.set(row({ id: 1, bytes_fwd: 7, bytes_rev: 0 }));
    expect(t.sortKeyAt(0)).toBe(7);
    t.useSortKey((r) => r.last_seen);
    expect(t.sortKeyAt(0)).toBe(row({ id: 1 }).last_seen);
  });

  it('compacts after many removals, keeping order, lookups and sort keys', () => {
    const t = new RowTable();
    t.useSortKey((r) => r.bytes_fwd);
    for (let i = 1; i <= 20_000; i++) t.set(row({ id: i, bytes_fwd: i * 2 }));
    for (let i = 1; i <= 15_000; i++) t.delete(i);
    expect(t.compactIfSparse()).toBe(true);
    expect(t.slotCount).toBe(5000);
    expect(t.size).toBe(5000);
    expect([...t.keys()].slice(0, 3)).toEqual([15_001, 15_002, 15_003]);
    expect(t.slotOfId(15_001)).toBe(0);
    expect(t.get(20_000)?.id).toBe(20_000);
    expect(t.sortKeyAt(t.slotOfId(20_000))).toBe(40_000);
    expect(t.compactIfSparse()).toBe(false);
  });
});
