/** Latest capture statistics and the bandwidth history behind the chart (one point per update). */
import { createStore } from 'zustand/vanilla';
import type { StatsView } from '../../shared/ipc.ts';

/** How much history the chart keeps, in seconds of capture time. */
export const BANDWIDTH_WINDOW_SECONDS = 300;

export interface BandwidthSeries {
  /** Capture time, seconds since the epoch. */
  t: number[];
  inBps: number[];
  outBps: number[];
}

export interface StatsState {
  stats: StatsView | null;
  bandwidth: BandwidthSeries;
  /** Bumps on every push so the chart redraws without comparing arrays. */
  tick: number;
  push(stats: StatsView, ts: number): void;
  clear(): void;
}

const empty = (): BandwidthSeries => ({ t: [], inBps: [], outBps: [] });

export function createStatsStore() {
  return createStore<StatsState>()((set, get) => ({
    stats: null,
    bandwidth: empty(),
    tick: 0,
    push(stats, ts) {
      const s = get();
      let b = s.bandwidth;
      const last = b.t.length ? b.t[b.t.length - 1] : -Infinity;
      // Time going backwards means a new capture or file: start a new chart.
      if (ts < last) b = empty();
      b.t.push(ts);
      b.inBps.push(stats.inBytesPerSecond);
      b.outBps.push(stats.outBytesPerSecond);
      let drop = 0;
      while (drop < b.t.length && b.t[drop] < ts - BANDWIDTH_WINDOW_SECONDS) drop++;
      if (drop > 0) {
        b.t.splice(0, drop);
        b.inBps.splice(0, drop);
        b.outBps.splice(0, drop);
      }
      set({ stats, bandwidth: b, tick: s.tick + 1 });
    },
    clear() {
      set((s) => ({ stats: null, bandwidth: empty(), tick: s.tick + 1 }));
    },
  }));
}

export type StatsStore = ReturnType<typeof createStatsStore>;
