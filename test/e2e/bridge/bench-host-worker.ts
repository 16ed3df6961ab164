/**
 * The UI benchmark's engine host in a dedicated Web Worker of the page (bench/ui.bench.ts, scroll test): the real
 * FlowViewModel (src/engine-host/view, pure TS) holding the benchmark's synthetic flows (bench/synthetic-flows.ts),
 * answering the page's view requests with postMessage. Its replies cross to the page as a structured clone, as an
 * EngineUpdate crosses Electron IPC from the engine host, instead of as JSON through the DevTools protocol, whose
 * in-page cost would be counted against the renderer's frames. Bundled and served by the bridge (benchHostWorker).
 */
import type { EngineUpdate, ViewRequest } from '../../../src/shared/ipc.ts';
import { FlowViewModel, type ViewPart } from '../../../src/engine-host/view/flow-view-model.ts';
import { RowStore } from '../../support/row-store.ts';
import { captureTimeAt, flowsAt, statsAt } from '../../../bench/synthetic-flows.ts';

/** Page → worker. `load`: forget the table, generate `count` flows at `tick` as an initial table, serve `view` (the
 * page's last request, if any) and answer with an engine update; updates are numbered from `seq`. */
export type BenchHostRequest =
  | { type: 'load'; count: number; tick: number; seq: number; view: ViewRequest | null }
  | { type: 'setView'; req: ViewRequest };

/** Worker → page: the update and the host's own time for it (FlowViewModel calls only; not generating the flows). */
export interface BenchHostReply {
  type: 'update' | 'reply';
  update: EngineUpdate;
  hostMs: number;
}

interface WorkerGlobals {
  onmessage: ((e: { data: BenchHostRequest }) => void) | null;
  postMessage(m: BenchHostReply): void;
  performance: { now(): number };
}
const g = globalThis as unknown as WorkerGlobals;

const vm = new FlowViewModel();
let store = new RowStore();
let seq = 0;
let count = 0;
let tick = 0;

function update(view: ViewPart): EngineUpdate {
  return { seq: ++seq, ...view, stats: statsAt(count, tick), chart: null, ts: captureTimeAt(tick) };
}

g.onmessage = (e) => {
  const m = e.data;
  if (m.type === 'load') {
    count = m.count;
    tick = m.tick;
    seq = m.seq;
    const rows = flowsAt(count, tick, true);
    const t0 = g.performance.now();
    store = new RowStore();
    vm.show(store);
    store.apply(rows, []);
    if (m.view !== null) vm.setView(m.view);
    const view = vm.view(true);
    g.postMessage({ type: 'update', update: update(view), hostMs: g.performance.now() - t0 });
  } else {
    const t0 = g.performance.now();
    vm.setView(m.req);
    const view = vm.view(false);
    const hostMs = g.performance.now() - t0;
    g.postMessage({ type: 'reply', update: update(view), hostMs });
  }
};
