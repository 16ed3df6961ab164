/**
 * The flow table as the renderer knows it, fed by `EngineUpdate`s. Rows are kept by reference in a slot table (no
 * per-row copies); `version` changes once per applied update so React re-renders at the update rate. A short log of
 * changed slots lets the table view redo only what changed (see flows/flow-view.ts).
 */
import { createStore } from 'zustand/vanilla';
import { useStore } from 'zustand';
import type { EngineUpdate } from '../../shared/ipc.ts';
import { downRate, upRate } from '../flows/endpoints.ts';
import { RowTable } from './row-table.ts';

/** What one update changed: the slots it upserted or emptied (a slot may repeat). */
export interface FlowChange {
  version: number;
  slots: Int32Array;
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
  rows: RowTable;
  version: number;
  /** Version of the last full replacement or slot renumbering; views older than this rebuild from scratch. */
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
    rows: new RowTable(),
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
      const tracked = s.history !== null ? rows.get(s.history.id) : undefined;

      if (u.full) {
        rows.clear();
        for (const r of u.upserts) rows.set(r);
        for (const id of u.removed) rows.delete(id);
        baseVersion = version;
        changes = [];
        awaitingSnapshot = false;
      } else {
        // Rows in a delta are complete, so they are applied even after a gap; the snapshot then corrects the rest.
        const slots = new Int32Array(u.upserts.length + u.removed.length);
        let n = 0;
        for (let i = 0; i < u.upserts.length; i++) slots[n++] = rows.set(u.upserts[i]);
        for (const id of u.removed) {
          const slot = rows.delete(id);
          if (slot >= 0) slots[n++] = slot;
        }
        if (rows.compactIfSparse()) {
          baseVersion = version;
          changes = [];
        } else {
          changes = changes.length >= CHANGE_LOG_LENGTH ? changes.slice(1) : changes.slice();
          changes.push({ version, slots: n === slots.length ? slots : slots.subarray(0, n) });
        }
        if (gap && !awaitingSnapshot) {
          awaitingSnapshot = true;
          deps.requestSnapshot();
        }
      }

      let history = s.history;
      if (history !== null) {
        const r = rows.get(history.id);
        // Rows arrive as new objects, so a different object means this update carried the flow.
        if (r !== undefined && (u.full || r !== tracked)) {
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
