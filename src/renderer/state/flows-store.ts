/**
 * The flow table as the renderer knows it, fed by `EngineUpdate`s (compact batches, see shared/flow-update.ts).
 * Texts are kept by reference and counters column-wise in a slot table (row-table.ts); `version` changes once per
 * applied update so React re-renders at the update rate. A short log of changed slots, split into counter changes
 * and text changes, lets the table view redo only what changed (see flows/flow-view.ts): the filter depends only on
 * texts, so a counters-only update never re-runs it.
 */
import { createStore } from 'zustand/vanilla';
import { useStore } from 'zustand';
import type { EngineUpdate } from '../../shared/ipc.ts';
import { downRate, upRate } from '../flows/endpoints.ts';
import { RowTable } from './row-table.ts';

/** What one update changed (a slot may repeat, and may be in both lists). */
export interface FlowChange {
  version: number;
  /** Slots whose counters changed: numeric sort keys may have moved. */
  counters: Int32Array;
  /** Slots that got a new text, were added or were emptied: filter outcome and text keys may have changed. */
  texts: Int32Array;
}

/** Rate history of the flow shown in the drawer (only one flow is tracked, to keep updates cheap). */
export interface RateHistory {
  id: number;
  down: number[];
  up: number[];
}

export const CHANGE_LOG_LENGTH = 16;
/** Slot buffers of log entries that fell off the log, kept for the next updates. */
const SPARE_BUFFERS = 2;
export const RATE_HISTORY_LENGTH = 120;

export interface FlowsState {
  rows: RowTable;
  version: number;
  /** Version of the last full replacement or slot renumbering; views older than this rebuild from scratch. */
  baseVersion: number;
  changes: FlowChange[];
  lastSeq: number | null;
  /** A snapshot was requested (after a seq gap or an id with no known text) and has not arrived yet (so we ask only once). */
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
  // A 50 k-flow update logs 50 k changed slots; writing them into a recycled buffer instead of a fresh one saves the
  // page faults of new memory on every update. Views read log entries only while they sync against the current
  // log, so an entry that fell off it is read by no one.
  const spare: Int32Array[] = [];
  const recycle = (old: readonly FlowChange[]) => {
    for (const c of old) if (spare.length < SPARE_BUFFERS) spare.push(new Int32Array(c.counters.buffer));
  };

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

      if (u.full) {
        rows.clear();
        // A full update carries every text; an id without one (a sender bug) is left out, not asked for again.
        rows.applyBatch(u.rows);
        for (const id of u.removed) rows.delete(id);
        baseVersion = version;
        recycle(changes);
        changes = [];
        awaitingSnapshot = false;
      } else {
        // Counters are absolute and texts complete, so a delta is applied even after a gap; the snapshot then
        // corrects what the missed updates changed.
        const applied = rows.applyBatch(u.rows, spare.pop());
        let texts = applied.texts;
        if (u.removed.length > 0) {
          const all = new Int32Array(texts.length + u.removed.length);
          all.set(texts);
          let n = texts.length;
          for (const id of u.removed) {
            const slot = rows.delete(id);
            if (slot >= 0) all[n++] = slot;
          }
          texts = all.subarray(0, n);
        }
        if (rows.compactIfSparse()) {
          baseVersion = version;
          recycle(changes);
          changes = [];
        } else if (changes.length >= CHANGE_LOG_LENGTH) {
          recycle(changes.slice(0, 1));
          changes = [...changes.slice(1), { version, counters: applied.counters, texts }];
        } else {
          changes = [...changes, { version, counters: applied.counters, texts }];
        }
        // Ids with no known text (a missed update introduced them) are skipped until a snapshot brings them.
        if ((gap || applied.unknown > 0) && !awaitingSnapshot) {
          awaitingSnapshot = true;
          deps.requestSnapshot();
        }
      }

      let history = s.history;
      if (history !== null) {
        const slot = rows.slotOfId(history.id);
        // Stamped with the latest epoch: this update carried the flow.
        if (slot >= 0 && rows.stampAt(slot) === rows.epoch) {
          const r = rows.rowAt(slot);
          if (r !== undefined) {
            history = {
              id: history.id,
              down: [...history.down, downRate(r)].slice(-RATE_HISTORY_LENGTH),
              up: [...history.up, upRate(r)].slice(-RATE_HISTORY_LENGTH),
            };
          }
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
