/**
 * The bandwidth chart's time axis range. uPlot's default for a time scale is the data's own [min, max], which with
 * one point is a zero-width range (the axis then labels years) and with none is undefined. A live capture's axis
 * spans at least MIN_SPAN_SECONDS, ending at the newest point so it grows from the right edge; a file's is its data,
 * centred in at least FILE_MIN_SPAN_SECONDS, so a short capture fills the chart instead of a sliver at its edge.
 */
export const MIN_SPAN_SECONDS = 60;
export const FILE_MIN_SPAN_SECONDS = 4;

/** [min, max] in seconds since the epoch for data spanning dataMin..dataMax (null: no data; `now` is then the end). */
export function timeAxisRange(dataMin: number | null, dataMax: number | null, now: number, file = false): [number, number] {
  const span = file ? FILE_MIN_SPAN_SECONDS : MIN_SPAN_SECONDS;
  if (dataMin === null || dataMax === null || !Number.isFinite(dataMin) || !Number.isFinite(dataMax)) return [now - span, now];
  const lo = Math.min(dataMin, dataMax);
  const hi = Math.max(dataMin, dataMax);
  if (hi - lo >= span) return [lo, hi];
  if (!file) return [hi - span, hi];
  const mid = (lo + hi) / 2;
  return [mid - span / 2, mid + span / 2];
}

/**
 * Tick steps of the time axis in seconds: whole seconds at least, as the host bins the series by the second (finer
 * ticks would repeat the same HH:MM:SS label).
 */
export const TIME_TICK_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400, 172_800, 604_800, 2_592_000, 31_536_000];

const pad = (x: number) => String(x).padStart(2, '0');
const dateOf = (d: Date) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;

/**
 * Labels of the time axis's ticks (seconds since the epoch, `incr` seconds apart), on the table's 24-hour local clock:
 * HH:MM:SS below a minute's step, HH:MM below a day's, else the date; the date goes under the first tick and under
 * each tick that starts a new day, so a chart spanning days says which.
 */
export function timeTickLabels(ticks: readonly number[], incr: number): string[] {
  let lastDate = '';
  return ticks.map((t) => {
    const d = new Date(t * 1000);
    const date = dateOf(d);
    if (incr >= 86_400) return date;
    const clock = incr < 60 ? `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}` : `${pad(d.getHours())}:${pad(d.getMinutes())}`;
    const label = date !== lastDate ? `${clock}\n${date}` : clock;
    lastDate = date;
    return label;
  });
}
