/**
 * Electron main ⇄ engine host (a utility process), version 2. Main sends numbered `call`s for the methods below
 * (each already validated in main, and validated again by the host); the host answers each with a `result` of the
 * same id, and pushes `update`s (at most 10 a second) and `status` changes unasked. Messages are structured
 * clones, so an update's typed arrays arrive as typed arrays.
 */
import { COUNTER_COUNT } from './flow-update.ts';
import type { CaptureStatusView, EngineUpdate } from './ipc.ts';

/** 2: an update's rows are a compact FlowBatch (typed arrays and changed texts), not FlowRow objects. */
export const ENGINE_HOST_PROTOCOL_VERSION = 2;

export const HOST_METHODS = [
  'listInterfaces',
  'validateFilter',
  'startCapture',
  'stopCapture',
  'setPaused',
  'openFile',
  'saveCapture',
  'requestSnapshot',
] as const;
export type HostMethod = (typeof HOST_METHODS)[number];

export interface HostCall {
  type: 'call';
  id: number;
  method: HostMethod;
  arg?: unknown;
}

export type HostMessage =
  | { type: 'result'; id: number; value: unknown }
  | { type: 'update'; update: EngineUpdate }
  | { type: 'status'; status: CaptureStatusView };

export function isHostCall(v: unknown): v is HostCall {
  if (typeof v !== 'object' || v === null) return false;
  const m = v as Record<string, unknown>;
  return m.type === 'call' && Number.isSafeInteger(m.id) && typeof m.method === 'string' && (HOST_METHODS as readonly string[]).includes(m.method);
}

/**
 * Whether v has the shape of an EngineUpdate (version 2), checked in constant time: main relays updates without
 * reading them, so this only keeps a malformed one (a stale host bundle, a bug) from reaching the renderer, which
 * then sees a seq gap and asks for a snapshot. Texts are not checked one by one.
 */
export function isEngineUpdate(v: unknown): v is EngineUpdate {
  if (typeof v !== 'object' || v === null) return false;
  const u = v as Record<string, unknown>;
  if (!Number.isSafeInteger(u.seq) || typeof u.full !== 'boolean' || typeof u.ts !== 'number') return false;
  if (!Array.isArray(u.removed) || typeof u.stats !== 'object' || u.stats === null) return false;
  if (typeof u.rows !== 'object' || u.rows === null) return false;
  const b = u.rows as Record<string, unknown>;
  return (
    b.ids instanceof Float64Array &&
    b.counters instanceof Float64Array &&
    b.counters.length === b.ids.length * COUNTER_COUNT &&
    Array.isArray(b.texts)
  );
}
