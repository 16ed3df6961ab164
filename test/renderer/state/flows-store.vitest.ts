// @vitest-environment node
import { describe, expect, it, vi } from 'vitest';
import { createFlowsStore, CHANGE_LOG_LENGTH } from '../../../src/renderer/state/flows-store.ts';
import { textOf } from '../../../src/shared/flow-update.ts';
import { batch, row, update, type KnownTexts } from '../fixtures.ts';

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
    expect(store.getState().rows.get(3)).toEqual(row({ id: 3 }));
    expect(store.getState().baseVersion).toBe(store.getState().version);
  });

  it('a full update resets counters of a slot reused after it', () => {
    const { store, apply } = setup();
    apply(update(1, { full: true, upserts: [row({ id: 1, bytes_fwd: 77 })] }));
    // A text whose counters are not in the batch (not what the engine sends) starts from zero, not from the old row.
    apply(update(2, { full: true, rows: { ids: new Float64Array(0), counters: new Float64Array(0), texts: [textOf(row({ id: 2 }))] } }));
    expect(store.getState().rows.get(2)?.bytes_fwd).toBe(0);
  });

  it('a delta adds, updates and removes rows, and logs counter and text changes apart', () => {
    const { store, apply } = setup();
    const known: KnownTexts = new Map();
    apply(update(1, { full: true, upserts: [row({ id: 1 }), row({ id: 2 }), row({ id: 3 })], known }));
    const s0 = store.getState();
    const slotOf = (id: number) => s0.rows.slotOfId(id);
    const [slot1, slot2, slot3] = [slotOf(1), slotOf(2), slotOf(3)];
    // 2: counters only; 3: a new state (text); 4: new; 1 and 99 (never seen) removed.
    const u = update(2, { upserts: [row({ id: 2, bytes_fwd: 5 }), row({ id: 3, state: 'closed' }), row({ id: 4 })], removed: [1, 99], known });
    expect(u.rows.texts.map((t) => t.id)).toEqual([3, 4]);
    apply(u);
    const s = store.getState();
    expect([...s.rows.keys()].sort()).toEqual([2, 3, 4]);
    expect(s.rows.get(2)).toEqual(row({ id: 2, bytes_fwd: 5 }));
    expect(s.rows.get(3)).toEqual(row({ id: 3, state: 'closed' }));
    expect(s.rows.get(4)).toEqual(row({ id: 4 }));
    expect(s.rows.get(1)).toBeUndefined();
    const c = s.changes[s.changes.length - 1];
    expect(c.version).toBe(s.version);
    expect(Array.from(c.counters)).toEqual([slot2, slot3, slotOf(4)]);
    // New texts in batch order, then the slot row 1 left empty (99 never existed).
    expect(Array.from(c.texts)).toEqual([slot3, slotOf(4), slot1]);
    expect(s.rows.textAt(slot1)).toBeUndefined();
  });

  it('a counters-only delta keeps each text object and copies the numbers', () => {
    const { store, apply } = setup();
    const known: KnownTexts = new Map();
    const rows = Array.from({ length: 50 }, (_, i) => row({ id: i + 1 }));
    apply(update(1, { full: true, upserts: rows, known }));
    const t = store.getState().rows;
    const texts = rows.map((r) => t.textAt(t.slotOfId(r.id)));
    const u = update(2, { upserts: rows.map((r) => ({ ...r, bytes_rev: r.id * 3, rate_rev_1s: r.id, last_seen: r.last_seen + 1 })), known });
    expect(u.rows.texts).toEqual([]);
    apply(u);
    rows.forEach((r, i) => {
      const slot = t.slotOfId(r.id);
      expect(t.textAt(slot)).toBe(texts[i]);
      expect(t.rowAt(slot)).toEqual({ ...r, bytes_rev: r.id * 3, rate_rev_1s: r.id, last_seen: r.last_seen + 1 });
    });
    expect(store.getState().changes.at(-1)?.texts.length).toBe(0);
  });

  it('copies counters right when flows arrive out of slot order or repeat', () => {
    const { store, apply } = setup();
    const known: KnownTexts = new Map();
    apply(update(1, { full: true, upserts: Array.from({ length: 20 }, (_, i) => row({ id: i + 1 })), known }));
    const order = [5, 6, 7, 1, 2, 19, 20, 3, 3, 10];
    apply(update(2, { upserts: order.map((id, k) => row({ id, packets_fwd: 1000 + k })), known }));
    const t = store.getState().rows;
    expect(t.get(5)?.packets_fwd).toBe(1000);
    expect(t.get(20)?.packets_fwd).toBe(1006);
    expect(t.get(3)?.packets_fwd).toBe(1008); // the later copy wins
    expect(t.get(10)?.packets_fwd).toBe(1009);
    expect(t.get(4)?.packets_fwd).toBe(row({ id: 4 }).packets_fwd);
  });

  it('a materialised row stays the same object until its flow changes', () => {
    const { store, apply } = setup();
    const known: KnownTexts = new Map();
    apply(update(1, { full: true, upserts: [row({ id: 1 }), row({ id: 2 })], known }));
    const t = store.getState().rows;
    const r1 = t.get(1);
    const r2 = t.get(2);
    expect(t.get(1)).toBe(r1);
    apply(update(2, { upserts: [row({ id: 2, bytes_fwd: 1 })], known }));
    expect(t.get(1)).toBe(r1);
    const r2b = t.get(2);
    expect(r2b).not.toBe(r2);
    expect(r2b?.bytes_fwd).toBe(1);
    expect(t.get(2)).toBe(r2b);
    apply(update(3, { upserts: [row({ id: 1, process: 'curl' })], known }));
    expect(t.get(1)).not.toBe(r1);
    expect(t.get(1)?.process).toBe('curl');
    expect(t.get(2)).toBe(r2b);
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

  it('skips ids with no known text and asks for a snapshot once', () => {
    const { store, apply, requestSnapshot } = setup();
    apply(update(1, { full: true, upserts: [row({ id: 1 })] }));
    // Counters of flow 2 without its text: the update that introduced it was missed.
    const known: KnownTexts = new Map([[2, textOf(row({ id: 2 }))]]);
    apply(update(2, { rows: batch([row({ id: 1, bytes_fwd: 3 }), row({ id: 2 })], known) }));
    const s = store.getState();
    expect(s.rows.has(2)).toBe(false);
    expect(s.rows.get(1)?.bytes_fwd).toBe(3);
    expect(Array.from(s.changes.at(-1)?.counters ?? [])).toEqual([s.rows.slotOfId(1)]);
    expect(requestSnapshot).toHaveBeenCalledTimes(1);
    expect(s.awaitingSnapshot).toBe(true);
    apply(update(3, { rows: batch([row({ id: 2 })], known) }));
    expect(requestSnapshot).toHaveBeenCalledTimes(1);
    apply(update(4, { full: true, upserts: [row({ id: 1 }), row({ id: 2 })] }));
    expect(store.getState().rows.has(2)).toBe(true);
    expect(store.getState().awaitingSnapshot).toBe(false);
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

  it('compacts after many removals: slots renumbered, rows and their numbers kept, views told to rebuild', () => {
    const { store, apply } = setup();
    const known: KnownTexts = new Map();
    const n = 10_000;
    apply(update(1, { full: true, upserts: Array.from({ length: n }, (_, i) => row({ id: i + 1, bytes_fwd: i })), known }));
    apply(update(2, { removed: Array.from({ length: 8000 }, (_, i) => i + 1), known }));
    const s = store.getState();
    expect(s.baseVersion).toBe(s.version);
    expect(s.changes).toEqual([]);
    expect(s.rows.slotCount).toBe(2000);
    expect(s.rows.slotOfId(8001)).toBe(0);
    expect(s.rows.get(9000)).toEqual(row({ id: 9000, bytes_fwd: 8999 }));
    apply(update(3, { upserts: [row({ id: 9000, bytes_fwd: 1 })], known }));
    expect(store.getState().rows.get(9000)?.bytes_fwd).toBe(1);
    expect(store.getState().rows.slotOfId(9000)).toBe(999);
  });

  it('records the rate history of the tracked flow only when an update carries it', () => {
    const { store, apply } = setup();
    const known: KnownTexts = new Map();
    apply(update(1, { full: true, upserts: [row({ id: 1, rate_rev_1s: 10, rate_fwd_1s: 1 }), row({ id: 2 })], known }));
    store.getState().track(1);
    apply(update(2, { upserts: [row({ id: 1, rate_rev_1s: 20, rate_fwd_1s: 2 })], known }));
    apply(update(3, { upserts: [row({ id: 2 })], known }));
    // A text change (local) comes with the counters: ↓ is now the fwd rate.
    apply(update(4, { upserts: [row({ id: 1, local: 'dst', rate_rev_1s: 30, rate_fwd_1s: 3 })], known }));
    apply(update(5, { full: true, upserts: [row({ id: 1, local: 'dst', rate_rev_1s: 40, rate_fwd_1s: 4 })], known }));
    const h = store.getState().history;
    expect(h?.down).toEqual([10, 20, 3, 4]);
    expect(h?.up).toEqual([1, 2, 30, 40]);
    store.getState().track(null);
    expect(store.getState().history).toBeNull();
  });
});
