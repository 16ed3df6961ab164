/**
 * Ports of the engine host: how it makes an engine for a source and starts a live capture. Kept structural so the
 * host is testable with a scripted live capture; engine-adapter.ts and live-capture-adapter.ts wire the real ones.
 */
import type { Engine } from '../engine/engine.ts';
import type { PcapFileSink } from '../capture-client/pcap-file-sink.ts';
import type { AttributionMessage, SandboxMessage, StatsMessage } from '../shared/helper-protocol.ts';
import type { AppError, StartCaptureRequest } from '../shared/ipc.ts';

export type CreateEngine = (mode: { live: boolean }) => Engine;

/** What a live capture tells the host. The capture feeds the engine itself (capture-client/live-capture.ts). */
export interface LiveCaptureEvents {
  sandbox(m: SandboxMessage): void;
  /** How processes are named (the helper's `attribution` line), once, before packets. */
  attribution?(m: AttributionMessage): void;
  stats(m: StatsMessage): void;
  /** Packets reach the engine. */
  packets(): void;
  /** The recording reached its bound and stopped growing; the capture goes on. */
  recordingFull(): void;
  /** The engine cannot read the stream; the capture is stopped. */
  streamInvalid(reason: string): void;
  /** The capture is over; error is null for a clean stop. `pipeDrops`: packets lost between the helper and the engine. */
  end(error: AppError | null, pipeDrops: number): void;
}

export interface LiveCaptureIo {
  engine: Engine;
  /** Where the stream is recorded for "Save capture". */
  recording: PcapFileSink;
  maxRecordingBytes: number;
}

export interface LiveCaptureHandle {
  /** Set when the helper runs from a source checkout. */
  readonly devWarning: string | null;
  /** Offset of the recording's last whole record (what a copy of it is cut to). */
  recordingCut(): number;
  /** Bytes read from the helper and not yet ingested by the engine (absent: the capture feeds the engine directly). */
  queuedBytes?(): number;
  /** Stops the capture; resolves once the helper's final lines are in (events.end has been called). */
  stop(): Promise<void>;
}

export type StartLiveCapture = (req: StartCaptureRequest, io: LiveCaptureIo, events: LiveCaptureEvents) => LiveCaptureHandle;

/** A format error from the engine: a reason and the byte offset where it was found. */
export function describeFormatError(e: unknown): { reason: string; offset: number | null } | null {
  if (!(e instanceof Error)) return null;
  const offset = (e as { offset?: unknown }).offset;
  if (e.name !== 'CaptureFormatError' && typeof offset !== 'number') return null;
  const reason = (e as { reason?: unknown }).reason;
  return { reason: typeof reason === 'string' ? reason : e.message, offset: typeof offset === 'number' ? offset : null };
}
