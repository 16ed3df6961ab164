/**
 * The filtered, sorted table of flows as the renderer's flows grid shows it. Per update (`sync`) only the changed
 * slots are looked at: their filter outcome and sort key are kept in flat per-slot arrays, so nothing is sorted then.
 * The renderer asks for the rows it shows plus some overscan (`range`), which are selected from the members without
 * sorting all of them; the full order (`order`) is sorted lazily, at most once per change, and reused while nothing in
 * the sort key or the filter outcome changed.
 * The filter and text keys read only flow texts, so they are re-evaluated only for slots whose text changed (or that
 * entered or left); a counters-only change touches the numeric key alone, read from the table (no row objects).
 * Order: by the column's key, then by slot (arrival order) for equal keys, so ties never shuffle between updates.
 */
import type { FlowText } from '../../shared/flow-update.ts';
import type { RowTable } from './row-table.ts';
import type { FlowPredicate } from '../../shared/flows/filter-query.ts';
import type { Column, SortDir } from './columns.ts';
import { grown } from './grown.ts';
import { keyBuffer, sortByNumber, sortByText } from './packed-sort.ts';
import { numberOrder, selectRange, textOrder, type Before } from './select-range.ts';

export interface ViewSpec {
  column: Column;
  dir: SortDir;
  predicate: FlowPredicate | null;
}

/** What one apply changed (a slot may repeat, and may be in both lists). */
export interface FlowChange {
  version: number;
  /** Slots whose counters changed: numeric sort keys may have moved. */
  counters: Int32Array;
  /** Slots that got a new text, were added or were emptied: filter outcome and text keys may have changed. */
  texts: Int32Array;
}

/** The table a view follows (table-state.ts keeps one): its rows and a short log of what the last applies changed. */
export interface ViewState {
  readonly rows: RowTable;
  /** Bumps once per apply. */
  readonly version: number;
  /** Version of the last clear or slot renumbering; a view older than this rebuilds from scratch. */
  readonly baseVersion: number;
  /** The changes of the latest versions, oldest first. */
  readonly changes: readonly FlowChange[];
}

/** How the last sync classified what changed: nothing in key or filter / rows only left / keys changed or rows entered / from scratch. */
export type SyncPath = 'same' | 'drop' | 'sort' | 'rebuild';

// What the cached full order needs before it is valid again.
const CLEAN = 0;
const DROP = 1;
const SORT = 2;

/** A window this large (relative to the rows shown) is cheaper to cut out of a full sort. */
const FULL_SORT_FRACTION = 8;

export class FlowView {
  private table: RowTable | null = null;
  private version = -1;
  private spec: ViewSpec | null = null;
  /** Per slot: the text last evaluated (text columns only), whether it passes the filter, its sort key. */
  private seen: Array<FlowText | undefined> = [];
  private inView = new Uint8Array(0);
  private numKeys = new Float64Array(0);
  private textKeys: string[] = [];
  private members = 0;
  /** Bumps whenever membership or a key changes: windows cut before it are stale. */
  private stamp = 0;
  private dirty = SORT;
  private orderSlots: number[] = [];
  private scratch = new Int32Array(0);
  private orderIds: number[] | null = null;
  private win: { stamp: number; start: number; end: number; ids: number[] } | null = null;
  lastPath: SyncPath = 'rebuild';

  /** Whether the full order is sorted for the current data (false: a window would be selected, not cut from it). */
  get orderIsCurrent(): boolean {
    return this.dirty === CLEAN && this.orderIds !== null;
  }

  /** Brings the view up to `state` under `spec`; returns how many rows it shows. */
  sync(state: ViewState, spec: ViewSpec): number {
    const prev = this.spec;
    const specSame = prev !== null && prev.column === spec.column && prev.dir === spec.dir && prev.predicate === spec.predicate;
    const sameTable = this.table === state.rows;
    if (specSame && sameTable && this.version === state.version) return this.members;
    this.table = state.rows;
    this.spec = spec;
    // Numeric keys are read from the table, which takes them while each row is in cache on arrival.
    if (spec.column.kind === 'number') state.rows.useSortKey(spec.column.key);
    if (specSame && sameTable && this.version >= state.baseVersion && this.coveredByLog(state)) this.update(state);
    else this.rebuild();
    this.version = state.version;
    return this.members;
  }

  /** The ids shown, in order (sync first). Sorts at most once per change; the same array while nothing changed. */
  order(): number[] {
    if (this.dirty !== CLEAN || this.orderIds === null) {
      if (this.dirty === DROP) {
        const keep: number[] = [];
        for (const slot of this.orderSlots) if (this.inView[slot] === 1) keep.push(slot);
        this.orderSlots = keep;
      } else if (this.dirty === SORT) this.orderSlots = this.sortAll();
      this.dirty = CLEAN;
      const t = this.table as RowTable;
      this.orderIds = this.orderSlots.map((slot) => (t.textAt(slot) as FlowText).id);
    }
    return this.orderIds;
  }

  /** The ids at positions [start, end) of the order (clamped), without sorting everything when the order is stale. */
  range(start: number, end: number): number[] {
    const lo = Math.max(0, start);
    const hi = Math.min(end, this.members);
    if (lo >= hi) return [];
    const w = this.win;
    if (w !== null && w.stamp === this.stamp && w.start === lo && w.end === hi) return w.ids;
    let ids: number[];
    // A second window at the same data (scrolling) or a big one: one full sort serves all further windows.
    if (this.dirty === CLEAN || (w !== null && w.stamp === this.stamp) || (hi - lo) * FULL_SORT_FRACTION > this.members) {
      ids = this.order().slice(lo, hi);
    } else {
      const slots = this.selectSlots(lo, hi);
      const t = this.table as RowTable;
      ids = slots.map((slot) => (t.textAt(slot) as FlowText).id);
    }
    this.win = { stamp: this.stamp, start: lo, end: hi, ids };
    return ids;
  }

  /** Whether flow `id` is shown. */
  has(id: number): boolean {
    const slot = this.table === null ? -1 : this.table.slotOfId(id);
    return slot >= 0 && this.inView[slot] === 1;
  }

  /** Position of flow `id` in the order, or -1 when it is not shown (counts, does not sort). */
  indexOf(id: number): number {
    if (!this.has(id)) return -1;
    if (this.dirty === CLEAN && this.orderIds !== null) return this.orderIds.indexOf(id);
    const target = (this.table as RowTable).slotOfId(id);
    const before = this.beforeFn();
    let rank = 0;
    const n = this.inView.length;
    for (let slot = 0; slot < n; slot++) if (this.inView[slot] === 1 && before(slot, target)) rank++;
    return rank;
  }

  /** sync + order: the whole ordered id list (tests, and callers that need every row). */
  compute(state: ViewState, spec: ViewSpec): number[] {
    this.sync(state, spec);
    return this.order();
  }

  private coveredByLog(state: ViewState): boolean {
    const first = state.changes[0];
    // Every version after ours must be in the log.
    return first !== undefined ? first.version <= this.version + 1 : state.version === this.version;
  }

  private grow(n: number): void {
    if (this.inView.length >= n) return;
    const cap = Math.max(n, this.inView.length * 2, 1024);
    this.inView = grown(this.inView, cap);
    this.numKeys = grown(this.numKeys, cap);
  }

  private rebuild(): void {
    const t = this.table as RowTable;
    const spec = this.spec as ViewSpec;
    const n = t.slotCount;
    const text = spec.column.kind === 'text';
    this.seen = text ? new Array<FlowText | undefined>(n) : [];
    this.inView = new Uint8Array(Math.max(n, 1024));
    this.numKeys = new Float64Array(this.inView.length);
    this.textKeys = text ? new Array<string>(n) : [];
    const pred = spec.predicate;
    let members = 0;
    for (let slot = 0; slot < n; slot++) {
      const r = t.textAt(slot);
      if (text) this.seen[slot] = r;
      if (r === undefined || (pred !== null && !pred(r))) continue;
      this.inView[slot] = 1;
      members++;
      this.setKey(slot, r);
    }
    this.members = members;
    this.orderSlots = [];
    this.orderIds = null;
    this.dirty = SORT;
    this.stamp++;
    this.lastPath = 'rebuild';
  }

  private update(state: ViewState): void {
    const t = this.table as RowTable;
    const spec = this.spec as ViewSpec;
    this.grow(t.slotCount);
    const pred = spec.predicate;
    const col = spec.column;
    const text = col.kind === 'text';
    const seen = this.seen;
    const inView = this.inView;
    const numKeys = this.numKeys;
    let entered = 0;
    let left = 0;
    let keyChanged = 0;
    for (const c of state.changes) {
      if (c.version <= this.version) continue;
      // New texts, new rows and removals: the only changes that can move a row in or out of the filter.
      const texts = c.texts;
      for (let i = 0; i < texts.length; i++) {
        const slot = texts[i];
        const cur = t.textAt(slot);
        let old: FlowText | undefined;
        if (text) {
          // Text keys are compared field by field against the text last seen, not rebuilt per update.
          old = seen[slot];
          if (cur === old) continue;
          seen[slot] = cur;
        }
        const wasIn = inView[slot] === 1;
        const isIn = cur !== undefined && (pred === null || pred(cur));
        if (wasIn && !isIn) {
          inView[slot] = 0;
          left++;
        } else if (isIn && !wasIn) {
          inView[slot] = 1;
          entered++;
          this.setKey(slot, cur);
        } else if (isIn) {
          if (col.kind === 'number') {
            // The rates' key reads `local` from the text.
            const k = t.sortKeyAt(slot);
            if (k !== numKeys[slot]) {
              numKeys[slot] = k;
              keyChanged++;
            }
          } else if (!col.same(old as FlowText, cur)) {
            this.textKeys[slot] = col.key(cur);
            keyChanged++;
          }
        }
      }
      // Counters move numeric keys only; text keys and the filter do not read them.
      if (text) continue;
      const counters = c.counters;
      for (let i = 0; i < counters.length; i++) {
        const slot = counters[i];
        if (inView[slot] !== 1) continue;
        const k = t.sortKeyAt(slot);
        if (k !== numKeys[slot]) {
          numKeys[slot] = k;
          keyChanged++;
        }
      }
    }
    this.members += entered - left;
    if (entered > 0 || keyChanged > 0) {
      this.dirty = SORT;
      this.lastPath = 'sort';
    } else if (left > 0) {
      if (this.dirty === CLEAN) this.dirty = DROP;
      this.lastPath = 'drop';
    } else {
      this.lastPath = 'same';
      return;
    }
    this.stamp++;
  }

  private setKey(slot: number, r: FlowText): void {
    const col = (this.spec as ViewSpec).column;
    if (col.kind === 'number') this.numKeys[slot] = (this.table as RowTable).sortKeyAt(slot);
    else this.textKeys[slot] = col.key(r);
  }

  /** The member slots in ascending order, in a scratch array reused between calls. */
  private memberSlots(): Int32Array {
    if (this.scratch.length < this.members) this.scratch = new Int32Array(Math.max(this.members, this.scratch.length * 2, 1024));
    const out = this.scratch.subarray(0, this.members);
    const inView = this.inView;
    let j = 0;
    for (let slot = 0; slot < inView.length && j < out.length; slot++) if (inView[slot] === 1) out[j++] = slot;
    return out;
  }

  private sortAll(): number[] {
    const slots = Array.from(this.memberSlots());
    const n = slots.length;
    const desc = (this.spec as ViewSpec).dir === 'desc';
    // Slots are listed in ascending order, and both sorts keep input order for ties.
    if ((this.spec as ViewSpec).column.kind === 'number') {
      const keys = keyBuffer(n);
      for (let i = 0; i < n; i++) keys[i] = this.numKeys[slots[i]];
      return sortByNumber(slots, keys, desc);
    }
    const keys = new Array<string>(n);
    for (let i = 0; i < n; i++) keys[i] = this.textKeys[slots[i]];
    return sortByText(slots, keys, desc);
  }

  private selectSlots(lo: number, hi: number): number[] {
    return selectRange(this.memberSlots(), this.beforeFn(), lo, hi);
  }

  /** Whether member slot a comes before member slot b in the order. */
  private beforeFn(): Before {
    const desc = (this.spec as ViewSpec).dir === 'desc';
    return (this.spec as ViewSpec).column.kind === 'number' ? numberOrder(this.numKeys, desc) : textOrder(this.textKeys, desc);
  }
}
