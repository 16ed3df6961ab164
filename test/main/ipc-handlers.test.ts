import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IpcMainInvokeEvent } from 'electron';
import { registerIpcHandlers, isTrustedSender, UntrustedSenderError, type IpcBackend } from '../../src/main/ipc-handlers.ts';
import { ALL_INVOKE_CHANNELS, INVOKE_CHANNELS } from '../../src/shared/ipc.ts';

type Handler = (event: IpcMainInvokeEvent, ...args: unknown[]) => unknown;

function event(url: string, parent: unknown = null): IpcMainInvokeEvent {
  return { senderFrame: { url, parent } } as unknown as IpcMainInvokeEvent;
}
const APP = event('app://sandpiper/index.html');

function setup() {
  const calls: [string, unknown[]][] = [];
  const rec = (name: string, value: unknown) => async (...args: unknown[]) => {
    calls.push([name, args]);
    return value;
  };
  const backend: IpcBackend = {
    listInterfaces: rec('listInterfaces', [{ name: 'lo', addresses: ['127.0.0.1'], up: true, loopback: true }]) as IpcBackend['listInterfaces'],
    validateFilter: rec('validateFilter', { ok: true }) as IpcBackend['validateFilter'],
    startCapture: rec('startCapture', { ok: true }) as IpcBackend['startCapture'],
    stopCapture: rec('stopCapture', undefined) as IpcBackend['stopCapture'],
    setPaused: rec('setPaused', undefined) as IpcBackend['setPaused'],
    openCaptureFile: rec('openCaptureFile', { ok: true, value: null }) as IpcBackend['openCaptureFile'],
    saveCapture: rec('saveCapture', { ok: true, value: null }) as IpcBackend['saveCapture'],
    setView: rec('setView', undefined) as IpcBackend['setView'],
  };
  const handlers = new Map<string, Handler>();
  registerIpcHandlers({ handle: (ch, l) => void handlers.set(ch, l as Handler) }, backend);
  const invoke = async (ch: string, e: IpcMainInvokeEvent, ...args: unknown[]) => handlers.get(ch)!(e, ...args);
  return { calls, handlers, invoke };
}

test('exactly the fixed list of invoke channels is registered', () => {
  const { handlers } = setup();
  assert.deepEqual([...handlers.keys()].sort(), [...ALL_INVOKE_CHANNELS].sort());
  assert.equal(handlers.size, 8);
  for (const ch of handlers.keys()) assert.match(ch, /^sandpiper:[a-z-]+$/);
});

test('sender validation: only the top frame of app://sandpiper is trusted', () => {
  assert.equal(isTrustedSender(APP), true);
  assert.equal(isTrustedSender(event('app://sandpiper/')), true);
  assert.equal(isTrustedSender(event('https://evil.example/')), false);
  assert.equal(isTrustedSender(event('app://evil/index.html')), false);
  assert.equal(isTrustedSender(event('file:///opt/Sandpiper/index.html')), false);
  assert.equal(isTrustedSender(event('http://sandpiper/')), false);
  assert.equal(isTrustedSender(event('app://sandpiper.evil/')), false);
  assert.equal(isTrustedSender(event('app://sandpiper/index.html', { url: 'app://sandpiper/' })), false, 'a subframe is refused');
  assert.equal(isTrustedSender(event('not a url')), false);
  assert.equal(isTrustedSender({ senderFrame: null } as unknown as IpcMainInvokeEvent), false);
});

test('a request from a foreign origin is rejected on every channel and never reaches the backend', async () => {
  const { calls, invoke } = setup();
  for (const ch of ALL_INVOKE_CHANNELS) {
    await assert.rejects(invoke(ch, event('https://evil.example/'), 'x'), UntrustedSenderError, ch);
  }
  assert.deepEqual(calls, []);
});

test('inputs are validated before they reach the backend', async () => {
  const { calls, invoke } = setup();
  const start = INVOKE_CHANNELS.startCapture;
  const good = { interface: 'eth0', filter: 'tcp port 443', promisc: false };
  assert.deepEqual(await invoke(start, APP, good), { ok: true });
  assert.deepEqual(calls.at(-1), ['startCapture', [good]]);
  calls.length = 0;
  for (const bad of [
    { ...good, interface: 'eth0; rm -rf /' },
    { ...good, interface: '' },
    { ...good, interface: 'a'.repeat(16) },
    { ...good, interface: '--filter' },
    { ...good, filter: 'x'.repeat(4097) },
    { ...good, filter: 'tcp\0' },
    { ...good, filter: 42 },
    { ...good, promisc: 'yes' },
    { ...good, extra: true },
    null,
    'eth0',
    [good],
  ]) {
    const r = (await invoke(start, APP, bad)) as { ok: boolean; error?: { code: string; message: string; action: string } };
    assert.equal(r.ok, false, JSON.stringify(bad));
    assert.equal(r.error?.code, 'bad_arguments');
    assert.ok(r.error?.action);
  }
  const vf = INVOKE_CHANNELS.validateFilter;
  assert.deepEqual(((await invoke(vf, APP, 'y'.repeat(5000))) as { ok: boolean }).ok, false);
  assert.deepEqual(((await invoke(vf, APP, { toString: () => 'tcp' })) as { ok: boolean }).ok, false);
  await assert.rejects(invoke(INVOKE_CHANNELS.setPaused, APP, 'true'), /Expected true or false/);
  await assert.rejects(invoke(INVOKE_CHANNELS.setPaused, APP), /expected 1 argument/);
  await assert.rejects(invoke(INVOKE_CHANNELS.openCaptureFile, APP, '/etc/shadow'), /expected 0 argument/, 'the renderer cannot name a path');
  const view = { seq: 1, sortColumn: 'bytes', sortDir: 'desc', filter: 'port:443', start: 0, end: 60, select: { index: 0 } };
  await assert.rejects(invoke(INVOKE_CHANNELS.setView, APP), /expected 1 argument/);
  await assert.rejects(invoke(INVOKE_CHANNELS.setView, APP, view, view), /expected 1 argument/);
  for (const bad of [null, { ...view, end: 5000 }, { ...view, sortColumn: '__proto__' }, { ...view, filter: 'x'.repeat(5000) }, { ...view, select: { id: 1, index: 0 } }, { ...view, evil: 1 }]) {
    await assert.rejects(invoke(INVOKE_CHANNELS.setView, APP, bad), TypeError, JSON.stringify(bad));
  }
  assert.deepEqual(calls, [], 'nothing invalid reached the backend');
  await invoke(INVOKE_CHANNELS.setPaused, APP, true);
  assert.deepEqual(await invoke(vf, APP, 'udp'), { ok: true });
  assert.equal(await invoke(INVOKE_CHANNELS.setView, APP, view), undefined);
  assert.deepEqual(calls, [['setPaused', [true]], ['validateFilter', ['udp']], ['setView', [view]]]);
});
