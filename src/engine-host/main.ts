/**
 * Engine host: the Electron utility process that runs the engine, reads capture files and drives live captures
 * (through src/capture-client, which uses pkexec), so no packet work happens on Electron's main thread.
 * Main reaches it through process.parentPort (its dialogs' paths, and the page's MessagePort); the page talks to it
 * over that port directly (src/shared/api.ts), so no update passes through main.
 */
import { EngineHost } from './engine-host.ts';
import { serveHost, type ParentPortLike } from './host-protocol.ts';
import { createSourceEngine } from './engine-adapter.ts';
import { createLiveCaptureStarter } from './live-capture-adapter.ts';
import { listInterfaces } from './interfaces.ts';
import { validateFilter } from './filter-check.ts';
import { defaultSettingsPath, SettingsFile } from './settings-file.ts';

const port = (process as unknown as { parentPort?: ParentPortLike }).parentPort;
if (!port) {
  process.stderr.write('sandpiper engine host: must run as an Electron utility process\n');
  process.exit(1);
}
const engineHost = new EngineHost({ createEngine: createSourceEngine, startLive: createLiveCaptureStarter() });
serveHost(port, { engineHost, listInterfaces: () => listInterfaces(), validateFilter, settings: new SettingsFile(defaultSettingsPath()) });
process.on('SIGTERM', () => {
  void engineHost.dispose().finally(() => process.exit(0));
});
