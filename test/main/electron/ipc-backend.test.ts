import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createIpcBackend } from '../../../src/main/electron/ipc-backend.ts';
import { EngineHostClient, type HostProcessLike } from '../../../src/main/electron/engine-host-client.ts';
import type { CaptureStatusView, EngineUpdate } from '../../../src/shared/ipc.ts';

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
  const u = { seq: 1, full: true, upserts: [], removed: [], stats: {} as EngineUpdate['stats'], ts: 0 };
  proc.send({ type: 'update', update: u });
  proc.send('garbage');
  proc.send(null);
  assert.deepEqual(updates, [u]);
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
