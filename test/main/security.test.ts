import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Session, WebContents } from 'electron';
import { hardenSession, hardenWebContents } from '../../src/main/security.ts';

type Listener = (...args: unknown[]) => unknown;

function fakeContents() {
  const listeners = new Map<string, Listener[]>();
  let openHandler: Listener | null = null;
  const contents = {
    on(event: string, l: Listener) {
      listeners.set(event, [...(listeners.get(event) ?? []), l]);
      return contents;
    },
    setWindowOpenHandler(h: Listener) {
      openHandler = h;
    },
  };
  const fire = (event: string, ...args: unknown[]) => {
    const e = { prevented: false, preventDefault() { this.prevented = true; } };
    const ls = listeners.get(event) ?? [];
    for (const l of ls) l(e, ...args);
    return { prevented: e.prevented, handled: ls.length > 0 };
  };
  return { contents: contents as unknown as WebContents, fire, open: (url: string) => openHandler?.({ url }) };
}

test('navigation, redirects, webviews and new windows are all denied', () => {
  const f = fakeContents();
  hardenWebContents(f.contents);
  for (const [event, arg] of [
    ['will-navigate', 'https://example.com/'],
    ['will-navigate', 'app://sandpiper/index.html'],
    ['will-frame-navigate', 'file:///etc/passwd'],
    ['will-redirect', 'http://127.0.0.1:1/'],
    ['will-attach-webview', {}],
  ] as const) {
    const r = fire(f, event, arg);
    assert.ok(r.handled, `${event} has a handler`);
    assert.ok(r.prevented, `${event} ${JSON.stringify(arg)} is prevented`);
  }
  assert.deepEqual(f.open('https://example.com/'), { action: 'deny' });
  assert.deepEqual(f.open('app://sandpiper/index.html'), { action: 'deny' });
});

function fire(f: ReturnType<typeof fakeContents>, event: string, arg: unknown) {
  return f.fire(event, arg);
}

test('only notifications from the app page are allowed; every other permission request and check is denied', () => {
  const handlers: Record<string, Listener> = {};
  const session = {
    setPermissionRequestHandler: (h: Listener) => (handlers.request = h),
    setPermissionCheckHandler: (h: Listener) => (handlers.check = h),
    setDevicePermissionHandler: (h: Listener) => (handlers.device = h),
    on: (event: string, h: Listener) => (handlers[event] = h),
  };
  hardenSession(session as unknown as Session);
  const request = (permission: string, requestingUrl: string | undefined) => {
    let granted: boolean | null = null;
    handlers.request({}, permission, (g: boolean) => (granted = g), requestingUrl === undefined ? {} : { requestingUrl });
    return granted;
  };
  const app = 'app://sandpiper/index.html';
  for (const permission of [
    'media', 'geolocation', 'clipboard-read', 'clipboard-sanitized-write', 'openExternal', 'usb', 'hid', 'serial',
    'midi', 'midiSysex', 'pointerLock', 'fullscreen', 'display-capture', 'idle-detection', 'window-management',
    'storage-access', 'fileSystem', 'keyboardLock', 'mediaKeySystem', 'unknown', 'Notifications', 'notifications ',
  ]) {
    assert.equal(request(permission, app), false, `request ${permission}`);
    assert.equal(handlers.check({}, permission, 'app://sandpiper', {}), false, `check ${permission}`);
  }
  assert.equal(request('notifications', app), true, 'the app page may ask for notifications');
  assert.equal(handlers.check({}, 'notifications', 'app://sandpiper', {}), true);
  for (const url of ['https://example.com/', 'app://other/index.html', 'file:///index.html', 'not a url', undefined]) {
    assert.equal(request('notifications', url), false, `notifications for ${url}`);
    assert.equal(handlers.check({}, 'notifications', url, {}), false, `check notifications for ${url}`);
  }
  assert.equal(handlers.device({ deviceType: 'usb', origin: 'app://sandpiper' }), false);
  const e = { prevented: false, preventDefault() { this.prevented = true; } };
  handlers['will-download'](e);
  assert.ok(e.prevented, 'downloads are refused');
});
