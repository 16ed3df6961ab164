// @vitest-environment node
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { FlowView, type ViewSpec } from '../../../src/engine-host/view/flow-view.ts';
import { FlowViewModel } from '../../../src/engine-host/view/flow-view-model.ts';
import { COLUMNS, columnById, type Column } from '../../../src/engine-host/view/columns.ts';
import { parseFilterQuery } from '../../../src/shared/flows/filter-query.ts';
import { favouriteOf, favouriteSets, type FavouritesRequest } from '../../../src/shared/flows/favourites.ts';
import type { FlowStore } from '../../../src/engine/engine.ts';
import type { FlowRow } from '../../../src/shared/flow.ts';
import { row } from '../../shared/fixtures.ts';
import { RowStore } from '../../support/row-store.ts';
import { fullRows } from '../../support/full-update.ts';

function keyOf(col: Column, r: FlowRow): number | string {
  if (col.kind === 'text') return col.key(r);
  const one = new RowStore();
  one.apply([r]);
  return one.numberKey(col.id, 0, true);
}

/** Filter, stable sort in slot order, then favourites first (a stable partition); ids. */
function reference(s: FlowStore, spec: ViewSpec): number[] {
  const list: FlowRow[] = [];
  for (let slot = 0; slot < s.slotCount; slot++) if (s.idAt(slot) !== 0) list.push(s.row(slot, true));
  const fav = (r: FlowRow) => spec.favourites !== null && spec.favourites.match(r);
  const shown = list.filter((r) => (spec.predicate === null || spec.predicate(r)) && (spec.favourites === null || !spec.favourites.only || fav(r)));
  const keys = new Map(shown.map((r) => [r.id, keyOf(spec.column, r)]));
  shown.sort((a, b) => {
    const ka = keys.get(a.id) as number | string;
    const kb = keys.get(b.id) as number | string;
    return (ka < kb ? -1 : ka > kb ? 1 : 0) * (spec.dir === 'asc' ? 1 : -1);
  });
  return [...shown.filter(fav), ...shown.filter((r) => !fav(r))].map((r) => r.id);
}

function favourites(req: Omit<FavouritesRequest, 'only'>, only = false): ViewSpec['favourites'] {
  const sets = favouriteSets(req);
  return { match: (r) => favouriteOf(r, sets) !== null, only };
}

const order = (v: FlowView, s: FlowStore) => v.order().map((slot) => s.idAt(slot));

describe('flow view: favourites first', () => {
  const sample = [
    row({ id: 1, process: 'curl', bytes_fwd: 10, host: 'a.example' }),
    row({ id: 2, process: 'firefox', bytes_fwd: 300, host: 'www.news.example' }),
    row({ id: 3, process: 'curl', bytes_fwd: 20, host: null, dst: '10.0.0.1' }),
    row({ id: 4, process: 'ssh', bytes_fwd: 5, host: 'b.example' }),
    row({ id: 5, process: 'ssh', bytes_fwd: 900, host: 'c.example' }),
  ];

  it('puts favourite flows, hosts (and their subdomains) and programs first whatever the sort, each part in sort order', () => {
    const s = new RowStore();
    s.apply(sample);
    for (const col of ['bytes', 'process', 'last_seen'] as const) {
      for (const dir of ['asc', 'desc'] as const) {
        const spec: ViewSpec = { column: columnById(col), dir, predicate: null, seen: null, favourites: favourites({ flows: [4], hosts: ['news.example', '10.0.0.1'], programs: [] }) };
        const v = new FlowView();
        v.sync(s, spec, true);
        const got = order(v, s);
        expect(new Set(got.slice(0, 3)), `${col} ${dir}`).toEqual(new Set([2, 3, 4]));
        expect(got).toEqual(reference(s, spec));
      }
    }
    const byBytes: ViewSpec = { column: columnById('bytes'), dir: 'desc', predicate: null, seen: null, favourites: favourites({ flows: [], hosts: [], programs: ['curl'] }) };
    const v = new FlowView();
    v.sync(s, byBytes, true);
    expect(order(v, s)).toEqual([3, 1, 5, 2, 4]);
    // The window and positions see the same order without a full sort.
    expect(v.range(0, 2).map((slot) => s.idAt(slot))).toEqual([3, 1]);
    expect(v.indexOf(s.slotOfId(5))).toBe(2);
  });

  it('with only, shows favourites alone; a flow whose program arrives later moves to the top', () => {
    const s = new RowStore();
    s.apply(sample.map((r) => (r.id === 5 ? { ...r, process: null } : r)));
    const v = new FlowView();
    const spec: ViewSpec = { column: columnById('bytes'), dir: 'desc', predicate: null, seen: null, favourites: favourites({ flows: [], hosts: [], programs: ['ssh'] }) };
    v.sync(s, spec, true);
    expect(order(v, s)).toEqual([4, 5, 2, 3, 1]);
    s.apply([sample[4]]);
    v.sync(s, spec, true);
    expect(v.lastPath).toBe('sort');
    expect(order(v, s)).toEqual([5, 4, 2, 3, 1]);
    const only: ViewSpec = { ...spec, favourites: favourites({ flows: [1], hosts: [], programs: ['ssh'] }, true) };
    expect(v.sync(s, only, true)).toBe(3);
    expect(order(v, s)).toEqual([5, 1, 4]);
  });

  it('agrees with the reference between updates for any favourites, filter and sort', () => {
    const arbRow = fc.record({
      id: fc.integer({ min: 1, max: 30 }),
      bytes_fwd: fc.integer({ min: 0, max: 20 }),
      process: fc.constantFrom('a', 'b', null),
      host: fc.constantFrom('x.example', 'y.x.example', 'z.example', null),
      state: fc.constantFrom('established' as const, 'closed' as const),
    });
    const arbUpdate = fc.record({
      upserts: fc.array(arbRow, { maxLength: 10 }),
      removed: fc.array(fc.integer({ min: 1, max: 30 }), { maxLength: 4 }),
      lo: fc.nat(20),
      len: fc.integer({ min: 1, max: 20 }),
    });
    fc.assert(
      fc.property(
        fc.constantFrom(...COLUMNS.map((c) => c.id)),
        fc.constantFrom('asc' as const, 'desc' as const),
        fc.constantFrom('', 'state:open'),
        fc.record({ flows: fc.array(fc.integer({ min: 1, max: 30 }), { maxLength: 4 }), hosts: fc.subarray(['x.example', 'z.example', '93.184.216.34']), programs: fc.subarray(['a', 'b']) }),
        fc.boolean(),
        fc.array(arbUpdate, { minLength: 1, maxLength: 15 }),
        (col, dir, q, favs, only, updates) => {
          const parsed = parseFilterQuery(q);
          if (!parsed.ok) throw new Error(parsed.error);
          const spec: ViewSpec = { column: columnById(col), dir, predicate: parsed.predicate, seen: null, favourites: favourites(favs, only) };
          const s = new RowStore();
          const view = new FlowView();
          for (const u of updates) {
            s.apply(u.upserts.map((p) => row({ ...p, dns_queries: [] })), u.removed);
            view.sync(s, spec, true);
            const want = reference(s, spec);
            expect(view.range(u.lo, u.lo + u.len).map((slot) => s.idAt(slot))).toEqual(want.slice(u.lo, u.lo + u.len));
            expect(order(view, s)).toEqual(want);
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  it('the view model rebuilds for new favourites and keeps the spec while they do not change', () => {
    const s = new RowStore();
    s.apply(sample);
    const m = new FlowViewModel();
    m.show(s);
    m.setView({ seq: 1, sortColumn: 'bytes', sortDir: 'desc', filter: '', start: 0, end: 10, select: null, have: null });
    expect(fullRows(m.view(false)).map((r) => r.id)).toEqual([5, 2, 3, 1, 4]);
    m.setFavourites({ flows: [1], hosts: ['b.example'], programs: [], only: false });
    expect(fullRows(m.view(false)).map((r) => r.id)).toEqual([1, 4, 5, 2, 3]);
    m.setFavourites({ flows: [1], hosts: ['b.example'], programs: [], only: true });
    const v = m.view(false);
    expect(v.count).toBe(2);
    expect(fullRows(v).map((r) => r.id)).toEqual([1, 4]);
    m.setFavourites({ flows: [], hosts: [], programs: [], only: false });
    expect(fullRows(m.view(false)).map((r) => r.id)).toEqual([5, 2, 3, 1, 4]);
  });
});
