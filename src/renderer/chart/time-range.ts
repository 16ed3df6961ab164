/**
 * The bandwidth chart's time axis range. uPlot's default for a time scale is the data's own [min, max], which with
 * one point is a zero-width range (the axis then labels years) and with none is undefined. The axis always spans at
 * least MIN_SPAN_SECONDS, ending at the newest point so a live capture grows from the right edge.
 */
export const MIN_SPAN_SECONDS = 60;

/** [min, max] in seconds since the epoch for data spanning dataMin..dataMax (null: no data; `now` is then the end). */
export function timeAxisRange(dataMin: number | null, dataMax: number | null, now: number): [number, number] {
  if (dataMin === null || dataMax === null || !Number.isFinite(dataMin) || !Number.isFinite(dataMax)) return [now - MIN_SPAN_SECONDS, now];
  const lo = Math.min(dataMin, dataMax);
  const hi = Math.max(dataMin, dataMax);
  if (hi - lo < MIN_SPAN_SECONDS) return [hi - MIN_SPAN_SECONDS, hi];
  return [lo, hi];
}

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
