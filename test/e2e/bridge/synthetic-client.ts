/**
 * A page-side `window.sandpiper` for UI benchmarks. The engine host is the benchmark's Node process (bench/ui.bench.ts
 * runs the real FlowViewModel there): engine updates are handed to the page by the benchmark and delivered to the
 * app's listeners through `window.__sandpiperBench`, and the app's setView calls go to the Node side through a
 * function the benchmark exposes (`__sandpiperHostSetView`), whose answer is delivered the same way. Or, once the
 * benchmark calls `startWorkerHost`, the host is a Web Worker of the page (bench-host-worker.ts): setView is posted to
 * it and its answer arrives by postMessage (a structured clone, as over Electron IPC) rather than as JSON through the
 * DevTools protocol, whose cost on the page's main thread would otherwise be counted in the frames. What is measured
 * in the page is the renderer's own work per update: a structured clone of the update (standing for Electron's IPC
 * deserialisation and the contextBridge copy), the listeners, React's commit and the frame's rendering.
 * Bundled by the bridge like client.ts; imports src/shared only.
 */
import { IPC_PROTOCOL_VERSION, type CaptureStatusView, type EngineUpdate, type SandpiperApi, type ViewRequest } from '../../../src/shared/ipc.ts';
import type { BenchHostReply, BenchHostRequest } from './bench-host-worker.ts';
import { settingsFromFile } from '../../../src/shared/settings.ts';

/** Where the bridge serves bench-host-worker.ts (BridgeOptions.benchHostWorker). */
export const BENCH_HOST_WORKER_PATH = '/__bridge/bench-host.js';

/** Milliseconds from the start of delivery: `clone`: the structured clone; `sync`: the listeners (stores); `react`: until
 * React's render and commit (a microtask queued by the store); `total`: until a task queued after them runs, which also
 * covers the browser's style/layout/paint of a frame rendered in between; `painted`: until the first frame rendered
 * after that task is done (its animation frame, then a task after it), so the update is on screen. All but `sync`
 * include the clone. The measured span ('sandpiper-update' etc.) ends at `painted`: a trace of it holds the frame
 * whichever side of `total` the browser rendered it. */
export interface DeliveryTiming {
  clone: number;
  sync: number;
  react: number;
  total: number;
  painted: number;
}

export interface ReplyRows {
  window: number;
  sent: number;
}

export interface BenchHooks {
  /**
   * Keeps an update (as JSON: a plain string crosses DevTools far faster than an object, whose in-page decoding by the
   * automation layer costs tens of milliseconds) for deliverStaged; handing it over in a task of its own keeps the
   * transfer out of the measured one.
   */
  stage(json: string): void;
  /** Delivers the staged update, measured as performance.measure('sandpiper-update'). */
  deliverStaged(): Promise<DeliveryTiming>;
  /**
   * The harness alone: the same delivery of the staged update (clone included) to no listener, measured as
   * 'sandpiper-empty' (what a measured span costs besides the app).
   */
  deliverStagedToNobody(): Promise<DeliveryTiming>;
  /** Answers to setView delivered so far, and the time each took (measured as 'sandpiper-reply'). */
  replies: DeliveryTiming[];
  /** For each of those answers: the rows of its window, and how many of them it sent (the rest left out as held). */
  replyRows: ReplyRows[];
  /**
   * Moves the engine host into a page worker from now on: it generates `count` flows at `tick` as a new table, serves
   * the page's last view request, and its first update (numbered after `seq`) is delivered as 'sandpiper-update'.
   * Later setView calls go to the worker. Resolves with the delivery's timing and the worker's time for the load.
   */
  startWorkerHost(o: { count: number; tick: number; seq: number }): Promise<DeliveryTiming & { hostMs: number }>;
  /** The worker host's time (FlowViewModel.setView + view) for each answer delivered so far. */
  workerHostMs: number[];
  status(s: CaptureStatusView): void;
}

interface PageGlobals {
  sandpiper?: SandpiperApi;
  __sandpiperBench?: BenchHooks;
  /** Exposed by the benchmark (page.exposeFunction): the host's answer to a view request, as JSON (see stage). */
  __sandpiperHostSetView?: (req: ViewRequest) => Promise<string>;
  MessageChannel: new () => { port1: { onmessage: (() => void) | null }; port2: { postMessage(v: unknown): void } };
  performance: { now(): number; measure(name: string, o: { start: number; end: number }): void };
  requestAnimationFrame(cb: () => void): number;
  structuredClone<T>(v: T): T;
  Worker: new (url: string) => PageWorker;
}

interface PageWorker {
  onmessage: ((e: { data: BenchHostReply }) => void) | null;
  onerror: ((e: { message: string }) => void) | null;
  postMessage(m: BenchHostRequest): void;
}
const g = globalThis as unknown as PageGlobals;

const updates = new Set<(u: EngineUpdate) => void>();
const statuses = new Set<(s: CaptureStatusView) => void>();
let staged: EngineUpdate | null = null;
const replies: DeliveryTiming[] = [];
const replyRows: ReplyRows[] = [];

/** Counted before delivery, outside the measured span. */
function countRows(u: EngineUpdate): void {
  let sent = 0;
  for (const r of u.rows) if (r !== null) sent++;
  replyRows.push({ window: u.rows.length, sent });
}
const workerHostMs: number[] = [];
/** The last view request the app made, for a host that starts later. */
let lastView: ViewRequest | null = null;
let worker: PageWorker | null = null;

function commitDone(): Promise<void> {
  // A task queued after the listeners ran: React's scheduled render/commit for the update runs before it.
  return new Promise((resolve) => {
    const ch = new g.MessageChannel();
    ch.port1.onmessage = () => resolve();
    ch.port2.postMessage(0);
  });
}

function nextFrameRendered(): Promise<void> {
  // Animation-frame callbacks run at the start of a frame; a task queued from one runs after that frame's style,
  // layout and paint.
  return new Promise((resolve) => {
    g.requestAnimationFrame(() => void commitDone().then(resolve));
  });
}

async function deliver(sent: EngineUpdate, name: string, listeners: ReadonlySet<(u: EngineUpdate) => void> = updates): Promise<DeliveryTiming> {
  const t0 = g.performance.now();
  const u = g.structuredClone(sent);
  const tc = g.performance.now();
  for (const l of listeners) l(u);
  const ts = g.performance.now();
  // React's microtask was queued by the listeners, so it runs before this continuation.
  await Promise.resolve();
  const tr = g.performance.now();
  await commitDone();
  const t1 = g.performance.now();
  await nextFrameRendered();
  const t2 = g.performance.now();
  g.performance.measure(name, { start: t0, end: t2 });
  return { clone: tc - t0, sync: ts - tc, react: tr - t0, total: t1 - t0, painted: t2 - t0 };
}

g.__sandpiperBench = {
  stage(json) {
    const t0 = g.performance.now();
    staged = JSON.parse(json) as EngineUpdate;
    // Marked so a trace can leave the harness's own task out of the page's time.
    g.performance.measure('sandpiper-stage', { start: t0, end: g.performance.now() });
  },
  deliverStaged() {
    const u = staged;
    staged = null;
    if (u === null) throw new Error('nothing staged');
    return deliver(u, 'sandpiper-update');
  },
  deliverStagedToNobody() {
    const u = staged;
    staged = null;
    if (u === null) throw new Error('nothing staged');
    return deliver(u, 'sandpiper-empty', new Set());
  },
  replies,
  replyRows,
  workerHostMs,
  startWorkerHost(o) {
    if (worker !== null) throw new Error('the worker host is already running');
    const w = new g.Worker(BENCH_HOST_WORKER_PATH);
    // From now on setView goes to the worker, which handles it after the load (messages are handled in order).
    worker = w;
    return new Promise((resolve, reject) => {
      w.onerror = (e) => reject(new Error(`bench host worker: ${e.message}`));
      w.onmessage = (e) => {
        const m = e.data;
        if (m.type === 'update') {
          void deliver(m.update, 'sandpiper-update').then((t) => resolve({ ...t, hostMs: m.hostMs }), reject);
        } else {
          workerHostMs.push(m.hostMs);
          countRows(m.update);
          // The message is already deserialised (the IPC part); deliver's clone stands for the contextBridge copy.
          void deliver(m.update, 'sandpiper-reply').then((t) => void replies.push(t));
        }
      };
      w.postMessage({ type: 'load', count: o.count, tick: o.tick, seq: o.seq, view: lastView });
    });
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
  getSettings: async () => settingsFromFile(null),
  saveSettings: async () => {},
  exportTable: async (req) => ({ ok: true, value: { format: req.format, text: '', flows: 0 } }),
  saveTableExport: async () => ({ ok: true, value: null }),
  saveFlowPackets: async () => ({ ok: true, value: null }),
  flowSeries: async () => ({ ok: true, value: { start: 0, step: 1, down: [], up: [] } }),
  // The UI bench measures the flows table: the Overview's totals are not simulated.
  setOverview: async () => {},
  // Nor favourites and notifications: the table's order without favourites is what it measures.
  setFavourites: async () => {},
  setNotificationRules: async () => {},
  onNotice: () => () => undefined,
  async setView(req) {
    lastView = req;
    // As in the app, the answer is an update (delivered by the worker's onmessage), not the call's result.
    if (worker !== null) return void worker.postMessage({ type: 'setView', req });
    const host = g.__sandpiperHostSetView;
    if (host === undefined) return;
    const u = JSON.parse(await host(req)) as EngineUpdate;
    countRows(u);
    replies.push(await deliver(u, 'sandpiper-reply'));
  },
  onUpdate: (l) => {
    updates.add(l);
    return () => void updates.delete(l);
  },
  onStatus: (l) => {
    statuses.add(l);
    return () => void statuses.delete(l);
  },
});
