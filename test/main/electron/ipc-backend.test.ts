import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createIpcBackend } from '../../../src/main/electron/ipc-backend.ts';
import { EngineHostClient, type HostProcessLike } from '../../../src/main/electron/engine-host-client.ts';
import type { CaptureStatusView, EngineUpdate } from '../../../src/shared/ipc.ts';
import { COUNTER_COUNT } from '../../../src/shared/flow-update.ts';
import { makeRow } from '../session/fake-engine.ts';
import { FlowBatchEncoder } from '../../../src/main/session/flow-batch-encoder.ts';

/** A well-formed update of two flows. */
function update(seq = 1): EngineUpdate {
  const rows = new FlowBatchEncoder().encode([makeRow(1), makeRow(2)], true);
  return { seq, full: true, rows, removed: [], stats: {} as EngineUpdate['stats'], ts: 0 };
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
  assert.equal(updates[0], u, 'relayed as it came: the same object, typed arrays untouched');
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
  const { rows } = good;
  const bad: [string, unknown][] = [
    ['no update', undefined],
    ['version 1 (upserts)', { seq: 1, full: true, upserts: [makeRow(1)], removed: [], stats: {}, ts: 0 }],
    ['ids as a plain array', { ...good, rows: { ...rows, ids: [...rows.ids] } }],
    ['counters as a plain array', { ...good, rows: { ...rows, counters: [...rows.counters] } }],
    ['ids as another typed array', { ...good, rows: { ...rows, ids: Float32Array.from(rows.ids) } }],
    ['counters too short', { ...good, rows: { ...rows, counters: rows.counters.subarray(0, COUNTER_COUNT) } }],
    ['counters too long', { ...good, rows: { ...rows, counters: new Float64Array(rows.counters.length + 1) } }],
    ['texts missing', { ...good, rows: { ids: rows.ids, counters: rows.counters } }],
    ['texts not an array', { ...good, rows: { ...rows, texts: {} } }],
    ['rows missing', { ...good, rows: undefined }],
    ['removed missing', { ...good, removed: undefined }],
    ['seq not an integer', { ...good, seq: 1.5 }],
    ['full not a boolean', { ...good, full: 1 }],
    ['stats missing', { ...good, stats: null }],
    ['ts missing', { ...good, ts: undefined }],
  ];
  for (const [, u] of bad) proc.send({ type: 'update', update: u });
  assert.equal(updates.length, 0, bad.map(([what]) => what).join(', '));
  proc.send({ type: 'update', update: good });
  proc.send({ type: 'update', update: { ...good, seq: 6, full: false, rows: { ids: new Float64Array(0), counters: new Float64Array(0), texts: [] } } });
  assert.deepEqual(updates.map((u) => u.seq), [5, 6], 'well-formed updates, empty ones included, pass');
});
