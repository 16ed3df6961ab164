// @vitest-environment node
import { beforeEach, describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { DEFAULT_VIEW, FlowViewModel } from '../../../src/engine-host/view/flow-view-model.ts';
import { columnById, type Column } from '../../../src/engine-host/view/columns.ts';
import * as filterQuery from '../../../src/shared/flows/filter-query.ts';
import { downRate, upRate } from '../../../src/shared/flows/endpoints.ts';
import { COLUMN_IDS } from '../../../src/shared/flows/columns.ts';
import { MAX_VIEW_ROWS, RATE_HISTORY_LENGTH, type ViewRequest } from '../../../src/shared/ipc.ts';
import type { FlowRow } from '../../../src/shared/flow.ts';
import { row } from '../../shared/fixtures.ts';
import { RowStore } from '../../support/row-store.ts';
import { fullRows } from '../../support/full-update.ts';

// Every predicate the model builds counts its calls, so a test can tell whether the filter ran.
const predicateCalls = vi.hoisted(() => ({ n: 0 }));
vi.mock('../../../src/shared/flows/filter-query.ts', async (importOriginal) => {
  const mod = await importOriginal<typeof filterQuery>();
  return {
    ...mod,
    parseFilterQuery: (q: string): filterQuery.ParseResult => {
      const r = mod.parseFilterQuery(q);
      if (!r.ok || r.predicate === null) return r;
      const p = r.predicate;
      return { ...r, predicate: (t) => (predicateCalls.n++, p(t)) };
    },
  };
});

beforeEach(() => {
  predicateCalls.n = 0;
});

let seq = 0;
/** A request; by default in the last-seen order these tests were written for. */
function req(p: Partial<ViewRequest> = {}): ViewRequest {
  return { ...DEFAULT_VIEW, sortColumn: 'last_seen', sortDir: 'desc', seq: ++seq, ...p };
}

/** n flows: id i has i × 10 bytes down, process p<i mod 3>, and every third one is closed. */
function flows(n: number, over: (i: number) => Partial<FlowRow> = () => ({})): FlowRow[] {
  return Array.from({ length: n }, (_, k) => {
    const id = k + 1;
    return row({ id, bytes_fwd: 0, bytes_rev: id * 10, process: `p${id % 3}`, state: id % 3 === 0 ? 'closed' : 'established', ...over(id) });
  });
}

// A row left out (null) shows as null, so a test expecting ids fails on it.
const ids = (rows: readonly (FlowRow | null)[]) => rows.map((r) => (r === null ? null : r.id));

/** A model showing a store that tests change as an engine would. */
function model(): { m: FlowViewModel; s: RowStore } {
  const m = new FlowViewModel();
  const s = new RowStore();
  m.show(s);
  return { m, s };
}

/** The reference sort key of one row (the view reads its own from the store). */
function keyOf(col: Column, r: FlowRow, rates: boolean): number | string {
  if (col.kind === 'text') return col.key(r);
  const one = new RowStore();
  one.apply([r]);
  return one.numberKey(col.id, 0, rates);
}

/** A row as shown without rates (a stopped or paused source). */
const noRates = (r: FlowRow): FlowRow => ({ ...r, rate_fwd_1s: 0, rate_rev_1s: 0, rate_fwd_10s: 0, rate_rev_10s: 0 });

describe('flow view model', () => {
  it('serves the default view before any request: arrival order (first seen, oldest first), rows [0, 100), nothing selected', () => {
    const m = new FlowViewModel();
    expect(m.view(false)).toEqual({ viewSeq: 0, total: 0, count: 0, start: 0, rows: [], order: expect.any(Number), selected: null, filterError: null });
    const s = new RowStore();
    m.show(s);
    expect(m.view(false)).toEqual({ viewSeq: 0, total: 0, count: 0, start: 0, rows: [], order: expect.any(Number), selected: null, filterError: null });
    // Flow 150 arrived first.
    s.apply(flows(150, (i) => ({ first_seen: 1_699_000_000 - i })), []);
    const v = m.view(true);
    expect(v.viewSeq).toBe(0);
    expect([v.total, v.count, v.start]).toEqual([150, 150, 0]);
    expect(ids(v.rows)).toEqual(Array.from({ length: 100 }, (_, i) => 150 - i));
    expect(v.rows[0]).toEqual(row({ id: 150, bytes_fwd: 0, bytes_rev: 1500, process: 'p0', state: 'closed', first_seen: 1_699_000_000 - 150 }));
  });

  it('clamps the window to the filtered rows and to MAX_VIEW_ROWS', () => {
    const { m, s } = model();
    s.apply(flows(1500), []);
    m.setView(req({ sortColumn: 'bytes', sortDir: 'asc', start: 1490, end: 1600 }));
    let v = m.view(false);
    expect(v.start).toBe(1490);
    expect(ids(v.rows)).toEqual([1491, 1492, 1493, 1494, 1495, 1496, 1497, 1498, 1499, 1500]);
    m.setView(req({ sortColumn: 'bytes', sortDir: 'asc', start: 5000, end: 5100 }));
    v = m.view(false);
    expect([v.start, v.rows.length, v.count]).toEqual([1500, 0, 1500]);
    // Validation keeps windows to MAX_VIEW_ROWS; the model holds to it regardless.
    m.setView(req({ sortColumn: 'bytes', sortDir: 'asc', start: 10, end: 3000 }));
    v = m.view(false);
    expect(v.rows.length).toBe(MAX_VIEW_ROWS);
    expect(v.rows[0]?.id).toBe(11);
    m.setView(req({ filter: 'state:closed', start: 490, end: 600 }));
    v = m.view(false);
    expect([v.total, v.count, v.start, v.rows.length]).toEqual([1500, 500, 490, 10]);
  });

  it('switches sort column and direction', () => {
    const { m, s } = model();
    s.apply(flows(6), []);
    m.setView(req({ sortColumn: 'bytes', sortDir: 'desc' }));
    expect(ids(m.view(false).rows)).toEqual([6, 5, 4, 3, 2, 1]);
    m.setView(req({ sortColumn: 'bytes', sortDir: 'asc' }));
    expect(ids(m.view(false).rows)).toEqual([1, 2, 3, 4, 5, 6]);
    // Ties (same process) keep arrival order in both directions.
    m.setView(req({ sortColumn: 'process', sortDir: 'asc' }));
    expect(ids(m.view(false).rows)).toEqual([3, 6, 1, 4, 2, 5]);
    m.setView(req({ sortColumn: 'process', sortDir: 'desc' }));
    expect(ids(m.view(false).rows)).toEqual([2, 5, 1, 4, 3, 6]);
  });

  it('reports a filter that does not parse and keeps the previous one in force', () => {
    const { m, s } = model();
    s.apply(flows(9), []);
    m.setView(req({ filter: 'proc:p1' }));
    let v = m.view(false);
    expect([v.count, v.filterError]).toEqual([3, null]);
    m.setView(req({ filter: 'proc:p1 port:abc' }));
    v = m.view(false);
    expect(v.filterError).toMatch(/^Bad port "abc"/);
    expect(v.count).toBe(3);
    expect(ids(v.rows)).toEqual([7, 4, 1]);
    // The same request again (a scroll) still carries the error.
    m.setView(req({ filter: 'proc:p1 port:abc', start: 1 }));
    expect(m.view(false).filterError).toMatch(/^Bad port/);
    // Back to the text in force: no error, same filter.
    m.setView(req({ filter: 'proc:p1' }));
    v = m.view(false);
    expect([v.count, v.filterError]).toEqual([3, null]);
    m.setView(req({ filter: '' }));
    v = m.view(false);
    expect([v.count, v.filterError]).toEqual([9, null]);
    m.setView(req({ filter: 'nope:x' }));
    v = m.view(false);
    expect(v.filterError).toMatch(/^Unknown keyword/);
    expect(v.count).toBe(9);
  });

  it('selects by id or by position, clamped, and reports where the selected flow is', () => {
    const { m, s } = model();
    m.setView(req({ select: { index: 0 } }));
    expect(m.view(false).selected).toBeNull();
    s.apply(flows(5), []);
    const byBytes = { sortColumn: 'bytes', sortDir: 'desc' } as const;
    m.setView(req({ ...byBytes, select: { index: 1 } }));
    expect(m.view(false).selected).toMatchObject({ id: 4, index: 1 });
    m.setView(req({ ...byBytes, select: { index: 99 } }));
    expect(m.view(false).selected).toMatchObject({ id: 1, index: 4 });
    m.setView(req({ ...byBytes, select: { id: 3 } }));
    let sel = m.view(false).selected;
    expect(sel).toMatchObject({ id: 3, index: 2 });
    expect(sel?.row).toEqual(m.view(false).rows[2]);
    // The position follows the flow as the order changes.
    s.apply([row({ id: 3, bytes_fwd: 0, bytes_rev: 1000, process: 'p0', state: 'closed' })], []);
    expect(m.view(false).selected).toMatchObject({ id: 3, index: 0 });
    // Filtered out: still selected, at no position.
    m.setView(req({ ...byBytes, filter: 'state:open', select: { id: 3 } }));
    sel = m.view(false).selected;
    expect(sel).toMatchObject({ id: 3, index: -1 });
    expect(sel?.row?.id).toBe(3);
    // Gone: still selected, no row.
    s.apply([], [3]);
    sel = m.view(false).selected;
    expect(sel).toMatchObject({ id: 3, index: -1, row: null });
    m.setView(req({ ...byBytes, select: null }));
    expect(m.view(false).selected).toBeNull();
    // An id never seen may be selected (it is simply not there).
    m.setView(req({ select: { id: 77 } }));
    expect(m.view(false).selected).toMatchObject({ id: 77, index: -1, row: null });
  });

  it('keeps a rate history of the selected flow: a point per tick (its rates then), reset on a new selection', () => {
    const { m, s } = model();
    const rated = (id: number, down: number, up: number) => row({ id, rate_rev_1s: down, rate_fwd_1s: up });
    s.apply([rated(1, 10, 1), rated(2, 20, 2)], []);
    m.setView(req({ select: { id: 1 } }));
    expect(m.view(false).selected).toMatchObject({ down: [], up: [] });
    expect(m.view(true).selected).toMatchObject({ down: [10], up: [1] });
    expect(m.view(false).selected, 'a reply to setView adds nothing').toMatchObject({ down: [10], up: [1] });
    s.apply([rated(1, 11, 3)], []);
    expect(m.view(false).selected).toMatchObject({ down: [10], up: [1] });
    expect(m.view(true).selected).toMatchObject({ down: [10, 11], up: [1, 3] });
    s.apply([rated(2, 21, 2)], []);
    expect(m.view(true).selected, 'a tick that did not carry the flow still adds its rates').toMatchObject({ down: [10, 11, 11], up: [1, 3, 3] });
    expect(m.view(true).selected, 'so does a tick that carried nothing').toMatchObject({ down: [10, 11, 11, 11], up: [1, 3, 3, 3] });
    // A flow gone quiet: its rates fell to 0, and so do the points.
    s.apply([rated(1, 0, 0)], []);
    expect(m.view(true).selected).toMatchObject({ down: [10, 11, 11, 11, 0], up: [1, 3, 3, 3, 0] });
    s.apply([rated(1, 12, 4)], []);
    // Without rates (stopped or paused): the points and the row are 0.
    m.setRates(false);
    let sel = m.view(true).selected;
    expect(sel).toMatchObject({ down: [10, 11, 11, 11, 0, 0], up: [1, 3, 3, 3, 0, 0] });
    expect([sel?.row?.rate_rev_1s, sel?.row?.rate_fwd_1s, sel?.row?.rate_rev_10s, sel?.row?.rate_fwd_10s]).toEqual([0, 0, 0, 0]);
    m.setRates(true);
    expect(m.view(true).selected).toMatchObject({ down: [10, 11, 11, 11, 0, 0, 12], up: [1, 3, 3, 3, 0, 0, 4] });
    m.setView(req({ select: { id: 1 } }));
    expect(m.view(false).selected, 'the same selection keeps its history').toMatchObject({ down: [10, 11, 11, 11, 0, 0, 12] });
    // Gone: no row, no point.
    s.apply([], [1]);
    expect(m.view(true).selected).toMatchObject({ id: 1, row: null, down: [10, 11, 11, 11, 0, 0, 12] });
    m.setView(req({ select: { id: 2 } }));
    expect(m.view(false).selected).toMatchObject({ id: 2, down: [], up: [] });
    for (let i = 0; i < RATE_HISTORY_LENGTH + 5; i++) {
      s.apply([rated(2, i, 0)], []);
      m.view(true);
    }
    sel = m.view(false).selected;
    expect(sel?.down.length).toBe(RATE_HISTORY_LENGTH);
    expect(sel?.down.at(-1)).toBe(RATE_HISTORY_LENGTH + 4);
    expect(sel?.down[0]).toBe(5);
    expect(sel?.down.at(-1)).toBe(downRate(sel!.row!));
    expect(sel?.up.at(-1)).toBe(upRate(sel!.row!));
  });

  it('without rates, rows show and sort every rate as 0; with them again, as they are', () => {
    const { m, s } = model();
    s.apply([10, 40, 20, 30].map((r, i) => row({ id: i + 1, rate_rev_1s: r, rate_rev_10s: r, rate_fwd_1s: 1, rate_fwd_10s: 1 })), []);
    m.setView(req({ sortColumn: 'down', sortDir: 'desc', select: { id: 2 } }));
    let v = m.view(false);
    expect(ids(v.rows)).toEqual([2, 4, 3, 1]);
    expect(v.selected).toMatchObject({ id: 2, index: 0 });
    m.setRates(false);
    v = m.view(false);
    expect(ids(v.rows), 'ties in arrival (slot) order').toEqual([1, 2, 3, 4]);
    for (const r of fullRows(v)) expect([r.rate_fwd_1s, r.rate_rev_1s, r.rate_fwd_10s, r.rate_rev_10s]).toEqual([0, 0, 0, 0]);
    expect(v.selected).toMatchObject({ id: 2, index: 1 });
    expect(v.selected?.row?.rate_rev_1s).toBe(0);
    // Counters other than rates still show.
    expect(v.rows[0]?.bytes_rev).toBe(9000);
    m.setRates(true);
    v = m.view(false);
    expect(ids(v.rows)).toEqual([2, 4, 3, 1]);
    expect(v.rows[0]?.rate_rev_1s).toBe(40);
  });

  it('show (a new source) forgets the flows and the history but keeps the request and the selection', () => {
    const { m, s } = model();
    s.apply(flows(5), []);
    m.setView(req({ sortColumn: 'bytes', sortDir: 'asc', filter: 'state:open', start: 1, end: 3, select: { id: 2 } }));
    m.view(true);
    expect(m.view(false).selected?.down.length).toBe(1);
    const next = new RowStore();
    m.show(next);
    let v = m.view(false);
    expect(v).toMatchObject({ total: 0, count: 0, start: 0, rows: [], selected: { id: 2, index: -1, row: null, down: [], up: [] }, filterError: null });
    s.apply(flows(7), []);
    expect(m.view(false).total, 'the old store is no longer read').toBe(0);
    next.apply(flows(5, (id) => ({ bytes_rev: 100 - id })), []);
    v = m.view(false);
    expect(ids(v.rows)).toEqual([4, 2]);
    expect(v.selected).toMatchObject({ id: 2, index: 2 });
  });

  it('does not run the filter for a counters-only change of every flow, and re-sorts by the new numbers', () => {
    const { m, s } = model();
    const n = 50_000;
    const base = flows(n);
    s.apply(base, []);
    m.setView(req({ sortColumn: 'bytes', sortDir: 'desc', filter: 'state:open', end: 50, select: { index: 0 } }));
    let v = m.view(true);
    expect(predicateCalls.n).toBe(n);
    expect(v.count).toBe(n - Math.floor(n / 3));
    expect(v.rows[0]?.id).toBe(n);
    predicateCalls.n = 0;
    // Fresh row objects with the same texts, reversed byte counts.
    s.apply(base.map((r) => ({ ...r, dns_queries: [...r.dns_queries], alpn: [...r.alpn], bytes_rev: (n + 1 - r.id) * 10 })), []);
    v = m.view(true);
    expect(predicateCalls.n).toBe(0);
    expect(ids(v.rows.slice(0, 3))).toEqual([1, 2, 4]);
    expect(v.selected).toMatchObject({ id: n, index: v.count - 1 });
    // A changed text runs it for that flow only.
    s.apply([{ ...base[2], state: 'established', bytes_rev: n * 100 }], []);
    v = m.view(true);
    expect(predicateCalls.n).toBe(1);
    expect(v.rows[0]?.id).toBe(3);
  });

  it('equals a naive filter and sort of the flows held, over random applies, requests, new sources and rates on/off; rows left out are the ones held', () => {
    const arbRow = fc.record({
      id: fc.integer({ min: 1, max: 30 }),
      bytes_rev: fc.integer({ min: 0, max: 40 }),
      rate_rev_1s: fc.integer({ min: 0, max: 5 }),
      rate_fwd_1s: fc.integer({ min: 0, max: 5 }),
      last_seen: fc.integer({ min: 0, max: 9 }),
      state: fc.constantFrom('established' as const, 'closed' as const, 'active' as const),
      process: fc.constantFrom('a', 'b', null),
      local: fc.constantFrom('src' as const, 'dst' as const, null),
    });
    const arbSelect = fc.oneof(
      fc.constant(null),
      fc.integer({ min: 1, max: 32 }).map((id) => ({ id })),
      fc.nat(35).map((index) => ({ index })),
    );
    const arbOp = fc.oneof(
      { weight: 4, arbitrary: fc.record({ kind: fc.constant('apply' as const), rows: fc.array(arbRow, { maxLength: 10 }), removed: fc.array(fc.integer({ min: 1, max: 30 }), { maxLength: 3 }) }) },
      {
        weight: 3,
        arbitrary: fc.record({
          kind: fc.constant('setView' as const),
          sortColumn: fc.constantFrom(...COLUMN_IDS),
          sortDir: fc.constantFrom('asc' as const, 'desc' as const),
          filter: fc.constantFrom('', 'state:open', 'proc:a', '-proc:b', 'port:x', 'host:'),
          start: fc.nat(30),
          len: fc.nat(25),
          select: arbSelect,
          keep: fc.boolean(),
        }),
      },
      // The same view at another window (a scroll), holding the rows of the last answer or not.
      { weight: 3, arbitrary: fc.record({ kind: fc.constant('scroll' as const), start: fc.nat(8), len: fc.integer({ min: 1, max: 20 }), keep: fc.boolean() }) },
      { weight: 3, arbitrary: fc.record({ kind: fc.constant('view' as const), tick: fc.boolean() }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('reset' as const) }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('rates' as const), on: fc.boolean() }) },
    );
    fc.assert(
      fc.property(fc.array(arbOp, { minLength: 1, maxLength: 40 }), (ops) => {
        const m = new FlowViewModel();
        let s = new RowStore();
        m.show(s);
        // The reference: rows by id, the request, the filter in force, whether rates show.
        let held = new Map<number, FlowRow>();
        let request: ViewRequest = DEFAULT_VIEW;
        let applied: filterQuery.FlowPredicate | null = null;
        let filterError: string | null = null;
        let selected: number | null = null;
        let history = { down: [] as number[], up: [] as number[] };
        let rates = true;
        const shown = (r: FlowRow) => (rates ? r : noRates(r));
        // What a renderer holds from the last view (nulls filled), and every flow id seen at a position per order.
        let client: { start: number; rows: FlowRow[]; order: number } | null = null;
        const seenAt = new Map<number, Map<number, number>>();
        const heldRows = () => (client === null ? null : { start: client.start, end: client.start + client.rows.length, order: client.order });
        const order = (): number[] => {
          const col = columnById(request.sortColumn);
          const sign = request.sortDir === 'asc' ? 1 : -1;
          // Ties in slot order: the store's slots (arrival order, freed slots reused) before a stable sort.
          const list = [...held.values()].filter((r) => applied === null || applied(r)).sort((a, b) => s.slotOfId(a.id) - s.slotOfId(b.id));
          list.sort((a, b) => {
            const ka = keyOf(col, a, rates);
            const kb = keyOf(col, b, rates);
            return (ka < kb ? -1 : ka > kb ? 1 : 0) * sign;
          });
          return list.map((r) => r.id);
        };
        for (const op of ops) {
          if (op.kind === 'apply') {
            const rows = op.rows.map((p) => row({ ...p, bytes_fwd: 0 }));
            s.apply(rows, op.removed);
            for (const r of rows) held.set(r.id, r);
            for (const id of op.removed) held.delete(id);
          } else if (op.kind === 'setView') {
            const select = op.select;
            const have = op.keep ? heldRows() : null;
            request = { seq: request.seq + 1, sortColumn: op.sortColumn, sortDir: op.sortDir, filter: op.filter, start: op.start, end: op.start + op.len, select, have };
            m.setView(request);
            const parsed = filterQuery.parseFilterQuery(op.filter);
            if (parsed.ok) {
              applied = parsed.predicate;
              filterError = null;
            } else filterError = parsed.error;
            let id: number | null = null;
            if (select !== null && 'id' in select) id = select.id;
            else if (select !== null) {
              const o = order();
              id = o.length === 0 ? null : o[Math.min(select.index, o.length - 1)];
            }
            if (id !== selected) history = { down: [], up: [] };
            selected = id;
          } else if (op.kind === 'scroll') {
            request = { ...request, seq: request.seq + 1, start: op.start, end: op.start + op.len, select: selected === null ? null : { id: selected }, have: op.keep ? heldRows() : null };
            m.setView(request);
          } else if (op.kind === 'reset') {
            s = new RowStore();
            m.show(s);
            held = new Map();
            history = { down: [], up: [] };
          } else if (op.kind === 'rates') {
            m.setRates(op.on);
            rates = op.on;
          } else {
            const o = order();
            const held1 = selected === null ? null : held.get(selected) ?? null;
            const sel = held1 === null ? null : shown(held1);
            // Every tick adds the selected flow's rates as they are then (0 without rates), while it is there.
            if (op.tick && sel !== null) {
              history = { down: [...history.down, downRate(sel)].slice(-RATE_HISTORY_LENGTH), up: [...history.up, upRate(sel)].slice(-RATE_HISTORY_LENGTH) };
            }
            const start = Math.min(request.start, o.length);
            const end = Math.min(Math.max(start, request.end), o.length);
            const v = m.view(op.tick);
            const want = o.slice(start, end).map((id) => shown(held.get(id) as FlowRow));
            // The same order means the same flow at every position, whatever happened in between.
            const seen = seenAt.get(v.order) ?? new Map<number, number>();
            seenAt.set(v.order, seen);
            want.forEach((r, i) => {
              expect(seen.get(start + i) ?? r.id).toBe(r.id);
              seen.set(start + i, r.id);
            });
            // Left out exactly where a reply to setView covers rows held under this order; a tick sends all.
            const h = request.have;
            const kept = (p: number) => !op.tick && h !== null && h.order === v.order && p >= h.start && p < h.end;
            expect(v.rows).toEqual(want.map((r, i) => (kept(start + i) ? null : r)));
            const filled = v.rows.map((r, i) => r ?? (client !== null && client.order === v.order ? client.rows[start + i - client.start] : undefined));
            filled.forEach((r, i) => expect(r?.id).toBe(want[i].id));
            client = { start, rows: filled as FlowRow[], order: v.order };
            expect({ ...v, rows: null, order: null }).toEqual({
              viewSeq: request.seq,
              total: held.size,
              count: o.length,
              start,
              rows: null,
              order: null,
              selected: selected === null ? null : { id: selected, index: o.indexOf(selected), row: sel, down: history.down, up: history.up },
              filterError,
            });
          }
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('flow view model: rows the renderer holds (ViewRequest.have)', () => {
  /** A model over 40 flows by bytes, its first answer for [0, 20), and a request for another window holding that answer. */
  function held() {
    const { m, s } = model();
    s.apply(flows(40), []);
    const byBytes = { sortColumn: 'bytes', sortDir: 'asc' } as const;
    m.setView(req({ ...byBytes, start: 0, end: 20 }));
    const first = m.view(false);
    const have = { start: 0, end: 20, order: first.order };
    return { m, s, first, byBytes, scroll: (start: number, end: number, p: Partial<ViewRequest> = {}) => m.setView(req({ ...byBytes, start, end, have, ...p })) };
  }
  /** Positions of the rows left out. */
  const nulls = (v: { start: number; rows: readonly (FlowRow | null)[] }) => v.rows.flatMap((r, i) => (r === null ? [v.start + i] : []));
  const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

  it('a reply to setView leaves out exactly the positions held, under the same order; the rows it sends are the current ones', () => {
    const { m, first, scroll } = held();
    expect(nulls(first)).toEqual([]);
    scroll(10, 30);
    const v = m.view(false);
    expect(v.order).toBe(first.order);
    expect(nulls(v)).toEqual(range(10, 20));
    expect(ids(v.rows.slice(10))).toEqual(range(21, 31));
    // Held rows partly outside the window, on either side, or not at all.
    scroll(5, 15);
    expect(nulls(m.view(false))).toEqual(range(5, 15));
    scroll(0, 5);
    expect(nulls(m.view(false))).toEqual(range(0, 5));
    m.setView(req({ sortColumn: 'bytes', sortDir: 'asc', start: 15, end: 25, have: { start: 18, end: 40, order: first.order } }));
    expect(nulls(m.view(false))).toEqual(range(18, 25));
    scroll(20, 40);
    expect(nulls(m.view(false))).toEqual([]);
    // Held rows beyond the end of the order are no reason to leave anything out.
    m.setView(req({ sortColumn: 'bytes', sortDir: 'asc', start: 30, end: 60, have: { start: 35, end: 60, order: first.order } }));
    const end = m.view(false);
    expect([end.rows.length, nulls(end)]).toEqual([10, range(35, 40)]);
  });

  it('a tick sends every row, whatever is held', () => {
    const { m, s, scroll } = held();
    scroll(10, 30);
    expect(nulls(m.view(true))).toEqual([]);
    s.apply([row({ id: 12, bytes_fwd: 0, bytes_rev: 120, packets_rev: 99 })], []);
    const v = m.view(true);
    expect(nulls(v)).toEqual([]);
    expect(v.rows[1]?.packets_rev).toBe(99);
  });

  it('without held rows, or held under another order, every row is sent', () => {
    const { m, first, scroll } = held();
    scroll(10, 30, { have: null });
    expect(nulls(m.view(false))).toEqual([]);
    scroll(10, 30, { have: { start: 0, end: 20, order: first.order + 1 } });
    expect(nulls(m.view(false))).toEqual([]);
  });

  it('the order changes with the sort, the filter, rates off and on, favourites, a new source, a flow entering or leaving, a key moving', () => {
    type Setup = ReturnType<typeof held>;
    const changes: Array<[string, Partial<ViewRequest>, (h: Setup) => void]> = [
      ['sort direction', { sortDir: 'desc' }, () => {}],
      ['sort column', { sortColumn: 'packets' }, () => {}],
      ['filter', { filter: 'state:open' }, () => {}],
      ['rates off', {}, (h) => h.m.setRates(false)],
      ['favourites', {}, (h) => h.m.setFavourites({ flows: [3], hosts: [], programs: [], only: false })],
      ['a flow entering', {}, (h) => h.s.apply([row({ id: 41, bytes_fwd: 0, bytes_rev: 1 })], [])],
      ['a flow leaving', {}, (h) => h.s.apply([], [5])],
      ['a key moving', {}, (h) => h.s.apply([row({ id: 1, bytes_fwd: 0, bytes_rev: 5000 })], [])],
      ['a new source', {}, (h) => {
        const t = new RowStore();
        t.apply(flows(40), []);
        h.m.show(t);
      }],
    ];
    for (const [what, spec, change] of changes) {
      const h = held();
      change(h);
      h.scroll(0, 20, spec);
      const v = h.m.view(false);
      expect(v.order, what).not.toBe(h.first.order);
      expect(nulls(v), what).toEqual([]);
      // Nothing changed since: a reply holding that answer leaves all of it out.
      h.scroll(0, 20, { ...spec, have: { start: 0, end: 20, order: v.order } });
      const again = h.m.view(false);
      expect(again.order, `${what}, then nothing`).toBe(v.order);
      expect(nulls(again), `${what}, then nothing`).toEqual(range(0, 20));
    }
    // Rates back on: another order again (the rows' rates are no longer 0).
    const h = held();
    h.m.setRates(false);
    const off = h.m.view(false).order;
    h.m.setRates(true);
    expect(h.m.view(false).order).not.toBe(off);
  });

  it('a change that moves no position keeps the order: the rows held are still those flows', () => {
    const h = held();
    // A counter of a flow sorted by bytes, its bytes unchanged; then a sort by a text column and a flow's bytes.
    h.s.apply([row({ id: 2, bytes_fwd: 0, bytes_rev: 20, process: 'p2', state: 'established', packets_rev: 9 })], []);
    h.scroll(0, 20);
    const v = h.m.view(false);
    expect(v.order).toBe(h.first.order);
    expect(nulls(v)).toEqual(range(0, 20));
    h.scroll(0, 20, { sortColumn: 'process', have: null });
    const byProcess = h.m.view(false);
    h.s.apply([row({ id: 2, bytes_fwd: 0, bytes_rev: 77777, process: 'p2', state: 'established' })], []);
    h.scroll(0, 20, { sortColumn: 'process', have: { start: 0, end: 20, order: byProcess.order } });
    expect(h.m.view(false).order).toBe(byProcess.order);
  });
});
