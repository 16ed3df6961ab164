/**
 * The flows table as the engine host serves it (IPC version 3): every flow in a columnar table, filtered and sorted
 * incrementally, and per update only what the renderer asked for in its last ViewRequest: the rows of its window,
 * the counts, the selected flow with its rate history, and why its filter text does not parse. The renderer's cost
 * per update is then bounded by the window, not by the number of flows.
 * Electron-free and Node-only (no I/O): the session drives it, and tests and benchmarks can drive it directly.
 */
import type { FlowRow } from '../../shared/flow.ts';
import type { EngineUpdate, SelectedFlow, ViewRequest } from '../../shared/ipc.ts';
import { MAX_VIEW_ROWS, RATE_HISTORY_LENGTH } from '../../shared/ipc.ts';
import { downRate, upRate } from '../../shared/flows/endpoints.ts';
import { parseFilterQuery } from '../../shared/flows/filter-query.ts';
import { columnById } from './columns.ts';
import { FlowView, type ViewSpec } from './flow-view.ts';
import { TableState } from './table-state.ts';

export type ViewPart = Pick<EngineUpdate, 'viewSeq' | 'total' | 'count' | 'start' | 'rows' | 'selected' | 'filterError'>;

/** What is served before the renderer asks for anything. */
export const DEFAULT_VIEW: Readonly<ViewRequest> = Object.freeze({
  seq: 0,
  sortColumn: 'last_seen',
  sortDir: 'desc',
  filter: '',
  start: 0,
  end: 100,
  select: null,
});

export class FlowViewModel {
  private readonly table = new TableState();
  private readonly flowView = new FlowView();
  private req: ViewRequest = DEFAULT_VIEW;
  private spec: ViewSpec = { column: columnById(DEFAULT_VIEW.sortColumn), dir: DEFAULT_VIEW.sortDir, predicate: null };
  /** The filter text in force (its predicate is spec.predicate), and the last text asked for with its parse error. */
  private appliedFilter = '';
  private askedFilter = '';
  private filterError: string | null = null;
  private selectedId: number | null = null;
  private down: number[] = [];
  private up: number[] = [];
  /** The table's epoch at the last tick: a flow stamped after it changed since. */
  private tickEpoch = 0;

  /** Forget every flow (a new source). The view request and selection stay. */
  reset(): void {
    this.table.clear();
    // Ids restart with a new engine: the history belonged to a flow of the old source.
    this.down = [];
    this.up = [];
  }

  /** Changed rows (whole FlowRows, as the engine drains them) and removed ids. */
  apply(changed: readonly FlowRow[], removed: readonly number[]): void {
    this.table.apply(changed, removed);
  }

  /** The view to serve from now on (already validated). */
  setView(req: ViewRequest): void {
    this.req = req;
    const column = columnById(req.sortColumn);
    let predicate = this.spec.predicate;
    if (req.filter !== this.askedFilter) {
      this.askedFilter = req.filter;
      if (req.filter === this.appliedFilter) this.filterError = null;
      else {
        const parsed = parseFilterQuery(req.filter);
        // Text that does not parse leaves the previous filter in force; the renderer shows why.
        if (parsed.ok) {
          predicate = parsed.predicate;
          this.appliedFilter = req.filter;
          this.filterError = null;
        } else this.filterError = parsed.error;
      }
    }
    const s = this.spec;
    // FlowView rebuilds when any part of its spec changes identity, so keep the object while nothing changed.
    if (s.column !== column || s.dir !== req.sortDir || s.predicate !== predicate) this.spec = { column, dir: req.sortDir, predicate };
    const sel = req.select;
    let id: number | null;
    if (sel === null) id = null;
    else if ('id' in sel) id = sel.id;
    else {
      // A position of the order as it is now, which is what the renderer saw when it asked.
      const count = this.flowView.sync(this.table, this.spec);
      const i = Math.min(sel.index, count - 1);
      id = count === 0 ? null : this.flowView.range(i, i + 1)[0];
    }
    if (id !== this.selectedId) {
      this.selectedId = id;
      this.down = [];
      this.up = [];
    }
  }

  /** The view part of the next EngineUpdate. `tick`: this is an engine update (advance the selected flow's rate history), not a reply to setView. */
  view(tick: boolean): ViewPart {
    const table = this.table;
    const rows = table.rows;
    const fv = this.flowView;
    const count = fv.sync(table, this.spec);
    const req = this.req;
    const start = Math.min(Math.max(0, req.start), count);
    const end = Math.min(Math.max(start, req.end), count, start + MAX_VIEW_ROWS);
    const ids = fv.range(start, end);
    const out = new Array<FlowRow>(ids.length);
    for (let i = 0; i < ids.length; i++) out[i] = rows.get(ids[i]) as FlowRow;
    let selected: SelectedFlow | null = null;
    const id = this.selectedId;
    if (id !== null) {
      const slot = rows.slotOfId(id);
      const row = slot < 0 ? null : (rows.rowAt(slot) as FlowRow);
      // A point per update that carried the flow, as the engine reports it (an idle flow's rates are not re-sent).
      if (tick && row !== null && rows.stampAt(slot) > this.tickEpoch) {
        this.down = appendCapped(this.down, downRate(row));
        this.up = appendCapped(this.up, upRate(row));
      }
      selected = { id, index: fv.indexOf(id), row, down: this.down, up: this.up };
    }
    if (tick) this.tickEpoch = rows.epoch;
    return { viewSeq: req.seq, total: rows.size, count, start, rows: out, selected, filterError: this.filterError };
  }
}

/** A new array (the previous one may still be referenced by an update being sent): xs + x, the newest RATE_HISTORY_LENGTH. */
function appendCapped(xs: readonly number[], x: number): number[] {
  const from = xs.length >= RATE_HISTORY_LENGTH ? xs.length - RATE_HISTORY_LENGTH + 1 : 0;
  const next = xs.slice(from);
  next.push(x);
  return next;
}
