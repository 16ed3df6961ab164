// @vitest-environment node
import { describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { FlowView } from '../../../src/renderer/flows/flow-view.ts';
import { COLUMNS, columnById, rowKey, type Column, type SortDir } from '../../../src/renderer/flows/columns.ts';
import { parseFilterQuery, type FlowPredicate } from '../../../src/renderer/flows/filter-query.ts';
import { createFlowsStore } from '../../../src/renderer/state/flows-store.ts';
import type { FlowRow } from '../../../src/shared/flow.ts';
import type { FlowText } from '../../../src/shared/flow-update.ts';
import { row, update, type KnownTexts } from '../fixtures.ts';

function reference(rows: Iterable<FlowRow>, col: Column, dir: SortDir, pred: FlowPredicate | null): number[] {
  const list = [...rows].filter((r) => pred === null || pred(r));
  list.sort((a, b) => {
    const ka = rowKey(col, a);
    const kb = rowKey(col, b);
    return (ka < kb ? -1 : ka > kb ? 1 : 0) * (dir === 'asc' ? 1 : -1);
  });
  return list.map((r) => r.id);
}

/** Sorted keys of a view: ties may legitimately come in any order, keys may not. */
function keysOf(ids: number[], rows: ReadonlyMap<number, FlowRow>, col: Column): Array<number | string> {
  return ids.map((id) => rowKey(col, rows.get(id) as FlowRow));
}

function pred(q: string): FlowPredicate | null {
  const r = parseFilterQuery(q);
  if (!r.ok) throw new Error(r.error);
  return r.predicate;
}

const sample = [
  row({ id: 1, process: 'b', bytes_fwd: 10, bytes_rev: 0, state: 'closed', local: 'dst', rate_fwd_1s: 5 }),
  row({ id: 2, process: 'a', bytes_fwd: 300, bytes_rev: 0, proto: 'udp', app: 'dns' }),
  row({ id: 3, process: null, bytes_fwd: 20, bytes_rev: 0, host: null, dst: '10.0.0.1' }),
  row({ id: 4, process: 'c', bytes_fwd: 20, bytes_rev: 5, host: 'a.example' }),
];

describe('flow view', () => {
  it('sorts by every column in both directions like a reference sort', () => {
    const store = createFlowsStore({ requestSnapshot: vi.fn() });
    store.getState().applyUpdate(update(1, { full: true, upserts: sample }));
    const s = store.getState();
    for (const col of COLUMNS) {
      for (const dir of ['asc', 'desc'] as const) {
        const ids = new FlowView().compute(s, { column: col, dir, predicate: null });
        expect(keysOf(ids, s.rows, col), `${col.id} ${dir}`).toEqual(keysOf(reference(s.rows.values(), col, dir, null), s.rows, col));
      }
    }
    const byBytes = new FlowView().compute(s, { column: columnById('bytes'), dir: 'desc', predicate: null });
    expect(byBytes).toEqual([2, 4, 3, 1]);
  });

  it('reuses the previous order when nothing in the sort key changed', () => {
    const store = createFlowsStore({ requestSnapshot: vi.fn() });
    const view = new FlowView();
    const spec = { column: columnById('bytes'), dir: 'desc' as const, predicate: null };
    store.getState().applyUpdate(update(1, { full: true, upserts: sample }));
    const first = view.compute(store.getState(), spec);
    expect(view.lastPath).toBe('rebuild');
    store.getState().applyUpdate(update(2, { upserts: [{ ...sample[1], rate_fwd_1s: 999 }] }));
    expect(view.compute(store.getState(), spec)).toBe(first);
    expect(view.lastPath).toBe('same');
    store.getState().applyUpdate(update(3, { upserts: [{ ...sample[2], bytes_fwd: 5000 }] }));
    expect(view.compute(store.getState(), spec)).toEqual([3, 2, 4, 1]);
    expect(view.lastPath).toBe('sort');
    store.getState().applyUpdate(update(4, { removed: [4] }));
    expect(view.compute(store.getState(), spec)).toEqual([3, 2, 1]);
    expect(view.lastPath).toBe('drop');
  });

  it('rebuilds when the spec changes or after a full update', () => {
    const store = createFlowsStore({ requestSnapshot: vi.fn() });
    const view = new FlowView();
    store.getState().applyUpdate(update(1, { full: true, upserts: sample }));
    view.compute(store.getState(), { column: columnById('bytes'), dir: 'desc', predicate: null });
    expect(view.compute(store.getState(), { column: columnById('bytes'), dir: 'asc', predicate: null })).toEqual([1, 3, 4, 2]);
    expect(view.lastPath).toBe('rebuild');
    const closed = pred('state:closed');
    expect(view.compute(store.getState(), { column: columnById('bytes'), dir: 'asc', predicate: closed })).toEqual([1]);
    store.getState().applyUpdate(update(2, { full: true, upserts: [row({ id: 9, state: 'closed' })] }));
    expect(view.compute(store.getState(), { column: columnById('bytes'), dir: 'asc', predicate: closed })).toEqual([9]);
    expect(view.lastPath).toBe('rebuild');
  });

  it('rows entering and leaving the filter are tracked incrementally', () => {
    const store = createFlowsStore({ requestSnapshot: vi.fn() });
    const view = new FlowView();
    const spec = { column: columnById('first_seen'), dir: 'asc' as const, predicate: pred('state:open') };
    store.getState().applyUpdate(update(1, { full: true, upserts: sample }));
    expect(view.compute(store.getState(), spec)).toEqual([2, 3, 4]);
    store.getState().applyUpdate(update(2, { upserts: [{ ...sample[1], state: 'closed' }, { ...sample[0], state: 'established' }] }));
    expect(view.compute(store.getState(), spec)).toEqual([1, 3, 4]);
  });

  it('shows a flow once when one update lists it twice', () => {
    const store = createFlowsStore({ requestSnapshot: vi.fn() });
    const view = new FlowView();
    const spec = { column: columnById('process'), dir: 'asc' as const, predicate: pred('-proc:b') };
    store.getState().applyUpdate(update(1, { full: true, upserts: [row({ id: 37, process: 'a' })] }));
    expect(view.compute(store.getState(), spec)).toEqual([37]);
    store.getState().applyUpdate(update(2, { upserts: [row({ id: 37, process: 'b' }), row({ id: 37, process: 'a' })] }));
    expect(view.compute(store.getState(), spec)).toEqual([37]);
  });

  it('stays equal to a from-scratch view over random update sequences', () => {
    const cols = COLUMNS.map((c) => c.id);
    const arbRow = fc.record({
      id: fc.integer({ min: 1, max: 40 }),
      bytes_fwd: fc.integer({ min: 0, max: 50 }),
      rate_rev_1s: fc.integer({ min: 0, max: 5 }),
      last_seen: fc.integer({ min: 0, max: 9 }),
      state: fc.constantFrom('established' as const, 'closed' as const, 'active' as const),
      process: fc.constantFrom('a', 'b', null),
    });
    const arbUpdate = fc.record({
      full: fc.integer({ min: 0, max: 7 }).map((n) => n === 0),
      upserts: fc.array(arbRow, { maxLength: 12 }),
      removed: fc.array(fc.integer({ min: 1, max: 40 }), { maxLength: 4 }),
      skip: fc.integer({ min: 0, max: 2 }), // updates applied between two computes
    });
    fc.assert(
      fc.property(
        fc.constantFrom(...cols),
        fc.constantFrom('asc' as const, 'desc' as const),
        fc.constantFrom('', 'state:open', 'proc:a', '-proc:b'),
        fc.array(arbUpdate, { minLength: 1, maxLength: 25 }),
        (colId, dir, q, updates) => {
          const store = createFlowsStore({ requestSnapshot: () => undefined });
          const view = new FlowView();
          const spec = { column: columnById(colId), dir, predicate: pred(q) };
          // Sent like the engine sends them: texts only when new or changed, so most rows change counters only.
          const known: KnownTexts = new Map();
          let seq = 0;
          for (const u of updates) {
            const upserts = u.upserts.map((p) => row({ ...p, first_seen: p.id % 7 }));
            store.getState().applyUpdate(update(++seq, { full: u.full || seq === 1, upserts, removed: u.removed, known }));
            if (u.skip > 0) continue;
            const s = store.getState();
            const got = view.compute(s, spec);
            const want = reference(s.rows.values(), spec.column, dir, spec.predicate);
            expect(new Set(got)).toEqual(new Set(want));
            expect(keysOf(got, s.rows, spec.column)).toEqual(keysOf(want, s.rows, spec.column));
          }
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('windows, positions and membership agree with a from-scratch view between updates, without a full sort', () => {
    const cols = COLUMNS.map((c) => c.id);
    const arbRow = fc.record({
      id: fc.integer({ min: 1, max: 60 }),
      bytes_fwd: fc.integer({ min: 0, max: 30 }),
      rate_rev_1s: fc.integer({ min: 0, max: 5 }),
      last_seen: fc.integer({ min: 0, max: 9 }),
      state: fc.constantFrom('established' as const, 'closed' as const),
      process: fc.constantFrom('a', 'b', null),
    });
    const arbUpdate = fc.record({
      full: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
      upserts: fc.array(arbRow, { maxLength: 15 }),
      removed: fc.array(fc.integer({ min: 1, max: 60 }), { maxLength: 5 }),
      lo: fc.nat(40),
      len: fc.integer({ min: 1, max: 30 }),
      probe: fc.integer({ min: 1, max: 60 }),
    });
    fc.assert(
      fc.property(
        fc.constantFrom(...cols),
        fc.constantFrom('asc' as const, 'desc' as const),
        fc.constantFrom('', 'state:open', '-proc:b'),
        fc.array(arbUpdate, { minLength: 1, maxLength: 20 }),
        (colId, dir, q, updates) => {
          const store = createFlowsStore({ requestSnapshot: () => undefined });
          const view = new FlowView();
          const spec = { column: columnById(colId), dir, predicate: pred(q) };
          const known: KnownTexts = new Map();
          let seq = 0;
          for (const u of updates) {
            const upserts = u.upserts.map((p) => row({ ...p, first_seen: p.id % 7 }));
            store.getState().applyUpdate(update(++seq, { full: u.full || seq === 1, upserts, removed: u.removed, known }));
            const s = store.getState();
            const want = new FlowView().compute(s, spec);
            expect(view.sync(s, spec)).toBe(want.length);
            expect(view.range(u.lo, u.lo + u.len)).toEqual(want.slice(u.lo, u.lo + u.len));
            expect(view.indexOf(u.probe)).toBe(want.indexOf(u.probe));
            expect(view.has(u.probe)).toBe(want.includes(u.probe));
            expect(keysOf(want, s.rows, spec.column)).toEqual(keysOf(reference(s.rows.values(), spec.column, dir, spec.predicate), s.rows, spec.column));
          }
          expect(view.order()).toEqual(new FlowView().compute(store.getState(), spec));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('runs the filter only on new texts: a counters-only update re-sorts by the new numbers without it', () => {
    const store = createFlowsStore({ requestSnapshot: vi.fn() });
    const view = new FlowView();
    const known: KnownTexts = new Map();
    const base = pred('state:open') as FlowPredicate;
    const seen: number[] = [];
    const spy: FlowPredicate = (t: FlowText) => {
      seen.push(t.id);
      return base(t);
    };
    const spec = { column: columnById('bytes'), dir: 'desc' as const, predicate: spy };
    store.getState().applyUpdate(update(1, { full: true, upserts: sample, known }));
    expect(view.compute(store.getState(), spec)).toEqual([2, 4, 3]);
    expect(seen.sort()).toEqual([1, 2, 3, 4]);
    seen.length = 0;
    // Every flow's counters change, no text does.
    store.getState().applyUpdate(update(2, { upserts: sample.map((r) => ({ ...r, bytes_fwd: 1000 - r.bytes_fwd })), known }));
    expect(view.compute(store.getState(), spec)).toEqual([4, 3, 2]);
    expect(view.lastPath).toBe('sort');
    expect(seen).toEqual([]);
    // A new text (state) re-runs it for that flow only, and moves the flow into the view.
    store.getState().applyUpdate(update(3, { upserts: [{ ...sample[0], bytes_fwd: 1, state: 'established' }], known }));
    expect(view.compute(store.getState(), spec)).toEqual([4, 3, 2, 1]);
    expect(seen).toEqual([1]);
  });

  it('a text column ignores counters-only updates', () => {
    const store = createFlowsStore({ requestSnapshot: vi.fn() });
    const view = new FlowView();
    const known: KnownTexts = new Map();
    const spec = { column: columnById('process'), dir: 'asc' as const, predicate: null };
    store.getState().applyUpdate(update(1, { full: true, upserts: sample, known }));
    const first = view.compute(store.getState(), spec);
    expect(first).toEqual([3, 2, 1, 4]);
    store.getState().applyUpdate(update(2, { upserts: sample.map((r) => ({ ...r, bytes_fwd: 5, last_seen: 9 })), known }));
    expect(view.compute(store.getState(), spec)).toBe(first);
    expect(view.lastPath).toBe('same');
    store.getState().applyUpdate(update(3, { upserts: [{ ...sample[3], process: '0' }], known }));
    expect(view.compute(store.getState(), spec)).toEqual([3, 4, 2, 1]);
    expect(view.lastPath).toBe('sort');
  });

  it('a window of a large table is cut without sorting it; a second window at the same data sorts once', () => {
    const store = createFlowsStore({ requestSnapshot: vi.fn() });
    const view = new FlowView();
    const spec = { column: columnById('bytes'), dir: 'desc' as const, predicate: null };
    const n = 20_000;
    store.getState().applyUpdate(update(1, { full: true, upserts: Array.from({ length: n }, (_, i) => row({ id: i + 1, bytes_fwd: (i * 7919) % n, bytes_rev: 0 })) }));
    view.sync(store.getState(), spec);
    view.range(0, 40);
    store.getState().applyUpdate(update(2, { upserts: [row({ id: 5, bytes_fwd: 10 * n, bytes_rev: 0 })] }));
    view.sync(store.getState(), spec);
    expect(view.lastPath).toBe('sort');
    const top = view.range(0, 40);
    expect(top[0]).toBe(5);
    // The full order is still stale (not sorted for that window)…
    expect(view.orderIsCurrent).toBe(false);
    // …until a second, different window at the same version asks for it.
    view.range(40, 80);
    expect(view.orderIsCurrent).toBe(true);
    expect(view.range(0, 40)).toEqual(top);
  });
});
