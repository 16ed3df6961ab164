import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createIpcBackend } from '../../src/main/ipc-backend.ts';
import { EngineHostClient, type HostProcessLike } from '../../src/main/engine-host-client.ts';
import { MAX_VIEW_ROWS, RATE_HISTORY_LENGTH, type CaptureStatusView, type EngineUpdate, type ViewRequest } from '../../src/shared/ipc.ts';
import { makeRow } from '../engine-host/fake-engine.ts';

/** A well-formed update: a window of two of five flows, the second one selected. */
function update(seq = 1): EngineUpdate {
  return {
    seq,
    viewSeq: 3,
    total: 5,
    count: 4,
    start: 2,
    rows: [makeRow(1), makeRow(2)],
    selected: { id: 2, index: 3, row: makeRow(2), down: [1, 2], up: [3, 4] },
    filterError: null,
    stats: {} as EngineUpdate['stats'],
    chart: null,
    ts: 0,
  };
}

test('open/save: a cancelled dialog is ok(null) and never reaches the host; a chosen path goes to the host', async () => {
  const calls: [string, unknown][] = [];
  let choice: string | null = null;
  const b = createIpcBackend(
    { call: async (m, a) => (calls.push([m, a]), { ok: true, value: { path: a } }) },
    { chooseOpen: async () => choice, chooseSave: async () => choice },
  );
  assert.deepEqual(await b.openCaptureFile(), { ok: true, value: null });
  assert.deepEqual(await b.saveCapture(), { ok: true, value: null });
  assert.deepEqual(calls, []);
  choice = '/home/u/x.pcap';
  assert.deepEqual(await b.openCaptureFile(), { ok: true, value: { path: '/home/u/x.pcap' } });
  assert.deepEqual(await b.saveCapture(), { ok: true, value: { path: '/home/u/x.pcap' } });
  assert.deepEqual(calls, [['openFile', '/home/u/x.pcap'], ['saveCapture', '/home/u/x.pcap']]);
});

class FakeProc implements HostProcessLike {
  posted: unknown[] = [];
  private msg: ((m: unknown) => void)[] = [];
  private exit: ((c: number) => void)[] = [];
  killed = false;
  postMessage(m: unknown) {
    this.posted.push(m);
  }
  on(event: 'message' | 'exit', l: ((m: unknown) => void) | ((c: number) => void)) {
    if (event === 'message') this.msg.push(l as (m: unknown) => void);
    else this.exit.push(l as (c: number) => void);
    return this;
  }
  kill() {
    this.killed = true;
    return true;
  }
  send(m: unknown) {
    for (const l of this.msg) l(m);
  }
  die(code: number) {
    for (const l of this.exit) l(code);
  }
}

test('setView goes to the host as it is (main validated it)', async () => {
  const calls: [string, unknown][] = [];
  const b = createIpcBackend({ call: async (m, a) => (calls.push([m, a]), undefined) }, { chooseOpen: async () => null, chooseSave: async () => null });
  const req: ViewRequest = { seq: 1, sortColumn: 'bytes', sortDir: 'desc', filter: '', start: 0, end: 40, select: { id: 3 } };
  assert.equal(await b.setView(req), undefined);
  assert.deepEqual(calls, [['setView', req]]);
});

test('engine host client: numbered calls, relayed updates and status, pending calls fail when the host dies', async () => {
  const proc = new FakeProc();
  const updates: EngineUpdate[] = [];
  const statuses: CaptureStatusView[] = [];
  const client = new EngineHostClient(proc, { update: (u) => updates.push(u), status: (s) => statuses.push(s) });
  const a = client.call('listInterfaces');
  const b = client.call('validateFilter', 'tcp');
  assert.deepEqual(proc.posted, [
    { type: 'call', id: 1, method: 'listInterfaces', arg: undefined },
    { type: 'call', id: 2, method: 'validateFilter', arg: 'tcp' },
  ]);
  proc.send({ type: 'result', id: 2, value: { ok: true } });
  proc.send({ type: 'result', id: 1, value: [] });
  assert.deepEqual(await b, { ok: true });
  assert.deepEqual(await a, []);
  const u = update();
  proc.send({ type: 'update', update: u });
  proc.send('garbage');
  proc.send(null);
  assert.equal(updates.length, 1);
  assert.equal(updates[0], u, 'relayed as it came: the same object');
  const c = client.call('startCapture', {});
  proc.die(9);
  const r = (await c) as { ok: boolean; error: { code: string } };
  assert.equal(r.ok, false);
  assert.equal(r.error.code, 'internal');
  assert.equal(statuses.at(-1)?.state, 'error');
  const d = (await client.call('listInterfaces')) as { ok: boolean };
  assert.equal(d.ok, false, 'calls after exit fail at once');
  client.stop();
  assert.equal(proc.killed, false, 'no kill of an exited process');
});

test('engine host client: an update of the wrong shape is dropped, not relayed', () => {
  const proc = new FakeProc();
  const updates: EngineUpdate[] = [];
  new EngineHostClient(proc, { update: (u) => updates.push(u), status: () => {} });
  const good = update(5);
  const bad: [string, unknown][] = [
    ['no update', undefined],
    ['version 1 (upserts)', { seq: 1, full: true, upserts: [makeRow(1)], removed: [], stats: {}, ts: 0 }],
    ['version 2 (a batch)', { seq: 1, full: true, rows: { ids: new Float64Array(0), counters: new Float64Array(0), texts: [] }, removed: [], stats: {}, ts: 0 }],
    ['seq not an integer', { ...good, seq: 1.5 }],
    ['viewSeq missing', { ...good, viewSeq: undefined }],
    ['total negative', { ...good, total: -1 }],
    ['count a string', { ...good, count: '4' }],
    ['start missing', { ...good, start: undefined }],
    ['count above total', { ...good, count: 6 }],
    ['window past the count', { ...good, start: 3 }],
    ['rows not an array', { ...good, rows: {} }],
    ['a row not an object', { ...good, rows: [makeRow(1), 2] }],
    ['too many rows', { ...good, total: 2000, count: 2000, start: 0, rows: Array.from({ length: MAX_VIEW_ROWS + 1 }, (_, i) => makeRow(i)) }],
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
  proc.send({ type: 'update', update: { ...good, seq: 7, total: 2000, count: 1500, start: 500, rows: Array.from({ length: MAX_VIEW_ROWS }, (_, i) => makeRow(i)), selected: null } });
  assert.deepEqual(updates.map((u) => u.seq), [5, 6, 7], 'well-formed updates, empty and full windows included, pass');
});
