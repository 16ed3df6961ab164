// @vitest-environment node
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { FlowView, type ViewSpec } from '../../../src/engine-host/view/flow-view.ts';
import { COLUMNS, columnById, type Column, type SortDir } from '../../../src/engine-host/view/columns.ts';
import { parseFilterQuery, type FlowPredicate } from '../../../src/shared/flows/filter-query.ts';
import { createEngine } from '../../../src/engine/engine.ts';
import type { FlowStore } from '../../../src/engine/engine.ts';
import type { FlowRow } from '../../../src/shared/flow.ts';
import { row } from '../../shared/fixtures.ts';
import { RowStore } from '../../support/row-store.ts';
import { ipv4, udp } from '../../engine/capture-fixtures.ts';

/** What the engine changes per update; `full` starts from an empty table (a new source: a new store, or the same one cleared). */
interface Update {
  full?: boolean;
  upserts?: FlowRow[];
  removed?: number[];
}

/** Applies u; returns the store to read from now on. `fresh`: a full update is a new store rather than a cleared one. */
function apply(s: RowStore, u: Update, fresh = true): RowStore {
  if (u.full) {
    if (fresh) s = new RowStore();
    else s.clear();
  }
  s.apply(u.upserts ?? [], u.removed ?? []);
  return s;
}

/** The reference sort key of one row (the view's own keys are read from the store). */
function keyOf(col: Column, r: FlowRow, rates = true): number | string {
  if (col.kind === 'text') return col.key(r);
  const one = new RowStore();
  one.apply([r]);
  return one.numberKey(col.id, 0, rates);
}

/** The flows of a store: every held row, in slot order. */
function held(s: FlowStore): FlowRow[] {
  const out: FlowRow[] = [];
  for (let slot = 0; slot < s.slotCount; slot++) if (s.idAt(slot) !== 0) out.push(s.row(slot, true));
  return out;
}

/** Filter, then a stable sort of the rows in slot order (ties stay in slot order in both directions); ids. */
function reference(s: FlowStore, col: Column, dir: SortDir, pred: FlowPredicate | null, rates = true, seen: readonly [number, number] | null = null): number[] {
  const list = held(s).filter((r) => (pred === null || pred(r)) && (seen === null || (r.first_seen <= seen[1] && r.last_seen >= seen[0])));
  const keys = new Map(list.map((r) => [r.id, keyOf(col, r, rates)]));
  list.sort((a, b) => {
    const ka = keys.get(a.id) as number | string;
    const kb = keys.get(b.id) as number | string;
    return (ka < kb ? -1 : ka > kb ? 1 : 0) * (dir === 'asc' ? 1 : -1);
  });
  return list.map((r) => r.id);
}

/** The sort keys of flows by id, in order (a mismatch here shows the keys, not just ids). */
function keysOf(ids: number[], s: FlowStore, col: Column, rates = true): Array<number | string> {
  return ids.map((id) => keyOf(col, s.row(s.slotOfId(id), true), rates));
}

/** Syncs and returns the view's full order as flow ids. */
function compute(view: FlowView, s: FlowStore, spec: ViewSpec, rates = true): number[] {
  view.sync(s, spec, rates);
  return view.order().map((slot) => s.idAt(slot));
}

/** A from-scratch view's order (ids). */
function scratch(s: FlowStore, spec: ViewSpec, rates = true): number[] {
  return compute(new FlowView(), s, spec, rates);
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

function sampleStore(): RowStore {
  const s = new RowStore();
  s.apply(sample);
  return s;
}

const ids = (s: FlowStore, slots: readonly number[]) => slots.map((slot) => s.idAt(slot));

describe('flow view', () => {
  it('sorts by every column in both directions like a reference sort', () => {
    const s = sampleStore();
    for (const col of COLUMNS) {
      for (const dir of ['asc', 'desc'] as const) {
        const got = scratch(s, { column: col, dir, predicate: null, seen: null, favourites: null });
        const want = reference(s, col, dir, null);
        expect(keysOf(got, s, col), `${col.id} ${dir}`).toEqual(keysOf(want, s, col));
        expect(got, `${col.id} ${dir}: ties in slot order`).toEqual(want);
      }
    }
    expect(scratch(s, { column: columnById('bytes'), dir: 'desc', predicate: null, seen: null, favourites: null })).toEqual([2, 4, 3, 1]);
    expect(scratch(s, { column: columnById('down'), dir: 'desc', predicate: null, seen: null, favourites: null }), 'flow 1 is towards its src').toEqual([2, 3, 4, 1]);
    expect(scratch(s, { column: columnById('up'), dir: 'asc', predicate: null, seen: null, favourites: null })).toEqual([2, 3, 4, 1]);
  });

  it('without rates (a stopped or paused source) sorts every rate as 0: ties in slot order', () => {
    const s = new RowStore();
    s.apply([10, 40, 20, 30].map((r, i) => row({ id: i + 1, rate_rev_1s: r, rate_fwd_1s: 50 - r })));
    for (const id of ['down', 'up'] as const) {
      for (const dir of ['asc', 'desc'] as const) {
        const spec = { column: columnById(id), dir, predicate: null, seen: null, favourites: null };
        expect(scratch(s, spec, false), `${id} ${dir}`).toEqual([1, 2, 3, 4]);
        expect(scratch(s, spec, false)).toEqual(reference(s, spec.column, dir, null, false));
      }
    }
    expect(scratch(s, { column: columnById('down'), dir: 'desc', predicate: null, seen: null, favourites: null }, true)).toEqual([2, 4, 3, 1]);
    expect(scratch(s, { column: columnById('up'), dir: 'desc', predicate: null, seen: null, favourites: null }, true)).toEqual([1, 3, 4, 2]);
    // Other number columns are the same with or without rates.
    expect(scratch(sampleStore(), { column: columnById('bytes'), dir: 'desc', predicate: null, seen: null, favourites: null }, false)).toEqual([2, 4, 3, 1]);
    // Switching rates off and on again re-reads every key.
    const view = new FlowView();
    const spec = { column: columnById('down'), dir: 'desc' as const, predicate: null, seen: null, favourites: null };
    expect(compute(view, s, spec, true)).toEqual([2, 4, 3, 1]);
    expect(compute(view, s, spec, false)).toEqual([1, 2, 3, 4]);
    expect(view.lastPath).toBe('rebuild');
    expect(compute(view, s, spec, true)).toEqual([2, 4, 3, 1]);
  });

  it('reuses the previous order when nothing in the sort key changed', () => {
    const s = sampleStore();
    const view = new FlowView();
    const spec = { column: columnById('bytes'), dir: 'desc' as const, predicate: null, seen: null, favourites: null };
    expect(view.sync(s, spec, true)).toBe(4);
    const first = view.order();
    expect(ids(s, first)).toEqual([2, 4, 3, 1]);
    expect(view.lastPath).toBe('rebuild');
    s.apply([{ ...sample[1], rate_fwd_1s: 999 }]);
    view.sync(s, spec, true);
    expect(view.order()).toBe(first);
    expect(view.lastPath).toBe('same');
    // Nothing changed at all: the same.
    view.sync(s, spec, true);
    expect(view.order()).toBe(first);
    expect(view.lastPath).toBe('same');
    s.apply([{ ...sample[2], bytes_fwd: 5000 }]);
    expect(compute(view, s, spec)).toEqual([3, 2, 4, 1]);
    expect(view.lastPath).toBe('sort');
    s.apply([], [4]);
    expect(compute(view, s, spec)).toEqual([3, 2, 1]);
    expect(view.lastPath).toBe('drop');
  });

  it('rebuilds when the spec, the rates or the store change (a new source)', () => {
    const s = sampleStore();
    const view = new FlowView();
    compute(view, s, { column: columnById('bytes'), dir: 'desc', predicate: null, seen: null, favourites: null });
    expect(compute(view, s, { column: columnById('bytes'), dir: 'asc', predicate: null, seen: null, favourites: null })).toEqual([1, 3, 4, 2]);
    expect(view.lastPath).toBe('rebuild');
    const closed = pred('state:closed');
    expect(compute(view, s, { column: columnById('bytes'), dir: 'asc', predicate: closed, seen: null, favourites: null })).toEqual([1]);
    expect(view.lastPath).toBe('rebuild');
    compute(view, s, { column: columnById('bytes'), dir: 'asc', predicate: closed, seen: null, favourites: null }, false);
    expect(view.lastPath).toBe('rebuild');
    const next = new RowStore();
    next.apply([row({ id: 9, state: 'closed' })]);
    expect(compute(view, next, { column: columnById('bytes'), dir: 'asc', predicate: closed, seen: null, favourites: null }, false)).toEqual([9]);
    expect(view.lastPath).toBe('rebuild');
    // The same store emptied and refilled is followed through its changes.
    next.clear();
    next.apply([row({ id: 1, state: 'closed' }), row({ id: 2, state: 'established' }), row({ id: 3, state: 'closed', bytes_fwd: 1 })]);
    expect(compute(view, next, { column: columnById('bytes'), dir: 'asc', predicate: closed, seen: null, favourites: null }, false)).toEqual([3, 1]);
  });

  it('rows entering and leaving the filter are tracked incrementally', () => {
    const s = sampleStore();
    const view = new FlowView();
    const spec = { column: columnById('first_seen'), dir: 'asc' as const, predicate: pred('state:open'), seen: null, favourites: null };
    expect(compute(view, s, spec)).toEqual([2, 3, 4]);
    s.apply([{ ...sample[1], state: 'closed' }, { ...sample[0], state: 'established' }]);
    expect(compute(view, s, spec)).toEqual([1, 3, 4]);
    expect(view.lastPath).toBe('sort');
    expect([view.has(s.slotOfId(1)), view.has(s.slotOfId(2))]).toEqual([true, false]);
    // Only leaving: the order is filtered, not sorted again.
    s.apply([{ ...sample[2], state: 'closed' }]);
    expect(compute(view, s, spec)).toEqual([1, 4]);
    expect(view.lastPath).toBe('drop');
  });

  it('shows a flow once when one update lists it twice', () => {
    const s = new RowStore();
    const view = new FlowView();
    const spec = { column: columnById('process'), dir: 'asc' as const, predicate: pred('-proc:b'), seen: null, favourites: null };
    s.apply([row({ id: 37, process: 'a' })]);
    expect(compute(view, s, spec)).toEqual([37]);
    s.apply([row({ id: 37, process: 'b' }), row({ id: 37, process: 'a' })]);
    expect(compute(view, s, spec)).toEqual([37]);
    // Out and back in between two syncs.
    s.apply([row({ id: 37, process: 'b' })]);
    s.apply([row({ id: 37, process: 'a' })]);
    expect(compute(view, s, spec)).toEqual([37]);
  });

  it('a slot emptied and taken by another flow between two syncs shows the new flow only', () => {
    const s = sampleStore();
    const view = new FlowView();
    const spec = { column: columnById('bytes'), dir: 'desc' as const, predicate: pred('state:open'), seen: null, favourites: null };
    expect(compute(view, s, spec)).toEqual([2, 4, 3]);
    const slot = s.slotOfId(2);
    s.apply([], [2]);
    s.apply([row({ id: 9, bytes_fwd: 1, bytes_rev: 0 })]);
    expect(s.slotOfId(9), 'the store reused the slot').toBe(slot);
    expect(compute(view, s, spec)).toEqual([4, 3, 9]);
    expect(view.has(slot)).toBe(true);
    expect(view.indexOf(slot)).toBe(2);
    // Taken by a flow the filter hides: the slot leaves the view.
    s.apply([], [9]);
    s.apply([row({ id: 10, state: 'closed' })]);
    expect(s.slotOfId(10)).toBe(slot);
    expect(compute(view, s, spec)).toEqual([4, 3]);
    expect([view.has(slot), view.indexOf(slot)]).toEqual([false, -1]);
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
      fresh: fc.boolean(),
      upserts: fc.array(arbRow, { maxLength: 12 }),
      removed: fc.array(fc.integer({ min: 1, max: 40 }), { maxLength: 4 }),
      skip: fc.integer({ min: 0, max: 2 }), // updates applied between two syncs
      rates: fc.integer({ min: 0, max: 5 }).map((n) => n !== 0),
    });
    fc.assert(
      fc.property(
        fc.constantFrom(...cols),
        fc.constantFrom('asc' as const, 'desc' as const),
        // seen: reads counters (last_seen), which change without a text change.
        fc.constantFrom('', 'state:open', 'proc:a', '-proc:b', 'seen:2-5', 'state:open seen:0-3', 'seen:6-9'),
        fc.array(arbUpdate, { minLength: 1, maxLength: 25 }),
        (colId, dir, q, updates) => {
          let s = new RowStore();
          const view = new FlowView();
          const parsed = parseFilterQuery(q);
          if (!parsed.ok) throw new Error(parsed.error);
          const spec = { column: columnById(colId), dir, predicate: parsed.predicate, seen: parsed.seen, favourites: null };
          // Whole rows as the engine changes them; the store keeps a flow's text version unless its text differs, so most rows change counters only.
          for (const u of updates) {
            const upserts = u.upserts.map((p) => row({ ...p, first_seen: p.id % 7 }));
            s = apply(s, { full: u.full, upserts, removed: u.removed }, u.fresh);
            if (u.skip > 0) continue;
            const got = compute(view, s, spec, u.rates);
            const want = reference(s, spec.column, dir, spec.predicate, u.rates, spec.seen);
            expect(keysOf(got, s, spec.column, u.rates)).toEqual(keysOf(want, s, spec.column, u.rates));
            // Ties keep slot order (which the stable reference sort over rows in slot order keeps too).
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
      fresh: fc.boolean(),
      upserts: fc.array(arbRow, { maxLength: 15 }),
      removed: fc.array(fc.integer({ min: 1, max: 60 }), { maxLength: 5 }),
      lo: fc.nat(40),
      len: fc.integer({ min: 1, max: 30 }),
      probe: fc.integer({ min: 1, max: 60 }),
      probeSlot: fc.integer({ min: -1, max: 70 }),
    });
    fc.assert(
      fc.property(
        fc.constantFrom(...cols),
        fc.constantFrom('asc' as const, 'desc' as const),
        fc.constantFrom('', 'state:open', '-proc:b'),
        fc.array(arbUpdate, { minLength: 1, maxLength: 20 }),
        (colId, dir, q, updates) => {
          let s = new RowStore();
          const view = new FlowView();
          const spec = { column: columnById(colId), dir, predicate: pred(q), seen: null, favourites: null };
          for (const u of updates) {
            const upserts = u.upserts.map((p) => row({ ...p, first_seen: p.id % 7 }));
            s = apply(s, { full: u.full, upserts, removed: u.removed }, u.fresh);
            // The view under test first: a store has one list of changes, and a new view's sync drains it.
            const count = view.sync(s, spec, true);
            const fresh = new FlowView();
            fresh.sync(s, spec, true);
            const want = fresh.order().slice();
            expect(count).toBe(want.length);
            expect(view.range(u.lo, u.lo + u.len)).toEqual(want.slice(u.lo, u.lo + u.len));
            const slot = s.slotOfId(u.probe);
            expect(view.indexOf(slot)).toBe(want.indexOf(slot));
            expect(view.has(slot)).toBe(want.includes(slot));
            expect(view.indexOf(u.probeSlot)).toBe(want.indexOf(u.probeSlot));
            expect(view.has(u.probeSlot)).toBe(want.includes(u.probeSlot));
            expect(ids(s, want)).toEqual(reference(s, spec.column, dir, spec.predicate));
          }
          expect(view.order()).toEqual(scratch(s, spec).map((id) => s.slotOfId(id)));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('runs the filter only on new texts: a counters-only update re-sorts by the new numbers without it', () => {
    const s = sampleStore();
    const view = new FlowView();
    const base = pred('state:open') as FlowPredicate;
    const seen: number[] = [];
    const spy: FlowPredicate = (r: FlowRow) => {
      seen.push(r.id);
      return base(r);
    };
    const spec = { column: columnById('bytes'), dir: 'desc' as const, predicate: spy, seen: null, favourites: null };
    expect(compute(view, s, spec)).toEqual([2, 4, 3]);
    expect(seen.sort()).toEqual([1, 2, 3, 4]);
    seen.length = 0;
    // Every flow's counters change, no text does.
    s.apply(sample.map((r) => ({ ...r, bytes_fwd: 1000 - r.bytes_fwd })));
    expect(compute(view, s, spec)).toEqual([4, 3, 2]);
    expect(view.lastPath).toBe('sort');
    expect(seen).toEqual([]);
    // A new text (state) re-runs it for that flow only, and moves the flow into the view.
    s.apply([{ ...sample[0], bytes_fwd: 1, state: 'established' }]);
    expect(compute(view, s, spec)).toEqual([4, 3, 2, 1]);
    expect(seen).toEqual([1]);
  });

  it('a text column ignores counters-only updates', () => {
    const s = sampleStore();
    const view = new FlowView();
    const spec = { column: columnById('process'), dir: 'asc' as const, predicate: null, seen: null, favourites: null };
    view.sync(s, spec, true);
    const first = view.order();
    expect(ids(s, first)).toEqual([3, 2, 1, 4]);
    s.apply(sample.map((r) => ({ ...r, bytes_fwd: 5, last_seen: 9 })));
    view.sync(s, spec, true);
    expect(view.order()).toBe(first);
    expect(view.lastPath).toBe('same');
    // A new text whose key is the same: still no sort.
    s.apply([{ ...sample[3], state: 'closed' }]);
    view.sync(s, spec, true);
    expect(view.order()).toBe(first);
    expect(view.lastPath).toBe('same');
    s.apply([{ ...sample[3], process: '0' }]);
    expect(compute(view, s, spec)).toEqual([3, 4, 2, 1]);
    expect(view.lastPath).toBe('sort');
  });

  it('a window of a large table is cut without sorting it; a second window at the same data sorts once', () => {
    const s = new RowStore();
    const view = new FlowView();
    const spec = { column: columnById('bytes'), dir: 'desc' as const, predicate: null, seen: null, favourites: null };
    const n = 20_000;
    s.apply(Array.from({ length: n }, (_, i) => row({ id: i + 1, bytes_fwd: (i * 7919) % n, bytes_rev: 0 })));
    view.sync(s, spec, true);
    view.range(0, 40);
    s.apply([row({ id: 5, bytes_fwd: 10 * n, bytes_rev: 0 })]);
    view.sync(s, spec, true);
    expect(view.lastPath).toBe('sort');
    const top = view.range(0, 40);
    expect(s.idAt(top[0])).toBe(5);
    // The full order is still stale (not sorted for that window)…
    expect(view.orderIsCurrent).toBe(false);
    // …until a second, different window at the same version asks for it.
    view.range(40, 80);
    expect(view.orderIsCurrent).toBe(true);
    expect(view.range(0, 40)).toEqual(top);
    expect(ids(s, top)).toEqual(reference(s, spec.column, 'desc', null).slice(0, 40));
  });
});

describe('flow view over the engine', () => {
  const A = '10.1.0.1';
  const send = (e: ReturnType<typeof createEngine>, sport: number, dport: number, ts: number, wire: number, dst = '10.1.0.2') => {
    const buf = Uint8Array.from(ipv4(A, dst, 17, udp(sport, dport)));
    e.packet(buf, 0, buf.length, wire, ts, 101);
  };

  it('re-reads rate keys at every sync: rates fall with capture time though no packet changed a flow', () => {
    const e = createEngine();
    const view = new FlowView();
    const spec = { column: columnById('up'), dir: 'desc' as const, predicate: null, seen: null, favourites: null };
    send(e, 1, 2, 100, 1000);
    send(e, 3, 4, 100.2, 100);
    send(e, 3, 4, 101.5, 10);
    // Second 100: 1000 bytes up on the first flow, 100 on the second.
    expect(compute(view, e, spec)).toEqual([1, 2]);
    expect(compute(view, e, spec)).toEqual(reference(e, spec.column, 'desc', null));
    e.advance(102.5);
    let drained = 0;
    // Second 101: only the second flow sent (10 bytes).
    expect(compute(view, e, spec)).toEqual([2, 1]);
    expect(view.lastPath).toBe('sort');
    e.drainChanged(() => drained++);
    expect(drained, 'no flow changed: the keys were re-read').toBe(0);
    expect(compute(view, e, spec)).toEqual(reference(e, spec.column, 'desc', null));
    e.advance(200);
    expect(e.row(e.slotOfId(2), true).rate_fwd_1s).toBe(0);
    expect(compute(view, e, spec), 'all quiet: every rate 0, slot order').toEqual([1, 2]);
  });

  it('follows the engine as flows come, end and leave, and a new flow takes a freed slot', () => {
    const e = createEngine({ idleTimeouts: { udp: 5, tcpClosed: 10 } });
    const view = new FlowView();
    const spec = { column: columnById('last_seen'), dir: 'desc' as const, predicate: null, seen: null, favourites: null };
    const check = () => {
      const got = compute(view, e, spec);
      expect(got).toEqual(reference(e, spec.column, 'desc', null));
      return got;
    };
    send(e, 1, 2, 100, 60);
    send(e, 3, 4, 101, 60);
    send(e, 5, 6, 102, 60);
    expect(check()).toEqual([3, 2, 1]);
    const slot1 = e.slotOfId(1);
    const v1 = e.textVersionAt(slot1);
    send(e, 3, 4, 104, 60);
    send(e, 5, 6, 104.5, 60);
    expect(check()).toEqual([3, 2, 1]);
    // Flow 1 is idle past 5 s: it ends (its text changes), and stays until 10 s after its last packet.
    send(e, 3, 4, 105.5, 60);
    expect(e.row(slot1, true).ended).toBe(true);
    expect(e.textVersionAt(slot1)).not.toBe(v1);
    expect(check()).toEqual([2, 3, 1]);
    send(e, 5, 6, 108, 60);
    send(e, 3, 4, 110.5, 60);
    expect(e.slotOfId(1), 'flow 1 evicted').toBe(-1);
    expect(check()).toEqual([2, 3]);
    expect(view.has(slot1)).toBe(false);
    send(e, 7, 8, 111, 60);
    expect(e.slotOfId(4), 'the new flow took the freed slot').toBe(slot1);
    expect(check()).toEqual([4, 2, 3]);
    expect(view.indexOf(slot1)).toBe(0);
  });
});
