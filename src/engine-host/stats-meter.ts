/**
 * The StatsView of each update, from the engine's own counters: totals, and while a source runs, rates over about
 * the last second of wall time (live) or of capture time (a file being read). A stopped or paused source shows no
 * rates. No per-flow state: directions come from the engine's totals towards and from this host.
 */
import type { Engine } from '../engine/engine.ts';
import type { StatsMessage } from '../shared/helper-protocol.ts';
import type { StatsView } from '../shared/ipc.ts';

interface Sample {
  t: number;
  packets: number;
  bytes: number;
  down: number;
  up: number;
}

export class StatsMeter {
  private readonly live: boolean;
  private readonly startMs: number;
  private samples: Sample[] = [];
  private helper: StatsMessage | null = null;
  /** Packets lost between the helper and the engine, known when the capture ends. */
  pipeDrops = 0;

  constructor(live: boolean, nowMs: number) {
    this.live = live;
    this.startMs = nowMs;
  }

  helperStats(m: StatsMessage): void {
    this.helper = m;
  }

  /** `running`: the source is being read and not paused. */
  view(nowMs: number, e: Engine, running: boolean): StatsView {
    const st = e.stats;
    // Live rates are per wall second; a file's per second of its own time, as it is read.
    const t = this.live ? nowMs / 1000 : (e.clock ?? 0);
    const s: Sample = { t, packets: st.packets, bytes: st.bytes, down: st.bytesDown, up: st.bytesUp };
    this.samples.push(s);
    while (this.samples.length > 2 && this.samples[1].t <= t - 1) this.samples.shift();
    const base = this.samples[0];
    const dt = s.t - base.t;
    const rate = (a: number, b: number) => (running && dt > 0 ? Math.max(0, (a - b) / dt) : 0);
    const h = this.helper;
    const r = st.dpiRefused;
    const span = st.firstTs !== null && st.lastTs !== null ? Math.max(st.lastTs - st.firstTs, 0) : 0;
    return {
      packets: st.packets,
      bytes: st.bytes,
      packetsPerSecond: rate(s.packets, base.packets),
      bytesPerSecond: rate(s.bytes, base.bytes),
      inBytesPerSecond: rate(s.down, base.down),
      outBytesPerSecond: rate(s.up, base.up),
      kernelDrops: h?.dropped_kernel ?? 0,
      ifaceDrops: h?.dropped_iface ?? 0,
      pipeDrops: this.pipeDrops,
      flows: st.liveFlows,
      expiredFlows: st.expired,
      dpiRefused: r.bufferBudget + r.inspectors + r.quicDerivations + r.quicOtherDcid,
      elapsedSeconds: this.live ? (nowMs - this.startMs) / 1000 : span,
      ipfix: null,
    };
  }
}
