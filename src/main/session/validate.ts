/**
 * Validation of everything that crosses from the renderer: it is untrusted input. Each function returns the value
 * in its proper type or an AppError saying what is wrong; nothing is coerced.
 */
import { FILTER_MAX_LENGTH, INTERFACE_NAME_RE } from '../../shared/helper-protocol.ts';
import type { AppError, StartCaptureRequest } from '../../shared/ipc.ts';
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
