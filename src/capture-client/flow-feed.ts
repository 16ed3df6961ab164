/**
 * Feeds the live pcap stream to the flow engine and hands back the flows that changed, as FlowRecords (the CLI's
 * `flow` lines). A decoding failure stops the flow view, never the capture: the raw stream (and `--write`) go on.
 */
import type { FlowRecord, FlowRow } from '../shared/flow.ts';
import { CaptureFormatError, createEngine, type Engine, type SocketAttributor } from '../engine/index.ts';
import { ProcessAttributor } from '../engine/process-attribution.ts';

export interface FlowFeed {
  push(chunk: Uint8Array): void;
  end(): void;
  /** Flows that changed (or ended) since the last call, each once, in the order first seen. */
  drainChanged(): FlowRecord[];
  /** Flows seen so far. */
  flowCount(): number;
  /** Why flow decoding stopped, if it did. */
  readonly error: string | null;
}

export interface FlowFeedOptions {
  /** Attribute flows to local processes (live captures of this host); default true. */
  attribute?: boolean;
  /** Wall clock for idle sweeps, seconds. */
  now?: () => number;
}

function toRecord(r: FlowRecord | FlowRow): FlowRecord {
  return {
    type: 'flow',
    id: r.id,
    proto: r.proto,
    src: r.src,
    sport: r.sport,
    dst: r.dst,
    dport: r.dport,
    packets_fwd: r.packets_fwd,
    bytes_fwd: r.bytes_fwd,
    packets_rev: r.packets_rev,
    bytes_rev: r.bytes_rev,
    first_seen: r.first_seen,
    last_seen: r.last_seen,
    state: r.state,
    app: r.app,
    host: r.host,
    dns_queries: r.dns_queries,
    pid: r.pid,
    process: r.process,
  };
}

function describe(e: unknown): string {
  if (e instanceof CaptureFormatError) return e.message;
  return e instanceof Error ? e.message : String(e);
}

export function createFlowFeed(opts: FlowFeedOptions = {}): FlowFeed {
  const attributor: SocketAttributor | undefined = opts.attribute === false ? undefined : new ProcessAttributor();
  // detail: the engine tracks changed flows only with it; the CLI trims rows back to records.
  const engine: Engine = createEngine({ detail: true, attributor });
  const now = opts.now ?? (() => Date.now() / 1000);
  // Flows evicted between drains: their last state, keyed by id so one id is reported once per drain.
  let ended = new Map<number, FlowRecord>();
  engine.onFlowEvicted((flow) => {
    const r = engine.toRecord(flow);
    ended.set(r.id, toRecord(r));
  });
  let error: string | null = null;
  let finished = false;
  let pushed = 0;

  const guard = (fn: () => void) => {
    if (error !== null) return;
    try {
      fn();
    } catch (e) {
      error = describe(e);
    }
  };

  return {
    push(chunk) {
      pushed += chunk.length;
      guard(() => engine.push(chunk));
    },
    end() {
      if (finished) return;
      finished = true;
      // A capture that never produced a byte (it failed to start) is not a malformed stream.
      if (pushed > 0) guard(() => engine.end());
    },
    drainChanged() {
      // A quiet live capture still ages flows out: packet time stands still, wall time does not.
      if (!finished) guard(() => engine.sweep(now()));
      const out = ended;
      ended = new Map();
      for (const row of engine.drainChanged()) out.set(row.id, toRecord(row));
      return [...out.values()];
    },
    flowCount() {
      return engine.stats.flows;
    },
    get error() {
      return error;
    },
  };
}
