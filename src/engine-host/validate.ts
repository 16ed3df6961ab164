/**
 * Validation of everything that crosses from the renderer: it is untrusted input. Each function returns the value
 * in its proper type or an AppError saying what is wrong; nothing is coerced.
 */
import { FILTER_MAX_LENGTH, INTERFACE_NAME_RE } from '../shared/helper-protocol.ts';
import { MAX_FILTER_LENGTH, MAX_VIEW_ROWS, type AppError, type StartCaptureRequest, type ViewRequest } from '../shared/ipc.ts';
import { isColumnId } from '../shared/flows/columns.ts';
import { actionFor, appError } from './app-errors.ts';

export type Checked<T> = { ok: true; value: T } | { ok: false; error: AppError };

const bad = (message: string): { ok: false; error: AppError } => ({ ok: false, error: appError('bad_arguments', message, actionFor('bad_arguments')) });

export function checkFilter(v: unknown): Checked<string> {
  if (typeof v !== 'string') return bad('The capture filter must be text.');
  if (v.length > FILTER_MAX_LENGTH) return bad(`The capture filter is longer than ${FILTER_MAX_LENGTH} characters.`);
  // libpcap takes a C string: a NUL would silently cut the filter short.
  if (v.includes('\0')) return bad('The capture filter contains a NUL character.');
  return { ok: true, value: v };
}

export function checkInterfaceName(v: unknown): Checked<string> {
  // The helper's own rule, and no leading '-' so a name can never read as an option.
  if (typeof v !== 'string' || !INTERFACE_NAME_RE.test(v) || v.startsWith('-')) return bad('That is not a valid interface name.');
  return { ok: true, value: v };
}

export function checkBoolean(v: unknown): Checked<boolean> {
  if (typeof v !== 'boolean') return bad('Expected true or false.');
  return { ok: true, value: v };
}

export function checkStartCapture(v: unknown): Checked<StartCaptureRequest> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return bad('The capture request is malformed.');
  const keys = Object.keys(v);
  if (keys.some((k) => k !== 'interface' && k !== 'filter' && k !== 'promisc')) return bad('The capture request has unknown fields.');
  const r = v as Record<string, unknown>;
  const iface = checkInterfaceName(r.interface);
  if (!iface.ok) return iface;
  const filter = checkFilter(r.filter);
  if (!filter.ok) return filter;
  const promisc = checkBoolean(r.promisc);
  if (!promisc.ok) return promisc;
  return { ok: true, value: { interface: iface.value, filter: filter.value, promisc: promisc.value } };
}

/** A path chosen in a native dialog in main (the renderer never sends paths). */
export function checkPath(v: unknown): Checked<string> {
  if (typeof v !== 'string' || v.length === 0 || v.length > 4096 || v.includes('\0') || !v.startsWith('/')) {
    return bad('That is not an absolute file path.');
  }
  return { ok: true, value: v };
}

const VIEW_KEYS = ['seq', 'sortColumn', 'sortDir', 'filter', 'start', 'end', 'select'];

function hasExactKeys(v: object, keys: readonly string[]): boolean {
  const own = Object.keys(v);
  return own.length === keys.length && own.every((k) => keys.includes(k));
}

const isIndex = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

function checkSelect(v: unknown): Checked<ViewRequest['select']> {
  if (v === null) return { ok: true, value: null };
  if (typeof v !== 'object' || Array.isArray(v)) return bad('The selection must be null, an id or an index.');
  const r = v as Record<string, unknown>;
  if (hasExactKeys(v, ['id']) && Number.isSafeInteger(r.id)) return { ok: true, value: { id: r.id as number } };
  if (hasExactKeys(v, ['index']) && isIndex(r.index)) return { ok: true, value: { index: r.index } };
  return bad('The selection must be null, an id or an index.');
}

/** What the flows table asks to see: exactly the ViewRequest fields, a window of at most MAX_VIEW_ROWS rows. */
export function checkViewRequest(v: unknown): Checked<ViewRequest> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return bad('The view request is malformed.');
  if (!hasExactKeys(v, VIEW_KEYS)) return bad('The view request must have exactly its known fields.');
  const r = v as Record<string, unknown>;
  if (!isIndex(r.seq)) return bad('The view request number must be a whole number of at least 0.');
  const sortColumn = r.sortColumn;
  if (!isColumnId(sortColumn)) return bad('The view request names an unknown column.');
  const sortDir = r.sortDir;
  if (sortDir !== 'asc' && sortDir !== 'desc') return bad('The sort direction must be asc or desc.');
  if (typeof r.filter !== 'string') return bad('The flows filter must be text.');
  if (r.filter.length > MAX_FILTER_LENGTH) return bad(`The flows filter is longer than ${MAX_FILTER_LENGTH} characters.`);
  const { start, end } = r;
  if (!isIndex(start) || !isIndex(end) || end < start) return bad('The view window must be whole positions with 0 ≤ start ≤ end.');
  if (end - start > MAX_VIEW_ROWS) return bad(`The view window is larger than ${MAX_VIEW_ROWS} rows.`);
  const select = checkSelect(r.select);
  if (!select.ok) return select;
  return { ok: true, value: { seq: r.seq, sortColumn, sortDir, filter: r.filter, start, end, select: select.value } };
}
