/**
 * A page-side `window.sandpiper` for UI benchmarks: no backend, updates are made in the page and pushed to the
 * app's listeners by the benchmark through `window.__sandpiperBench`, so what is measured is the app's own work
 * (store update + React commit) plus a structured clone of each update standing for the transport's copy on the
 * renderer's main thread. Bundled by the bridge like client.ts.
 */
import { IPC_PROTOCOL_VERSION, type CaptureStatusView, type EngineUpdate, type SandpiperApi } from '../../../src/shared/ipc.ts';
import type { FlowState } from '../../../src/shared/flow.ts';
import { C, COUNTER_COUNT, type FlowText } from '../../../src/shared/flow-update.ts';

interface BenchHooks {
  /**
   * Builds an IPC v2 update of `count` flows (ids 1..count) for tick `tick`; call outside the measured span. A full
   * update carries every text; a delta carries every flow's counters (all changed) and new texts for ~1% of the
   * flows (a state change), which is what a busy live capture sends.
   */
  make(count: number, tick: number, full: boolean): EngineUpdate;
  /**
   * Delivers an update to the app's listeners after a structured clone of it, which stands for Electron's IPC
   * deserialisation and the contextBridge copy on the renderer's main thread. `clone`: that copy; `sync`: the
   * listeners' own time (store update); `react`: from the start until React's render and commit, which it runs in a
   * microtask queued by the store; `total`: until a task queued after them runs, which also covers the browser's
   * style/layout/paint of the frame if one is rendered in between. All but `sync` include the clone.
   */
  deliver(u: EngineUpdate): Promise<{ clone: number; sync: number; react: number; total: number }>;
  status(s: CaptureStatusView): void;
}

interface PageGlobals {
  sandpiper?: SandpiperApi;
  __sandpiperBench?: BenchHooks;
  MessageChannel: new () => { port1: { onmessage: (() => void) | null }; port2: { postMessage(v: unknown): void } };
  performance: { now(): number; measure(name: string, o: { start: number; end: number }): void };
  structuredClone<T>(v: T): T;
}
const g = globalThis as unknown as PageGlobals;

const updates = new Set<(u: EngineUpdate) => void>();
const statuses = new Set<(s: CaptureStatusView) => void>();
let seq = 0;

const PROTOS = ['tcp', 'udp', 'tcp', 'tcp', 'udp', 'icmp'] as const;
const APPS = ['tls', 'dns', 'http', 'quic', 'ssh', null] as const;
const STATES = ['established', 'active', 'closing', 'closed', 'syn_sent', 'reset'] as const;
/** One flow in this many gets a new text per delta. */
const TEXT_CHANGE_EVERY = 100;

function text(id: number, state: FlowState): FlowText {
  const k = id % 6;
  return {
    type: 'flow', id, proto: PROTOS[k], src: `10.${(id >> 16) & 255}.${(id >> 8) & 255}.${id & 255}`, sport: 1024 + (id % 60000),
    dst: `192.0.2.${id % 250}`, dport: [443, 53, 80, 443, 22, 0][k],
    state, app: APPS[k], host: id % 3 === 0 ? null : `host-${id % 5000}.example.test`,
    dns_queries: k === 1 ? [`q${id % 300}.example.test`] : [], pid: id % 4 === 0 ? null : 1000 + (id % 300), process: id % 4 === 0 ? null : `proc${id % 40}`,
    sni: k === 0 ? `host-${id % 5000}.example.test` : null, alpn: k === 0 ? ['h2'] : [], http_host: k === 2 ? `host-${id % 5000}.example.test` : null,
    ssh_client: null, ssh_server: null, dns_answers: [], dns_rcode: k === 1 ? 0 : null,
    exe: null, user: null, process_hidden: false, local: 'src',
  };
}

function initialState(id: number): FlowState {
  const k = id % 6;
  return k === 1 || k === 5 ? 'active' : STATES[id % 6];
}

function writeFlowCounters(id: number, tick: number, out: Float64Array, o: number): void {
  const grow = (id % 13) + tick;
  out[o + C.packets_fwd] = grow * 3;
  out[o + C.bytes_fwd] = grow * 1400 + id;
  out[o + C.packets_rev] = grow * 2;
  out[o + C.bytes_rev] = grow * 900 + (id % 977);
  out[o + C.first_seen] = 1_700_000_000 + id / 1000;
  out[o + C.last_seen] = 1_700_000_100 + tick + (id % 1000) / 1000;
  out[o + C.rate_fwd_1s] = (id * 7 + tick * 13) % 100000;
  out[o + C.rate_rev_1s] = (id * 3 + tick * 17) % 90000;
  out[o + C.rate_fwd_10s] = (id * 5 + tick) % 80000;
  out[o + C.rate_rev_10s] = (id * 11 + tick) % 70000;
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
    const ids = new Float64Array(count);
    const counters = new Float64Array(count * COUNTER_COUNT);
    const texts: FlowText[] = [];
    for (let i = 0; i < count; i++) {
      const id = i + 1;
      ids[i] = id;
      writeFlowCounters(id, tick, counters, i * COUNTER_COUNT);
      // A few flows change state each tick (TCP handshakes finishing, connections closing).
      if (full) texts.push(text(id, initialState(id)));
      else if (id % TEXT_CHANGE_EVERY === tick % TEXT_CHANGE_EVERY) texts.push(text(id, STATES[(id + tick) % STATES.length]));
    }
    return {
      seq: ++seq, full, rows: { ids, counters, texts }, removed: [], ts: 1_700_000_100 + tick,
      stats: { packets: count * tick, bytes: count * tick * 1000, packetsPerSecond: count, bytesPerSecond: count * 1000, inBytesPerSecond: count * 400, outBytesPerSecond: count * 600, kernelDrops: 0, ifaceDrops: 0, pipeDrops: 0, flows: count, elapsedSeconds: tick },
    };
  },
  async deliver(sent) {
    const t0 = g.performance.now();
    const u = g.structuredClone(sent);
    const tc = g.performance.now();
    for (const l of updates) l(u);
    const ts = g.performance.now();
    // React's microtask was queued by the listeners, so it runs before this continuation.
    await Promise.resolve();
    const tr = g.performance.now();
    await commitDone();
    const t1 = g.performance.now();
    g.performance.measure('sandpiper-update', { start: t0, end: t1 });
    return { clone: tc - t0, sync: ts - tc, react: tr - t0, total: t1 - t0 };
  },
  status(s) {
    for (const l of statuses) l(s);
  },
};

const ok = { ok: true as const, value: undefined };
g.sandpiper = Object.freeze<SandpiperApi>({
  version: IPC_PROTOCOL_VERSION,
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
