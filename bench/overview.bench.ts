/**
 * The Overview's cost in the engine host: OverviewModel.view() over SP_BENCH_FLOWS (default 50 000) flows whose
 * counters all move every tick and ~1% of whose texts change per tick (bench/synthetic-flows.ts, as the UI
 * benchmark's host serves them). Reports the first view (every flow grouped: one row each) and the median and
 * p95 of later ticks, plus the memory the model keeps (heap and typed arrays). Then the same over the real engine
 * fed a scan: SP_BENCH_FLOWS UDP flows to as many addresses (a domain group per flow), a tenth of them getting a
 * packet between ticks. Writes bench/results/overview.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { OverviewModel } from '../src/engine-host/view/overview-model.ts';
import { RowStore } from '../test/support/row-store.ts';
import { flowsAt } from './synthetic-flows.ts';
import { createEngine } from '../src/engine/engine.ts';
import { eth, ipv4, pcap, udp, type Rec } from '../test/engine/capture-fixtures.ts';

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

/** Median and p95 of the view's time over TICKS ticks of a scan through the real engine. */
function engineScan(): { first: number; median: number; p95: number } {
  const e = createEngine({ detail: true });
  const packet = (i: number, ts: number): Rec => ({ ts, data: eth(0x0800, ipv4('10.0.0.1', `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, 17, udp(1024 + (i % 60000), 9, [1, 2]))) });
  const recs: Rec[] = [];
  for (let i = 0; i < FLOWS; i++) recs.push(packet(i, 1000 + i / FLOWS));
  e.push(pcap(recs));
  const om = new OverviewModel();
  om.show(e);
  om.setRequest({ visible: true, order: 'bytes' });
  let t0 = performance.now();
  om.view();
  const first = performance.now() - t0;
  const times: number[] = [];
  for (let k = 0; k < TICKS; k++) {
    const more: Rec[] = [];
    for (let i = k % 10; i < FLOWS; i += 10) more.push(packet(i, 1001 + k + i / FLOWS));
    e.push(pcap(more).subarray(24));
    t0 = performance.now();
    om.view();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return { first, median: times[Math.floor(times.length / 2)], p95: times[Math.min(times.length - 1, Math.floor(times.length * 0.95))] };
}
const scan = engineScan();

const result = {
  flows: FLOWS,
  ticks: TICKS,
  first_view_ms: Number(firstMs.toFixed(2)),
  tick_median_ms: Number(q(0.5).toFixed(2)),
  tick_p95_ms: Number(q(0.95).toFixed(2)),
  hidden_view_us: Number(hiddenUs.toFixed(3)),
  kept_bytes_per_flow: gc ? Math.round(keptBytes / FLOWS) : null,
  engine_scan_first_view_ms: Number(scan.first.toFixed(2)),
  engine_scan_tick_median_ms: Number(scan.median.toFixed(2)),
  engine_scan_tick_p95_ms: Number(scan.p95.toFixed(2)),
};
console.log(`overview over ${FLOWS} flows: first view ${result.first_view_ms} ms; per tick median ${result.tick_median_ms} ms, p95 ${result.tick_p95_ms} ms; hidden ${result.hidden_view_us} µs; kept ${result.kept_bytes_per_flow ?? '?'} B/flow`);
console.log(`over the engine, a scan (a group per flow): first view ${result.engine_scan_first_view_ms} ms; per tick median ${result.engine_scan_tick_median_ms} ms, p95 ${result.engine_scan_tick_p95_ms} ms`);
mkdirSync(path.join(root, 'bench/results'), { recursive: true });
writeFileSync(path.join(root, 'bench/results/overview.json'), JSON.stringify(result, null, 2) + '\n');
