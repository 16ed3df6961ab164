import { useEffect, useMemo, useRef, useState } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { useStore } from 'zustand';
import type { ChartSeries } from '../../shared/ipc.ts';
import { useStores } from '../state/app-stores.ts';
import { formatClock, formatRate } from '../format.ts';
import { TIME_TICK_STEPS, timeAxisRange, timeTickLabels } from '../chart/time-range.ts';
import { rateAxis, rateTickLabels } from '../chart/rate-axis.ts';
import { parseFilterQuery } from '../../shared/flows/filter-query.ts';

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

/** The seen: range of a filter that parses, else null. */
function seenOf(filter: string): readonly [number, number] | null {
  if (!/seen:/i.test(filter)) return null;
  const r = parseFilterQuery(filter);
  return r.ok ? r.seen : null;
}

function peak(xs: readonly number[]): number {
  let m = 0;
  for (const x of xs) if (x > m) m = x;
  return m;
}

interface RateChartProps {
  /** The series to draw (null: none yet). Drawn again when this object, or `redraw`, changes. */
  series: ChartSeries | null;
  /** Anything else that changes the x range (a zoom), drawn again on change. */
  redraw?: unknown;
  /** The x range for the series' bin starts (and the end of its last bin). */
  range: (times: readonly number[]) => [number, number];
  height: number;
  /** A drag across the chart selected [from, to] (capture seconds); without it, dragging selects nothing. */
  onSelect?: (from: number, to: number) => void;
  /** What the chart shows, in words: its accessible name, and the text shown where no canvas can be drawn. */
  summary: string;
  title?: string;
}

/**
 * Traffic down and up over capture time as steps, with a rate y axis in one unit (rate-axis.ts), the table's clock on
 * the x axis, and a legend that shows the bin under the pointer. The traffic chart and the details drawer's chart of
 * one flow are both this chart.
 */
export function RateChart({ series, redraw, range, height, onSelect, summary, title }: RateChartProps) {
  const hostRef = useRef<HTMLDivElement>(null);
  const plotRef = useRef<uPlot | null>(null);
  const [supported] = useState(canvasSupported);
  // Read when drawing or dragging, so new callbacks each render rebuild nothing.
  const props = useRef({ range, onSelect });
  props.current = { range, onSelect };
  const selectable = onSelect !== undefined;

  useEffect(() => {
    const host = hostRef.current;
    if (!host || !supported) return;
    const rate = (_u: uPlot, v: number | null) => (v == null ? '—' : formatRate(v));
    const plot = new uPlot(
      {
        width: Math.max(200, host.clientWidth),
        height,
        // uPlot's own x autoscaling widens a single point to years before any range callback applies, so the
        // x range is set explicitly on every draw instead.
        scales: {
          x: { time: true, auto: false },
          y: { range: (_u, _min, max) => [0, rateAxis(max).top] },
        },
        // The legend shows the bin under the pointer (its start time, ↓ and ↑); away from the chart, dashes.
        legend: { show: true, live: true },
        // Dragging across the chart selects a time range (setSelect), where the chart has a use for one.
        cursor: { drag: { x: selectable, y: false, setScale: false } },
        hooks: {
          setSelect: [
            (u) => {
              const { left, width } = u.select;
              if (width < 3) return;
              const from = u.posToVal(left, 'x');
              const to = u.posToVal(left + width, 'x');
              u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
              if (Number.isFinite(from) && Number.isFinite(to) && to > from) props.current.onSelect?.(from, to);
            },
          ],
        },
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
      chartData(null),
      host,
    );
    plotRef.current = plot;
    const ro = typeof ResizeObserver === 'undefined' ? null : new ResizeObserver(() => plot.setSize({ width: Math.max(200, host.clientWidth), height }));
    ro?.observe(host);
    return () => {
      ro?.disconnect();
      plotRef.current = null;
      plot.destroy();
    };
  }, [supported, height, selectable]);

  // Drawn only when the series (whole bins of capture time) or the zoom changes, not on every update.
  useEffect(() => {
    const plot = plotRef.current;
    if (plot === null) return;
    const data = chartData(series);
    plot.setData(data);
    const [min, max] = props.current.range(data[0]);
    plot.setScale('x', { min, max });
  }, [series, redraw, supported, height, selectable]);

  return supported ? <div ref={hostRef} className="bw-chart" role="img" aria-label={summary} title={title} /> : <p className="text-xs text-zinc-500">{summary}</p>;
}

/** "from 10:00:00 to 10:01:00, peak ↓ 2.0 MB/s, ↑ 30 kB/s" for a series with bins, else ''. */
export function seriesSummary(c: ChartSeries | null): string {
  if (c === null || c.down.length === 0) return '';
  return `from ${formatClock(c.start)} to ${formatClock(c.start + c.step * c.down.length)}, peak ↓ ${formatRate(peak(c.down))}, ↑ ${formatRate(peak(c.up))}`;
}

/** Traffic towards and from this host over capture time, as the engine host bins it from packet timestamps. */
export function BandwidthChart() {
  const { stats, capture, ui } = useStores();
  const applied = useStore(ui, (s) => s.appliedFilter);
  const zoom = useMemo(() => seenOf(applied), [applied]);
  const latest = useStore(stats, (s) => s.stats);
  const chart = useStore(stats, (s) => s.chart);

  const range = (t: readonly number[]): [number, number] => {
    const end = stats.getState().ts ?? (t.length ? t[t.length - 1] : Date.now() / 1000);
    const file = capture.getState().status.source?.kind === 'file';
    // Zoomed into the seen: range the table is filtered on (whole seconds, the bins' width, at least two of them, so
    // the axis keeps labels), else the whole capture.
    return zoom ? [Math.floor(zoom[0]), Math.max(Math.ceil(zoom[1]), Math.floor(zoom[0]) + 2)] : timeAxisRange(t.length ? t[0] : null, t.length ? t[t.length - 1] : null, end, file);
  };
  const onSelect = (from: number, to: number) => ui.getState().setSeenRange([from, to]);

  const now = latest ? `Now ↓ ${formatRate(latest.inBytesPerSecond)}, ↑ ${formatRate(latest.outBytesPerSecond)}` : 'No traffic yet';
  const span = seriesSummary(chart);
  const summary = span === '' ? now : `${now}. Chart ${span}`;
  return (
    <section aria-label="Bandwidth" className="border-t border-zinc-200 px-4 pt-2 dark:border-zinc-700">
      <h2 className="sr-only">Bandwidth</h2>
      {zoom !== null && (
        <p className="flex items-center gap-2 text-xs text-zinc-600 dark:text-zinc-400">
          Flows seen {formatClock(zoom[0])}–{formatClock(zoom[1])}
          <button type="button" className="btn-link" onClick={() => ui.getState().setSeenRange(null)}>
            Whole capture
          </button>
        </p>
      )}
      <RateChart series={chart} redraw={zoom} range={range} height={HEIGHT} onSelect={onSelect} summary={summary} title="Drag across the chart to show the flows seen in that time" />
    </section>
  );
}
