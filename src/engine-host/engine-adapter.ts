/**
 * The real engine (src/engine) behind the session's SessionEngine port. Live captures get process
 * attribution; files do not (their sockets are long gone).
 */
import { createEngine } from '../engine/index.ts';
import { ProcessAttributor } from '../engine/process-attribution.ts';
import type { FlowRow } from '../shared/flow.ts';
import type { SessionEngine } from './types.ts';

export function createSessionEngine(mode: { live: boolean }): SessionEngine {
  const e = createEngine({ detail: true, attributor: mode.live ? new ProcessAttributor() : undefined });
  return {
    push: (chunk) => e.push(chunk),
    end: () => e.end(),
    drainChanged: () => e.drainChanged(),
    drainRemoved: () => e.drainRemoved(),
    snapshot: () => {
      const rows: FlowRow[] = [];
      for (const f of e.flows()) rows.push(e.toRow(f));
      return rows;
    },
    counters: () => ({ packets: e.stats.packets, bytes: e.stats.bytes, flows: e.stats.liveFlows, firstTs: e.stats.firstTs, lastTs: e.stats.lastTs }),
    sweep: (nowSeconds) => e.sweep(nowSeconds),
  };
}
