/**
 * The Overview's cost in the engine host: OverviewModel.view() over SP_BENCH_FLOWS (default 50 000) flows whose
 * counters all move every tick and ~1% of whose texts change per tick (bench/synthetic-flows.ts, as the UI
 * benchmark's host serves them). Reports the first view (every flow grouped: one row each) and the median and
 * p95 of later ticks, plus the memory the model keeps (heap and typed arrays). Writes bench/results/overview.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { OverviewModel } from '../src/engine-host/view/overview-model.ts';
import { RowStore } from '../test/support/row-store.ts';
import { flowsAt } from './synthetic-flows.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const FLOWS = Number(process.env.SP_BENCH_FLOWS ?? 50_000);
const TICKS = Number(process.env.SP_BENCH_TICKS ?? 60);

const gc = (globalThis as { gc?: () => void }).gc;
const store = new RowStore();
store.apply(flowsAt(FLOWS, 0, true));
gc?.();
const used = () => {
  const u = process.memoryUsage();
  return u.heapUsed + u.arrayBuffers;
};
const heap0 = used();
const m = new OverviewModel();
m.show(store);
m.setRequest({ visible: true, order: 'bytes' });
let t = performance.now();
m.view();
const firstMs = performance.now() - t;
gc?.();
const keptBytes = used() - heap0;

const ticks: number[] = [];
for (let tick = 1; tick <= TICKS; tick++) {
  store.apply(flowsAt(FLOWS, tick, false));
  t = performance.now();
  m.view();
  ticks.push(performance.now() - t);
}
const sorted = ticks.slice().sort((a, b) => a - b);
const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
const hidden = new OverviewModel();
hidden.show(store);
t = performance.now();
for (let i = 0; i < 1000; i++) hidden.view();
const hiddenUs = ((performance.now() - t) / 1000) * 1000;

const result = {
  flows: FLOWS,
  ticks: TICKS,
  first_view_ms: Number(firstMs.toFixed(2)),
  tick_median_ms: Number(q(0.5).toFixed(2)),
  tick_p95_ms: Number(q(0.95).toFixed(2)),
  hidden_view_us: Number(hiddenUs.toFixed(3)),
  kept_bytes_per_flow: gc ? Math.round(keptBytes / FLOWS) : null,
};
console.log(`overview over ${FLOWS} flows: first view ${result.first_view_ms} ms; per tick median ${result.tick_median_ms} ms, p95 ${result.tick_p95_ms} ms; hidden ${result.hidden_view_us} µs; kept ${result.kept_bytes_per_flow ?? '?'} B/flow`);
mkdirSync(path.join(root, 'bench/results'), { recursive: true });
writeFileSync(path.join(root, 'bench/results/overview.json'), JSON.stringify(result, null, 2) + '\n');
