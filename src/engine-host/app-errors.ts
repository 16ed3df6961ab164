/**
 * Every error the app shows is an AppError: what happened and what the user can do. This module maps the capture
 * helper's outcomes (pkexec status, helper exit code, its last `error` line) and file problems onto them.
 */
import type { CaptureFailureKind } from '../capture-client/capture-failure.ts';
import type { ErrorMessage } from '../shared/helper-protocol.ts';
import type { AppError, AppErrorCode } from '../shared/ipc.ts';

export function appError(code: AppErrorCode, message: string, action: string): AppError {
  return { code, message, action };
}

const ACTIONS: Record<AppErrorCode, string> = {
  auth_dismissed: 'Start the capture again and enter your password when asked.',
  not_authorised: 'Ask your administrator to allow Sandpiper captures for your account, or open a capture file instead.',
  interface_gone: 'Pick another interface from the list and start again.',
  helper_exited: 'Start the capture again; if it keeps stopping, run `sandpiper helper status` to check the installed helper.',
  sandbox_strict: 'Turn off strict sandbox mode, or use a kernel with Landlock ABI 6 or later (Linux 6.12), to capture.',
  // Strict mode plays no part in these: turning it off would not help, and the helper never captures unsandboxed.
  sandbox_failed:
    'Run `sandpiper helper status` to check the installed helper; if it is intact, the kernel or a security policy refused a restriction the helper needs: report it with the message above.',
  privilege_drop_failed:
    'Check that your user and group exist (`id`) and that no security policy stops the helper from switching to them, then start again; if it keeps failing, report it with the message above.',
  capture_failed: 'Check that the interface still exists and is up, then start the capture again.',
  helper_internal: 'This is a bug in the capture helper: please report it with the message above. Starting the capture again may work.',
  bad_filter: 'Correct the capture filter (BPF syntax, e.g. "tcp port 443") or clear it.',
  bad_arguments: 'Check the interface and filter, then start again.',
  capture_open_failed: 'Check that the interface is up and that no policy blocks packet capture, then start again.',
  unreadable_file: 'Choose a pcap or pcapng file that you can read.',
  internal: 'Restart the capture; if it happens again, report it with the steps that led to it.',
};

/** The suggested action for an error code. */
export function actionFor(code: AppErrorCode): string {
  return ACTIONS[code];
}

/** How a capture ended, as src/capture-client reports it (CaptureFailure), plus the helper's last `error` line. */
export interface CaptureEnding {
  kind: CaptureFailureKind;
  /** One line, lower-case start, no final period. */
  message: string;
}

/** Maps a failed capture onto an AppError; the helper's own error code refines the kind where it says more. */
export function mapCaptureFailure(f: CaptureEnding, lastError: ErrorMessage | null): AppError {
  let code: AppErrorCode;
  switch (f.kind) {
    case 'dismissed':
      code = 'auth_dismissed';
      break;
    case 'not_authorised':
    case 'not_privileged':
      code = 'not_authorised';
      break;
    case 'sandbox_strict':
    case 'sandbox_failed':
    case 'privilege_drop_failed':
    case 'capture_failed':
      code = f.kind;
      break;
    case 'helper_internal':
      code = 'helper_internal';
      break;
    case 'bad_arguments':
    case 'capture_open_failed':
      code = lastError?.code === 'bad_filter' ? 'bad_filter' : lastError?.code === 'no_such_interface' ? 'interface_gone' : f.kind;
      break;
    default:
      code = 'helper_exited';
  }
  return appError(code, sentence(f.message), ACTIONS[code]);
}

function sentence(s: string): string {
  const t = s.trim();
  if (t === '') return 'The capture failed.';
  const c = t[0].toUpperCase() + t.slice(1);
  return /[.!?]$/.test(c) ? c : `${c}.`;
}

/** An error opening or reading a capture file (fs errors by errno code, or a format error with its offset). */
export function fileError(path: string, cause: { code?: string; reason?: string; offset?: number | null }): AppError {
  const name = path.split('/').pop() || path;
  let what: string;
  switch (cause.code) {
    case 'ENOENT':
      what = 'the file does not exist';
      break;
    case 'EACCES':
    case 'EPERM':
      what = 'permission denied';
      break;
    case 'EISDIR':
      what = 'it is a folder, not a file';
      break;
    default:
      what = cause.reason ?? cause.code ?? 'it could not be read';
  }
  const at = cause.offset !== undefined && cause.offset !== null ? ` at byte ${cause.offset}` : '';
  return appError('unreadable_file', `Cannot read ${name}: ${what}${at}.`, ACTIONS.unreadable_file);
}
