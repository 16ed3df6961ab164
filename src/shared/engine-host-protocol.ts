/**
 * Electron main ⇄ engine host (a utility process), version 3. Main sends numbered `call`s for the methods below
 * (each already validated in main, and validated again by the host); the host answers each with a `result` of the
 * same id, and pushes `update`s (at most 10 a second, plus one reply per turn of setView calls) and `status` changes
 * unasked. Messages are structured clones.
 */
import { MAX_VIEW_ROWS, RATE_HISTORY_LENGTH, type CaptureStatusView, type EngineUpdate } from './ipc.ts';

/** 3: the host keeps the flows table; an update carries the requested window of rows (setView replaces requestSnapshot). 2 sent compact batches of every changed flow. */
export const ENGINE_HOST_PROTOCOL_VERSION = 3;

export const HOST_METHODS = [
  'listInterfaces',
  'validateFilter',
  'startCapture',
  'stopCapture',
  'setPaused',
  'openFile',
  'saveCapture',
  'setView',
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

const isCount = (v: unknown): boolean => Number.isSafeInteger(v) && (v as number) >= 0;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

function isNumberList(v: unknown): boolean {
  if (!Array.isArray(v) || v.length > RATE_HISTORY_LENGTH) return false;
  for (const x of v) if (typeof x !== 'number') return false;
  return true;
}

function isSelected(v: unknown): boolean {
  if (v === null) return true;
  if (!isObject(v)) return false;
  return (
    Number.isSafeInteger(v.id) &&
    Number.isSafeInteger(v.index) &&
    (v.index as number) >= -1 &&
    (v.row === null || isObject(v.row)) &&
    isNumberList(v.down) &&
    isNumberList(v.up)
  );
}

/**
 * Whether v has the shape of an EngineUpdate (version 3), checked cheaply (bounded by MAX_VIEW_ROWS, whatever the
 * number of flows): main relays updates without reading them, so this only keeps a malformed one (a stale host
 * bundle, a bug) from reaching the renderer. Rows are checked to be objects, not field by field.
 */
export function isEngineUpdate(v: unknown): v is EngineUpdate {
  if (!isObject(v)) return false;
  if (!isCount(v.seq) || !isCount(v.viewSeq) || !isCount(v.total) || !isCount(v.count) || !isCount(v.start)) return false;
  if (typeof v.ts !== 'number' || !isObject(v.stats)) return false;
  if (v.filterError !== null && typeof v.filterError !== 'string') return false;
  const rows = v.rows;
  if (!Array.isArray(rows) || rows.length > MAX_VIEW_ROWS) return false;
  // The window lies within the filtered rows, which are among the rows held.
  if ((v.count as number) > (v.total as number) || (v.start as number) + rows.length > (v.count as number)) return false;
  for (const r of rows) if (!isObject(r)) return false;
  const sel = v.selected;
  return isSelected(sel) && (sel === null || ((sel as { index: number }).index < (v.count as number)));
}
