/**
 * The Overview's latest totals as the engine host sent them (EngineUpdate.overview, present only while the page
 * shows the Overview). A new capture or file clears them.
 */
import { createStore } from 'zustand/vanilla';
import type { OverviewView } from '../../shared/ipc.ts';

export interface OverviewState {
  view: OverviewView | null;
  push(view: OverviewView): void;
  clear(): void;
}

export function createOverviewStore() {
  return createStore<OverviewState>()((set) => ({
    view: null,
    push(view) {
      set({ view });
    },
    clear() {
      set({ view: null });
    },
  }));
}

export type OverviewStore = ReturnType<typeof createOverviewStore>;
