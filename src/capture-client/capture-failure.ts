/**
 * Turns how the helper (or pkexec in front of it) ended into an error a user can act on, and the CLI exit status
 * for it. pkexec's 126/127 only mean "dismissed"/"not authorised" when pkexec was in front; the helper itself never
 * exits with them. A helper status is read by its meaning (HelperExitCode) only when the helper's `exit` line
 * names the same status.
 */
import { HelperExitCode, PkexecExitCode, type ErrorMessage, type ExitMessage } from '../shared/helper-protocol.ts';

export type CaptureFailureKind =
  | 'dismissed'
  | 'not_authorised'
  | 'bad_arguments'
  | 'capture_open_failed'
  | 'sandbox_strict'
  | 'not_privileged'
  | 'sandbox_failed'
  | 'privilege_drop_failed'
  | 'capture_failed'
  | 'helper_internal'
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

/** `sandpiper capture` exit statuses: the helper's own statuses pass through, so scripts read one table. */
export const CaptureCliExit = {
  ok: 0,
  failed: 1,
  badArguments: HelperExitCode.badArguments,
  captureOpenFailed: HelperExitCode.captureOpenFailed,
  sandboxStrictRefused: HelperExitCode.sandboxStrictRefused,
  notPrivileged: HelperExitCode.notPrivileged,
  sandboxSetupFailed: HelperExitCode.sandboxSetupFailed,
  privilegeDropFailed: HelperExitCode.privilegeDropFailed,
  captureFailed: HelperExitCode.captureFailed,
  helperInternal: HelperExitCode.internal,
  helperMissing: 69,
  notAuthorised: 77,
} as const;

/** What each failing helper status means; the helper's `error` line adds the detail. */
interface HelperFailure {
  kind: CaptureFailureKind;
  text: string;
  cliExit: number;
}
const HELPER_FAILURES: Readonly<Record<Exclude<HelperExitCode, 0>, HelperFailure>> = {
  [HelperExitCode.badArguments]: { kind: 'bad_arguments', text: 'the capture helper rejected its arguments', cliExit: CaptureCliExit.badArguments },
  [HelperExitCode.captureOpenFailed]: { kind: 'capture_open_failed', text: 'cannot open the capture', cliExit: CaptureCliExit.captureOpenFailed },
  [HelperExitCode.sandboxStrictRefused]: {
    kind: 'sandbox_strict',
    text: 'refusing to capture without the full sandbox (--sandbox-strict)',
    cliExit: CaptureCliExit.sandboxStrictRefused,
  },
  [HelperExitCode.notPrivileged]: { kind: 'not_privileged', text: 'the capture helper is not privileged enough to capture', cliExit: CaptureCliExit.notPrivileged },
  [HelperExitCode.sandboxSetupFailed]: {
    kind: 'sandbox_failed',
    text: 'the capture helper could not set up its sandbox, so it did not capture',
    cliExit: CaptureCliExit.sandboxSetupFailed,
  },
  [HelperExitCode.privilegeDropFailed]: {
    kind: 'privilege_drop_failed',
    text: 'the capture helper could not give up root, so it did not capture',
    cliExit: CaptureCliExit.privilegeDropFailed,
  },
  [HelperExitCode.captureFailed]: { kind: 'capture_failed', text: 'the capture failed', cliExit: CaptureCliExit.captureFailed },
  [HelperExitCode.internal]: { kind: 'helper_internal', text: 'the capture helper hit an internal error', cliExit: CaptureCliExit.helperInternal },
};

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
  if (x.code === HelperExitCode.ok) return null;
  // Node exits with some of the same numbers on its own failures: only the helper's `exit` line makes a status its word.
  const byStatus: Readonly<Partial<Record<number, HelperFailure>>> = HELPER_FAILURES;
  const known = x.exitMessage?.code === x.code ? byStatus[x.code] : undefined;
  if (known === undefined) {
    return { kind: 'helper_failed', message: withDetail(`the capture helper failed (exit ${x.code})`, x.lastError), cliExit: CaptureCliExit.failed };
  }
  return { kind: known.kind, message: withDetail(known.text, x.lastError), cliExit: known.cliExit };
}
