/**
 * Denials applied to every webContents and to the default session: no navigation, no new windows, no webviews,
 * no permissions. The renderer needs none of these; anything that asks is either a bug or an attack.
 * Types only from electron, so this module loads (and is tested) without Electron.
 */
import type { Event, Session, WebContents } from 'electron';

export function denyEvent(e: Pick<Event, 'preventDefault'>): void {
  e.preventDefault();
}

export function denyWindowOpen(): { action: 'deny' } {
  return { action: 'deny' };
}

export function denyPermissionRequest(_wc: unknown, _permission: string, callback: (granted: boolean) => void): void {
  callback(false);
}

export function denyPermissionCheck(): boolean {
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
  session.setPermissionRequestHandler(denyPermissionRequest);
  session.setPermissionCheckHandler(denyPermissionCheck);
  session.setDevicePermissionHandler(denyPermissionCheck);
  // No downloads: the app saves files only through main's save dialog.
  session.on('will-download', denyEvent);
}
