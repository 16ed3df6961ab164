import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createIpcBackend, writePrivateText, type HostCaller } from '../../src/main/ipc-backend.ts';
import { EngineHostClient, type HostProcessLike } from '../../src/main/engine-host-client.ts';
import type { AppError } from '../../src/shared/ipc.ts';

function host(connected = true) {
  const calls: [string, unknown][] = [];
  const ports: unknown[] = [];
  const h: HostCaller = {
    call: async (m, a) => (calls.push([m, a]), { ok: true, value: { path: a } }),
    connect: (p) => (ports.push(p), connected),
  };
  return { h, calls, ports };
}
const channel = () => ({ port1: { end: 'host' }, port2: { end: 'page' } });

test('open/save: a cancelled dialog is ok(null) and never reaches the host; a chosen path goes to the host', async () => {
  const { h, calls } = host();
  let choice: string | null = null;
  const b = createIpcBackend(h, { chooseOpen: async () => choice, chooseSave: async () => choice }, channel);
  assert.deepEqual(await b.openCaptureFile(), { ok: true, value: null });
  assert.deepEqual(await b.saveCapture(), { ok: true, value: null });
  assert.deepEqual(calls, []);
  choice = '/home/u/x.pcap';
  assert.deepEqual(await b.openCaptureFile(), { ok: true, value: { path: '/home/u/x.pcap' } });
  assert.deepEqual(await b.saveCapture(), { ok: true, value: { path: '/home/u/x.pcap' } });
  assert.deepEqual(calls, [['openFile', '/home/u/x.pcap'], ['saveCapture', '/home/u/x.pcap']]);
});

test('table export: the dialog proposes flows.FORMAT, the host makes the text, main writes it where the user chose', async () => {
  const calls: [string, unknown][] = [];
  const h: HostCaller = {
    call: async (m, a) => (calls.push([m, a]), { ok: true, value: { format: 'csv', text: 'id\r\n1\r\n', flows: 1 } }),
    connect: () => true,
  };
  const asked: unknown[] = [];
  let choice: string | null = null;
  const writes: [string, string][] = [];
  const b = createIpcBackend(h, { chooseOpen: async () => null, chooseSave: async (o) => (asked.push(o), choice) }, channel, async (f, t) => void writes.push([f, t]));
  const req = { format: 'csv', sortColumn: 'bytes', sortDir: 'desc', filter: 'port:443' } as const;
  assert.deepEqual(await b.saveTableExport(req), { ok: true, value: null });
  assert.deepEqual(calls, [], 'a cancelled dialog asks the host nothing');
  choice = '/home/u/flows.csv';
  assert.deepEqual(await b.saveTableExport(req), { ok: true, value: { path: '/home/u/flows.csv', flows: 1 } });
  assert.deepEqual(calls, [['exportTable', req]]);
  assert.deepEqual(writes, [['/home/u/flows.csv', 'id\r\n1\r\n']]);
  assert.deepEqual(asked[0], { title: 'Export table', defaultName: 'flows.csv', kind: 'csv' });
  // A write that fails is a clear error, not a rejection.
  const failing = createIpcBackend(h, { chooseOpen: async () => null, chooseSave: async () => '/ro/flows.csv' }, channel, async () => {
    throw Object.assign(new Error('read-only'), { code: 'EROFS' });
  });
  const r = await failing.saveTableExport(req);
  assert.equal(r.ok, false);
  assert.match(!r.ok ? r.error.message : '', /Cannot save to flows\.csv: EROFS/);
});

test("a flow's packets: the dialog proposes flow-ID.pcap and the host writes them at the chosen path", async () => {
  const { h, calls } = host();
  let choice: string | null = null;
  const b = createIpcBackend(h, { chooseOpen: async () => null, chooseSave: async () => choice }, channel);
  assert.deepEqual(await b.saveFlowPackets(5), { ok: true, value: null });
  choice = '/home/u/flow-5.pcap';
  await b.saveFlowPackets(5);
  assert.deepEqual(calls, [['saveFlowPackets', { id: 5, path: '/home/u/flow-5.pcap' }]]);
});

test('writePrivateText writes a private file and never follows a link planted at the name', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'sp-ipc-backend-'));
  try {
    const f = path.join(dir, 'flows.csv');
    await writePrivateText(f, 'a,b\r\n');
    assert.equal(readFileSync(f, 'utf8'), 'a,b\r\n');
    assert.equal(statSync(f).mode & 0o777, 0o600);
    const target = path.join(dir, 'target');
    writeFileSync(target, 'keep');
    symlinkSync(target, path.join(dir, 'link.csv'));
    await assert.rejects(writePrivateText(path.join(dir, 'link.csv'), 'x'), { code: 'ELOOP' });
    assert.equal(readFileSync(target, 'utf8'), 'keep');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('connect: one end of a new channel to the host, the other to the page; nothing to the page when the host is gone', async () => {
  const up = host();
  const toPage: unknown[] = [];
  await createIpcBackend(up.h, { chooseOpen: async () => null, chooseSave: async () => null }, channel).connect((p) => toPage.push(p));
  assert.deepEqual(up.ports, [{ end: 'host' }]);
  assert.deepEqual(toPage, [{ end: 'page' }]);
  const down = host(false);
  const none: unknown[] = [];
  await createIpcBackend(down.h, { chooseOpen: async () => null, chooseSave: async () => null }, channel).connect((p) => none.push(p));
  assert.deepEqual(none, []);
});

class FakeProc implements HostProcessLike {
  posted: [unknown, unknown[] | undefined][] = [];
  private msg: ((m: unknown) => void)[] = [];
  private exit: ((c: number) => void)[] = [];
  killed = false;
  postMessage(m: unknown, transfer?: unknown[]) {
    this.posted.push([m, transfer]);
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

test('engine host client: numbered calls, results and errors by id, the port handed over, pending calls fail when the host dies', async () => {
  const proc = new FakeProc();
  const gone: AppError[] = [];
  const client = new EngineHostClient(proc, (e) => gone.push(e));
  const a = client.call('openFile', '/tmp/a.pcap');
  const b = client.call('saveCapture', '/tmp/b.pcap');
  const v = client.call('setView', { seq: 1, sortColumn: 'bytes', sortDir: 'asc', filter: '', start: 0, end: 1, select: null, have: null });
  assert.deepEqual(proc.posted.map(([m]) => m), [
    { type: 'call', id: 1, method: 'openFile', arg: '/tmp/a.pcap' },
    { type: 'call', id: 2, method: 'saveCapture', arg: '/tmp/b.pcap' },
    { type: 'call', id: 3, method: 'setView', arg: { seq: 1, sortColumn: 'bytes', sortDir: 'asc', filter: '', start: 0, end: 1, select: null, have: null } },
  ]);
  proc.send({ type: 'result', id: 2, value: { ok: true, value: { path: '/tmp/b.pcap' } } });
  proc.send({ type: 'result', id: 1, value: { ok: true, value: { path: '/tmp/a.pcap' } } });
  proc.send({ type: 'error', id: 3, message: 'The view window is larger than 1000 rows.' });
  proc.send({ type: 'update', update: {} });
  proc.send('garbage');
  proc.send(null);
  assert.deepEqual(await b, { ok: true, value: { path: '/tmp/b.pcap' } });
  assert.deepEqual(await a, { ok: true, value: { path: '/tmp/a.pcap' } });
  await assert.rejects(v, /larger than 1000 rows/);
  const port = { a: 'port' };
  assert.equal(client.connect(port), true);
  assert.deepEqual(proc.posted.at(-1), [{ type: 'connect' }, [port]], 'the port is transferred, not copied');
  const c = client.call('openFile', '/tmp/c.pcap');
  proc.die(9);
  const r = (await c) as { ok: boolean; error: { code: string } };
  assert.equal(r.ok, false);
  assert.equal(r.error.code, 'internal');
  assert.equal(gone.length, 1);
  assert.match(gone[0].message, /exit status 9/);
  const d = (await client.call('openFile', '/tmp/d.pcap')) as { ok: boolean };
  assert.equal(d.ok, false, 'calls after exit fail at once');
  assert.equal(client.connect({}), false, 'no port to a dead host');
  client.stop();
  assert.equal(proc.killed, false, 'no kill of an exited process');
});
