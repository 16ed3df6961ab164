import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSandpiperApi, type IpcRendererLike } from '../../src/preload/api.ts';
import { EVENT_CHANNELS, INVOKE_CHANNELS, IPC_PROTOCOL_VERSION, type EngineUpdate, type ViewRequest } from '../../src/shared/ipc.ts';

type L = (event: unknown, payload: unknown) => void;

function fakeIpc() {
  const invoked: [string, unknown[]][] = [];
  const listeners = new Map<string, Set<L>>();
  const ipc: IpcRendererLike = {
    invoke: async (ch, ...args) => {
      invoked.push([ch, args]);
      return { ok: true };
    },
    on: (ch, l) => listeners.set(ch, (listeners.get(ch) ?? new Set()).add(l)),
    removeListener: (ch, l) => listeners.get(ch)?.delete(l),
  };
  const emit = (ch: string, payload: unknown) => {
    for (const l of listeners.get(ch) ?? []) l({ sender: 'SECRET-IPC-EVENT' }, payload);
  };
  return { ipc, invoked, listeners, emit };
}

test('the API has exactly the SandpiperApi members, frozen, and no ipcRenderer passthrough', () => {
  const api = createSandpiperApi(fakeIpc().ipc);
  assert.deepEqual(Object.keys(api).sort(), [
    'listInterfaces', 'onStatus', 'onUpdate', 'openCaptureFile', 'saveCapture', 'setPaused', 'setView', 'startCapture',
    'stopCapture', 'validateFilter', 'version',
  ]);
  assert.equal(api.version, IPC_PROTOCOL_VERSION);
  assert.equal(api.version, 4, 'updates carry the window asked for and the traffic chart');
  assert.ok(Object.isFrozen(api));
  for (const [k, v] of Object.entries(api)) if (k !== 'version') assert.equal(typeof v, 'function', k);
});

test('each action invokes its own channel with only the expected arguments', async () => {
  const f = fakeIpc();
  const api = createSandpiperApi(f.ipc);
  await api.listInterfaces();
  await api.validateFilter('tcp');
  await api.startCapture({ interface: 'eth0', filter: '', promisc: true, evil: 'x' } as never);
  await api.stopCapture();
  await api.setPaused(true);
  await api.openCaptureFile();
  await api.saveCapture();
  const view: ViewRequest = { seq: 1, sortColumn: 'bytes', sortDir: 'asc', filter: 'tcp', start: 0, end: 50, select: { id: 4 } };
  await api.setView({ ...view, evil: 'x', select: { id: 4, evil: 'y' } } as never);
  await api.setView({ ...view, select: { index: 2 } });
  await api.setView({ ...view, select: null });
  assert.deepEqual(f.invoked, [
    [INVOKE_CHANNELS.listInterfaces, []],
    [INVOKE_CHANNELS.validateFilter, ['tcp']],
    [INVOKE_CHANNELS.startCapture, [{ interface: 'eth0', filter: '', promisc: true }]],
    [INVOKE_CHANNELS.stopCapture, []],
    [INVOKE_CHANNELS.setPaused, [true]],
    [INVOKE_CHANNELS.openCaptureFile, []],
    [INVOKE_CHANNELS.saveCapture, []],
    [INVOKE_CHANNELS.setView, [view]],
    [INVOKE_CHANNELS.setView, [{ ...view, select: { index: 2 } }]],
    [INVOKE_CHANNELS.setView, [{ ...view, select: null }]],
  ]);
});

test('listeners get the payload only (never the IPC event) and unsubscribe cleanly', () => {
  const f = fakeIpc();
  const api = createSandpiperApi(f.ipc);
  const got: unknown[][] = [];
  const off = api.onUpdate((...args: unknown[]) => got.push(args));
  const offS = api.onStatus((...args: unknown[]) => got.push(['status', ...args]));
  f.emit(EVENT_CHANNELS.update, { seq: 1 });
  f.emit(EVENT_CHANNELS.status, { state: 'idle' });
  assert.deepEqual(got, [[{ seq: 1 }], ['status', { state: 'idle' }]]);
  off();
  offS();
  f.emit(EVENT_CHANNELS.update, { seq: 2 });
  assert.equal(got.length, 2);
  assert.equal(f.listeners.get(EVENT_CHANNELS.update)?.size, 0);
  assert.throws(() => api.onUpdate('not a function' as never), TypeError);
});

test('an update reaches the listener as it came: the same object', () => {
  const f = fakeIpc();
  const api = createSandpiperApi(f.ipc);
  const got: EngineUpdate[] = [];
  api.onUpdate((u) => got.push(u));
  const u: EngineUpdate = { seq: 3, viewSeq: 1, total: 0, count: 0, start: 0, rows: [], selected: null, filterError: null, stats: {} as EngineUpdate['stats'], chart: null, ts: 1 };
  f.emit(EVENT_CHANNELS.update, u);
  assert.deepEqual(got, [u]);
  assert.equal(got[0], u);
});
