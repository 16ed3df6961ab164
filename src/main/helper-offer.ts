/**
 * The one-time capture helper install, offered once per start after the window is up: if no installed, intact
 * helper matches this version, ONE dialog offers the install; on OK it runs (one pkexec prompt) and the outcome is
 * shown. Never throws: opening capture files works without the helper, so nothing here may stop the app.
 * Electron-free apart from the message-box shape; main passes the dialog and the helper-install calls.
 */
import { PkexecExitCode } from '../shared/helper-protocol.ts';
import type { AppError } from '../shared/ipc.ts';
import { INSTALL_ROOT } from '../installer/paths.ts';
import type { RootStepResult } from '../installer/root-step.ts';

export interface OfferText {
  title: string;
  message: string;
  detail: string;
}

export interface Notice extends OfferText {
  kind: 'info' | 'error';
}

export interface HelperOfferDeps {
  /** False under `npm start`: then a declined install still leaves the checkout's development helper. */
  packaged: boolean;
  /** checkInstalledHelper() */
  check(): Promise<{ ready: boolean; build: { version: string } }>;
  /** installForApp(resources or null) */
  install(): Promise<RootStepResult>;
  /** Shows the offer; true when the user chose to install. */
  confirm(offer: OfferText): Promise<boolean>;
  notify(notice: Notice): Promise<void>;
}

export type HelperOfferOutcome =
  | { kind: 'ready' }
  | { kind: 'declined' }
  | { kind: 'installed'; message: string }
  | { kind: 'failed'; error: AppError };

const RETRY = 'Restart Sandpiper to be offered the install again. Opening capture files works without the helper.';

function devNote(packaged: boolean): string {
  return packaged ? '' : ' Until it is installed, live captures from this source checkout use its development helper (a warning is shown).';
}

export function offerText(version: string, packaged: boolean): OfferText {
  return {
    title: 'Install the capture helper',
    message: 'Sandpiper needs to install its capture helper',
    detail:
      `To capture live traffic, Sandpiper installs a small helper program (version ${version}) to ${INSTALL_ROOT}, ` +
      `owned by root. This is done once: you will be asked for your password once. Opening capture files works ` +
      `without it.${devNote(packaged)}`,
  };
}

/** An error's text as a clause inside a sentence (no final period). */
function clause(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).trim().replace(/\.$/, '');
}

/** What the install's result or exception means for the user. pkexec's 126/127 arrive as ElevationError.exitCode. */
export function installError(e: unknown, packaged: boolean): AppError {
  const code: unknown = e instanceof Error ? (e as Error & { exitCode?: unknown }).exitCode : undefined;
  const exitCode = typeof code === 'number' ? code : null;
  if (exitCode === PkexecExitCode.dismissed) {
    return { code: 'auth_dismissed', message: 'The capture helper was not installed: the password prompt was dismissed.', action: RETRY + devNote(packaged) };
  }
  if (exitCode === PkexecExitCode.notAuthorised) {
    return {
      code: 'not_authorised',
      message: 'The capture helper was not installed: your account is not allowed to install it.',
      action: `Ask an administrator to install the Sandpiper .deb, or to run \`sandpiper helper install\`.${devNote(packaged)}`,
    };
  }
  return { code: 'internal', message: `The capture helper could not be installed: ${clause(e)}.`, action: RETRY + devNote(packaged) };
}

function failedNotice(error: AppError): Notice {
  return { kind: 'error', title: 'Capture helper not installed', message: error.message, detail: error.action };
}

async function tell(deps: HelperOfferDeps, n: Notice): Promise<void> {
  try {
    await deps.notify(n);
  } catch {
    /* the window went away; nothing left to tell */
  }
}

export async function offerHelperInstall(deps: HelperOfferDeps): Promise<HelperOfferOutcome> {
  let version: string;
  try {
    const c = await deps.check();
    if (c.ready) return { kind: 'ready' };
    version = c.build.version;
  } catch (e) {
    const error: AppError = {
      code: 'internal',
      message: `Sandpiper could not check its capture helper: ${clause(e)}.`,
      action: RETRY,
    };
    await tell(deps, failedNotice(error));
    return { kind: 'failed', error };
  }
  let yes: boolean;
  try {
    yes = await deps.confirm(offerText(version, deps.packaged));
  } catch {
    return { kind: 'declined' };
  }
  if (!yes) return { kind: 'declined' };
  let error: AppError;
  try {
    const r = await deps.install();
    if (r.ok) {
      const message = 'The capture helper is installed.';
      await tell(deps, { kind: 'info', title: 'Capture helper installed', message, detail: 'You can start live captures now.' });
      return { kind: 'installed', message: r.message };
    }
    error = installError(new Error(r.message), deps.packaged);
  } catch (e) {
    error = installError(e, deps.packaged);
  }
  await tell(deps, failedNotice(error));
  return { kind: 'failed', error };
}

/** The part of Electron's dialog.showMessageBox (bound to the window) used here. */
export type ShowMessageBox = (options: {
  type: 'question' | 'info' | 'error';
  title: string;
  message: string;
  detail: string;
  buttons: string[];
  defaultId: number;
  cancelId: number;
  noLink: boolean;
}) => Promise<{ response: number }>;

/** confirm/notify over message boxes: the offer's buttons are Install (0, default) and Not now (1, Esc). */
export function messageBoxDialogs(show: ShowMessageBox): Pick<HelperOfferDeps, 'confirm' | 'notify'> {
  return {
    confirm: async (o) => (await show({ type: 'question', ...o, buttons: ['Install…', 'Not now'], defaultId: 0, cancelId: 1, noLink: true })).response === 0,
    notify: async (n) => {
      await show({ type: n.kind, title: n.title, message: n.message, detail: n.detail, buttons: ['OK'], defaultId: 0, cancelId: 0, noLink: true });
    },
  };
}
