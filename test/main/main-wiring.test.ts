/**
 * Runs the real main process (src/main/main.ts, bundled by esbuild with `electron` aliased to fake-electron.ts)
 * and checks how it wires Electron: privileged app:// scheme, sandbox, hardening of every webContents and the
 * session, the locked-down window loading app://sandpiper, the engine in a utility process, the page's port to it, and the
 * one-time helper install offer (app-helper.ts replaced by fake-app-helper.ts, so nothing reads this machine's
 * installed helper or runs pkexec).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import type { FakeElectronConfig, FakeElectronLog, FakeBrowserWindow } from './fake-electron.ts';
import type { FakeAppHelperState } from './fake-app-helper.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const g = globalThis as unknown as { __fakeElectron: FakeElectronLog; __fakeElectronConfig?: FakeElectronConfig; __fakeAppHelper?: FakeAppHelperState };

let dir = '';
let out = '';
let runs = 0;

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'sp-main-wiring-'));
  out = path.join(dir, 'main', 'main.mjs');
  await build({
    entryPoints: [path.join(root, 'src/main/main.ts')],
    outfile: out,
    bundle: true,
    platform: 'node',
    format: 'esm',
    alias: { electron: path.join(here, 'fake-electron.ts') },
    plugins: [
      {
        name: 'fake-app-helper',
        setup(b) {
          b.onResolve({ filter: /\/installer\/app-helper\.ts$/ }, () => ({ path: path.join(here, 'fake-app-helper.ts') }));
        },
      },
    ],
    logLevel: 'silent',
    banner: { js: "import { createRequire as __sp_cr } from 'node:module'; const require = __sp_cr(import.meta.url);" },
  });
});

after(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
}

/** Runs a fresh instance of the main bundle (its own fake Electron) with the helper-install stand-in scripted. */
async function runMain(helper: Partial<FakeAppHelperState>, electron: FakeElectronConfig = {}, responses: number[] = []): Promise<{ log: FakeElectronLog; helper: FakeAppHelperState }> {
  const state: FakeAppHelperState = { ready: true, version: '0.1.0', install: { ok: true, message: 'installed', paths: [] }, calls: [], ...helper };
  g.__fakeAppHelper = state;
  g.__fakeElectronConfig = { ...electron, messageBoxResponses: responses };
  await import(`${pathToFileURL(out).href}?run=${++runs}`);
  const log = g.__fakeElectron;
  await until(() => log.windows[0]?.loaded != null && state.calls.length > 0);
  return { log, helper: state };
}

test('main wires Electron as the security checklist says', async () => {
  {
    const { log, helper } = await runMain({ ready: true });

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
    assert.deepEqual([...log.ipcHandlers.keys()].sort(), ['sandpiper:connect', 'sandpiper:open-capture-file', 'sandpiper:save-capture', 'sandpiper:save-flow-packets', 'sandpiper:save-table-export'], 'main handles only the dialogs and the port request');

    // "Open file…": main's dialog chooses the path, then the engine host is called with it and answers.
    const proc = log.forks[0].proc;
    const onHost = proc.listeners.get('message')!;
    const appEvent = { senderFrame: { url: 'app://sandpiper/index.html', parent: null } };
    const pending = log.ipcHandlers.get('sandpiper:open-capture-file')!(appEvent) as Promise<unknown>;
    for (let i = 0; i < 50 && proc.posted.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(proc.posted, [{ type: 'call', id: 1, method: 'openFile', arg: '/tmp/chosen.pcap' }], 'the dialog path, not the renderer, names the file');
    onHost({ type: 'result', id: 1, value: { ok: true, value: { path: '/tmp/chosen.pcap' } } });
    assert.deepEqual(await pending, { ok: true, value: { path: '/tmp/chosen.pcap' } });
    await assert.rejects(Promise.resolve().then(() => log.ipcHandlers.get('sandpiper:open-capture-file')!(appEvent, '/etc/shadow')), /no arguments/);

    // The page's port: one end of a MessageChannelMain to the utility process, the other to the asking frame.
    const toFrame: [string, unknown, unknown[]][] = [];
    const frame = { ...appEvent.senderFrame, postMessage: (ch: string, m: unknown, t: unknown[]) => void toFrame.push([ch, m, t]) };
    await log.ipcHandlers.get('sandpiper:connect')!({ senderFrame: frame });
    assert.deepEqual(proc.posted.at(-1), { type: 'connect' });
    const [hostEnd] = proc.transfers.at(-1) as { name: string; channel: unknown }[];
    assert.equal(toFrame.length, 1);
    const [channel, payload, [pageEnd]] = toFrame[0] as [string, unknown, { name: string; channel: unknown }[]];
    assert.deepEqual([channel, payload, hostEnd.name, pageEnd.name], ['sandpiper:host-port', null, 'port1', 'port2']);
    assert.equal(hostEnd.channel, pageEnd.channel, 'the two ends of one channel');

    // Updates and status go to the page on its port: main relays nothing, whatever the host sends it.
    onHost({ type: 'update', update: { seq: 1, viewSeq: 0, total: 0, count: 0, start: 0, rows: [], selected: null, filterError: null, stats: {}, chart: null, ts: 0 } });
    onHost({ type: 'status', status: { state: 'capturing' } });
    assert.deepEqual(win.sent, []);
    // Except that the engine is gone, which its port may not tell the page.
    proc.listeners.get('exit')!(9);
    assert.equal(win.sent.length, 1);
    assert.equal(win.sent[0][0], 'sandpiper:host-gone');
    assert.match((win.sent[0][1] as { message: string }).message, /exit status 9/);
    await assert.rejects(Promise.resolve().then(() => log.ipcHandlers.get('sandpiper:connect')!({ senderFrame: { url: 'https://evil.example/', parent: null } })), /refused/);
    assert.equal(toFrame.length, 1, 'no port for a foreign page');
    assert.ok(!log.calls.some((c) => c.startsWith('app.exit')), 'main started without errors');

    assert.deepEqual(helper.calls, ['check'], 'the installed helper is checked once');
    assert.equal(win.visible, true);
    await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(log.messageBoxes, [], 'an installed helper means no dialog');
  }
});

test('from a checkout, a missing helper gets ONE offer after the window is up; OK installs the checkout helper', async () => {
  const { log, helper } = await runMain({ ready: false }, { isPackaged: false }, [0]);
  await until(() => log.messageBoxes.length >= 2);
  const win = log.windows[0];
  assert.equal(log.messageBoxes.length, 2, JSON.stringify(log.messageBoxes.map((b) => b.options.message)));
  const [offer, done] = log.messageBoxes;
  assert.equal(offer.window, win);
  assert.equal(offer.windowVisible, true, 'the offer comes after the window is shown');
  assert.equal(offer.options.message, 'Sandpiper needs to install its capture helper');
  assert.match(String(offer.options.detail), /asked for your password once/);
  assert.match(String(offer.options.detail), /development helper/, 'a checkout says what happens without the install');
  assert.deepEqual(offer.options.buttons, ['Install…', 'Not now']);
  assert.deepEqual(helper.calls, ['check', 'install null'], 'the checkout installs from its own dist/helper');
  assert.equal(done.options.type, 'info');
  assert.equal(done.options.message, 'The capture helper is installed.');
});

test('packaged: the install uses process.resourcesPath; a dismissed password prompt (126) is reported', async () => {
  const proc = process as unknown as { resourcesPath?: string };
  proc.resourcesPath = '/opt/Sandpiper/resources';
  try {
    const { log, helper } = await runMain({ ready: false, install: { exitCode: 126 } }, { isPackaged: true }, [0]);
    await until(() => log.messageBoxes.length >= 2);
    assert.deepEqual(helper.calls, ['check', 'install /opt/Sandpiper/resources']);
    assert.equal(log.messageBoxes.length, 2);
    assert.doesNotMatch(String(log.messageBoxes[0].options.detail), /development helper/);
    const report = log.messageBoxes[1].options;
    assert.equal(report.type, 'error');
    assert.match(String(report.message), /password prompt was dismissed/);
    assert.ok(!log.calls.some((c) => c.startsWith('app.exit')));
  } finally {
    delete proc.resourcesPath;
  }
});

test('"Not now" installs nothing and shows nothing more', async () => {
  const { log, helper } = await runMain({ ready: false }, {}, [1]);
  await until(() => log.messageBoxes.length >= 1);
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(log.messageBoxes.length, 1);
  assert.deepEqual(helper.calls, ['check']);
});
