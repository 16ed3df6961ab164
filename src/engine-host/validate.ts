/**
 * Validation of everything that crosses into the engine host: it is untrusted input. The rules are the API table's
 * (src/shared/api.ts); here each answer is turned into the AppError the app shows (`bad_arguments`). Each function
 * returns the value in its proper type or an AppError saying what is wrong; nothing is coerced.
 */
import * as api from '../shared/api.ts';
import type { AppError } from '../shared/ipc.ts';
import { actionFor, appError } from './app-errors.ts';

export type Checked<T> = { ok: true; value: T } | { ok: false; error: AppError };

export function badArguments(reason: string): AppError {
  return appError('bad_arguments', reason, actionFor('bad_arguments'));
}

/** A shared check whose refusal is an AppError. */
export function withAppError<T>(check: api.Check<T>): (v: unknown) => Checked<T> {
  return (v) => {
    const r = check(v);
    return r.ok ? r : { ok: false, error: badArguments(r.reason) };
  };
}

export const checkFilter = withAppError(api.checkFilter);
export const checkInterfaceName = withAppError(api.checkInterfaceName);
export const checkBoolean = withAppError(api.checkBoolean);
export const checkStartCapture = withAppError(api.checkStartCapture);
/** A path chosen by the shell (a native dialog in main, an upload in `sandpiper ui`); the renderer never sends paths. */
export const checkPath = withAppError(api.checkPath);
/** What the flows table asks to see: exactly the ViewRequest fields, a window of at most MAX_VIEW_ROWS rows. */
export const checkViewRequest = withAppError(api.checkViewRequest);
