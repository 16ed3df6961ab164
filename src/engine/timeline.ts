/**
 * Traffic over capture time, for the chart: bytes per bin of packet time in two directions (towards this host and
 * from it). Bounded whatever the capture spans: when a packet falls past the last bin, neighbouring bins merge and
 * the step doubles, so a minute-long capture has 1 s bins and a day-long one bins of a minute or two.
 * A packet older than the first bin (out-of-order timestamps) counts in the first bin.
 */
import type { ChartSeries } from '../shared/ipc.ts';

export const TIMELINE_BINS = 1024;

export class Timeline {
  /** Capture time of bin 0 (whole seconds); NaN before the first packet. */
  start = NaN;
  /** Seconds per bin: 1, then doubling. */
  step = 1;
  /** Bumps with every change, so a caller can tell whether to send the series again. */
  version = 0;
  private readonly down = new Float64Array(TIMELINE_BINS);
  private readonly up = new Float64Array(TIMELINE_BINS);
  /** Bins in use: the index of the newest bin + 1. */
  private used = 0;

  add(ts: number, bytes: number, towardsHost: boolean): void {
    if (this.start !== this.start) this.start = Math.floor(ts);
    let i = Math.floor((ts - this.start) / this.step);
    if (!(i > 0)) i = 0;
    while (i >= TIMELINE_BINS) {
      this.coarsen();
      i = Math.floor((ts - this.start) / this.step);
    }
    (towardsHost ? this.down : this.up)[i] += bytes;
    if (i >= this.used) this.used = i + 1;
    this.version++;
  }

  /** How many bins end at or before `until` (capture seconds; Infinity: every bin in use). */
  wholeBins(until: number): number {
    if (this.start !== this.start) return 0;
    return until === Infinity ? this.used : Math.min(this.used, Math.max(0, Math.floor((until - this.start) / this.step)));
  }

  /** The bins that end at or before `until` (see wholeBins), as mean bytes per second. */
  series(until: number): ChartSeries {
    if (this.start !== this.start) return { start: 0, step: 1, down: [], up: [] };
    const whole = this.wholeBins(until);
    const down = new Array<number>(whole);
    const up = new Array<number>(whole);
    for (let i = 0; i < whole; i++) {
      down[i] = this.down[i] / this.step;
      up[i] = this.up[i] / this.step;
    }
    return { start: this.start, step: this.step, down, up };
  }

  private coarsen(): void {
    const half = TIMELINE_BINS / 2;
    for (const a of [this.down, this.up]) {
      for (let j = 0; j < half; j++) a[j] = a[2 * j] + a[2 * j + 1];
      a.fill(0, half);
    }
    this.step *= 2;
    this.used = Math.ceil(this.used / 2);
  }
}
