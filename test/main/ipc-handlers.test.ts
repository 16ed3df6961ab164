import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IpcMainInvokeEvent } from 'electron';
import { registerIpcHandlers, isTrustedSender, UntrustedSenderError, type IpcBackend } from '../../src/main/ipc-handlers.ts';
import { ALL_INVOKE_CHANNELS, EVENT_CHANNELS, INVOKE_CHANNELS } from '../../src/shared/ipc.ts';

type Handler = (event: IpcMainInvokeEvent, ...args: unknown[]) => unknown;

function event(url: string, parent: unknown = null): IpcMainInvokeEvent {
  return { senderFrame: { url, parent } } as unknown as IpcMainInvokeEvent;
}
const APP = event('app://sandpiper/index.html');

function setup() {
  const calls: [string, unknown[]][] = [];
  const backend: IpcBackend = {
    openCaptureFile: async (...args: unknown[]) => (calls.push(['openCaptureFile', args]), { ok: true, value: null }),
    saveCapture: async (...args: unknown[]) => (calls.push(['saveCapture', args]), { ok: true, value: null }),
    saveTableExport: async (...args: unknown[]) => (calls.push(['saveTableExport', args]), { ok: true, value: null }),
    saveFlowPackets: async (...args: unknown[]) => (calls.push(['saveFlowPackets', args]), { ok: true, value: null }),
    connect: async (toPage) => {
      calls.push(['connect', []]);
      toPage({ port: 'for the page' });
    },
  };
  const handlers = new Map<string, Handler>();
  registerIpcHandlers({ handle: (ch, l) => void handlers.set(ch, l as Handler) }, backend);
  const invoke = async (ch: string, e: IpcMainInvokeEvent, ...args: unknown[]) => handlers.get(ch)!(e, ...args);
  return { calls, handlers, invoke };
}

test('exactly the fixed list of invoke channels is registered: the dialogs and the port request', () => {
  const { handlers } = setup();
  assert.deepEqual([...handlers.keys()].sort(), [...ALL_INVOKE_CHANNELS].sort());
  assert.deepEqual([...handlers.keys()].sort(), ['sandpiper:connect', 'sandpiper:open-capture-file', 'sandpiper:save-capture', 'sandpiper:save-flow-packets', 'sandpiper:save-table-export']);
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

test('no channel takes a path: the page cannot name one; the export request and a flow id are checked by the API table', async () => {
  const { calls, invoke } = setup();
  const takesOne: string[] = [INVOKE_CHANNELS.saveTableExport, INVOKE_CHANNELS.saveFlowPackets];
  for (const ch of ALL_INVOKE_CHANNELS) {
    if (takesOne.includes(ch)) await assert.rejects(invoke(ch, APP, '/etc/shadow'), TypeError, ch);
    else await assert.rejects(invoke(ch, APP, '/etc/shadow'), /expected no arguments/, ch);
  }
  const req = { format: 'csv', sortColumn: 'bytes', sortDir: 'desc', filter: '' };
  await assert.rejects(invoke(INVOKE_CHANNELS.saveTableExport, APP), /expected one argument/);
  await assert.rejects(invoke(INVOKE_CHANNELS.saveTableExport, APP, req, '/etc/shadow'), /expected one argument/);
  await assert.rejects(invoke(INVOKE_CHANNELS.saveTableExport, APP, { ...req, path: '/etc/shadow' }), /exactly the fields/);
  await assert.rejects(invoke(INVOKE_CHANNELS.saveFlowPackets, APP, 0), /not a flow id/);
  await assert.rejects(invoke(INVOKE_CHANNELS.saveFlowPackets, APP, { id: 1, path: '/etc/shadow' }), /not a flow id/);
  assert.deepEqual(calls, []);
  assert.deepEqual(await invoke(INVOKE_CHANNELS.saveTableExport, APP, req), { ok: true, value: null });
  assert.deepEqual(await invoke(INVOKE_CHANNELS.saveFlowPackets, APP, 7), { ok: true, value: null });
  assert.deepEqual(calls, [['saveTableExport', [req]], ['saveFlowPackets', [7]]]);
  calls.length = 0;
  assert.deepEqual(await invoke(INVOKE_CHANNELS.openCaptureFile, APP), { ok: true, value: null });
  assert.deepEqual(await invoke(INVOKE_CHANNELS.saveCapture, APP), { ok: true, value: null });
  assert.deepEqual(calls, [['openCaptureFile', []], ['saveCapture', []]]);
});

test("connect: the page's port goes to the frame that asked (the trusted top frame), on the host-port channel", async () => {
  const { calls, invoke } = setup();
  const sent: [string, unknown, unknown[]][] = [];
  const frame = { url: 'app://sandpiper/index.html', parent: null, postMessage: (ch: string, m: unknown, t: unknown[]) => void sent.push([ch, m, t]) };
  await invoke(INVOKE_CHANNELS.connect, { senderFrame: frame } as unknown as IpcMainInvokeEvent);
  assert.deepEqual(calls, [['connect', []]]);
  assert.deepEqual(sent, [[EVENT_CHANNELS.hostPort, null, [{ port: 'for the page' }]]]);
  const evil = { ...frame, url: 'https://evil.example/' };
  await assert.rejects(invoke(INVOKE_CHANNELS.connect, { senderFrame: evil } as unknown as IpcMainInvokeEvent), UntrustedSenderError);
  assert.equal(sent.length, 1, 'no port for a foreign page');
});
