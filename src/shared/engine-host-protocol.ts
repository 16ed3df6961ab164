/**
 * Electron main ⇄ engine host (a utility process), version 1. Main sends numbered `call`s for the methods below
 * (each already validated in main, and validated again by the host); the host answers each with a `result` of the
 * same id, and pushes `update`s (at most 10 a second) and `status` changes unasked.
 */
import type { CaptureStatusView, EngineUpdate } from './ipc.ts';

export const ENGINE_HOST_PROTOCOL_VERSION = 1;

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
