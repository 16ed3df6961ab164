/**
 * The ordered, filtered list of flow ids the table shows. Recomputed once per store version (≤ 10 Hz), and
 * incrementally: when an update changes nothing in the sort key or the filter outcome of any visible row, the
 * previous order is reused without sorting; rows only leaving the view are dropped without sorting.
 * The view holds ids, not rows: the table looks the few visible rows up at render time.
 */
import type { FlowRow } from '../../shared/flow.ts';
import type { FlowsState } from '../state/flows-store.ts';
import type { FlowPredicate } from './filter-query.ts';
import { sameKey, type Column, type SortDir } from './columns.ts';
import { keyBuffer, sortByNumber, sortByText } from './packed-sort.ts';

export interface ViewSpec {
  column: Column;
  dir: SortDir;
  predicate: FlowPredicate | null;
}

export type ViewState = Pick<FlowsState, 'rows' | 'version' | 'baseVersion' | 'changes'>;

export class FlowView {
  private ids: number[] = [];
  private version = -1;
  private spec: ViewSpec | null = null;
  /** How the last compute went, for tests and the benchmark: 'same' | 'drop' | 'sort' | 'rebuild'. */
  lastPath: 'same' | 'drop' | 'sort' | 'rebuild' = 'rebuild';

  compute(state: ViewState, spec: ViewSpec): number[] {
    const prev = this.spec;
    const specSame = prev !== null && prev.column === spec.column && prev.dir === spec.dir && prev.predicate === spec.predicate;
    if (specSame && this.version === state.version) return this.ids;
    const incremental = specSame && this.version >= state.baseVersion && this.coveredByLog(state);
    this.ids = incremental ? this.update(state, spec) : this.rebuild(state, spec);
    this.version = state.version;
    this.spec = spec;
    return this.ids;
  }

  private coveredByLog(state: ViewState): boolean {
    const first = state.changes[0];
    // Every version after ours must be in the log.
    return first !== undefined ? first.version <= this.version + 1 : state.version === this.version;
  }

  private rebuild(state: ViewState, spec: ViewSpec): number[] {
    this.lastPath = 'rebuild';
    const ids: number[] = [];
    const pred = spec.predicate;
    for (const r of state.rows.values()) if (pred === null || pred(r)) ids.push(r.id);
    // Equal keys keep the store's (arrival) order.
    return this.sort(ids, state.rows, spec);
  }

  private update(state: ViewState, spec: ViewSpec): number[] {
    const pred = spec.predicate;
    const col = spec.column;
    const rows = state.rows;
    let keyChanged = false;
    const leave: number[] = [];
    const enter: number[] = [];
    // `old` is the row this view last saw for `id` (undefined: it did not exist).
    const visit = (id: number, old: FlowRow | undefined) => {
      const cur = rows.get(id);
      const wasIn = old !== undefined && (pred === null || pred(old));
      const isIn = cur !== undefined && (pred === null || pred(cur));
      if (wasIn && !isIn) leave.push(id);
      else if (!wasIn && isIn) enter.push(id);
      else if (wasIn && !keyChanged && !sameKey(col, old as FlowRow, cur as FlowRow)) keyChanged = true;
    };
    const entries = state.changes.filter((c) => c.version > this.version);
    if (entries.length === 1) {
      // The usual case (one update per compute): walk the log entry directly, no map.
      const c = entries[0];
      for (let i = 0; i < c.ids.length; i++) visit(c.ids[i], c.old[i]);
      for (const r of c.removed) visit(r.id, r);
    } else {
      // First occurrence in the log wins: that is the row as this view saw it.
      const before = new Map<number, FlowRow | undefined>();
      for (const c of entries) {
        for (let i = 0; i < c.ids.length; i++) if (!before.has(c.ids[i])) before.set(c.ids[i], c.old[i]);
        for (const r of c.removed) if (!before.has(r.id)) before.set(r.id, r);
      }
      for (const [id, old] of before) visit(id, old);
    }
    if (leave.length === 0 && enter.length === 0 && !keyChanged) {
      this.lastPath = 'same';
      return this.ids;
    }
    let ids: number[];
    if (leave.length === 0 && enter.length === 0) ids = this.ids.slice();
    else {
      const gone = new Set(leave);
      // An id listed twice in one update can look like it enters while it is already shown: keep one copy.
      const adding = new Set(enter);
      ids = [];
      for (const id of this.ids) {
        if (gone.has(id)) continue;
        adding.delete(id);
        ids.push(id);
      }
      for (const id of adding) ids.push(id);
    }
    if (enter.length === 0 && !keyChanged) {
      this.lastPath = 'drop';
      return ids;
    }
    this.lastPath = 'sort';
    return this.sort(ids, rows, spec);
  }

  private sort(ids: number[], rows: Map<number, FlowRow>, spec: ViewSpec): number[] {
    const n = ids.length;
    const desc = spec.dir === 'desc';
    const col = spec.column;
    if (col.kind === 'number') {
      const keys = keyBuffer(n);
      for (let i = 0; i < n; i++) keys[i] = col.key(rows.get(ids[i]) as FlowRow);
      return sortByNumber(ids, keys, desc);
    }
    const keys = new Array<string>(n);
    for (let i = 0; i < n; i++) keys[i] = col.key(rows.get(ids[i]) as FlowRow);
    return sortByText(ids, keys, desc);
  }
}
