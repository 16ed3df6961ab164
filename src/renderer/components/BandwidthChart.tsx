import { useEffect, useRef, useState } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { useStore } from 'zustand';
import type { ChartSeries } from '../../shared/ipc.ts';
import { useStores } from '../state/app-stores.ts';
import { formatClock, formatRate } from '../format.ts';
import { TIME_TICK_STEPS, timeAxisRange, timeTickLabels } from '../chart/time-range.ts';
import { rateAxis, rateTickLabels } from '../chart/rate-axis.ts';

const HEIGHT = 140;
// Mid-tones read on both the light and the dark theme, so the chart needs no theme switch.
const AXIS = '#8a8a93';
const GRID = 'rgba(138,138,147,0.25)';

function canvasSupported(): boolean {
  try {
    return document.createElement('canvas').getContext('2d') !== null;
  } catch {
    return false;
  }
}

type Data = [number[], number[], number[]];

/**
 * The series as uPlot data: a point at the start of each bin holding that bin's mean, drawn as steps, and one more at
 * the end of the last bin so it has its width too.
 */
export function chartData(c: ChartSeries | null): Data {
  if (c === null || c.down.length === 0) return [[], [], []];
  const n = c.down.length;
  const t = Array.from({ length: n + 1 }, (_, i) => c.start + i * c.step);
  return [t, [...c.down, c.down[n - 1]], [...c.up, c.up[n - 1] ?? 0]];
}

function peak(xs: readonly number[]): number {
  let m = 0;
  for (const x of xs) if (x > m) m = x;
  return m;
}

/** Traffic towards and from this host over capture time, as the engine host bins it from packet timestamps. */
export function BandwidthChart() {
  const { stats, capture } = useStores();
  const hostRef = useRef<HTMLDivElement>(null);
  const [supported] = useState(canvasSupported);
  const latest = useStore(stats, (s) => s.stats);
  const chart = useStore(stats, (s) => s.chart);

  useEffect(() => {
    const host = hostRef.current;
    if (!host || !supported) return;
    const rate = (_u: uPlot, v: number | null) => (v == null ? '—' : formatRate(v));
    const plot = new uPlot(
      {
        width: Math.max(200, host.clientWidth),
        height: HEIGHT,
        // uPlot's own x autoscaling widens a single point to years before any range callback applies, so the
        // x range is set explicitly on every draw instead (setXRange).
        scales: {
          x: { time: true, auto: false },
          y: { range: (_u, _min, max) => [0, rateAxis(max).top] },
        },
        // The legend shows the bin under the pointer (its start time, ↓ and ↑); away from the chart, dashes.
        legend: { show: true, live: true },
        cursor: { drag: { x: false, y: false } },
        series: [
          { label: 'Time', value: (_u: uPlot, v: number | null) => (v == null ? '—' : formatClock(v)) },
          { label: '↓ Down', stroke: '#0ea5e9', width: 1.5, fill: 'rgba(14,165,233,0.12)', paths: uPlot.paths.stepped?.({ align: 1 }), value: rate },
          { label: '↑ Up', stroke: '#f59e0b', width: 1.5, paths: uPlot.paths.stepped?.({ align: 1 }), value: rate },
        ],
        axes: [
          // The same 24-hour local clock and dates as the table, not uPlot's US-style default.
          { stroke: AXIS, grid: { stroke: GRID, width: 1 }, ticks: { stroke: GRID, width: 1 }, space: 70, incrs: TIME_TICK_STEPS, values: (_u, splits, _i, _space, incr) => timeTickLabels(splits, incr) },
          {
            stroke: AXIS,
            grid: { stroke: GRID, width: 1 },
            ticks: { stroke: GRID, width: 1 },
            size: 72,
            splits: (_u, _i, _min, max) => rateAxis(max).ticks,
            values: (_u, splits) => rateTickLabels(splits),
          },
        ],
      },
      chartData(stats.getState().chart),
      host,
    );
    const draw = () => {
      const { chart: c, ts } = stats.getState();
      const data = chartData(c);
      plot.setData(data);
      const t = data[0];
      const end = ts ?? (t.length ? t[t.length - 1] : Date.now() / 1000);
      const file = capture.getState().status.source?.kind === 'file';
      const [min, max] = timeAxisRange(t.length ? t[0] : null, t.length ? t[t.length - 1] : null, end, file);
      plot.setScale('x', { min, max });
    };
    draw();
    // Redrawn only when the host sends a new series (whole bins of capture time), not on every update.
    const unsub = stats.subscribe((s, prev) => {
      if (s.chartVersion !== prev.chartVersion) draw();
    });
    const ro = typeof ResizeObserver === 'undefined' ? null : new ResizeObserver(() => plot.setSize({ width: Math.max(200, host.clientWidth), height: HEIGHT }));
    ro?.observe(host);
    return () => {
      unsub();
      ro?.disconnect();
      plot.destroy();
    };
  }, [stats, capture, supported]);

  const now = latest ? `Now ↓ ${formatRate(latest.inBytesPerSecond)}, ↑ ${formatRate(latest.outBytesPerSecond)}` : 'No traffic yet';
  const span =
    chart !== null && chart.down.length > 0
      ? `. Chart from ${formatClock(chart.start)} to ${formatClock(chart.start + chart.step * chart.down.length)}, peak ↓ ${formatRate(peak(chart.down))}, ↑ ${formatRate(peak(chart.up))}`
      : '';
  const summary = now + span;
  return (
    <section aria-label="Bandwidth" className="border-t border-zinc-200 px-4 pt-2 dark:border-zinc-700">
      <h2 className="sr-only">Bandwidth</h2>
      {supported ? <div ref={hostRef} className="bw-chart" role="img" aria-label={summary} /> : <p className="text-xs text-zinc-500">{summary}</p>}
    </section>
  );
}
