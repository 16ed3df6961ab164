import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { BrowserWindowConstructorOptions } from 'electron';
import { createMainWindow } from '../../src/main/window-options.ts';

class FakeWindow {
  static last: BrowserWindowConstructorOptions | null = null;
  constructor(o: BrowserWindowConstructorOptions) {
    FakeWindow.last = o;
  }
}

test('the main window is isolated, sandboxed, without Node and with web security', () => {
  const win = createMainWindow(FakeWindow, '/opt/app/dist/preload/preload.cjs');
  assert.ok(win instanceof FakeWindow);
  const o = FakeWindow.last!;
  assert.equal(o.show, false, 'shown on ready-to-show, not blank');
  const w = o.webPreferences!;
  assert.equal(w.preload, '/opt/app/dist/preload/preload.cjs');
  assert.equal(w.contextIsolation, true);
  assert.equal(w.sandbox, true);
  assert.equal(w.nodeIntegration, false);
  assert.equal(w.nodeIntegrationInWorker, false);
  assert.equal(w.nodeIntegrationInSubFrames, false);
  assert.equal(w.webSecurity, true);
  assert.equal(w.allowRunningInsecureContent, false);
  assert.equal(w.experimentalFeatures, false);
  assert.equal(w.enableBlinkFeatures, undefined);
  assert.equal(w.disableBlinkFeatures, 'Auxclick');
  assert.equal(w.webviewTag, false);
  assert.equal(w.navigateOnDragDrop, false);
  assert.equal(w.devTools, false, 'devtools off unless asked for (packaged builds)');
  createMainWindow(FakeWindow, '/p', { devTools: true });
  assert.equal(FakeWindow.last!.webPreferences!.devTools, true);
  // Nothing else sneaks into webPreferences.
  assert.deepEqual(Object.keys(w).sort(), [
    'allowRunningInsecureContent', 'contextIsolation', 'devTools', 'disableBlinkFeatures', 'experimentalFeatures', 'navigateOnDragDrop',
    'nodeIntegration', 'nodeIntegrationInSubFrames', 'nodeIntegrationInWorker', 'preload', 'safeDialogs', 'sandbox', 'spellcheck',
    'webSecurity', 'webviewTag',
  ]);
});
