// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { MIN_TOP, rateAxis, rateTickLabels } from '../../../src/renderer/chart/rate-axis.ts';

describe('traffic chart rate axis', () => {
  it('an idle capture still gets a labelled scale of several ticks, not a lone 0 B/s', () => {
    for (const max of [0, NaN, -1, 1, 999]) {
      const a = rateAxis(max);
      expect(a.top).toBe(MIN_TOP);
      expect(a.ticks.length).toBeGreaterThanOrEqual(3);
      const labels = rateTickLabels(a.ticks);
      expect(new Set(labels).size).toBe(labels.length);
      expect(labels[0]).toBe('0 kB/s');
      expect(labels.at(-1)).toBe('1.0 kB/s');
    }
  });

  it('ticks at round steps from 0 to a round top above the data, in one unit chosen by the top', () => {
    expect(rateTickLabels(rateAxis(730).ticks)).toEqual(['0 kB/s', '0.5 kB/s', '1.0 kB/s']);
    expect(rateTickLabels(rateAxis(2_400_000).ticks)).toEqual(['0 MB/s', '1 MB/s', '2 MB/s', '3 MB/s']);
    expect(rateTickLabels(rateAxis(1_400).ticks)).toEqual(['0 kB/s', '0.5 kB/s', '1.0 kB/s', '1.5 kB/s']);
    expect(rateTickLabels(rateAxis(180_000).ticks)).toEqual(['0 kB/s', '50 kB/s', '100 kB/s', '150 kB/s', '200 kB/s']);
    expect(rateTickLabels(rateAxis(38_000).ticks)).toEqual(['0 kB/s', '10 kB/s', '20 kB/s', '30 kB/s', '40 kB/s']);
    expect(rateTickLabels(rateAxis(7.2e9).ticks)).toEqual(['0 GB/s', '2 GB/s', '4 GB/s', '6 GB/s', '8 GB/s']);
  });

  it('always covers the data with 3 to 5 ticks, and is stable: its own top gives the same axis', () => {
    for (let x = 1; x < 1e13; x *= 1.37) {
      const a = rateAxis(x);
      expect(a.top).toBeGreaterThanOrEqual(x);
      expect(a.ticks[0]).toBe(0);
      expect(a.ticks.at(-1)).toBe(a.top);
      expect(a.ticks.length).toBeGreaterThanOrEqual(3);
      expect(a.ticks.length).toBeLessThanOrEqual(5);
      expect(rateAxis(a.top)).toEqual(a);
      const labels = rateTickLabels(a.ticks);
      expect(new Set(labels).size).toBe(labels.length);
      expect(labels.every((l) => / (B|kB|MB|GB|TB)\/s$/.test(l))).toBe(true);
    }
  });
});
