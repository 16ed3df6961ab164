/**
 * The renderer's flow rows: a read-only Map-like view by id over rows kept in numbered slots. Slots let the table
 * view keep its per-row state (filter outcome, sort key, last row seen) in flat arrays indexed by slot, so applying
 * a 50 k-row update costs one id lookup per row here and none in the view. Slots are handed out in arrival order and
 * compaction keeps that order, so iterating slots is iterating in arrival order (like a Map).
 */
import type { FlowRow } from '../../shared/flow.ts';
import { IdIndex } from './id-index.ts';

/** Compaction runs when at least this many slots are empty and they outnumber the rows. */
const COMPACT_MIN_HOLES = 4096;

export class RowTable implements ReadonlyMap<number, FlowRow> {
  private slotOf = new IdIndex();
  private bySlot: Array<FlowRow | undefined> = [];
  /** One numeric key per slot, taken as rows arrive (still in cache then); the table view's sort key. */
  private keyOf: ((r: FlowRow) => number) | null = null;
  private sortKeys = new Float64Array(0);

  get size(): number {
    return this.slotOf.size;
  }

  /** Slots in use or freed since the last compaction: every slot is < slotCount. */
  get slotCount(): number {
    return this.bySlot.length;
  }

  /** Keeps keyOf(row) per slot from now on (computed for the current rows when keyOf changes). */
  useSortKey(keyOf: (r: FlowRow) => number): void {
    if (this.keyOf === keyOf) return;
    this.keyOf = keyOf;
    this.sortKeys = new Float64Array(Math.max(1024, this.bySlot.length));
    for (let slot = 0; slot < this.bySlot.length; slot++) {
      const r = this.bySlot[slot];
      if (r !== undefined) this.sortKeys[slot] = keyOf(r);
    }
  }

  /** The sort key of the row in `slot` (see useSortKey; stale for an empty slot). */
  sortKeyAt(slot: number): number {
    return this.sortKeys[slot];
  }

  /** The row in `slot` (undefined: removed). */
  rowAt(slot: number): FlowRow | undefined {
    return this.bySlot[slot];
  }

  /** The slot of flow `id`, or -1. */
  slotOfId(id: number): number {
    return this.slotOf.get(id);
  }

  get(id: number): FlowRow | undefined {
    const slot = this.slotOf.get(id);
    return slot < 0 ? undefined : this.bySlot[slot];
  }

  has(id: number): boolean {
    return this.slotOf.get(id) >= 0;
  }

  /** Inserts or replaces the row with r.id (by reference); returns its slot. */
  set(r: FlowRow): number {
    let slot = this.slotOf.get(r.id);
    if (slot < 0) {
      slot = this.bySlot.length;
      this.slotOf.set(r.id, slot);
      this.bySlot.push(r);
    } else this.bySlot[slot] = r;
    if (this.keyOf !== null) {
      if (slot >= this.sortKeys.length) this.growKeys(slot + 1);
      this.sortKeys[slot] = this.keyOf(r);
    }
    return slot;
  }

  private growKeys(n: number): void {
    const next = new Float64Array(Math.max(n, this.sortKeys.length * 2));
    next.set(this.sortKeys);
    this.sortKeys = next;
  }

  /** Removes the row with `id`; returns the slot it had, or -1. */
  delete(id: number): number {
    const slot = this.slotOf.get(id);
    if (slot < 0) return -1;
    this.slotOf.delete(id);
    this.bySlot[slot] = undefined;
    return slot;
  }

  clear(): void {
    this.slotOf.clear();
    this.bySlot = [];
  }

  /** Renumbers slots densely (keeping their order) when removals left many holes; true when slots changed. */
  compactIfSparse(): boolean {
    const holes = this.bySlot.length - this.slotOf.size;
    if (holes < COMPACT_MIN_HOLES || holes <= this.slotOf.size) return false;
    const next: FlowRow[] = [];
    for (const r of this.bySlot) if (r !== undefined) next.push(r);
    this.bySlot = next;
    this.slotOf.rebuild(next.map((r, slot): [number, number] => [r.id, slot]));
    const keyOf = this.keyOf;
    if (keyOf !== null) for (let slot = 0; slot < next.length; slot++) this.sortKeys[slot] = keyOf(next[slot]);
    return true;
  }

  *values(): MapIterator<FlowRow> {
    for (const r of this.bySlot) if (r !== undefined) yield r;
  }

  *keys(): MapIterator<number> {
    for (const r of this.bySlot) if (r !== undefined) yield r.id;
  }

  *entries(): MapIterator<[number, FlowRow]> {
    for (const r of this.bySlot) if (r !== undefined) yield [r.id, r];
  }

  [Symbol.iterator](): MapIterator<[number, FlowRow]> {
    return this.entries();
  }

  forEach(cb: (value: FlowRow, key: number, map: ReadonlyMap<number, FlowRow>) => void): void {
    for (const r of this.bySlot) if (r !== undefined) cb(r, r.id, this);
  }
}
