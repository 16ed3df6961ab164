// @vitest-environment node
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { FlowView } from '../../../src/engine-host/view/flow-view.ts';
import { COLUMNS, columnById, rowKey, type Column, type SortDir } from '../../../src/engine-host/view/columns.ts';
import { parseFilterQuery, type FlowPredicate } from '../../../src/shared/flows/filter-query.ts';
import { TableState } from '../../../src/engine-host/view/table-state.ts';
import type { FlowRow } from '../../../src/shared/flow.ts';
import type { FlowText } from '../../../src/shared/flow-update.ts';
import { row } from '../../shared/fixtures.ts';

/** What the engine hands the table per update; `full` starts from an empty table (a new source). */
interface Update {
  full?: boolean;
  upserts?: FlowRow[];
  removed?: number[];
}

function apply(t: TableState, u: Update): void {
  if (u.full) t.clear();
  t.apply(u.upserts ?? [], u.removed ?? []);
}

function reference(rows: Iterable<FlowRow>, col: Column, dir: SortDir, pred: FlowPredicate | null): number[] {
  const list = [...rows].filter((r) => pred === null || pred(r));
  list.sort((a, b) => {
    const ka = rowKey(col, a);
    const kb = rowKey(col, b);
    return (ka < kb ? -1 : ka > kb ? 1 : 0) * (dir === 'asc' ? 1 : -1);
  });
  return list.map((r) => r.id);
}

/** The sort keys of a view's rows, in order (a mismatch here shows the keys, not just ids). */
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
    const table = new TableState();
    apply(table, { full: true, upserts: sample });
    const s = table;
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
    const table = new TableState();
    const view = new FlowView();
    const spec = { column: columnById('bytes'), dir: 'desc' as const, predicate: null };
    apply(table, { full: true, upserts: sample });
    const first = view.compute(table, spec);
    expect(view.lastPath).toBe('rebuild');
    apply(table, { upserts: [{ ...sample[1], rate_fwd_1s: 999 }] });
    expect(view.compute(table, spec)).toBe(first);
    expect(view.lastPath).toBe('same');
    apply(table, { upserts: [{ ...sample[2], bytes_fwd: 5000 }] });
    expect(view.compute(table, spec)).toEqual([3, 2, 4, 1]);
    expect(view.lastPath).toBe('sort');
    apply(table, { removed: [4] });
    expect(view.compute(table, spec)).toEqual([3, 2, 1]);
    expect(view.lastPath).toBe('drop');
  });

  it('rebuilds when the spec changes or after a full update', () => {
    const table = new TableState();
    const view = new FlowView();
    apply(table, { full: true, upserts: sample });
    view.compute(table, { column: columnById('bytes'), dir: 'desc', predicate: null });
    expect(view.compute(table, { column: columnById('bytes'), dir: 'asc', predicate: null })).toEqual([1, 3, 4, 2]);
    expect(view.lastPath).toBe('rebuild');
    const closed = pred('state:closed');
    expect(view.compute(table, { column: columnById('bytes'), dir: 'asc', predicate: closed })).toEqual([1]);
    apply(table, { full: true, upserts: [row({ id: 9, state: 'closed' })] });
    expect(view.compute(table, { column: columnById('bytes'), dir: 'asc', predicate: closed })).toEqual([9]);
    expect(view.lastPath).toBe('rebuild');
  });

  it('rows entering and leaving the filter are tracked incrementally', () => {
    const table = new TableState();
    const view = new FlowView();
    const spec = { column: columnById('first_seen'), dir: 'asc' as const, predicate: pred('state:open') };
    apply(table, { full: true, upserts: sample });
    expect(view.compute(table, spec)).toEqual([2, 3, 4]);
    apply(table, { upserts: [{ ...sample[1], state: 'closed' }, { ...sample[0], state: 'established' }] });
    expect(view.compute(table, spec)).toEqual([1, 3, 4]);
  });

  it('shows a flow once when one update lists it twice', () => {
    const table = new TableState();
    const view = new FlowView();
    const spec = { column: columnById('process'), dir: 'asc' as const, predicate: pred('-proc:b') };
    apply(table, { full: true, upserts: [row({ id: 37, process: 'a' })] });
    expect(view.compute(table, spec)).toEqual([37]);
    apply(table, { upserts: [row({ id: 37, process: 'b' }), row({ id: 37, process: 'a' })] });
    expect(view.compute(table, spec)).toEqual([37]);
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
          const table = new TableState();
          const view = new FlowView();
          const spec = { column: columnById(colId), dir, predicate: pred(q) };
          // Whole rows as the engine drains them; the table keeps a flow's text unless it differs, so most rows change counters only.
          for (const u of updates) {
            const upserts = u.upserts.map((p) => row({ ...p, first_seen: p.id % 7 }));
            apply(table, { full: u.full, upserts, removed: u.removed });
            if (u.skip > 0) continue;
            const s = table;
            const got = view.compute(s, spec);
            const want = reference(s.rows.values(), spec.column, dir, spec.predicate);
            expect(keysOf(got, s.rows, spec.column)).toEqual(keysOf(want, s.rows, spec.column));
            // Ties keep arrival order (slot order, which the stable reference sort keeps too).
            expect(got).toEqual(want);
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
          const table = new TableState();
          const view = new FlowView();
          const spec = { column: columnById(colId), dir, predicate: pred(q) };
          for (const u of updates) {
            const upserts = u.upserts.map((p) => row({ ...p, first_seen: p.id % 7 }));
            apply(table, { full: u.full, upserts, removed: u.removed });
            const s = table;
            const want = new FlowView().compute(s, spec);
            expect(view.sync(s, spec)).toBe(want.length);
            expect(view.range(u.lo, u.lo + u.len)).toEqual(want.slice(u.lo, u.lo + u.len));
            expect(view.indexOf(u.probe)).toBe(want.indexOf(u.probe));
            expect(view.has(u.probe)).toBe(want.includes(u.probe));
            expect(keysOf(want, s.rows, spec.column)).toEqual(keysOf(reference(s.rows.values(), spec.column, dir, spec.predicate), s.rows, spec.column));
          }
          expect(view.order()).toEqual(new FlowView().compute(table, spec));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('runs the filter only on new texts: a counters-only update re-sorts by the new numbers without it', () => {
    const table = new TableState();
    const view = new FlowView();
    const base = pred('state:open') as FlowPredicate;
    const seen: number[] = [];
    const spy: FlowPredicate = (t: FlowText) => {
      seen.push(t.id);
      return base(t);
    };
    const spec = { column: columnById('bytes'), dir: 'desc' as const, predicate: spy };
    apply(table, { full: true, upserts: sample });
    expect(view.compute(table, spec)).toEqual([2, 4, 3]);
    expect(seen.sort()).toEqual([1, 2, 3, 4]);
    seen.length = 0;
    // Every flow's counters change, no text does.
    apply(table, { upserts: sample.map((r) => ({ ...r, bytes_fwd: 1000 - r.bytes_fwd })) });
    expect(view.compute(table, spec)).toEqual([4, 3, 2]);
    expect(view.lastPath).toBe('sort');
    expect(seen).toEqual([]);
    // A new text (state) re-runs it for that flow only, and moves the flow into the view.
    apply(table, { upserts: [{ ...sample[0], bytes_fwd: 1, state: 'established' }] });
    expect(view.compute(table, spec)).toEqual([4, 3, 2, 1]);
    expect(seen).toEqual([1]);
  });

  it('a text column ignores counters-only updates', () => {
    const table = new TableState();
    const view = new FlowView();
    const spec = { column: columnById('process'), dir: 'asc' as const, predicate: null };
    apply(table, { full: true, upserts: sample });
    const first = view.compute(table, spec);
    expect(first).toEqual([3, 2, 1, 4]);
    apply(table, { upserts: sample.map((r) => ({ ...r, bytes_fwd: 5, last_seen: 9 })) });
    expect(view.compute(table, spec)).toBe(first);
    expect(view.lastPath).toBe('same');
    apply(table, { upserts: [{ ...sample[3], process: '0' }] });
    expect(view.compute(table, spec)).toEqual([3, 4, 2, 1]);
    expect(view.lastPath).toBe('sort');
  });

  it('a window of a large table is cut without sorting it; a second window at the same data sorts once', () => {
    const table = new TableState();
    const view = new FlowView();
    const spec = { column: columnById('bytes'), dir: 'desc' as const, predicate: null };
    const n = 20_000;
    apply(table, { full: true, upserts: Array.from({ length: n }, (_, i) => row({ id: i + 1, bytes_fwd: (i * 7919) % n, bytes_rev: 0 })) });
    view.sync(table, spec);
    view.range(0, 40);
    apply(table, { upserts: [row({ id: 5, bytes_fwd: 10 * n, bytes_rev: 0 })] });
    view.sync(table, spec);
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
