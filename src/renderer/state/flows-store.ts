/**
 * The flows table as the engine host last sent it (IPC v13): the host keeps every flow, filters and sorts them, and
 * each update carries only the rows of the window the renderer asked for (see view-requester.ts), the counts and
 * the selected flow. A reply to setView may send null for a row the store holds (the positions it named in
 * ViewRequest.have, under the same `order`): that row is kept. A null the store cannot fill (the update does not
 * follow the rows held: another order, a position not held) is never shown as an older row: only the longest run of
 * positions it has rows for is kept, and `gap` tells the view requester to ask again for every row.
 * `version` changes once per update so React re-renders at the update rate.
 */
import { createStore } from 'zustand/vanilla';
import type { FlowRow } from '../../shared/flow.ts';
import type { EngineUpdate } from '../../shared/ipc.ts';

/** The latest view the host sent: counts, the window's rows, the selected flow, the host's verdict on the filter. */
export interface FlowsState extends Pick<EngineUpdate, 'total' | 'count' | 'start' | 'order' | 'selected' | 'filterError' | 'viewSeq'> {
  /** rows[i] is at position start + i, all of the same `order`. */
  rows: FlowRow[];
  /** The last update had rows left out that could not be filled: fewer rows are held than it covered. */
  gap: boolean;
  version: number;
  applyUpdate(u: EngineUpdate): void;
}

/** The row at position `index` of the order, if the last update carried it. */
export function rowAt(s: Pick<FlowsState, 'rows' | 'start'>, index: number): FlowRow | undefined {
  return index >= s.start ? s.rows[index - s.start] : undefined;
}

/** The position of flow `id` in the order as far as the last update tells (-1: not known, or filtered out). */
export function indexOfId(s: Pick<FlowsState, 'rows' | 'start' | 'selected'>, id: number): number {
  const k = s.rows.findIndex((r) => r.id === id);
  if (k >= 0) return s.start + k;
  return s.selected !== null && s.selected.id === id ? s.selected.index : -1;
}

/**
 * The update's rows with each null replaced by the row held at its position under the same order; when one cannot
 * be, the longest contiguous run of rows known (`gap` set).
 */
function filledRows(held: Pick<FlowsState, 'rows' | 'start' | 'order'>, u: EngineUpdate): { start: number; rows: FlowRow[]; gap: boolean } {
  const sent = u.rows;
  const n = sent.length;
  let k = 0;
  while (k < n && sent[k] !== null) k++;
  if (k === n) return { start: u.start, rows: sent as FlowRow[], gap: false };
  const same = held.order === u.order;
  const rows = new Array<FlowRow | undefined>(n);
  let bestFrom = 0;
  let bestLen = 0;
  let runFrom = 0;
  for (let i = 0; i < n; i++) {
    const r = sent[i] ?? (same ? rowAt(held, u.start + i) : undefined);
    rows[i] = r;
    if (r === undefined) runFrom = i + 1;
    else if (i + 1 - runFrom > bestLen) {
      bestFrom = runFrom;
      bestLen = i + 1 - runFrom;
    }
  }
  if (bestLen === n) return { start: u.start, rows: rows as FlowRow[], gap: false };
  return { start: u.start + bestFrom, rows: rows.slice(bestFrom, bestFrom + bestLen) as FlowRow[], gap: true };
}

export function createFlowsStore() {
  return createStore<FlowsState>()((set, get) => ({
    total: 0,
    count: 0,
    start: 0,
    rows: [],
    order: 0,
    gap: false,
    selected: null,
    filterError: null,
    viewSeq: 0,
    version: 0,
    applyUpdate(u) {
      const s = get();
      const { start, rows, gap } = filledRows(s, u);
      set({
        total: u.total,
        count: u.count,
        start,
        rows,
        order: u.order,
        gap,
        selected: u.selected,
        filterError: u.filterError,
        viewSeq: u.viewSeq,
        version: s.version + 1,
      });
    },
  }));
}

export type FlowsStore = ReturnType<typeof createFlowsStore>;
