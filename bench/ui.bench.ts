/**
 * UI benchmark in Debian's Chromium via the test bridge: the built renderer with a synthetic window.sandpiper.
 *  1. 50 k flows, every flow changed 4 times a second (IPC v2 batches: all counters, ~1% new texts): main-thread
 *     time per update (a structured clone of the update standing for IPC deserialisation, store update, React
 *     commit; measured in the page with performance.now/performance.measure around delivery until a task queued
 *     after it runs), plus long tasks seen meanwhile, and the traced main-thread CPU time split into script and
 *     browser rendering. Target ≤ 8 ms.
 *  2. 100 k rows: frame times (requestAnimationFrame deltas) while the flows table scrolls.
 * Writes bench/results/ui.json.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startBridge } from '../test/e2e/bridge/server.ts';
import { e2eSkipReason, launchChromium } from '../test/e2e/support.ts';
import type { EngineUpdate } from '../src/shared/ipc.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const FLOWS = 50_000;
const RATE_HZ = 4;
const UPDATES = 40;
const SCROLL_ROWS = 100_000;
const SCROLL_FRAMES = 300;
const TARGET_MS = 8;
const TRACED_UPDATES = 12;

interface TraceEvent {
  name: string;
  ph: string;
  ts: number;
  pid: number;
  tid: number;
  dur?: number;
  tdur?: number;
  args?: { name?: string };
}

// Top-level main-thread events that are the browser rendering a frame (the rest is script and task overhead).
const RENDERING = new Set(['UpdateLayoutTree', 'Layout', 'PrePaint', 'Paint', 'Layerize', 'Commit', 'UpdateLayer', 'HitTest', 'IntersectionObserverController::computeIntersections']);

/** Thread (CPU) milliseconds of the renderer main thread inside each 'sandpiper-update' measure: total, rendering, the rest (script). */
function threadTimePerSpan(trace: { traceEvents: TraceEvent[] }) {
  const ev = trace.traceEvents;
  const main = ev.find((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
  const begins = ev.filter((e) => e.name === 'sandpiper-update' && e.ph === 'b').map((e) => e.ts);
  const ends = ev.filter((e) => e.name === 'sandpiper-update' && e.ph === 'e').map((e) => e.ts);
  const total = begins.map(() => 0);
  const rendering = begins.map(() => 0);
  if (main === undefined) return { total: stats([0]), rendering: stats([0]), script: stats([0]), scriptPerSpan: [0], spans: 0 };
  const events = ev
    .filter((e) => e.ph === 'X' && e.pid === main.pid && e.tid === main.tid && e.tdur !== undefined)
    .sort((a, b) => a.ts - b.ts);
  let openUntil = -Infinity;
  for (const e of events) {
    // Outermost events (tasks) count whole, so nested ones are not added twice; a task overlapping a span counts
    // for it (the delivering task starts a few microseconds before the span's first mark).
    const end = e.ts + (e.dur ?? 0);
    const outermost = e.ts >= openUntil;
    if (outermost) openUntil = end;
    const i = begins.findIndex((b, k) => e.ts < ends[k] && end > b);
    if (i < 0) continue;
    const ms = (e.tdur ?? 0) / 1000;
    if (outermost) total[i] += ms;
    if (RENDERING.has(e.name)) rendering[i] += ms;
  }
  const script = total.map((t, i) => t - rendering[i]);
  return { total: stats(total), rendering: stats(rendering), script: stats(script), scriptPerSpan: script, spans: begins.length };
}

interface Hooks {
  make(count: number, tick: number, full: boolean): EngineUpdate;
  deliver(u: EngineUpdate): Promise<{ clone: number; sync: number; react: number; total: number }>;
}
/** What the page's globals look like to the functions passed to page.evaluate. */
type PageWin = {
  __sandpiperBench: Hooks;
  __longTasks: number[];
  __benchUpdate?: EngineUpdate;
  PerformanceObserver: new (cb: (l: { getEntries(): { duration: number }[] }) => void) => { observe(o: object): void };
  requestAnimationFrame(cb: (t: number) => void): void;
  document: { querySelector(s: string): { scrollTop: number; scrollHeight: number; clientHeight: number } | null };
};

function stats(xs: number[]) {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  const r = (x: number) => Math.round(x * 100) / 100;
  return { n: s.length, mean: r(s.reduce((a, b) => a + b, 0) / s.length), p50: r(q(0.5)), p95: r(q(0.95)), p99: r(q(0.99)), max: r(s[s.length - 1]) };
}

const skip = e2eSkipReason();
if (skip) {
  console.log(`ui bench skipped: ${skip}`);
  process.exit(0);
}

// UI_BENCH_RENDERER_DIR: measure a private build instead of dist/renderer (others rebuild it concurrently).
const rendererDir = process.env.UI_BENCH_RENDERER_DIR || undefined;
const bridge = await startBridge({ rendererDir, clientEntry: path.join(root, 'test/e2e/bridge/synthetic-client.ts'), session: { createEngine: () => { throw new Error('unused'); } } });
const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(bridge.url);
  await page.getByRole('grid', { name: 'Flows' }).waitFor();
  await page.evaluate(() => {
    const w = globalThis as unknown as PageWin;
    w.__longTasks = [];
    new w.PerformanceObserver((l) => {
      for (const e of l.getEntries()) w.__longTasks.push(e.duration);
    }).observe({ type: 'longtask', buffered: false });
  });

  // 1. 50 k flows, all changed, 4 updates a second. The update object is built in the page before the measured span.
  const perUpdate: number[] = [];
  const perUpdateClone: number[] = [];
  const perUpdateSync: number[] = [];
  const perUpdateReact: number[] = [];
  const loadBefore = loadavg();
  for (let tick = 0; tick <= UPDATES; tick++) {
    const started = Date.now();
    const ms = await page.evaluate(
      async ([n, t]) => {
        const w = globalThis as unknown as PageWin;
        const u = w.__sandpiperBench.make(n, t, t === 0);
        return w.__sandpiperBench.deliver(u);
      },
      [FLOWS, tick] as const,
    );
    // tick 0 is the initial full table
    if (tick > 0) {
      perUpdate.push(ms.total);
      perUpdateClone.push(ms.clone);
      perUpdateSync.push(ms.sync);
      perUpdateReact.push(ms.react);
    }
    const wait = 1000 / RATE_HZ - (Date.now() - started);
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  const rowsShown = await page.getByRole('grid', { name: 'Flows' }).getAttribute('aria-rowcount');

  // 1b. The same updates under a Chromium trace: the renderer main thread's CPU time (not wall time) inside each
  // measured span, split into script and the browser's rendering. On a loaded machine wall time includes waiting
  // for a core; thread time does not.
  const traceFile = path.join(mkdtempSync(path.join(tmpdir(), 'sp-ui-bench-')), 'trace.json');
  // 'toplevel' has the task events that wrap everything: without it the task that delivers the update (a DevTools
  // evaluate: the clone, the store and React's render in its microtask) is not seen, only the tasks after it.
  await browser.startTracing(page, { path: traceFile, categories: ['toplevel', 'devtools.timeline', 'blink.user_timing'] });
  const tracedClone: number[] = [];
  for (let tick = UPDATES + 1; tick <= UPDATES + TRACED_UPDATES; tick++) {
    // Built in its own task, so the task that delivers it is (almost) all measured span.
    await page.evaluate(
      ([n, t]) => {
        const w = globalThis as unknown as PageWin;
        w.__benchUpdate = w.__sandpiperBench.make(n, t, false);
      },
      [FLOWS, tick] as const,
    );
    const ms = await page.evaluate(async () => {
      const w = globalThis as unknown as PageWin;
      const u = w.__benchUpdate as EngineUpdate;
      w.__benchUpdate = undefined;
      return w.__sandpiperBench.deliver(u);
    });
    tracedClone.push(ms.clone);
    await new Promise((r) => setTimeout(r, 1000 / RATE_HZ));
  }
  await browser.stopTracing();
  const cpu = threadTimePerSpan(JSON.parse(readFileSync(traceFile, 'utf8')) as { traceEvents: TraceEvent[] });
  // The clone is CPU-bound and runs in the delivering task, so script CPU less its wall time is the app's own script.
  const appScript = stats(cpu.scriptPerSpan.map((ms, i) => Math.max(0, ms - (tracedClone[i] ?? 0))));
  rmSync(path.dirname(traceFile), { recursive: true, force: true });
  const longTasks = await page.evaluate(() => (globalThis as unknown as PageWin).__longTasks.splice(0));
  const loadAfter = loadavg();

  // 2. 100 k rows, then scroll the table frame by frame.
  await page.evaluate(async (n) => {
    const w = globalThis as unknown as PageWin;
    await w.__sandpiperBench.deliver(w.__sandpiperBench.make(n, 1000, true));
  }, SCROLL_ROWS);
  // Lets the collector finish with the snapshot's garbage (100 k texts, and their clone) before frames are timed.
  await page.waitForTimeout(2000);
  const frames = await page.evaluate(
    ([count]) =>
      new Promise<{ deltas: number[]; scrolled: number; height: number }>((resolve) => {
        const w = globalThis as unknown as PageWin;
        const grid = w.document.querySelector('[role="grid"]');
        if (!grid) throw new Error('no grid');
        const deltas: number[] = [];
        let last = -1;
        let i = 0;
        const step = (t: number) => {
          if (last >= 0) deltas.push(t - last);
          last = t;
          // A brisk wheel/drag: about 40 rows per frame.
          grid.scrollTop += 1100;
          if (++i < count) w.requestAnimationFrame(step);
          else resolve({ deltas, scrolled: grid.scrollTop, height: grid.scrollHeight });
        };
        w.requestAnimationFrame(step);
      }),
    [SCROLL_FRAMES] as const,
  );
  const scrollLong = await page.evaluate(() => (globalThis as unknown as PageWin).__longTasks.splice(0));
  const upd = stats(perUpdate);
  const fr = stats(frames.deltas);
  const result = {
    date: new Date().toISOString(),
    chromium: browser.version(),
    updates: {
      flows: FLOWS,
      ratePerSecond: RATE_HZ,
      measured: perUpdate.length,
      rowsInTable: Number(rowsShown) - 1,
      mainThreadMsPerUpdate: upd,
      structuredCloneMsPerUpdate: stats(perUpdateClone),
      listenerSyncMsPerUpdate: stats(perUpdateSync),
      untilReactCommitMsPerUpdate: stats(perUpdateReact),
      mainThreadCpuMsPerUpdate: { ...cpu.total, tracedUpdates: cpu.spans },
      scriptCpuMsPerUpdate: cpu.script,
      scriptCpuLessCloneMsPerUpdate: appScript,
      renderingCpuMsPerUpdate: cpu.rendering,
      loadAverage1m: { before: Math.round(loadBefore[0] * 100) / 100, after: Math.round(loadAfter[0] * 100) / 100 },
      targetMs: TARGET_MS,
      meetsTarget: upd.p95 <= TARGET_MS,
      longTasks: { count: longTasks.length, totalMs: Math.round(longTasks.reduce((a, b) => a + b, 0)), maxMs: Math.round(Math.max(0, ...longTasks)) },
      textsPerDelta: Math.round(FLOWS / 100),
      method: 'performance.now()/performance.measure from a structured clone of the update (standing for Electron IPC deserialisation + the contextBridge copy) through the listeners until a task queued right after runs (store update + React render/commit + the browser rendering a frame if it does so in between); update objects (IPC v2 batches: every counter changed, ~1% new texts) are built in the page beforehand. structuredCloneMsPerUpdate is the clone part of mainThreadMsPerUpdate; scriptCpuMsPerUpdate = traced CPU minus browser rendering (clone included); scriptCpuLessCloneMsPerUpdate = that minus the wall time of the clone in the same span (what the app itself runs: store, table view, React)',
    },
    scroll: {
      rows: SCROLL_ROWS,
      frames: frames.deltas.length,
      scrolledPx: Math.round(frames.scrolled),
      scrollHeightPx: frames.height,
      frameMs: fr,
      framesOver25ms: frames.deltas.filter((d) => d > 25).length,
      longTasks: { count: scrollLong.length, maxMs: Math.round(Math.max(0, ...scrollLong)) },
      note: 'headless Chromium with --disable-gpu (software compositing); rAF deltas while scrollTop advances ~1100 px per frame',
    },
  };
  mkdirSync(path.join(root, 'bench/results'), { recursive: true });
  writeFileSync(path.join(root, 'bench/results/ui.json'), JSON.stringify(result, null, 2) + '\n');
  console.log(`ui: ${FLOWS} flows × ${RATE_HZ}/s, all rows changed: main-thread per update mean ${upd.mean} ms, p50 ${upd.p50}, p95 ${upd.p95}, max ${upd.max} (of which structured clone p50 ${result.updates.structuredCloneMsPerUpdate.p50}, p95 ${result.updates.structuredCloneMsPerUpdate.p95}; store listener p50 ${result.updates.listenerSyncMsPerUpdate.p50}; through React commit p50 ${result.updates.untilReactCommitMsPerUpdate.p50}) (target ≤ ${TARGET_MS} ms: ${result.updates.meetsTarget ? 'met' : 'NOT met'}); long tasks ${longTasks.length}; load average ${result.updates.loadAverage1m.before}→${result.updates.loadAverage1m.after}`);
  console.log(`ui: main-thread CPU (thread time, traced) per update p50 ${cpu.total.p50} ms, p95 ${cpu.total.p95}; script p50 ${cpu.script.p50}, p95 ${cpu.script.p95} (without the clone p50 ${appScript.p50}, p95 ${appScript.p95}); browser rendering p50 ${cpu.rendering.p50}, p95 ${cpu.rendering.p95}`);
  console.log(`ui: scrolling ${SCROLL_ROWS} rows: frame p50 ${fr.p50} ms, p95 ${fr.p95}, p99 ${fr.p99}, max ${fr.max}; ${result.scroll.framesOver25ms}/${fr.n} frames over 25 ms`);
} finally {
  await browser.close();
  await bridge.close();
}
