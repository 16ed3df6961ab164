/**
 * Latest capture statistics, the capture time of the latest update, and the traffic chart the host keeps (bins over
 * capture time, from packet timestamps). An update's `chart` is null when the series did not change, so the last one
 * received is kept until a new one comes; a new capture or file clears it (its series starts anew).
 */
import { createStore } from 'zustand/vanilla';
import type { ChartSeries, StatsView } from '../../shared/ipc.ts';
import { spansDays } from '../format.ts';

export interface StatsState {
  stats: StatsView | null;
  /** Capture time of the latest update, seconds since the epoch; null before any. */
  ts: number | null;
  chart: ChartSeries | null;
  /** Bumps when `chart` is replaced, so the chart redraws without comparing arrays. */
  chartVersion: number;
  /** The capture's known times fall on more than one local day (from the chart's start to the latest update). */
  spansDays: boolean;
  push(stats: StatsView, ts: number, chart: ChartSeries | null): void;
  clear(): void;
}

function spanOf(chart: ChartSeries | null, ts: number | null): boolean {
  if (chart === null || ts === null) return false;
  return spansDays(chart.start, Math.max(ts, chart.start + chart.step * chart.down.length));
}

export function createStatsStore() {
  return createStore<StatsState>()((set, get) => ({
    stats: null,
    ts: null,
    chart: null,
    chartVersion: 0,
    spansDays: false,
    push(stats, ts, chart) {
      const s = get();
      const next = chart ?? s.chart;
      set({
        stats,
        ts,
        chart: next,
        chartVersion: chart !== null ? s.chartVersion + 1 : s.chartVersion,
        spansDays: spanOf(next, ts),
      });
    },
    clear() {
      set((s) => ({ stats: null, ts: null, chart: null, chartVersion: s.chartVersion + 1, spansDays: false }));
    },
  }));
}

export type StatsStore = ReturnType<typeof createStatsStore>;
