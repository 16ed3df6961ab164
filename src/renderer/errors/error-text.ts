import type { AppErrorCode } from '../../shared/ipc.ts';

/** The banner's heading per error; the sentence and the action come from the AppError itself. */
export const ERROR_TITLES: Record<AppErrorCode, string> = {
  auth_dismissed: 'Authentication dismissed',
  not_authorised: 'Not authorised to capture',
  interface_gone: 'Interface gone',
  helper_exited: 'Capture helper exited',
  sandbox_strict: 'Capture refused: sandbox incomplete (strict mode)',
  sandbox_failed: 'Capture refused: the sandbox could not be set up',
  privilege_drop_failed: 'Capture refused: the helper could not give up root',
  capture_failed: 'Capture stopped',
  helper_internal: 'Capture helper error',
  bad_filter: 'Capture filter rejected',
  bad_arguments: 'Capture settings rejected',
  capture_open_failed: 'Could not open the capture',
  unreadable_file: 'Unreadable capture file',
  internal: 'Something went wrong',
};
