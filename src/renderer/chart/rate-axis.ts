/**
 * The traffic chart's y axis: from 0 to a round top above the data, ticks at a round step (1, 2 or 5 × 10^n B/s), all
 * labelled in one unit chosen by the top (B/s, kB/s, MB/s, ...), so the axis reads as a scale and not a lone "0 B/s".
 */

/** The least top of the axis: an idle capture still gets a scale (0 to 1 kB/s) instead of a zero-height one. */
export const MIN_TOP = 1000;

const UNITS = ['B/s', 'kB/s', 'MB/s', 'GB/s', 'TB/s'];

export interface RateAxis {
  top: number;
  step: number;
  /** 0, step, 2·step, ..., top. */
  ticks: number[];
}

/** The smallest 1, 2 or 5 × 10^n that is at least x (x > 0). */
function niceAtLeast(x: number): number {
  let e = Math.floor(Math.log10(x));
  for (;;) {
    for (const b of [1, 2, 5]) {
      const v = b * 10 ** e;
      if (v >= x * (1 - 1e-12)) return v;
    }
    e++;
  }
}

/** The axis for data whose largest value is `dataMax` bytes per second. Given its own top, it returns itself. */
export function rateAxis(dataMax: number): RateAxis {
  const m = Number.isFinite(dataMax) && dataMax > MIN_TOP ? dataMax : MIN_TOP;
  // At most four intervals (the chart is short): the step is the roundest one that needs no more.
  const step = niceAtLeast(m / 4);
  const n = Math.ceil(m / step - 1e-9);
  const ticks = Array.from({ length: n + 1 }, (_, i) => i * step);
  return { top: n * step, step, ticks };
}

/** The tick labels of an axis, all in the unit of its top, with as many decimals as its step needs. */
export function rateTickLabels(ticks: readonly number[]): string[] {
  const top = Math.max(0, ...ticks);
  let u = 0;
  while (u < UNITS.length - 1 && top >= 1000 ** (u + 1)) u++;
  const scale = 1000 ** u;
  const step = ticks.length > 1 ? Math.abs(ticks[1] - ticks[0]) / scale : 1;
  const decimals = step >= 1 ? 0 : Math.min(3, Math.ceil(-Math.log10(step) - 1e-9));
  return ticks.map((t) => `${t === 0 ? '0' : (t / scale).toFixed(decimals)} ${UNITS[u]}`);
}
