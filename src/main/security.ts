/**
 * Denials applied to every webContents and to the default session: no navigation, no new windows, no webviews,
 * and no permission but desktop notifications for the app's own page (the notices the user sets are shown while the
 * window is hidden). The renderer needs nothing else; anything that asks is either a bug or an attack.
 * Types only from electron, so this module loads (and is tested) without Electron.
 */
import type { Event, Session, WebContents } from 'electron';
import { APP_ORIGIN } from '../engine-host/renderer-files.ts';

export function denyEvent(e: Pick<Event, 'preventDefault'>): void {
  e.preventDefault();
}

export function denyWindowOpen(): { action: 'deny' } {
  return { action: 'deny' };
}

function isAppOrigin(url: string | undefined): boolean {
  if (url === undefined) return false;
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}` === APP_ORIGIN;
  } catch {
    return false;
  }
}

/** Only 'notifications', and only when the app's own page asks; every other permission is refused. */
export function permissionRequest(
  _wc: unknown,
  permission: string,
  callback: (granted: boolean) => void,
  details?: { requestingUrl?: string },
): void {
  callback(permission === 'notifications' && isAppOrigin(details?.requestingUrl));
}

export function permissionCheck(_wc: unknown, permission: string, requestingOrigin: string): boolean {
  return permission === 'notifications' && isAppOrigin(requestingOrigin);
}

export function denyDevicePermission(): boolean {
  return false;
}

/** Called for every webContents Electron creates (app 'web-contents-created'). */
export function hardenWebContents(contents: WebContents): void {
  contents.on('will-navigate', denyEvent);
  contents.on('will-frame-navigate', denyEvent);
  contents.on('will-redirect', denyEvent);
  contents.on('will-attach-webview', denyEvent);
  contents.setWindowOpenHandler(denyWindowOpen);
}

export function hardenSession(session: Session): void {
  session.setPermissionRequestHandler(permissionRequest);
  session.setPermissionCheckHandler(permissionCheck);
  session.setDevicePermissionHandler(denyDevicePermission);
  // No downloads: the app saves files only through main's save dialog.
  session.on('will-download', denyEvent);
}
