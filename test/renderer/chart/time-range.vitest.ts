// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { FILE_MIN_SPAN_SECONDS, MIN_SPAN_SECONDS, timeAxisRange, timeTickLabels } from '../../../src/renderer/chart/time-range.ts';

const T = 1_700_000_000;

describe('bandwidth chart time axis', () => {
  it('with no points spans the last minute before now', () => {
    expect(timeAxisRange(null, null, T)).toEqual([T - MIN_SPAN_SECONDS, T]);
    expect(timeAxisRange(Infinity, -Infinity, T)).toEqual([T - MIN_SPAN_SECONDS, T]);
  });

  it('with one point spans a minute ending at it (not a zero-width range that labels years)', () => {
    const [lo, hi] = timeAxisRange(T, T, T + 1e6);
    expect([lo, hi]).toEqual([T - MIN_SPAN_SECONDS, T]);
  });

  it('with two close points keeps the minimum span, ending at the newest', () => {
    expect(timeAxisRange(T, T + 0.25, 0)).toEqual([T + 0.25 - MIN_SPAN_SECONDS, T + 0.25]);
    expect(timeAxisRange(T + 5, T, 0)).toEqual([T + 5 - MIN_SPAN_SECONDS, T + 5]);
  });

  it('with points spread wider than the minimum uses the data range as is', () => {
    expect(timeAxisRange(T, T + 300, 0)).toEqual([T, T + 300]);
    expect(timeAxisRange(T, T + MIN_SPAN_SECONDS, 0)).toEqual([T, T + MIN_SPAN_SECONDS]);
  });
});

describe('bandwidth chart time axis of a file', () => {
  it('centres a capture shorter than the minimum span in it, so it fills the chart', () => {
    expect(timeAxisRange(T, T + 1, T + 1e6, true)).toEqual([T + 0.5 - FILE_MIN_SPAN_SECONDS / 2, T + 0.5 + FILE_MIN_SPAN_SECONDS / 2]);
    expect(timeAxisRange(T, T, 0, true)).toEqual([T - FILE_MIN_SPAN_SECONDS / 2, T + FILE_MIN_SPAN_SECONDS / 2]);
  });
  it('uses a longer capture\'s own range, and the minimum span before any data', () => {
    expect(timeAxisRange(T, T + 30, 0, true)).toEqual([T, T + 30]);
    expect(timeAxisRange(null, null, T, true)).toEqual([T - FILE_MIN_SPAN_SECONDS, T]);
  });
});

describe('bandwidth chart time labels', () => {
  const at = (y: number, mo: number, d: number, h: number, mi: number, s = 0) => new Date(y, mo - 1, d, h, mi, s).getTime() / 1000;
  it('reads the 24-hour local clock, with the date under the first tick and each new day', () => {
    const t = at(2026, 3, 10, 23, 59, 50);
    expect(timeTickLabels([t, t + 5, t + 10, t + 15], 5)).toEqual(['23:59:50\n2026-03-10', '23:59:55', '00:00:00\n2026-03-11', '00:00:05']);
    const h = at(2026, 3, 10, 12, 0);
    expect(timeTickLabels([h, h + 3600, h + 7200], 3600)).toEqual(['12:00\n2026-03-10', '13:00', '14:00']);
    expect(timeTickLabels([h, h + 86_400], 86_400)).toEqual(['2026-03-10', '2026-03-11']);
  });
});
