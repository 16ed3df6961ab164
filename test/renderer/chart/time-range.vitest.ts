// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { MIN_SPAN_SECONDS, timeAxisRange } from '../../../src/renderer/chart/time-range.ts';

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
