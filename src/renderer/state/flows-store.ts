/**
 * The flow table as the renderer knows it, fed by `EngineUpdate`s. Rows are kept by reference in one Map (no per-row
 * copies) and mutated in place; `version` changes once per applied update so React re-renders at the update rate.
 * A short change log lets the table view re-sort only what changed (see flows/flow-view.ts).
 */
import { createStore } from 'zustand/vanilla';
import { useStore } from 'zustand';
import type { FlowRow } from '../../shared/flow.ts';
import type { EngineUpdate } from '../../shared/ipc.ts';
import { downRate, upRate } from '../flows/endpoints.ts';

/** What one update changed: upserted ids with the row each replaced (undefined = new), and removed rows. */
export interface FlowChange {
  version: number;
  ids: number[];
  old: Array<FlowRow | undefined>;
  removed: FlowRow[];
}

/** Rate history of the flow shown in the drawer (only one flow is tracked, to keep updates cheap). */
export interface RateHistory {
  id: number;
  down: number[];
  up: number[];
}

export const CHANGE_LOG_LENGTH = 16;
export const RATE_HISTORY_LENGTH = 120;

export interface FlowsState {
  rows: Map<number, FlowRow>;
  version: number;
  /** Version of the last full replacement; views older than this rebuild from scratch. */
  baseVersion: number;
  changes: FlowChange[];
  lastSeq: number | null;
  /** A snapshot was requested after a seq gap and has not arrived yet (so we ask only once). */
  awaitingSnapshot: boolean;
  history: RateHistory | null;
  applyUpdate(u: EngineUpdate): void;
  track(id: number | null): void;
  clear(): void;
}

export interface FlowsStoreDeps {
  requestSnapshot(): void;
}

export function createFlowsStore(deps: FlowsStoreDeps) {
  return createStore<FlowsState>()((set, get) => ({
    rows: new Map(),
    version: 0,
    baseVersion: 0,
    changes: [],
    lastSeq: null,
    awaitingSnapshot: false,
    history: null,

    applyUpdate(u) {
      const s = get();
      const rows = s.rows;
      const version = s.version + 1;
      let { baseVersion, changes, awaitingSnapshot } = s;
      const gap = !u.full && (s.lastSeq === null || u.seq !== s.lastSeq + 1);

      if (u.full) {
        rows.clear();
        for (const r of u.upserts) rows.set(r.id, r);
        for (const id of u.removed) rows.delete(id);
        baseVersion = version;
        changes = [];
        awaitingSnapshot = false;
      } else {
        // Rows in a delta are complete, so they are applied even after a gap; the snapshot then corrects the rest.
        const ids = new Array<number>(u.upserts.length);
        const old = new Array<FlowRow | undefined>(u.upserts.length);
        for (let i = 0; i < u.upserts.length; i++) {
          const r = u.upserts[i];
          ids[i] = r.id;
          old[i] = rows.get(r.id);
          rows.set(r.id, r);
        }
        const removed: FlowRow[] = [];
        for (const id of u.removed) {
          const r = rows.get(id);
          if (r !== undefined) {
            removed.push(r);
            rows.delete(id);
          }
        }
        changes = changes.length >= CHANGE_LOG_LENGTH ? changes.slice(1) : changes.slice();
        changes.push({ version, ids, old, removed });
        if (gap && !awaitingSnapshot) {
          awaitingSnapshot = true;
          deps.requestSnapshot();
        }
      }

      let history = s.history;
      if (history !== null) {
        const r = rows.get(history.id);
        if (r !== undefined && (u.full || u.upserts.includes(r))) {
          history = {
            id: history.id,
            down: [...history.down, downRate(r)].slice(-RATE_HISTORY_LENGTH),
            up: [...history.up, upRate(r)].slice(-RATE_HISTORY_LENGTH),
          };
        }
      }
      set({ version, baseVersion, changes, lastSeq: u.seq, awaitingSnapshot, history });
    },

    track(id) {
      const cur = get().history;
      if (id === null) {
        if (cur !== null) set({ history: null });
        return;
      }
      if (cur !== null && cur.id === id) return;
      const r = get().rows.get(id);
      set({ history: { id, down: r ? [downRate(r)] : [], up: r ? [upRate(r)] : [] } });
    },

    clear() {
      get().rows.clear();
      set((s) => ({ version: s.version + 1, baseVersion: s.version + 1, changes: [], lastSeq: null, awaitingSnapshot: false, history: null }));
    },
  }));
}

export type FlowsStore = ReturnType<typeof createFlowsStore>;

export function useFlows<T>(store: FlowsStore, selector: (s: FlowsState) => T): T {
  return useStore(store, selector);
}
