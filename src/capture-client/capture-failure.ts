/**
 * Turns how the helper (or pkexec in front of it) ended into an error a user can act on, and the CLI exit status
 * for it. pkexec's 126/127 only mean "dismissed"/"not authorised" when pkexec was in front; the helper itself never
 * exits with them.
 */
import { HelperExitCode, PkexecExitCode, type ErrorMessage, type ExitMessage } from '../shared/helper-protocol.ts';

export type CaptureFailureKind =
  | 'dismissed'
  | 'not_authorised'
  | 'bad_arguments'
  | 'capture_open_failed'
  | 'sandbox_strict'
  | 'not_privileged'
  | 'spawn_failed'
  | 'killed'
  | 'helper_failed';

export interface CaptureFailure {
  kind: CaptureFailureKind;
  /** One line, no trailing period-less stack. */
  message: string;
  /** `sandpiper capture`'s exit status for this failure. */
  cliExit: number;
}

/** `sandpiper capture` exit statuses. */
export const CaptureCliExit = {
  ok: 0,
  failed: 1,
  badArguments: 2,
  captureOpenFailed: 3,
  sandboxStrictRefused: 4,
  notPrivileged: 5,
  helperMissing: 69,
  notAuthorised: 77,
} as const;

export interface HelperEnding {
  code: number | null;
  signal: NodeJS.Signals | null;
  viaPkexec: boolean;
  /** The last `error` line the helper wrote, if any. */
  lastError: ErrorMessage | null;
  exitMessage: ExitMessage | null;
  /** We asked it to stop (SIGTERM or stdin EOF): a signal death is then not a failure. */
  stopRequested: boolean;
  /** The last stderr line that was not a helper message (pkexec's own words, when it refused). */
  otherLine?: string | null;
}

function withDetail(base: string, e: ErrorMessage | null): string {
  return e && e.message ? `${base}: ${e.message}` : base;
}

/** null when the helper ended the way a capture should end. */
export function describeHelperEnding(x: HelperEnding): CaptureFailure | null {
  if (x.code === null) {
    if (x.stopRequested && (x.signal === 'SIGTERM' || x.signal === 'SIGINT' || x.signal === 'SIGPIPE')) return null;
    return { kind: 'killed', message: `the capture helper was killed by ${x.signal ?? 'a signal'}`, cliExit: CaptureCliExit.failed };
  }
  if (x.viaPkexec && x.exitMessage === null) {
    if (x.code === PkexecExitCode.dismissed) {
      return { kind: 'dismissed', message: 'authentication dismissed: the capture was not started', cliExit: CaptureCliExit.notAuthorised };
    }
    if (x.code === PkexecExitCode.notAuthorised) {
      // pkexec also exits 127 when the rule asks for a password and nobody can ask it: no agent registered, and
      // its own textual agent finds no terminal ("Error creating textual authentication agent: ...").
      if (x.otherLine && /authentication agent/i.test(x.otherLine)) {
        return {
          kind: 'not_authorised',
          message: 'not authorised to capture: polkit wants a password but no authentication agent (or terminal) is there to ask for it',
          cliExit: CaptureCliExit.notAuthorised,
        };
      }
      return {
        kind: 'not_authorised',
        message: 'not authorised to capture: polkit refused to start the capture helper',
        cliExit: CaptureCliExit.notAuthorised,
      };
    }
  }
  switch (x.code) {
    case HelperExitCode.ok:
      return null;
    case HelperExitCode.badArguments:
      return { kind: 'bad_arguments', message: withDetail('the capture helper rejected its arguments', x.lastError), cliExit: CaptureCliExit.badArguments };
    case HelperExitCode.captureOpenFailed:
      return { kind: 'capture_open_failed', message: withDetail('cannot open the capture', x.lastError), cliExit: CaptureCliExit.captureOpenFailed };
    case HelperExitCode.sandboxStrictRefused:
      return {
        kind: 'sandbox_strict',
        message: withDetail('refusing to capture without the full sandbox (--sandbox-strict)', x.lastError),
        cliExit: CaptureCliExit.sandboxStrictRefused,
      };
    case HelperExitCode.notPrivileged:
      return {
        kind: 'not_privileged',
        message: withDetail('the capture helper is not privileged enough to capture', x.lastError),
        cliExit: CaptureCliExit.notPrivileged,
      };
    default:
      return { kind: 'helper_failed', message: withDetail(`the capture helper failed (exit ${x.code})`, x.lastError), cliExit: CaptureCliExit.failed };
  }
}
