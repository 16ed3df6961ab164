/**
 * Builds the StatsView of each update: totals from the engine, rates over about the last second of wall time
 * (live) or over the capture's own time span (files), in/out bytes from the byte deltas of the rows being sent.
 */
import type { FlowRow } from '../shared/flow.ts';
import type { StatsMessage } from '../shared/helper-protocol.ts';
import type { StatsView } from '../shared/ipc.ts';
import { localIsSrc } from '../shared/flows/endpoints.ts';
import type { EngineCounters } from './types.ts';

interface Sample {
  t: number;
  packets: number;
  bytes: number;
  inBytes: number;
  outBytes: number;
}

export class StatsMeter {
  private readonly live: boolean;
  private readonly startMs: number;
  private samples: Sample[] = [];
  /** Last reported [fwd, rev] bytes per flow id, to turn rows into byte deltas. */
  private readonly lastBytes = new Map<number, [number, number]>();
  private inTotal = 0;
  private outTotal = 0;
  private helper: StatsMessage | null = null;
  pipeDrops = 0;

  constructor(live: boolean, nowMs: number) {
    this.live = live;
    this.startMs = nowMs;
  }

  helperStats(m: StatsMessage): void {
    this.helper = m;
  }

  /** Accounts the rows about to be sent; call once per update with its changed rows and removed ids. */
  account(rows: readonly FlowRow[], removed: readonly number[]): void {
    for (const r of rows) {
      const prev = this.lastBytes.get(r.id);
      const dFwd = r.bytes_fwd - (prev ? prev[0] : 0);
      const dRev = r.bytes_rev - (prev ? prev[1] : 0);
      if (prev) {
        prev[0] = r.bytes_fwd;
        prev[1] = r.bytes_rev;
      } else this.lastBytes.set(r.id, [r.bytes_fwd, r.bytes_rev]);
      // With no local side known (files), src counts as local: fwd is "out".
      if (localIsSrc(r)) {
        this.inTotal += dRev;
        this.outTotal += dFwd;
      } else {
        this.inTotal += dFwd;
        this.outTotal += dRev;
      }
    }
    for (const id of removed) this.lastBytes.delete(id);
  }

  view(nowMs: number, c: EngineCounters): StatsView {
    const s: Sample = { t: nowMs, packets: c.packets, bytes: c.bytes, inBytes: this.inTotal, outBytes: this.outTotal };
    this.samples.push(s);
    // Keep samples of the last ~1 s plus one older anchor.
    while (this.samples.length > 2 && this.samples[1].t <= nowMs - 1000) this.samples.shift();
    const base = this.samples[0];
    const h = this.helper;
    const common = {
      packets: c.packets,
      bytes: c.bytes,
      kernelDrops: h?.dropped_kernel ?? 0,
      ifaceDrops: h?.dropped_iface ?? 0,
      pipeDrops: this.pipeDrops,
      flows: c.flows,
      expiredFlows: 0,
    };
    if (!this.live) {
      const span = c.firstTs !== null && c.lastTs !== null ? Math.max(c.lastTs - c.firstTs, 0) : 0;
      const per = (n: number) => (span > 0 ? n / span : 0);
      return {
        ...common,
        packetsPerSecond: per(c.packets),
        bytesPerSecond: per(c.bytes),
        inBytesPerSecond: this.inTotal,
        outBytesPerSecond: this.outTotal,
        elapsedSeconds: span,
      };
    }
    const dt = (s.t - base.t) / 1000;
    const rate = (a: number, b: number) => (dt > 0 ? Math.max(0, (a - b) / dt) : 0);
    return {
      ...common,
      packetsPerSecond: rate(s.packets, base.packets),
      bytesPerSecond: rate(s.bytes, base.bytes),
      inBytesPerSecond: rate(s.inBytes, base.inBytes),
      outBytesPerSecond: rate(s.outBytes, base.outBytes),
      elapsedSeconds: (nowMs - this.startMs) / 1000,
    };
  }
}
