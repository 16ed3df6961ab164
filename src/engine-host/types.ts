/**
 * Ports of the session layer: what it needs from the engine and from a live capture. Kept structural so the
 * session is testable with fakes and adapters (engine-adapter.ts, live-capture-adapter.ts) wire the real modules.
 */
import type { FlowRow } from '../shared/flow.ts';
import type { SandboxMessage, StatsMessage } from '../shared/helper-protocol.ts';
import type { AppError, StartCaptureRequest } from '../shared/ipc.ts';

export interface EngineCounters {
  packets: number;
  bytes: number;
  /** Live flows right now. */
  flows: number;
  /** Packet time of the newest packet, seconds since the epoch; null before the first packet. */
  lastTs: number | null;
  firstTs: number | null;
}

/** One engine instance per capture or file. */
export interface SessionEngine {
  /** Feeds pcap/pcapng bytes; throws a format error (with a byte offset) on corrupt input. */
  push(chunk: Uint8Array): void;
  /** The stream ended; finalises state. */
  end(): void;
  /** Rows changed since the previous call (each flow at most once). */
  drainChanged(): FlowRow[];
  /** Ids of flows dropped since the previous call. */
  drainRemoved(): number[];
  /** Every live flow. */
  snapshot(): FlowRow[];
  counters(): EngineCounters;
  /** Idle eviction by wall time, for a live capture that has gone quiet. */
  sweep?(nowSeconds: number): void;
}

export type CreateEngine = (mode: { live: boolean }) => SessionEngine;

/** Where a live capture delivers what it reads. */
export interface LiveCaptureSink {
  data(chunk: Uint8Array): void;
  sandbox(m: SandboxMessage): void;
  stats(m: StatsMessage): void;
  /** The capture is over; error is null for a clean stop. */
  end(error: AppError | null): void;
}

export interface LiveCaptureHandle {
  /** Set when the helper runs from a source checkout. */
  readonly devWarning: string | null;
  /** Stops the capture; resolves once the helper's final lines are in (sink.end has been called). */
  stop(): Promise<void>;
}

export type StartLiveCapture = (req: StartCaptureRequest, sink: LiveCaptureSink) => LiveCaptureHandle;

/** A format error from the engine: a reason and the byte offset where it was found. */
export function describeFormatError(e: unknown): { reason: string; offset: number | null } | null {
  if (!(e instanceof Error)) return null;
  const offset = (e as { offset?: unknown }).offset;
  if (e.name !== 'CaptureFormatError' && typeof offset !== 'number') return null;
  const reason = (e as { reason?: unknown }).reason;
  return { reason: typeof reason === 'string' ? reason : e.message, offset: typeof offset === 'number' ? offset : null };
}
