/**
 * The main window: the renderer is an untrusted page with no Node, in Chromium's sandbox, isolated from the
 * preload, with web security on and nothing experimental. The options are written out literally inside
 * `new BrowserWindow(...)` so static checkers (electronegativity) can read them; the constructor is passed in so
 * tests can capture them without Electron.
 */
import type { BrowserWindowConstructorOptions } from 'electron';

export function createMainWindow<W>(
  BrowserWindow: new (options: BrowserWindowConstructorOptions) => W,
  preload: string,
  opts: { devTools?: boolean } = {},
): W {
  return new BrowserWindow({
    width: 1280,
    height: 800,
    minWidth: 800,
    minHeight: 500,
    title: 'Sandpiper',
    show: false,
    backgroundColor: '#111827',
    autoHideMenuBar: true,
    webPreferences: {
      preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      // Middle-click (auxclick) could open links in new windows; the app has no use for it.
      disableBlinkFeatures: 'Auxclick',
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      safeDialogs: true,
      devTools: opts.devTools ?? false,
    },
  });
}
