import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dispatchHostCall, isHostCall, serveHost, HOST_METHODS, type HostServices } from '../../src/engine-host/host-protocol.ts';
import { EngineHost } from '../../src/engine-host/engine-host.ts';
import { FakeEngine } from './fake-engine.ts';
import type { EngineUpdate } from '../../src/shared/ipc.ts';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

function services(): HostServices & { filters: string[] } {
  const filters: string[] = [];
  return {
    filters,
    session: new EngineHost({ createEngine: () => new FakeEngine(), intervalMs: 5 }),
    listInterfaces: () => [{ name: 'lo', addresses: ['127.0.0.1'], up: true, loopback: true }],
    validateFilter: (f) => {
      filters.push(f);
      return f === 'bad' ? { ok: false, error: { code: 'bad_filter', message: 'Invalid capture filter: syntax error.', action: 'Fix it.' } } : { ok: true, value: undefined };
    },
  };
}

test('only well-formed calls to known methods are accepted', () => {
  assert.ok(isHostCall({ type: 'call', id: 1, method: 'listInterfaces' }));
  for (const m of HOST_METHODS) assert.ok(isHostCall({ type: 'call', id: 2, method: m, arg: null }));
  for (const bad of [null, 'x', { type: 'call', id: 1.5, method: 'listInterfaces' }, { type: 'call', id: 1, method: 'constructor' }, { type: 'result', id: 1, method: 'listInterfaces' }, { type: 'call', method: 'stopCapture' }]) {
    assert.equal(isHostCall(bad), false, JSON.stringify(bad));
  }
});

test('the host validates arguments again and checks the filter before starting a capture', async () => {
  const s = services();
  assert.deepEqual(await dispatchHostCall(s, 'listInterfaces', undefined), s.listInterfaces());
  const bad = (await dispatchHostCall(s, 'startCapture', { interface: 'eth0', filter: 'bad', promisc: false })) as { ok: boolean; error: { code: string } };
  assert.equal(bad.error.code, 'bad_filter', 'a bad filter stops the start before the helper runs');
  const badIface = (await dispatchHostCall(s, 'startCapture', { interface: '-x', filter: '', promisc: false })) as { ok: boolean; error: { code: string } };
  assert.equal(badIface.error.code, 'bad_arguments');
  const rel = (await dispatchHostCall(s, 'openFile', 'relative.pcap')) as { ok: boolean; error: { code: string } };
  assert.equal(rel.error.code, 'bad_arguments');
  const missing = (await dispatchHostCall(s, 'openFile', '/nonexistent/sp-host-test.pcap')) as { ok: boolean; error: { code: string } };
  assert.equal(missing.error.code, 'unreadable_file');
  const live = (await dispatchHostCall(s, 'startCapture', { interface: 'eth0', filter: 'tcp', promisc: false })) as { ok: boolean; error: { code: string } };
  assert.equal(live.error.code, 'internal', 'no live capture wired in this session');
  assert.deepEqual(s.filters, ['bad', 'tcp']);
  await s.session.dispose();
});

test('setView: the host validates the request again; a bad one changes nothing and gets no update', async () => {
  const s = services();
  const updates: EngineUpdate[] = [];
  s.session.onUpdate((u) => updates.push(u));
  const good = { seq: 4, sortColumn: 'bytes', sortDir: 'asc', filter: 'proc:x', start: 0, end: 50, select: { index: 0 } };
  for (const bad of [undefined, null, { ...good, end: 5000 }, { ...good, sortColumn: 'constructor' }, { ...good, extra: 1 }, { ...good, select: { id: 'x' } }]) {
    assert.equal(await dispatchHostCall(s, 'setView', bad), undefined);
  }
  await new Promise((r) => setImmediate(r));
  assert.equal(updates.length, 0, 'no reply to a refused request');
  assert.equal(await dispatchHostCall(s, 'setView', good), undefined);
  await new Promise((r) => setImmediate(r));
  assert.equal(updates.length, 1);
  assert.equal(updates[0].viewSeq, 4);
  await s.session.dispose();
});

test('serveHost answers calls by id and forwards status and updates to the port', async () => {
  const s = services();
  const posted: unknown[] = [];
  let onMessage: ((e: { data: unknown }) => void) | null = null;
  serveHost({ on: (_e, l) => (onMessage = l), postMessage: (m) => posted.push(m) }, s);
  onMessage!({ data: { type: 'call', id: 7, method: 'listInterfaces' } });
  onMessage!({ data: { type: 'call', id: 8, method: 'evil' } });
  onMessage!({ data: 'junk' });
  const dir = mkdtempSync(path.join(tmpdir(), 'sp-host-'));
  const file = path.join(dir, 'x.cap');
  writeFileSync(file, Uint8Array.from([1, 2, 2]));
  onMessage!({ data: { type: 'call', id: 9, method: 'openFile', arg: file } });
  const results = () => posted.filter((m) => (m as { type: string }).type === 'result') as { id: number; value: unknown }[];
  // Reading the file is asynchronous: wait for both answers and an update (a loaded machine may take a while), not a fixed time.
  for (const deadline = Date.now() + 10_000; (results().length < 2 || !posted.some((m) => (m as { type: string }).type === 'update')) && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 20));
  rmSync(dir, { recursive: true, force: true });
  assert.deepEqual(results().map((r) => r.id).sort(), [7, 9]);
  assert.ok(posted.some((m) => (m as { type: string }).type === 'status'), 'status forwarded');
  assert.ok(posted.some((m) => (m as { type: string }).type === 'update'), 'update forwarded');
  await s.session.dispose();
});
