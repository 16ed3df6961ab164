/**
 * A FlowStore (what the flows view reads from the engine, src/engine/engine.ts) holding given FlowRows, for tests and
 * the UI benchmark's host: rows are applied as an engine would change its flows (changed rows, removed ids), without
 * generating packets. Slots are handed out in arrival order and freed slots are reused, as in the engine's table.
 */
import type { FlowStore, NumberColumn } from '../../src/engine/engine.ts';
import type { FlowRow } from '../../src/shared/flow.ts';
import { downRate, totalBytes, totalPackets, upRate } from '../../src/shared/flows/endpoints.ts';

/** The fields a flow's text version covers: everything but the counters. */
const COUNTERS = new Set(['packets_fwd', 'bytes_fwd', 'packets_rev', 'bytes_rev', 'first_seen', 'last_seen', 'rate_fwd_1s', 'rate_rev_1s', 'rate_fwd_10s', 'rate_rev_10s']);

function sameText(a: FlowRow, b: FlowRow): boolean {
  for (const k of Object.keys(b) as (keyof FlowRow)[]) {
    if (COUNTERS.has(k)) continue;
    const x = a[k];
    const y = b[k];
    if (Array.isArray(x) && Array.isArray(y) ? x.length !== y.length || x.some((v, i) => v !== y[i]) : x !== y) return false;
  }
  return true;
}

export class RowStore implements FlowStore {
  private rows: Array<FlowRow | undefined> = [];
  private versions: number[] = [];
  private readonly slots = new Map<number, number>();
  private free: number[] = [];
  private changed = new Set<number>();

  get slotCount(): number {
    return this.rows.length;
  }

  get size(): number {
    return this.slots.size;
  }

  /** Changed rows (new or updated, whole), then removed ids: an id in both is gone. */
  apply(changed: readonly FlowRow[], removed: readonly number[] = []): void {
    for (const r of changed) {
      let slot = this.slots.get(r.id);
      if (slot === undefined) {
        slot = this.free.pop() ?? this.rows.length;
        this.slots.set(r.id, slot);
        this.versions[slot] = (this.versions[slot] ?? 0) + 1;
      } else if (!sameText(this.rows[slot] as FlowRow, r)) this.versions[slot]++;
      this.rows[slot] = r;
      this.changed.add(slot);
    }
    for (const id of removed) {
      const slot = this.slots.get(id);
      if (slot === undefined) continue;
      this.slots.delete(id);
      this.rows[slot] = undefined;
      this.free.push(slot);
      this.changed.add(slot);
    }
  }

  /** Forgets every flow. */
  clear(): void {
    for (let s = 0; s < this.rows.length; s++) if (this.rows[s] !== undefined) this.changed.add(s);
    this.rows = this.rows.map(() => undefined);
    this.free = this.rows.map((_, i) => i).reverse();
    this.slots.clear();
  }

  idAt(slot: number): number {
    return this.rows[slot]?.id ?? 0;
  }

  textVersionAt(slot: number): number {
    return this.versions[slot] ?? 0;
  }

  row(slot: number, rates: boolean): FlowRow {
    const r = this.rows[slot];
    if (r === undefined) throw new Error(`no flow in slot ${slot}`);
    return rates ? { ...r } : { ...r, rate_fwd_1s: 0, rate_rev_1s: 0, rate_fwd_10s: 0, rate_rev_10s: 0 };
  }

  numberKey(column: NumberColumn, slot: number, rates: boolean): number {
    const r = this.rows[slot] as FlowRow;
    switch (column) {
      case 'down':
        return rates ? downRate(r) : 0;
      case 'up':
        return rates ? upRate(r) : 0;
      case 'bytes':
        return totalBytes(r);
      case 'packets':
        return totalPackets(r);
      case 'first_seen':
        return r.first_seen;
      case 'last_seen':
        return r.last_seen;
    }
  }

  packetsAt(slot: number, d: 0 | 1): number {
    const r = this.rows[slot] as FlowRow;
    return d === 0 ? r.packets_fwd : r.packets_rev;
  }

  bytesAt(slot: number, d: 0 | 1): number {
    const r = this.rows[slot] as FlowRow;
    return d === 0 ? r.bytes_fwd : r.bytes_rev;
  }

  drainChanged(cb: (slot: number) => void): void {
    const c = this.changed;
    this.changed = new Set();
    for (const s of c) cb(s);
  }

  slotOfId(id: number): number {
    return this.slots.get(id) ?? -1;
  }
}
