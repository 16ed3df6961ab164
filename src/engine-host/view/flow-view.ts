/**
 * The filtered, sorted flows as the renderer's grid shows them, kept as per-slot state beside the engine's table
 * (the only place a flow lives; src/engine/engine.ts FlowStore). Per sync only the slots the engine reports changed
 * are looked at: a slot whose text version moved (or that holds a new flow) gets its filter outcome and text key
 * again, from one row built for it; a counters-only change re-reads its numeric key in place. Nothing is sorted then.
 * The renderer asks for the rows it shows plus some overscan (`range`), which are selected from the members without
 * sorting all of them; the full order (`order`) is sorted lazily, at most once per change.
 * Order: favourites first (when the spec has any), then by the column's key, then by slot for equal keys, so ties
 * never shuffle between updates. Whether a flow is a favourite is read from its text, as the filter is: one flag per
 * slot, so putting them first costs a comparison, not an object.
 */
import type { FlowStore } from '../../engine/engine.ts';
import type { FlowRow } from '../../shared/flow.ts';
import type { FlowPredicate } from '../../shared/flows/filter-query.ts';
import type { Column, SortDir } from './columns.ts';
import { grown } from './grown.ts';
import { keyBuffer, sortByNumber, sortByText } from './packed-sort.ts';
import { numberOrder, selectRange, textOrder, type Before } from './select-range.ts';

export interface ViewSpec {
  column: Column;
  dir: SortDir;
  predicate: FlowPredicate | null;
  /**
   * Only flows seen in this capture-time range, seconds: first packet before its end, last packet after its start.
   * Read from the counters, so it is checked on every change of a flow, not only on text changes.
   */
  seen: readonly [number, number] | null;
  /** Flows `match` says are favourites come first whatever the sort; with `only`, no other flow is shown. */
  favourites: { match: (r: FlowRow) => boolean; only: boolean } | null;
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
  private store: FlowStore | null = null;
  private spec: ViewSpec | null = null;
  private rates = true;
  /** Per slot: the flow id and text version last seen (a different id: another flow took the slot). */
  private knownId = new Float64Array(0);
  private knownText = new Uint32Array(0);
  private inView = new Uint8Array(0);
  /** Per slot: the filter's outcome at the last text version (membership also needs the seen range). */
  private textIn = new Uint8Array(0);
  /** Per slot: 1 when its flow is a favourite (at the last text version). */
  private fav = new Uint8Array(0);
  private numKeys = new Float64Array(0);
  private textKeys: string[] = [];
  private members = 0;
  /**
   * Bumps whenever membership or a key changes, and on every rebuild: windows cut before it are stale. Starts at a
   * random value so two views (a restarted host, a bench's second host) do not share stamps.
   */
  #stamp = Math.floor(Math.random() * 2 ** 32);
  private dirty = SORT;
  private orderSlots: number[] = [];
  private scratch = new Int32Array(0);
  private win: { stamp: number; start: number; end: number; slots: number[] } | null = null;
  lastPath: SyncPath = 'rebuild';

  /** The same value while the flow at every position stays the same (sync first): EngineUpdate.order. */
  get stamp(): number {
    return this.#stamp;
  }

  /** Whether the full order is sorted for the current data (false: a window would be selected, not cut from it). */
  get orderIsCurrent(): boolean {
    return this.dirty === CLEAN;
  }

  /**
   * Brings the view up to `store` under `spec`, taking the store's changes since the last sync; `rates` false sorts
   * every rate as 0 (a stopped or paused capture). Returns how many rows it shows.
   */
  sync(store: FlowStore, spec: ViewSpec, rates: boolean): number {
    const prev = this.spec;
    const same = prev !== null && prev.column === spec.column && prev.dir === spec.dir && prev.predicate === spec.predicate && prev.seen === spec.seen && prev.favourites === spec.favourites;
    if (same && store === this.store && rates === this.rates) this.update();
    else {
      this.store = store;
      this.spec = spec;
      this.rates = rates;
      this.rebuild();
    }
    return this.members;
  }

  /** The member slots in order (sync first). Sorts at most once per change; the same array while nothing changed. */
  order(): number[] {
    if (this.dirty === DROP) this.orderSlots = this.orderSlots.filter((slot) => this.inView[slot] === 1);
    else if (this.dirty === SORT) this.orderSlots = this.sortAll();
    this.dirty = CLEAN;
    return this.orderSlots;
  }

  /** The slots at positions [start, end) of the order (clamped), without sorting everything when the order is stale. */
  range(start: number, end: number): number[] {
    const lo = Math.max(0, start);
    const hi = Math.min(end, this.members);
    if (lo >= hi) return [];
    const w = this.win;
    if (w !== null && w.stamp === this.#stamp && w.start === lo && w.end === hi) return w.slots;
    // A second window at the same data (scrolling) or a big one: one full sort serves all further windows.
    const slots =
      this.dirty === CLEAN || (w !== null && w.stamp === this.#stamp) || (hi - lo) * FULL_SORT_FRACTION > this.members
        ? this.order().slice(lo, hi)
        : selectRange(this.memberSlots(), this.beforeFn(), lo, hi);
    this.win = { stamp: this.#stamp, start: lo, end: hi, slots };
    return slots;
  }

  /** Whether the flow in `slot` is shown. */
  has(slot: number): boolean {
    return slot >= 0 && slot < this.inView.length && this.inView[slot] === 1;
  }

  /** Position of the flow in `slot` in the order, or -1 when it is not shown (counts, does not sort). */
  indexOf(slot: number): number {
    if (!this.has(slot)) return -1;
    if (this.dirty === CLEAN) return this.orderSlots.indexOf(slot);
    const before = this.beforeFn();
    let rank = 0;
    const n = this.inView.length;
    for (let s = 0; s < n; s++) if (this.inView[s] === 1 && before(s, slot)) rank++;
    return rank;
  }

  private grow(n: number): void {
    if (this.inView.length >= n) return;
    const cap = Math.max(n, this.inView.length * 2, 1024);
    this.inView = grown(this.inView, cap);
    this.textIn = grown(this.textIn, cap);
    this.fav = grown(this.fav, cap);
    this.numKeys = grown(this.numKeys, cap);
    this.knownId = grown(this.knownId, cap);
    const t = new Uint32Array(cap);
    t.set(this.knownText);
    this.knownText = t;
  }

  private rebuild(): void {
    const store = this.store as FlowStore;
    // Everything is read afresh: what changed before now is already in.
    store.drainChanged(() => {});
    const n = store.slotCount;
    this.inView = new Uint8Array(0);
    this.textIn = new Uint8Array(0);
    this.fav = new Uint8Array(0);
    this.knownId = new Float64Array(0);
    this.knownText = new Uint32Array(0);
    this.numKeys = new Float64Array(0);
    this.grow(n);
    this.textKeys = [];
    this.members = 0;
    for (let slot = 0; slot < n; slot++) if (store.idAt(slot) !== 0) this.look(slot);
    this.orderSlots = [];
    this.dirty = SORT;
    this.#stamp++;
    this.lastPath = 'rebuild';
  }

  private update(): void {
    const store = this.store as FlowStore;
    const col = (this.spec as ViewSpec).column;
    this.grow(store.slotCount);
    let moved = 0;
    let left = 0;
    store.drainChanged((slot) => {
      const r = this.look(slot);
      if (r < 0) left++;
      else if (r > 0) moved++;
    });
    // Rates change as capture time passes, whether or not a flow's packets did.
    if (col.kind === 'number' && col.timeDependent && this.members > 0) {
      const inView = this.inView;
      for (let slot = 0; slot < inView.length; slot++) {
        if (inView[slot] !== 1) continue;
        const k = store.numberKey(col.id, slot, this.rates);
        if (k !== this.numKeys[slot]) {
          this.numKeys[slot] = k;
          moved++;
        }
      }
    }
    if (moved > 0) {
      this.dirty = SORT;
      this.lastPath = 'sort';
    } else if (left > 0) {
      if (this.dirty === CLEAN) this.dirty = DROP;
      this.lastPath = 'drop';
    } else {
      this.lastPath = 'same';
      return;
    }
    this.#stamp++;
  }

  /** Re-reads one slot; returns -1 if its flow left the view, 1 if it entered or its key moved, else 0. */
  private look(slot: number): number {
    const store = this.store as FlowStore;
    const spec = this.spec as ViewSpec;
    const col = spec.column;
    const id = store.idAt(slot);
    const was = this.inView[slot] === 1;
    if (id === 0) {
      this.knownId[slot] = 0;
      if (!was) return 0;
      this.inView[slot] = 0;
      this.members--;
      return -1;
    }
    const fresh = this.knownId[slot] !== id;
    const version = store.textVersionAt(slot);
    const textChanged = fresh || this.knownText[slot] !== version;
    let row: FlowRow | null = null;
    let favMoved = false;
    if (textChanged) {
      this.knownId[slot] = id;
      this.knownText[slot] = version;
      const favs = spec.favourites;
      // The one row object of a text change: the filter, favourites and text keys read it, counters do not.
      row = spec.predicate !== null || col.kind === 'text' || favs !== null ? store.row(slot, false) : null;
      const f = favs !== null && favs.match(row as FlowRow) ? 1 : 0;
      favMoved = f !== this.fav[slot];
      this.fav[slot] = f;
      this.textIn[slot] = (spec.predicate === null || spec.predicate(row as FlowRow)) && (f === 1 || favs === null || !favs.only) ? 1 : 0;
    } else if (spec.seen === null && (!was || col.kind === 'text')) return 0;
    const isIn = this.textIn[slot] === 1 && (spec.seen === null || this.seenIn(slot, spec.seen));
    if (!isIn) {
      if (!was) return 0;
      this.inView[slot] = 0;
      this.members--;
      return -1;
    }
    if (!was) {
      this.inView[slot] = 1;
      this.members++;
    }
    if (col.kind === 'text') {
      if (!textChanged && was) return 0;
      const k = col.key(row ?? store.row(slot, false));
      const movedKey = fresh || !was || favMoved || k !== this.textKeys[slot];
      this.textKeys[slot] = k;
      return movedKey ? 1 : 0;
    }
    return this.setNumber(slot) || fresh || !was || favMoved ? 1 : 0;
  }

  private seenIn(slot: number, [from, to]: readonly [number, number]): boolean {
    const store = this.store as FlowStore;
    return store.numberKey('first_seen', slot, false) <= to && store.numberKey('last_seen', slot, false) >= from;
  }

  /** Reads slot's numeric key; true when it changed. */
  private setNumber(slot: number): boolean {
    const col = (this.spec as ViewSpec).column;
    if (col.kind !== 'number') return false;
    const k = (this.store as FlowStore).numberKey(col.id, slot, this.rates);
    if (k === this.numKeys[slot]) return false;
    this.numKeys[slot] = k;
    return true;
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
    if ((this.spec as ViewSpec).favourites === null) return this.sortSlots(slots);
    // Favourites first: each part sorted on its own (both stay in ascending slot order, as the sorts expect).
    const fav = this.fav;
    const first: number[] = [];
    const rest: number[] = [];
    for (const slot of slots) (fav[slot] === 1 ? first : rest).push(slot);
    if (first.length === 0) return this.sortSlots(rest);
    const out = this.sortSlots(first);
    for (const slot of this.sortSlots(rest)) out.push(slot);
    return out;
  }

  private sortSlots(slots: number[]): number[] {
    const n = slots.length;
    const spec = this.spec as ViewSpec;
    const desc = spec.dir === 'desc';
    // Slots are listed in ascending order, and both sorts keep input order for ties.
    if (spec.column.kind === 'number') {
      const keys = keyBuffer(n);
      for (let i = 0; i < n; i++) keys[i] = this.numKeys[slots[i]];
      return sortByNumber(slots, keys, desc);
    }
    const keys = new Array<string>(n);
    for (let i = 0; i < n; i++) keys[i] = this.textKeys[slots[i]];
    return sortByText(slots, keys, desc);
  }

  /** Whether member slot a comes before member slot b in the order. */
  private beforeFn(): Before {
    const spec = this.spec as ViewSpec;
    const desc = spec.dir === 'desc';
    const byKey = spec.column.kind === 'number' ? numberOrder(this.numKeys, desc) : textOrder(this.textKeys, desc);
    if (spec.favourites === null) return byKey;
    const fav = this.fav;
    return (a, b) => (fav[a] !== fav[b] ? fav[a] > fav[b] : byKey(a, b));
  }
}
