/** stderr is the helper's message channel: one JSON object per line, written synchronously so none is lost on exit. */
import { writeSync } from 'node:fs';
import { HELPER_ERROR_EXIT, type ExitReason, type HelperErrorCode, type HelperExitCode, type HelperMessage } from '../shared/helper-protocol.ts';

export function emit(msg: HelperMessage): void {
  const buf = Buffer.from(`${JSON.stringify(msg)}\n`);
  let off = 0;
  for (let tries = 0; off < buf.length && tries < 1000; tries++) {
    try {
      off += writeSync(2, buf, off);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') continue; // a non-blocking stderr shared with the parent
      return; // stderr gone (EPIPE, EBADF): nobody is listening
    }
  }
}

/**
 * Reports a fatal error and ends the process: one `error` line, one `exit` line, nothing on stdout. The exit status
 * follows from the error code, so the two can never disagree.
 */
export function fail(code: HelperErrorCode, message: string): never {
  emit({ type: 'error', code, message });
  return exitWith('error', HELPER_ERROR_EXIT[code]);
}

export function exitWith(reason: ExitReason, code: HelperExitCode): never {
  emit({ type: 'exit', reason, code });
  process.exit(code);
}
