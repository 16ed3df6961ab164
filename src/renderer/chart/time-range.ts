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
