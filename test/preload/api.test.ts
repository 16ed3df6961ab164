import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSandpiperApi, type IpcRendererLike, type PortLike } from '../../src/preload/api.ts';
import { API_VERSION, type CallMessage } from '../../src/shared/api.ts';
import { EVENT_CHANNELS, INVOKE_CHANNELS, IPC_PROTOCOL_VERSION, MAX_VIEW_ROWS, RATE_HISTORY_LENGTH, type CaptureStatusView, type EngineUpdate, type ViewRequest } from '../../src/shared/ipc.ts';
import { row } from '../shared/fixtures.ts';

type L = (event: { ports?: readonly PortLike[] }, payload: unknown) => void;

function fakeIpc() {
  const invoked: [string, unknown[]][] = [];
  const listeners = new Map<string, L>();
  const ipc: IpcRendererLike = {
    invoke: async (ch, ...args) => {
      invoked.push([ch, args]);
      return { ok: true, value: null };
    },
    on: (ch, l) => void listeners.set(ch, l),
  };
  const port = { posted: [] as CallMessage[], onmessage: null as PortLike['onmessage'], postMessage(m: unknown) { this.posted.push(m as CallMessage); } };
  const givePort = (p: PortLike = port) => listeners.get(EVENT_CHANNELS.hostPort)!({ ports: [p] }, null);
  /** A message from the host on the port, as the page's MessagePort delivers it. */
  const fromHost = (data: unknown) => port.onmessage!({ data });
  return { ipc, invoked, listeners, port, givePort, fromHost };
}

const UPDATE: EngineUpdate = { seq: 3, viewSeq: 1, total: 0, count: 0, start: 0, rows: [], order: 1, selected: null, filterError: null, stats: {} as EngineUpdate['stats'], chart: null, ts: 1 };
const VIEW: ViewRequest = { seq: 1, sortColumn: 'bytes', sortDir: 'asc', filter: 'tcp', start: 0, end: 50, select: { id: 4 }, have: null };

/** The page's API over a fake preload link whose port has been handed over. */
function connected() {
  const f = fakeIpc();
  const api = createSandpiperApi(f.ipc);
  f.givePort();
  return { f, api };
}

test('the API has exactly the SandpiperApi members, frozen, and no ipcRenderer passthrough', () => {
  const f = fakeIpc();
  const api = createSandpiperApi(f.ipc);
  assert.deepEqual(Object.keys(api).sort(), [
    'exportTable', 'flowSeries', 'getSettings', 'listInterfaces', 'onNotice', 'onStatus', 'onUpdate', 'openCaptureFile', 'saveCapture',
    'saveFlowPackets', 'saveSettings', 'saveTableExport', 'setFavourites', 'setNotificationRules', 'setOverview', 'setPaused', 'setView',
    'startCapture', 'stopCapture', 'validateFilter', 'version',
  ]);
  assert.equal(api.version, IPC_PROTOCOL_VERSION);
  assert.equal(api.version, API_VERSION);
  assert.equal(api.version, 13, 'one API table; the page talks to the engine host over its own port; the Overview; IPFIX export; settings; table export and a flow\'s packets; a flow\'s chart; favourites and notifications; replies leave out the rows held');
  assert.ok(Object.isFrozen(api));
  for (const [k, v] of Object.entries(api)) if (k !== 'version') assert.equal(typeof v, 'function', k);
  // The preload asks main for its port once, and listens only for the port and the host's end.
  assert.deepEqual(f.invoked, [[INVOKE_CHANNELS.connect, []]]);
  assert.deepEqual([...f.listeners.keys()].sort(), [EVENT_CHANNELS.hostGone, EVENT_CHANNELS.hostPort].sort());
});

test('page calls go over the port (queued until it arrives, then in order); the dialogs are invoke calls to main', async () => {
  const f = fakeIpc();
  const api = createSandpiperApi(f.ipc);
  const listed = api.listInterfaces();
  const checked = api.validateFilter('tcp');
  void api.setView(VIEW);
  assert.equal(f.port.posted.length, 0);
  f.givePort();
  void api.setPaused(true);
  void api.startCapture({ interface: 'eth0', filter: '', promisc: true });
  void api.stopCapture();
  assert.deepEqual(f.port.posted, [
    { type: 'call', id: 1, method: 'listInterfaces' },
    { type: 'call', id: 2, method: 'validateFilter', arg: 'tcp' },
    { type: 'call', id: 3, method: 'setView', arg: VIEW },
    { type: 'call', id: 4, method: 'setPaused', arg: true },
    { type: 'call', id: 5, method: 'startCapture', arg: { interface: 'eth0', filter: '', promisc: true } },
    { type: 'call', id: 6, method: 'stopCapture' },
  ]);
  f.fromHost({ type: 'result', id: 2, value: { ok: true } });
  f.fromHost({ type: 'result', id: 1, value: [{ name: 'lo' }] });
  assert.deepEqual(await listed, [{ name: 'lo' }]);
  assert.deepEqual(await checked, { ok: true });
  await api.openCaptureFile();
  await api.saveCapture();
  const req = { format: 'json', sortColumn: 'bytes', sortDir: 'desc', filter: '' } as const;
  await api.saveTableExport(req);
  await api.saveFlowPackets(3);
  assert.deepEqual(f.invoked.slice(1), [[INVOKE_CHANNELS.openCaptureFile, []], [INVOKE_CHANNELS.saveCapture, []], [INVOKE_CHANNELS.saveTableExport, [req]], [INVOKE_CHANNELS.saveFlowPackets, [3]]]);
  // A second port (not expected) is not used.
  const other = { posted: [] as unknown[], onmessage: null, postMessage(m: unknown) { this.posted.push(m); } };
  f.givePort(other);
  void api.stopCapture();
  assert.equal(other.posted.length, 0);
  assert.equal(f.port.posted.at(-1)?.method, 'stopCapture');
});

test('a refused call rejects; extra arguments reject before anything is sent', async () => {
  const { f, api } = connected();
  const paused = api.setPaused('yes' as never);
  f.fromHost({ type: 'error', id: 1, message: 'Expected true or false.' });
  await assert.rejects(paused, /Expected true or false/);
  await assert.rejects((api.stopCapture as (...a: unknown[]) => Promise<void>)('extra'), TypeError);
  await assert.rejects((api.validateFilter as (...a: unknown[]) => Promise<unknown>)('a', 'b'), TypeError);
  assert.equal(f.port.posted.length, 1);
});

test('listeners get the payload only and unsubscribe cleanly; a malformed update never reaches them', () => {
  const { f, api } = connected();
  const got: unknown[][] = [];
  const off = api.onUpdate((...args: unknown[]) => got.push(args));
  const offS = api.onStatus((...args: unknown[]) => got.push(['status', ...args]));
  f.fromHost({ type: 'update', update: UPDATE });
  f.fromHost({ type: 'update', update: { ...UPDATE, rows: 'x' } });
  f.fromHost({ type: 'update', update: { seq: 0, full: true, upserts: [], removed: [], stats: {}, ts: 0 } });
  f.fromHost({ type: 'status', status: { state: 'idle' } });
  assert.deepEqual(got, [[UPDATE], ['status', { state: 'idle' }]]);
  assert.equal(got[0][0], UPDATE, 'the update as it came');
  off();
  offS();
  f.fromHost({ type: 'update', update: UPDATE });
  assert.equal(got.length, 2);
  assert.throws(() => api.onUpdate('not a function' as never), TypeError);
});

test('when the engine host is gone, pending calls end and the page sees an error status', async () => {
  const { f, api } = connected();
  const statuses: CaptureStatusView[] = [];
  api.onStatus((s) => statuses.push(s));
  const start = api.startCapture({ interface: 'eth0', filter: '', promisc: false });
  const stop = api.stopCapture();
  const error = { code: 'internal' as const, message: 'The engine process stopped (exit status 9).', action: 'Restart Sandpiper.' };
  f.listeners.get(EVENT_CHANNELS.hostGone)!({}, error);
  assert.deepEqual(await start, { ok: false, error });
  await assert.rejects(stop, /engine process stopped/);
  assert.deepEqual(statuses, [{ state: 'error', source: null, sandbox: null, error, devWarning: null, recordingFullAt: null }]);
  assert.deepEqual(await api.validateFilter('tcp'), { ok: false, error }, 'later calls answer at once');
});

test('a host of another API version is not believed', () => {
  const { f, api } = connected();
  const statuses: CaptureStatusView[] = [];
  api.onStatus((s) => statuses.push(s));
  f.fromHost({ type: 'hello', version: API_VERSION });
  assert.equal(statuses.length, 0);
  f.fromHost({ type: 'hello', version: API_VERSION - 1 });
  assert.equal(statuses.length, 1);
  assert.equal(statuses[0].state, 'error');
  assert.match(statuses[0].error?.message ?? '', new RegExp(`API version ${API_VERSION - 1}`));
});

/** A well-formed update: a window of two of five flows, the second one selected. */
function update(seq = 1): EngineUpdate {
  return {
    seq,
    viewSeq: 3,
    total: 5,
    count: 4,
    start: 2,
    rows: [row({ id: 1 }), row({ id: 2 })],
    order: 1,
    selected: { id: 2, index: 3, row: row({ id: 2 }), down: [1, 2], up: [3, 4] },
    filterError: null,
    stats: {} as EngineUpdate['stats'],
    chart: null,
    ts: 0,
  };
}

test('an update of the wrong shape is dropped by the page\'s client, never handed to the renderer', () => {
  const { f, api } = connected();
  const updates: EngineUpdate[] = [];
  api.onUpdate((u) => updates.push(u));
  const proc = { send: f.fromHost };
  const good = update(5);
  const bad: [string, unknown][] = [
    ['no update', undefined],
    ['version 1 (upserts)', { seq: 1, full: true, upserts: [row({ id: 1 })], removed: [], stats: {}, ts: 0 }],
    ['version 2 (a batch)', { seq: 1, full: true, rows: { ids: new Float64Array(0), counters: new Float64Array(0), texts: [] }, removed: [], stats: {}, ts: 0 }],
    ['seq not an integer', { ...good, seq: 1.5 }],
    ['viewSeq missing', { ...good, viewSeq: undefined }],
    ['total negative', { ...good, total: -1 }],
    ['count a string', { ...good, count: '4' }],
    ['start missing', { ...good, start: undefined }],
    ['count above total', { ...good, count: 6 }],
    ['window past the count', { ...good, start: 3 }],
    ['rows not an array', { ...good, rows: {} }],
    ['a row not an object', { ...good, rows: [row({ id: 1 }), 2] }],
    ['a row left out as undefined', { ...good, rows: [row({ id: 1 }), undefined] }],
    ['order missing', { ...good, order: undefined }],
    ['order negative', { ...good, order: -1 }],
    ['order not an integer', { ...good, order: 0.5 }],
    ['too many rows', { ...good, total: 2000, count: 2000, start: 0, rows: Array.from({ length: MAX_VIEW_ROWS + 1 }, (_, i) => row({ id: i + 1 })) }],
    ['selected not an object', { ...good, selected: 2 }],
    ['selected without an id', { ...good, selected: { ...good.selected, id: undefined } }],
    ['selected index below -1', { ...good, selected: { ...good.selected, index: -2 } }],
    ['selected index past the count', { ...good, selected: { ...good.selected, index: 4 } }],
    ['selected row not an object', { ...good, selected: { ...good.selected, row: 'x' } }],
    ['history not numbers', { ...good, selected: { ...good.selected, down: ['1'] } }],
    ['history too long', { ...good, selected: { ...good.selected, up: new Array(RATE_HISTORY_LENGTH + 1).fill(0) } }],
    ['filterError not a string', { ...good, filterError: 5 }],
    ['stats missing', { ...good, stats: null }],
    ['ts missing', { ...good, ts: undefined }],
  ];
  for (const [, u] of bad) proc.send({ type: 'update', update: u });
  assert.equal(updates.length, 0, bad.map(([what]) => what).join(', '));
  proc.send({ type: 'update', update: good });
  proc.send({ type: 'update', update: { ...good, seq: 6, total: 0, count: 0, start: 0, rows: [], selected: { id: 9, index: -1, row: null, down: [], up: [] }, filterError: 'Bad port "x".' } });
  proc.send({ type: 'update', update: { ...good, seq: 7, total: 2000, count: 1500, start: 500, rows: Array.from({ length: MAX_VIEW_ROWS }, (_, i) => row({ id: i + 1 })), selected: null } });
  proc.send({ type: 'update', update: { ...good, seq: 8, rows: [null, row({ id: 2 })] } });
  assert.deepEqual(updates.map((u) => u.seq), [5, 6, 7, 8], 'well-formed updates, empty and full windows and rows left out (null) included, pass');
});
