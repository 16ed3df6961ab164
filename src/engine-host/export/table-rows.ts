/**
 * Every flow the table shows under a filter and sort, in the table's own order, for an export: the same keys and
 * sorts as the view (view/flow-view.ts: by the column's key, ties by slot), read straight from the engine's table
 * without touching its change list, which belongs to the live view.
 */
import type { FlowStore } from '../../engine/engine.ts';
import type { FlowRow } from '../../shared/flow.ts';
import type { ColumnId, SortDir } from '../../shared/flows/columns.ts';
import { parseFilterQuery } from '../../shared/flows/filter-query.ts';
import { columnById } from '../view/columns.ts';
import { keyBuffer, sortByNumber, sortByText } from '../view/packed-sort.ts';

export type TableRows = { ok: true; rows: FlowRow[] } | { ok: false; reason: string };

/** The rows of `store` that pass `filter`, sorted by `sortColumn`/`sortDir`; `rates` false shows every rate as 0. */
export function tableRows(store: FlowStore, q: { sortColumn: ColumnId; sortDir: SortDir; filter: string }, rates: boolean): TableRows {
  const parsed = parseFilterQuery(q.filter);
  if (!parsed.ok) return { ok: false, reason: parsed.error };
  const pred = parsed.predicate;
  const seen = parsed.seen;
  const col = columnById(q.sortColumn);
  const slots: number[] = [];
  const bySlot = new Map<number, FlowRow>();
  for (let slot = 0; slot < store.slotCount; slot++) {
    if (store.idAt(slot) === 0) continue;
    // As the view: seen in the range when its first packet is before the range's end and its last after its start.
    if (seen !== null && (store.numberKey('first_seen', slot, false) > seen[1] || store.numberKey('last_seen', slot, false) < seen[0])) continue;
    const r = store.row(slot, rates);
    if (pred !== null && !pred(r)) continue;
    slots.push(slot);
    bySlot.set(slot, r);
  }
  const n = slots.length;
  const desc = q.sortDir === 'desc';
  let order: number[];
  if (col.kind === 'number') {
    const keys = keyBuffer(n);
    for (let i = 0; i < n; i++) keys[i] = store.numberKey(col.id, slots[i], rates);
    order = sortByNumber(slots, keys, desc);
  } else {
    order = sortByText(slots, slots.map((s) => col.key(bySlot.get(s) as FlowRow)), desc);
  }
  return { ok: true, rows: order.map((s) => bySlot.get(s) as FlowRow) };
}
