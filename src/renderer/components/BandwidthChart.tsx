import { useEffect, useRef, useState } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { useStore } from 'zustand';
import { useStores } from '../state/app-stores.ts';
import { formatRate } from '../format.ts';
import { timeAxisRange } from '../chart/time-range.ts';

const HEIGHT = 120;
const REDRAW_SECONDS = 1;
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

/** Total in/out bandwidth over the last minutes (one point per engine update). */
export function BandwidthChart() {
  const { stats } = useStores();
  const hostRef = useRef<HTMLDivElement>(null);
  const [supported] = useState(canvasSupported);
  const latest = useStore(stats, (s) => s.stats);

  useEffect(() => {
    const host = hostRef.current;
    if (!host || !supported) return;
    const b = stats.getState().bandwidth;
    const plot = new uPlot(
      {
        width: Math.max(200, host.clientWidth),
        height: HEIGHT,
        // uPlot's own x autoscaling widens a single point to years before any range callback applies, so the
        // x range is set explicitly on every draw instead (setXRange).
        scales: { x: { time: true, auto: false } },
        // Live values only follow the cursor; the status bar carries the current numbers.
        legend: { show: true, live: false },
        cursor: { drag: { x: false, y: false } },
        series: [
          {},
          { label: 'In', stroke: '#0ea5e9', width: 1.5, fill: 'rgba(14,165,233,0.12)', value: (_u, v) => (v == null ? '—' : formatRate(v)) },
          { label: 'Out', stroke: '#f59e0b', width: 1.5, value: (_u, v) => (v == null ? '—' : formatRate(v)) },
        ],
        axes: [
          { stroke: AXIS, grid: { stroke: GRID, width: 1 }, ticks: { stroke: GRID, width: 1 } },
          { stroke: AXIS, grid: { stroke: GRID, width: 1 }, ticks: { stroke: GRID, width: 1 }, size: 70, values: (_u, vals) => vals.map((v) => formatRate(v)) },
        ],
      },
      [b.t, b.inBps, b.outBps],
      host,
    );
    const setXRange = (t: ArrayLike<number>) => {
      const [min, max] = timeAxisRange(t.length ? t[0] : null, t.length ? t[t.length - 1] : null, Date.now() / 1000);
      plot.setScale('x', { min, max });
    };
    setXRange(b.t);
    // Redrawn at most once per second of capture time: a 5-minute chart gains nothing from 10 redraws a second.
    // A skipped update is drawn a second later at the latest, so the end of a file is never left out.
    let drawnAt = -Infinity;
    let trailing: ReturnType<typeof setTimeout> | null = null;
    const draw = () => {
      if (trailing !== null) clearTimeout(trailing);
      trailing = null;
      const b = stats.getState().bandwidth;
      drawnAt = b.t.length ? b.t[b.t.length - 1] : -Infinity;
      plot.setData([b.t, b.inBps, b.outBps]);
      setXRange(b.t);
    };
    const unsub = stats.subscribe((s, prev) => {
      if (s.tick === prev.tick) return;
      const t = s.bandwidth.t;
      const last = t.length ? t[t.length - 1] : -Infinity;
      if (last < drawnAt || last - drawnAt >= REDRAW_SECONDS) draw();
      else if (trailing === null) trailing = setTimeout(draw, REDRAW_SECONDS * 1000);
    });
    const ro = typeof ResizeObserver === 'undefined' ? null : new ResizeObserver(() => plot.setSize({ width: Math.max(200, host.clientWidth), height: HEIGHT }));
    ro?.observe(host);
    return () => {
      if (trailing !== null) clearTimeout(trailing);
      unsub();
      ro?.disconnect();
      plot.destroy();
    };
  }, [stats, supported]);

  const summary = latest
    ? `In ${formatRate(latest.inBytesPerSecond)}, out ${formatRate(latest.outBytesPerSecond)}`
    : 'No traffic yet';
  return (
    <section aria-label="Bandwidth" className="border-t border-zinc-200 px-4 pt-2 dark:border-zinc-700">
      <h2 className="sr-only">Bandwidth</h2>
      {supported ? <div ref={hostRef} className="bw-chart" role="img" aria-label={summary} /> : <p className="text-xs text-zinc-500">{summary}</p>}
    </section>
  );
}
