/**
 * The flows table as the engine host serves it: a view (flow-view.ts) over the engine's own table, and per update
 * only what the renderer asked for in its last ViewRequest: the rows of its window (the only row objects built), the
 * counts, the selected flow with its rate history, and why its filter text does not parse. A reply to setView leaves
 * out (null) the rows the renderer says it holds while the order is still the one they came with; a tick sends all.
 * Electron-free and Node-only (no I/O): the engine host drives it, and tests and benchmarks can drive it directly.
 */
import type { FlowStore } from '../../engine/engine.ts';
import type { FlowRow } from '../../shared/flow.ts';
import type { EngineUpdate, SelectedFlow, ViewRequest } from '../../shared/ipc.ts';
import { MAX_VIEW_ROWS, RATE_HISTORY_LENGTH } from '../../shared/ipc.ts';
import { downRate, upRate } from '../../shared/flows/endpoints.ts';
import { parseFilterQuery } from '../../shared/flows/filter-query.ts';
import { DEFAULT_SETTINGS } from '../../shared/settings.ts';
import { favouriteOf, favouriteSets, hasFavourites, type FavouritesRequest } from '../../shared/flows/favourites.ts';
import { columnById } from './columns.ts';
import { FlowView, type ViewSpec } from './flow-view.ts';

export type ViewPart = Pick<EngineUpdate, 'viewSeq' | 'total' | 'count' | 'start' | 'rows' | 'order' | 'selected' | 'filterError'>;

/** What is served before the renderer asks for anything. */
export const DEFAULT_VIEW: Readonly<ViewRequest> = Object.freeze({
  seq: 0,
  sortColumn: DEFAULT_SETTINGS.sortColumn,
  sortDir: DEFAULT_SETTINGS.sortDir,
  filter: '',
  start: 0,
  end: 100,
  select: null,
  have: null,
});

/** Holds no flows: what is shown before a source is open. */
export const EMPTY_STORE: FlowStore = {
  slotCount: 0,
  size: 0,
  idAt: () => 0,
  textVersionAt: () => 0,
  row: () => {
    throw new Error('no flow');
  },
  numberKey: () => 0,
  packetsAt: () => 0,
  bytesAt: () => 0,
  drainChanged: () => {},
  slotOfId: () => -1,
};

export class FlowViewModel {
  private store: FlowStore = EMPTY_STORE;
  private readonly flowView = new FlowView();
  private req: ViewRequest = DEFAULT_VIEW;
  private spec: ViewSpec = { column: columnById(DEFAULT_VIEW.sortColumn), dir: DEFAULT_VIEW.sortDir, predicate: null, seen: null, favourites: null };
  /** The filter text in force (its predicate is spec.predicate), and the last text asked for with its parse error. */
  private appliedFilter = '';
  private askedFilter = '';
  private filterError: string | null = null;
  private selectedId: number | null = null;
  private down: number[] = [];
  private up: number[] = [];
  /** Rates are shown (a running capture or a file being read); false shows and sorts them as 0. */
  private rates = true;

  /** Shows the flows of `store` (a new source). The view request and selection stay. */
  show(store: FlowStore): void {
    this.store = store;
    // Flow ids restart with a new engine: the history belonged to a flow of the old source.
    this.down = [];
    this.up = [];
  }

  /** Whether rates are live: false once a capture stopped or paused, or a file was read to its end. */
  setRates(live: boolean): void {
    this.rates = live;
  }

  /** The view to serve from now on (already validated). */
  setView(req: ViewRequest): void {
    this.req = req;
    const column = columnById(req.sortColumn);
    let predicate = this.spec.predicate;
    let seen = this.spec.seen;
    if (req.filter !== this.askedFilter) {
      this.askedFilter = req.filter;
      if (req.filter === this.appliedFilter) this.filterError = null;
      else {
        const parsed = parseFilterQuery(req.filter);
        // Text that does not parse leaves the previous filter in force; the renderer shows why.
        if (parsed.ok) {
          predicate = parsed.predicate;
          seen = parsed.seen;
          this.appliedFilter = req.filter;
          this.filterError = null;
        } else this.filterError = parsed.error;
      }
    }
    const s = this.spec;
    // FlowView rebuilds when any part of its spec changes identity, so keep the object while nothing changed.
    if (s.column !== column || s.dir !== req.sortDir || s.predicate !== predicate || s.seen !== seen) this.spec = { ...s, column, dir: req.sortDir, predicate, seen };
    const sel = req.select;
    let id: number | null;
    if (sel === null) id = null;
    else if ('id' in sel) id = sel.id;
    else {
      // A position of the order as it is now, which is what the renderer saw when it asked.
      const count = this.flowView.sync(this.store, this.spec, this.rates);
      const i = Math.min(sel.index, count - 1);
      id = count === 0 ? null : this.store.idAt(this.flowView.range(i, i + 1)[0]);
    }
    if (id !== this.selectedId) {
      this.selectedId = id;
      this.down = [];
      this.up = [];
    }
  }

  /** Puts these favourites first from now on (already validated); the view is rebuilt once for them. */
  setFavourites(req: FavouritesRequest): void {
    const sets = favouriteSets(req);
    const favourites = hasFavourites(sets) || req.only ? { match: (r: FlowRow) => favouriteOf(r, sets) !== null, only: req.only } : null;
    if (favourites !== null || this.spec.favourites !== null) this.spec = { ...this.spec, favourites };
  }

  /** The view part of the next EngineUpdate. `tick`: an engine update (advance the selected flow's rate history), not a reply to setView. */
  view(tick: boolean): ViewPart {
    const store = this.store;
    const fv = this.flowView;
    const count = fv.sync(store, this.spec, this.rates);
    const req = this.req;
    const start = Math.min(Math.max(0, req.start), count);
    const end = Math.min(Math.max(start, req.end), count, start + MAX_VIEW_ROWS);
    const slots = fv.range(start, end);
    const order = fv.stamp;
    // The positions the renderer holds as they are now (same order) are left out; a tick sends them anyway (fresh counters).
    const held = !tick && req.have !== null && req.have.order === order ? req.have : null;
    const rows = new Array<FlowRow | null>(slots.length);
    for (let i = 0; i < slots.length; i++) {
      const p = start + i;
      rows[i] = held !== null && p >= held.start && p < held.end ? null : store.row(slots[i], this.rates);
    }
    let selected: SelectedFlow | null = null;
    const id = this.selectedId;
    if (id !== null) {
      const slot = store.slotOfId(id);
      const row = slot < 0 ? null : store.row(slot, this.rates);
      if (tick && row !== null) {
        this.down = appendCapped(this.down, downRate(row));
        this.up = appendCapped(this.up, upRate(row));
      }
      selected = { id, index: fv.indexOf(slot), row, down: this.down, up: this.up };
    }
    return { viewSeq: req.seq, total: store.size, count, start, rows, order, selected, filterError: this.filterError };
  }
}

/** A new array (the previous one may still be referenced by an update being sent): xs + x, the newest RATE_HISTORY_LENGTH. */
function appendCapped(xs: readonly number[], x: number): number[] {
  const from = xs.length >= RATE_HISTORY_LENGTH ? xs.length - RATE_HISTORY_LENGTH + 1 : 0;
  const next = xs.slice(from);
  next.push(x);
  return next;
}
