/**
 * A page-side `window.sandpiper` for UI benchmarks: no backend, updates are made in the page and pushed to the
 * app's listeners by the benchmark through `window.__sandpiperBench`, so what is measured is the app's own work
 * (store update + React commit), not transport. Bundled by the bridge like client.ts.
 */
import type { CaptureStatusView, EngineUpdate, SandpiperApi } from '../../../src/shared/ipc.ts';
import type { FlowRow } from '../../../src/shared/flow.ts';

interface BenchHooks {
  /** Builds an update of `count` rows (ids 1..count) for tick `tick`; call outside the measured span. */
  make(count: number, tick: number, full: boolean): EngineUpdate;
  /**
   * Delivers an update to the app's listeners. `sync`: the listeners' own time (store update); `react`: until React's
   * render and commit, which it runs in a microtask queued by the store; `total`: until a task queued after them
   * runs, which also covers the browser's style/layout/paint of the frame if one is rendered in between.
   */
  deliver(u: EngineUpdate): Promise<{ sync: number; react: number; total: number }>;
  /** Milliseconds a structured clone of `u` takes here (what deserialising it from IPC would roughly cost). */
  cloneCost(u: EngineUpdate): number;
  status(s: CaptureStatusView): void;
}

interface PageGlobals {
  sandpiper?: SandpiperApi;
  __sandpiperBench?: BenchHooks;
  MessageChannel: new () => { port1: { onmessage: (() => void) | null }; port2: { postMessage(v: unknown): void } };
  performance: { now(): number; measure(name: string, o: { start: number; end: number }): void };
  structuredClone(v: unknown): unknown;
}
const g = globalThis as unknown as PageGlobals;

const updates = new Set<(u: EngineUpdate) => void>();
const statuses = new Set<(s: CaptureStatusView) => void>();
let seq = 0;

const PROTOS = ['tcp', 'udp', 'tcp', 'tcp', 'udp', 'icmp'] as const;
const APPS = ['tls', 'dns', 'http', 'quic', 'ssh', null] as const;
const STATES = ['established', 'active', 'closing', 'closed', 'syn_sent', 'reset'] as const;

function row(id: number, tick: number): FlowRow {
  const k = id % 6;
  const grow = (id % 13) + tick;
  return {
    type: 'flow', id, proto: PROTOS[k], src: `10.${(id >> 16) & 255}.${(id >> 8) & 255}.${id & 255}`, sport: 1024 + (id % 60000),
    dst: `192.0.2.${id % 250}`, dport: [443, 53, 80, 443, 22, 0][k], packets_fwd: grow * 3, bytes_fwd: grow * 1400 + id,
    packets_rev: grow * 2, bytes_rev: grow * 900 + (id % 977), first_seen: 1_700_000_000 + id / 1000, last_seen: 1_700_000_100 + tick + (id % 1000) / 1000,
    state: k === 1 || k === 5 ? 'active' : STATES[id % 6], app: APPS[k], host: id % 3 === 0 ? null : `host-${id % 5000}.example.test`,
    dns_queries: k === 1 ? [`q${id % 300}.example.test`] : [], pid: id % 4 === 0 ? null : 1000 + (id % 300), process: id % 4 === 0 ? null : `proc${id % 40}`,
    sni: k === 0 ? `host-${id % 5000}.example.test` : null, alpn: k === 0 ? ['h2'] : [], http_host: k === 2 ? `host-${id % 5000}.example.test` : null,
    ssh_client: null, ssh_server: null, dns_answers: [], dns_rcode: k === 1 ? 0 : null,
    rate_fwd_1s: (id * 7 + tick * 13) % 100000, rate_rev_1s: (id * 3 + tick * 17) % 90000, rate_fwd_10s: (id * 5) % 80000, rate_rev_10s: (id * 11) % 70000,
    exe: null, user: null, process_hidden: false, local: 'src',
  };
}

function commitDone(): Promise<void> {
  // A task queued after the listeners ran: React's scheduled render/commit for the update runs before it.
  return new Promise((resolve) => {
    const ch = new g.MessageChannel();
    ch.port1.onmessage = () => resolve();
    ch.port2.postMessage(0);
  });
}

g.__sandpiperBench = {
  make(count, tick, full) {
    const upserts = new Array<FlowRow>(count);
    for (let i = 0; i < count; i++) upserts[i] = row(i + 1, tick);
    return {
      seq: ++seq, full, upserts, removed: [], ts: 1_700_000_100 + tick,
      stats: { packets: count * tick, bytes: count * tick * 1000, packetsPerSecond: count, bytesPerSecond: count * 1000, inBytesPerSecond: count * 400, outBytesPerSecond: count * 600, kernelDrops: 0, ifaceDrops: 0, pipeDrops: 0, flows: count, elapsedSeconds: tick },
    };
  },
  async deliver(u) {
    const t0 = g.performance.now();
    for (const l of updates) l(u);
    const ts = g.performance.now();
    // React's microtask was queued by the listeners, so it runs before this continuation.
    await Promise.resolve();
    const tr = g.performance.now();
    await commitDone();
    const t1 = g.performance.now();
    g.performance.measure('sandpiper-update', { start: t0, end: t1 });
    return { sync: ts - t0, react: tr - t0, total: t1 - t0 };
  },
  cloneCost(u) {
    const t0 = g.performance.now();
    g.structuredClone(u);
    return g.performance.now() - t0;
  },
  status(s) {
    for (const l of statuses) l(s);
  },
};

const ok = { ok: true as const, value: undefined };
g.sandpiper = Object.freeze<SandpiperApi>({
  version: 1,
  listInterfaces: async () => [{ name: 'bench0', addresses: ['192.0.2.1'], up: true, loopback: false }],
  validateFilter: async () => ok,
  startCapture: async () => ok,
  stopCapture: async () => {},
  setPaused: async () => {},
  openCaptureFile: async () => ({ ok: true, value: null }),
  saveCapture: async () => ({ ok: true, value: null }),
  requestSnapshot: async () => {},
  onUpdate: (l) => {
    updates.add(l);
    return () => void updates.delete(l);
  },
  onStatus: (l) => {
    statuses.add(l);
    return () => void statuses.delete(l);
  },
});
