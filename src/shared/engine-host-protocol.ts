/**
 * Electron main ⇄ engine host (a utility process, over its parentPort). Main is the shell: it sends numbered `call`s
 * of any method of the API table (src/shared/api.ts; openFile/saveCapture with the path its dialog chose), each
 * answered by a `result` or `error` of the same id, and a `connect` carrying the page's MessagePort, which the host
 * then serves as a page link (page methods only, updates and status pushed). Updates never pass through main.
 * Messages are structured clones. Versioned with the API (API_VERSION).
 */
import { MAX_VIEW_ROWS, OVERVIEW_DIMENSIONS, OVERVIEW_TOP, RATE_HISTORY_LENGTH, type EngineUpdate } from './ipc.ts';
import type { CallMessage, HostToPage } from './api.ts';

export type { CallMessage as HostCall, HostMethod } from './api.ts';

/** main → host: the page's port is the message's only transferred port. */
export interface ConnectMessage {
  type: 'connect';
}
export type MainToHost = CallMessage | ConnectMessage;
export type HostToMain = Extract<HostToPage, { type: 'result' | 'error' }>;

export function isConnectMessage(v: unknown): v is ConnectMessage {
  return typeof v === 'object' && v !== null && (v as { type?: unknown }).type === 'connect';
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

/** An Overview part: absent, or each dimension's list of at most OVERVIEW_TOP entry objects. */
function isOverview(v: unknown): boolean {
  if (v === undefined) return true;
  if (!isObject(v) || !isObject(v.total) || !isObject(v.lists) || (v.order !== 'bytes' && v.order !== 'rate')) return false;
  const lists = v.lists;
  for (const d of OVERVIEW_DIMENSIONS) {
    const l = lists[d];
    if (!isObject(l) || !isCount(l.groups) || !Array.isArray(l.entries) || l.entries.length > OVERVIEW_TOP) return false;
    for (const e of l.entries) if (!isObject(e)) return false;
  }
  return true;
}

/**
 * Whether v has the shape of an EngineUpdate, checked cheaply (bounded by MAX_VIEW_ROWS, whatever the number of
 * flows): the page's API client drops an update that fails it, so a malformed one (a bug) never reaches the
 * renderer. Rows are checked to be objects, not field by field.
 */
export function isEngineUpdate(v: unknown): v is EngineUpdate {
  if (!isObject(v)) return false;
  if (!isCount(v.seq) || !isCount(v.viewSeq) || !isCount(v.total) || !isCount(v.count) || !isCount(v.start) || !isCount(v.order)) return false;
  if (typeof v.ts !== 'number' || !isObject(v.stats)) return false;
  if (v.filterError !== null && typeof v.filterError !== 'string') return false;
  const rows = v.rows;
  if (!Array.isArray(rows) || rows.length > MAX_VIEW_ROWS) return false;
  // The window lies within the filtered rows, which are among the rows held.
  if ((v.count as number) > (v.total as number) || (v.start as number) + rows.length > (v.count as number)) return false;
  // null: the row the page holds at that position (a reply to setView).
  for (const r of rows) if (r !== null && !isObject(r)) return false;
  if (!isOverview(v.overview)) return false;
  const sel = v.selected;
  return isSelected(sel) && (sel === null || ((sel as { index: number }).index < (v.count as number)));
}
