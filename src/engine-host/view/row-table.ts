/**
 * The engine host's flow rows, kept column-wise in numbered slots: per slot the flow's current text (replaced only
 * when the engine reports a different one) and its counters in one Float64Array (COUNTER_COUNT numbers per slot), so
 * applying 50 k changed flows whose text did not change is one id lookup, a text comparison and a copy of numbers per
 * flow, with no object per flow. Whole FlowRows are built only when asked for (the rows of the window sent to the
 * renderer, the selected flow) and cached per slot until the slot changes again.
 * Slots also let the table view keep its per-row state in flat arrays indexed by slot. Slots are handed out in
 * arrival order and compaction keeps that order, so iterating slots is iterating in arrival order (like a Map).
 */
import type { FlowRow } from '../../shared/flow.ts';
import { COUNTER_COUNT, rowOf, sameText, textOf, writeCounters, type FlowText } from '../../shared/flow-update.ts';
import { localIsSrc } from '../../shared/flows/endpoints.ts';
import { grown } from './grown.ts';
import { IdIndex } from './id-index.ts';

/** Compaction runs when at least this many slots are empty and they outnumber the rows. */
const COMPACT_MIN_HOLES = 4096;
const MIN_CAPACITY = 1024;

/** A numeric key of a flow read in place: its counters at c[o, o + COUNTER_COUNT) and whether its src is this host. */
export type SlotKey = (c: Float64Array, o: number, srcIsLocal: boolean) => number;

/** What applying one list of changed rows did (two views into one buffer). */
export interface ApplyResult {
  /** Slots whose counters were written, in row order (a slot may repeat). */
  counters: Int32Array;
  /** Slots that got a new text (new flows included), in row order. */
  texts: Int32Array;
}

export class RowTable implements ReadonlyMap<number, FlowRow> {
  private slotOf = new IdIndex();
  /** Per slot: the flow's text; undefined for an emptied slot. Its length is the slot count. */
  private texts: Array<FlowText | undefined> = [];
  private capacity = 0;
  /** capacity × COUNTER_COUNT: slot s's counters are at [s * COUNTER_COUNT, (s + 1) * COUNTER_COUNT). */
  private counters = new Float64Array(0);
  /** Per slot: the epoch of its last change (text or counters). */
  private stamps = new Float64Array(0);
  private epochNow = 0;
  /** Per slot: the row last built for it and the stamp it was built at. */
  private built: Array<FlowRow | undefined> = [];
  private builtStamps = new Float64Array(0);
  /** Per slot: 1 when the flow's src is this host (localIsSrc), so numeric keys need not read texts. */
  private srcLocal = new Uint8Array(0);
  /** One numeric key per slot, computed as counters arrive (still in cache then); the table view's sort key. */
  private keyOf: SlotKey | null = null;
  private sortKeys = new Float64Array(0);

  get size(): number {
    return this.slotOf.size;
  }

  /** Slots in use or freed since the last compaction: every slot is < slotCount. */
  get slotCount(): number {
    return this.texts.length;
  }

  /** Bumps on every applyRows; a slot whose stampAt equals it changed in the latest one. */
  get epoch(): number {
    return this.epochNow;
  }

  /** The epoch of the last change to `slot`. */
  stampAt(slot: number): number {
    return this.stamps[slot];
  }

  /** Keeps keyOf(counters, srcIsLocal) per slot from now on (computed for the current rows when keyOf changes). */
  useSortKey(keyOf: SlotKey): void {
    if (this.keyOf === keyOf) return;
    this.keyOf = keyOf;
    const texts = this.texts;
    for (let slot = 0; slot < texts.length; slot++) {
      if (texts[slot] !== undefined) this.sortKeys[slot] = keyOf(this.counters, slot * COUNTER_COUNT, this.srcLocal[slot] === 1);
    }
  }

  /** The sort key of the flow in `slot` (see useSortKey; stale for an empty slot). */
  sortKeyAt(slot: number): number {
    return this.sortKeys[slot];
  }

  /** The text of the flow in `slot` (undefined: removed). Its identity changes only when a new text arrives. */
  textAt(slot: number): FlowText | undefined {
    return this.texts[slot];
  }

  /** The whole row in `slot` (undefined: removed): the same object until the slot changes. */
  rowAt(slot: number): FlowRow | undefined {
    const t = this.texts[slot];
    if (t === undefined) return undefined;
    const stamp = this.stamps[slot];
    const hit = this.built[slot];
    if (hit !== undefined && this.builtStamps[slot] === stamp) return hit;
    const r = rowOf(t, this.counters, slot * COUNTER_COUNT);
    this.built[slot] = r;
    this.builtStamps[slot] = stamp;
    return r;
  }

  /** The slot of flow `id`, or -1. */
  slotOfId(id: number): number {
    return this.slotOf.get(id);
  }

  get(id: number): FlowRow | undefined {
    const slot = this.slotOf.get(id);
    return slot < 0 ? undefined : this.rowAt(slot);
  }

  has(id: number): boolean {
    return this.slotOf.get(id) >= 0;
  }

  /**
   * Applies changed rows as the engine drains them: a row whose text differs from the slot's (or a new flow) stores a
   * new text object; otherwise only its counters are written, so a counters-only change allocates nothing per row.
   * The changed slots go to `out` when it has room for 2 × rows.length (callers recycle buffers: a fresh
   * 50 k-entry array per update costs page faults): counters at [0, n), texts from n on.
   */
  applyRows(rows: readonly FlowRow[], out?: Int32Array): ApplyResult {
    const epoch = ++this.epochNow;
    const n = rows.length;
    // Room to spare, so that a recycled buffer still fits when the next update carries a few more flows.
    const buf = out !== undefined && out.length >= 2 * n ? out : new Int32Array(2 * n + (n >> 2));
    const keyOf = this.keyOf;
    let nt = 0;
    for (let i = 0; i < n; i++) {
      const r = rows[i];
      let slot = this.slotOf.get(r.id);
      if (slot < 0 || !sameText(this.texts[slot] as FlowText, r)) {
        slot = this.putText(textOf(r), epoch);
        buf[n + nt++] = slot;
      } else this.stamps[slot] = epoch;
      // Read after putText: a new flow may have grown the buffers.
      const o = slot * COUNTER_COUNT;
      writeCounters(r, this.counters, o);
      if (keyOf !== null) this.sortKeys[slot] = keyOf(this.counters, o, this.srcLocal[slot] === 1);
      buf[i] = slot;
    }
    return { counters: buf.subarray(0, n), texts: buf.subarray(n, n + nt) };
  }

  private putText(t: FlowText, epoch: number): number {
    let slot = this.slotOf.get(t.id);
    if (slot < 0) {
      slot = this.texts.length;
      if (slot >= this.capacity) this.grow(slot + 1);
      this.slotOf.set(t.id, slot);
      this.texts.push(t);
      this.built.push(undefined);
      // Capacity is reused across clear(): a new flow starts from zero, not from a previous flow's numbers.
      this.counters.fill(0, slot * COUNTER_COUNT, (slot + 1) * COUNTER_COUNT);
    } else this.texts[slot] = t;
    this.stamps[slot] = epoch;
    // The rates' keys depend on which end is local; applyRows computes the key once the counters are written.
    this.srcLocal[slot] = localIsSrc(t) ? 1 : 0;
    return slot;
  }

  private grow(n: number): void {
    const cap = Math.max(n, this.capacity * 2, MIN_CAPACITY);
    this.counters = grown(this.counters, cap * COUNTER_COUNT);
    this.stamps = grown(this.stamps, cap);
    this.builtStamps = grown(this.builtStamps, cap);
    this.sortKeys = grown(this.sortKeys, cap);
    this.srcLocal = grown(this.srcLocal, cap);
    this.capacity = cap;
  }

  /** Removes the flow with `id`; returns the slot it had, or -1. */
  delete(id: number): number {
    const slot = this.slotOf.get(id);
    if (slot < 0) return -1;
    this.slotOf.delete(id);
    this.texts[slot] = undefined;
    this.built[slot] = undefined;
    return slot;
  }

  /** Empties the table (keeping its buffers for the next source). */
  clear(): void {
    this.slotOf.clear();
    this.texts = [];
    this.built = [];
  }

  /** Renumbers slots densely (keeping their order) when removals left many holes; true when slots changed. */
  compactIfSparse(): boolean {
    const n = this.texts.length;
    const holes = n - this.slotOf.size;
    if (holes < COMPACT_MIN_HOLES || holes <= this.slotOf.size) return false;
    const { texts, built, counters, stamps, builtStamps, sortKeys, srcLocal } = this;
    const pairs: Array<[number, number]> = [];
    let j = 0;
    for (let slot = 0; slot < n; slot++) {
      const t = texts[slot];
      if (t === undefined) continue;
      if (j !== slot) {
        texts[j] = t;
        built[j] = built[slot];
        counters.copyWithin(j * COUNTER_COUNT, slot * COUNTER_COUNT, (slot + 1) * COUNTER_COUNT);
        stamps[j] = stamps[slot];
        builtStamps[j] = builtStamps[slot];
        sortKeys[j] = sortKeys[slot];
        srcLocal[j] = srcLocal[slot];
      }
      pairs.push([t.id, j]);
      j++;
    }
    texts.length = j;
    built.length = j;
    this.slotOf.rebuild(pairs);
    return true;
  }

  *values(): MapIterator<FlowRow> {
    for (let slot = 0; slot < this.texts.length; slot++) {
      const r = this.rowAt(slot);
      if (r !== undefined) yield r;
    }
  }

  *keys(): MapIterator<number> {
    for (const t of this.texts) if (t !== undefined) yield t.id;
  }

  *entries(): MapIterator<[number, FlowRow]> {
    for (const r of this.values()) yield [r.id, r];
  }

  [Symbol.iterator](): MapIterator<[number, FlowRow]> {
    return this.entries();
  }

  forEach(cb: (value: FlowRow, key: number, map: ReadonlyMap<number, FlowRow>) => void): void {
    for (const r of this.values()) cb(r, r.id, this);
  }
}
