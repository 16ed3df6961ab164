/**
 * Checks a BPF capture filter as the user types it: libpcap compiles it for Ethernet (src/capture-client/
 * bpf-compile.ts, the same compiler a capture uses). When the capture starts, the client compiles it again for the
 * interface's own link type, so a filter that only makes sense on another link type is reported then, as bad_filter.
 */
import type { Result } from '../shared/ipc.ts';
import { compileFilter } from '../capture-client/bpf-compile.ts';
import { DLT } from '../capture-client/link-type.ts';
import { actionFor, appError } from './app-errors.ts';
import { checkFilter } from './validate.ts';

export { koffiRequest, PACKAGED_KOFFI_DIR } from '../capture-client/bpf-compile.ts';

export function validateFilter(filter: unknown): Result {
  const checked = checkFilter(filter);
  if (!checked.ok) return { ok: false, error: checked.error };
  if (checked.value.trim() === '') return { ok: true, value: undefined };
  const compiled = compileFilter(checked.value, DLT.EN10MB);
  if (compiled.ok) return { ok: true, value: undefined };
  if (compiled.reason === 'invalid') {
    return { ok: false, error: appError('bad_filter', `Invalid capture filter: ${compiled.message}.`, actionFor('bad_filter')) };
  }
  return { ok: false, error: appError('internal', `Cannot check the filter: ${compiled.message}.`, 'Install libpcap (Debian: libpcap0.8) and restart Sandpiper.') };
}
