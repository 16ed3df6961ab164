/**
 * Runs the real main process (src/main/main.ts, bundled by esbuild with `electron` aliased to fake-electron.ts)
 * and checks how it wires Electron: privileged app:// scheme, sandbox, hardening of every webContents and the
 * session, the locked-down window loading app://sandpiper, the engine in a utility process, and the IPC relay.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import type { FakeElectronLog, FakeBrowserWindow } from './fake-electron.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../../..');

test('main wires Electron as the security checklist says', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'sp-main-wiring-'));
  try {
    const out = path.join(dir, 'main', 'main.mjs');
    await build({
      entryPoints: [path.join(root, 'src/main/main.ts')],
      outfile: out,
      bundle: true,
      platform: 'node',
      format: 'esm',
      alias: { electron: path.join(here, 'fake-electron.ts') },
      logLevel: 'silent',
      banner: { js: "import { createRequire as __sp_cr } from 'node:module'; const require = __sp_cr(import.meta.url);" },
    });
    await import(pathToFileURL(out).href);
    const log = (globalThis as unknown as { __fakeElectron: FakeElectronLog }).__fakeElectron;
    for (let i = 0; i < 50 && log.windows[0]?.loaded == null; i++) await new Promise((r) => setTimeout(r, 10));

    assert.deepEqual(log.privilegedSchemes.map((s) => (s as { scheme: string }).scheme), ['app']);
    assert.equal((log.privilegedSchemes[0] as { privileges: { bypassCSP: boolean } }).privileges.bypassCSP, false);
    assert.ok(log.calls.includes('app.enableSandbox'));
    assert.ok(log.appListeners.has('web-contents-created'), 'every webContents gets hardened');
    assert.deepEqual([...log.sessionHandlers.keys()].sort(), ['check', 'device', 'request', 'will-download']);
    assert.ok(log.protocolHandlers.has('app'));

    assert.equal(log.windows.length, 1);
    const win = log.windows[0] as FakeBrowserWindow;
    const prefs = (win.options as { webPreferences: Record<string, unknown> }).webPreferences;
    assert.equal(prefs.sandbox, true);
    assert.equal(prefs.contextIsolation, true);
    assert.equal(prefs.nodeIntegration, false);
    assert.equal(prefs.preload, path.join(dir, 'preload/preload.cjs'));
    assert.equal(win.loaded, 'app://sandpiper/index.html');

    assert.equal(log.forks.length, 1);
    assert.equal(log.forks[0].path, path.join(dir, 'main/engine-host.js'), 'the engine runs in a utility process');
    assert.deepEqual([...log.ipcHandlers.keys()].sort(), [
      'sandpiper:list-interfaces', 'sandpiper:open-capture-file', 'sandpiper:request-snapshot', 'sandpiper:save-capture',
      'sandpiper:set-paused', 'sandpiper:start-capture', 'sandpiper:stop-capture', 'sandpiper:validate-filter',
    ]);

    // An IPC call from the app page goes to the engine host; the host's answer and its updates come back.
    const proc = log.forks[0].proc;
    const onHost = proc.listeners.get('message')!;
    const appEvent = { senderFrame: { url: 'app://sandpiper/index.html', parent: null } };
    const pending = log.ipcHandlers.get('sandpiper:open-capture-file')!(appEvent) as Promise<unknown>;
    for (let i = 0; i < 50 && proc.posted.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(proc.posted, [{ type: 'call', id: 1, method: 'openFile', arg: '/tmp/chosen.pcap' }], 'the dialog path, not the renderer, names the file');
    onHost({ type: 'result', id: 1, value: { ok: true, value: { path: '/tmp/chosen.pcap' } } });
    assert.deepEqual(await pending, { ok: true, value: { path: '/tmp/chosen.pcap' } });
    onHost({ type: 'update', update: { seq: 1 } });
    onHost({ type: 'status', status: { state: 'stopped' } });
    assert.deepEqual(win.sent, [['sandpiper:update', { seq: 1 }], ['sandpiper:status', { state: 'stopped' }]]);
    await assert.rejects(Promise.resolve().then(() => log.ipcHandlers.get('sandpiper:list-interfaces')!({ senderFrame: { url: 'https://evil.example/', parent: null } })), /refused/);
    assert.ok(!log.calls.some((c) => c.startsWith('app.exit')), 'main started without errors');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
