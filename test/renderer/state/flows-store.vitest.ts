// @vitest-environment node
import { describe, expect, it, vi } from 'vitest';
import { createFlowsStore, CHANGE_LOG_LENGTH } from '../../../src/renderer/state/flows-store.ts';
import { row, update } from '../fixtures.ts';

function setup() {
  const requestSnapshot = vi.fn();
  const store = createFlowsStore({ requestSnapshot });
  return { store, requestSnapshot, apply: store.getState().applyUpdate };
}

describe('flows store', () => {
  it('a full update replaces the table', () => {
    const { store, apply } = setup();
    apply(update(1, { full: true, upserts: [row({ id: 1 }), row({ id: 2 })] }));
    apply(update(2, { full: true, upserts: [row({ id: 3 })] }));
    expect([...store.getState().rows.keys()]).toEqual([3]);
    expect(store.getState().baseVersion).toBe(store.getState().version);
  });

  it('a delta upserts and removes rows, keeping rows by reference', () => {
    const { store, apply } = setup();
    apply(update(1, { full: true, upserts: [row({ id: 1 }), row({ id: 2 }), row({ id: 3 })] }));
    const slotOf1 = store.getState().rows.slotOfId(1);
    const r2 = row({ id: 2, bytes_fwd: 5 });
    const r4 = row({ id: 4 });
    apply(update(2, { upserts: [r2, r4], removed: [1, 99] }));
    const s = store.getState();
    expect([...s.rows.keys()].sort()).toEqual([2, 3, 4]);
    expect(s.rows.get(2)).toBe(r2);
    expect(s.rows.get(4)).toBe(r4);
    const c = s.changes[s.changes.length - 1];
    // The log names the slots that changed: the two upserted rows, then the one row 1 left empty (99 never existed).
    expect(c.version).toBe(s.version);
    expect(Array.from(c.slots, (slot) => s.rows.rowAt(slot))).toEqual([r2, r4, undefined]);
    expect(c.slots[2]).toBe(slotOf1);
    expect(s.rows.get(1)).toBeUndefined();
  });

  it('bumps version once per update', () => {
    const { store, apply } = setup();
    const v0 = store.getState().version;
    apply(update(1, { full: true }));
    apply(update(2));
    expect(store.getState().version).toBe(v0 + 2);
  });

  it('a seq gap asks for one snapshot, applies the delta, and a full update ends the wait', () => {
    const { store, apply, requestSnapshot } = setup();
    apply(update(1, { full: true, upserts: [row({ id: 1 })] }));
    apply(update(2));
    expect(requestSnapshot).not.toHaveBeenCalled();
    apply(update(5, { upserts: [row({ id: 7 })] }));
    expect(requestSnapshot).toHaveBeenCalledTimes(1);
    expect(store.getState().rows.has(7)).toBe(true);
    apply(update(9));
    expect(requestSnapshot).toHaveBeenCalledTimes(1);
    expect(store.getState().awaitingSnapshot).toBe(true);
    apply(update(10, { full: true, upserts: [row({ id: 8 })] }));
    expect(store.getState().awaitingSnapshot).toBe(false);
    apply(update(12));
    expect(requestSnapshot).toHaveBeenCalledTimes(2);
  });

  it('a first delta without a snapshot, or a seq going backwards, counts as a gap', () => {
    const a = setup();
    a.apply(update(40));
    expect(a.requestSnapshot).toHaveBeenCalledTimes(1);
    const b = setup();
    b.apply(update(10, { full: true }));
    b.apply(update(3));
    expect(b.requestSnapshot).toHaveBeenCalledTimes(1);
  });

  it('keeps a bounded change log', () => {
    const { store, apply } = setup();
    apply(update(1, { full: true }));
    for (let i = 2; i < 40; i++) apply(update(i, { upserts: [row({ id: i })] }));
    const log = store.getState().changes;
    expect(log.length).toBe(CHANGE_LOG_LENGTH);
    expect(log[log.length - 1].version).toBe(store.getState().version);
  });

  it('records the rate history of the tracked flow only when it changes', () => {
    const { store, apply } = setup();
    apply(update(1, { full: true, upserts: [row({ id: 1, rate_rev_1s: 10, rate_fwd_1s: 1 }), row({ id: 2 })] }));
    store.getState().track(1);
    apply(update(2, { upserts: [row({ id: 1, rate_rev_1s: 20, rate_fwd_1s: 2 })] }));
    apply(update(3, { upserts: [row({ id: 2 })] }));
    apply(update(4, { upserts: [row({ id: 1, local: 'dst', rate_rev_1s: 30, rate_fwd_1s: 3 })] }));
    const h = store.getState().history;
    expect(h?.down).toEqual([10, 20, 3]);
    expect(h?.up).toEqual([1, 2, 30]);
    store.getState().track(null);
    expect(store.getState().history).toBeNull();
  });
});
