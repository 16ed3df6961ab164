/**
 * Renderer main-thread CPU of a Chromium trace summed by event name, so a UI change is judged by where the CPU goes
 * (style, layout, paint, layerize, commit…) rather than by wall-clock frames, which load inflates.
 * Usage from the ui bench (per update span, per scroll frame), or alone: `node bench/support/ui-trace-breakdown.ts trace.json [frames]`.
 */
import { readFileSync } from 'node:fs';

export interface BreakdownTraceEvent {
  name: string;
  ph: string;
  ts: number;
  pid: number;
  tid: number;
  dur?: number;
  tdur?: number;
  args?: {
    name?: string;
    elementCount?: number;
    beginData?: { dirtyObjects?: number; totalObjects?: number };
    data?: { elementCount?: number };
  };
}

/** One event name's share: CPU ms and event count per unit (update or frame), and the work it reported per unit. */
export interface BreakdownRow {
  name: string;
  cpuMs: number;
  events: number;
  /** UpdateLayoutTree: elements restyled; Layout: dirty layout objects. */
  objects?: number;
}

/** Browser-rendering events worth naming one by one; every other nested event is left in its task. */
export const BREAKDOWN_NAMES = [
  'UpdateLayoutTree',
  'Layout',
  'PrePaint',
  'Paint',
  'Layerize',
  'Commit',
  'UpdateLayer',
  'RasterTask',
  'HitTest',
  'IntersectionObserverController::computeIntersections',
  'FunctionCall',
  'EvaluateScript',
  'MinorGC',
  'MajorGC',
] as const;

function objectsOf(e: BreakdownTraceEvent): number {
  if (e.name === 'UpdateLayoutTree') return e.args?.elementCount ?? e.args?.data?.elementCount ?? 0;
  if (e.name === 'Layout') return e.args?.beginData?.dirtyObjects ?? 0;
  return 0;
}

/**
 * Sums the renderer main thread's events by name inside `[from, to)` windows (trace µs; none: the whole trace),
 * divided by `units`. An event nested in another of the same name is not added twice.
 */
export function breakdownByName(ev: readonly BreakdownTraceEvent[], units: number, windows?: ReadonlyArray<readonly [number, number]>): BreakdownRow[] {
  const main = ev.find((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
  if (main === undefined) return [];
  const names = new Set<string>(BREAKDOWN_NAMES);
  const rows = new Map<string, { cpuMs: number; events: number; objects: number }>();
  const openUntil = new Map<string, number>();
  const events = ev.filter((e) => e.ph === 'X' && e.pid === main.pid && e.tid === main.tid && e.tdur !== undefined && names.has(e.name)).sort((a, b) => a.ts - b.ts);
  for (const e of events) {
    const end = e.ts + (e.dur ?? 0);
    if (e.ts < (openUntil.get(e.name) ?? -Infinity)) continue;
    openUntil.set(e.name, end);
    if (windows !== undefined && !windows.some(([b, w]) => e.ts < w && end > b)) continue;
    const row = rows.get(e.name) ?? { cpuMs: 0, events: 0, objects: 0 };
    row.cpuMs += (e.tdur ?? 0) / 1000;
    row.events += 1;
    row.objects += objectsOf(e);
    rows.set(e.name, row);
  }
  const per = Math.max(1, units);
  const r3 = (x: number) => Math.round((x / per) * 1000) / 1000;
  return [...rows]
    .map(([name, r]) => ({ name, cpuMs: r3(r.cpuMs), events: r3(r.events), ...(r.objects > 0 ? { objects: Math.round(r.objects / per) } : {}) }))
    .sort((a, b) => b.cpuMs - a.cpuMs);
}

/** One line per event name, for the bench's console output. */
export function formatBreakdown(label: string, rows: readonly BreakdownRow[]): string {
  const parts = rows.map((r) => `${r.name} ${r.cpuMs} ms ×${r.events}${r.objects !== undefined ? ` (${r.objects} ${r.name === 'Layout' ? 'dirty objects' : 'elements'})` : ''}`);
  return `${label}: ${parts.join('; ') || 'no main-thread events'}`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const file = process.argv[2];
  if (file === undefined) {
    console.error('usage: node bench/support/ui-trace-breakdown.ts trace.json [units]');
    process.exit(2);
  }
  let trace: { traceEvents?: BreakdownTraceEvent[] } | BreakdownTraceEvent[];
  try {
    trace = JSON.parse(readFileSync(file, 'utf8')) as typeof trace;
  } catch (err) {
    console.error(`cannot read trace ${file}: ${(err as Error).message}`);
    process.exit(1);
  }
  const ev = Array.isArray(trace) ? trace : (trace.traceEvents ?? []);
  console.log(formatBreakdown('per unit', breakdownByName(ev, Number(process.argv[3] ?? 1))));
}
