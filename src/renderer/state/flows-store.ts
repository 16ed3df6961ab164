/**
 * The flows table as the engine host last sent it (IPC v3): the host keeps every flow, filters and sorts them, and
 * each update carries only the rows of the window the renderer asked for (see view-requester.ts), the counts and
 * the selected flow. `version` changes once per update so React re-renders at the update rate.
 */
import { createStore } from 'zustand/vanilla';
import type { FlowRow } from '../../shared/flow.ts';
import type { EngineUpdate } from '../../shared/ipc.ts';

/** The latest view the host sent: counts, the window's rows, the selected flow, the host's verdict on the filter. */
export interface FlowsState extends Pick<EngineUpdate, 'total' | 'count' | 'start' | 'rows' | 'selected' | 'filterError' | 'viewSeq'> {
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

export function createFlowsStore() {
  return createStore<FlowsState>()((set, get) => ({
    total: 0,
    count: 0,
    start: 0,
    rows: [],
    selected: null,
    filterError: null,
    viewSeq: 0,
    version: 0,
    applyUpdate(u) {
      // Each update is a complete view: nothing is merged, the latest one wins.
      set({
        total: u.total,
        count: u.count,
        start: u.start,
        rows: u.rows,
        selected: u.selected,
        filterError: u.filterError,
        viewSeq: u.viewSeq,
        version: get().version + 1,
      });
    },
  }));
}

export type FlowsStore = ReturnType<typeof createFlowsStore>;
