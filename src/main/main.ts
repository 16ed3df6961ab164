/**
 * Electron main process: thin wiring only. Locks the app down (sandboxed, isolated renderer on app://, every
 * navigation/window/permission denied), starts the engine in a utility process and hands the page a MessagePort
 * straight to it (src/shared/api.ts), so updates never pass through here; main keeps the file dialogs.
 * Once the window is up it offers the one-time capture helper install if this version's helper is not installed.
 * The logic lives in src/main (Electron-typed, tested with fakes) and src/engine-host (Electron-free).
 */
import { app, BrowserWindow, dialog, ipcMain, MessageChannelMain, protocol, session, utilityProcess } from 'electron';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { APP_INDEX_URL, APP_SCHEME, APP_SCHEME_PRIVILEGES, createAppProtocolHandler } from '../engine-host/renderer-files.ts';
import { EVENT_CHANNELS } from '../shared/ipc.ts';
import { EngineHostClient } from './engine-host-client.ts';
import { messageBoxDialogs, offerHelperInstall } from './helper-offer.ts';
import { createIpcBackend } from './ipc-backend.ts';
import { registerIpcHandlers } from './ipc-handlers.ts';
import { hardenSession, hardenWebContents } from './security.ts';
import { createMainWindow } from './window-options.ts';
import { checkInstalledHelper, installForApp } from '../installer/app-helper.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const RENDERER_DIR = path.join(here, '../renderer');
const PRELOAD = path.join(here, '../preload/preload.cjs');
const ENGINE_HOST = path.join(here, 'engine-host.js');
const CAPTURE_FILTERS = [
  { name: 'Packet captures', extensions: ['pcap', 'pcapng', 'cap', 'dmp'] },
  { name: 'All files', extensions: ['*'] },
];
const SAVE_FILTERS = {
  pcap: [{ name: 'pcap', extensions: ['pcap'] }, CAPTURE_FILTERS[1]],
  csv: [{ name: 'CSV', extensions: ['csv'] }, CAPTURE_FILTERS[1]],
  json: [{ name: 'JSON', extensions: ['json'] }, CAPTURE_FILTERS[1]],
};

protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);
app.enableSandbox();
app.on('web-contents-created', (_event, contents) => hardenWebContents(contents));

async function start(): Promise<void> {
  await app.whenReady();
  hardenSession(session.defaultSession);
  protocol.handle(APP_SCHEME, createAppProtocolHandler(RENDERER_DIR));

  const win = createMainWindow(BrowserWindow, PRELOAD, { devTools: !app.isPackaged });
  // The page learns that the engine is gone from main (its port may not say so); nothing else is sent this way.
  const host = new EngineHostClient(utilityProcess.fork(ENGINE_HOST, [], { serviceName: 'Sandpiper engine', stdio: 'inherit' }), (error) => {
    if (!win.isDestroyed()) win.webContents.send(EVENT_CHANNELS.hostGone, error);
  });
  registerIpcHandlers(
    ipcMain,
    // The backend's calls each carry their method's argument (HostCaller's types say so); the client takes any.
    createIpcBackend({ call: (m, a) => (host.call.bind(host) as (m: string, a: unknown) => Promise<unknown>)(m, a), connect: (p) => host.connect(p) }, {
      chooseOpen: async () => {
        const r = await dialog.showOpenDialog(win, { title: 'Open capture file', properties: ['openFile'], filters: CAPTURE_FILTERS });
        return r.canceled || r.filePaths.length === 0 ? null : r.filePaths[0];
      },
      chooseSave: async (o) => {
        const r = await dialog.showSaveDialog(
          win,
          o ? { title: o.title, defaultPath: o.defaultName, filters: SAVE_FILTERS[o.kind] } : { title: 'Save capture', defaultPath: 'capture.pcap', filters: CAPTURE_FILTERS },
        );
        return r.canceled || !r.filePath ? null : r.filePath;
      },
    }, () => new MessageChannelMain()),
  );
  const shown = new Promise<void>((resolve) =>
    win.once('ready-to-show', () => {
      win.show();
      resolve();
    }),
  );
  win.on('closed', () => host.stop());
  app.on('second-instance', () => {
    if (win.isDestroyed()) return;
    if (win.isMinimized()) win.restore();
    win.focus();
  });
  await win.loadURL(APP_INDEX_URL);
  await shown;

  // Not awaited by start(): the offer waits on the user, and never throws.
  void offerHelperInstall({
    packaged: app.isPackaged,
    check: checkInstalledHelper,
    // Packaged: <resources>/helper; from a checkout: its dist/helper.
    install: () => installForApp(app.isPackaged ? process.resourcesPath : null),
    ...messageBoxDialogs((o) => dialog.showMessageBox(win, o)),
  });
}

app.on('window-all-closed', () => app.quit());
// A second instance only hands over to the first (no window, no second install offer).
if (!app.requestSingleInstanceLock()) app.quit();
else {
  start().catch((e: unknown) => {
    process.stderr.write(`sandpiper: cannot start: ${e instanceof Error ? e.message : String(e)}\n`);
    app.exit(1);
  });
}
