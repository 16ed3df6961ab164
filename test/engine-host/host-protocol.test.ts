import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dispatchHostCall, serveHost, servePage, type HostServices, type MessagePortLike, type PageLink } from '../../src/engine-host/host-protocol.ts';
import { API_VERSION, HOST_API, HOST_METHODS, PAGE_METHODS, createApiClient, isCallMessage, type HostToPage } from '../../src/shared/api.ts';
import { EngineHost } from '../../src/engine-host/engine-host.ts';
import { eth, ipv4, pcap, tcp, TCP, udp } from '../engine/capture-fixtures.ts';
import type { EngineUpdate } from '../../src/shared/ipc.ts';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SettingsFile } from '../../src/engine-host/settings-file.ts';
import { fullRows } from '../support/full-update.ts';

/** A small real capture: one TCP flow, two packets. */
const PCAP = pcap([
  { ts: 1700000000.000001, data: eth(0x0800, ipv4('192.0.2.10', '198.51.100.20', 6, tcp(40000, 80, TCP.SYN))) },
  { ts: 1700000000.1, data: eth(0x0800, ipv4('198.51.100.20', '192.0.2.10', 6, tcp(80, 40000, TCP.SYN | TCP.ACK))) },
]);

function services(): HostServices & { filters: string[] } {
  const filters: string[] = [];
  return {
    filters,
    engineHost: new EngineHost({ intervalMs: 5 }),
    listInterfaces: () => [{ name: 'lo', addresses: ['127.0.0.1'], up: true, loopback: true }],
    settings: new SettingsFile(null),
    validateFilter: (f) => {
      filters.push(f);
      return f === 'bad' ? { ok: false, error: { code: 'bad_filter', message: 'Invalid capture filter: syntax error.', action: 'Fix it.' } } : { ok: true, value: undefined };
    },
  };
}

const value = (r: { type: string; value?: unknown }) => {
  assert.equal(r.type, 'result');
  return r.value as { ok: boolean; error: { code: string; message: string } };
};

test('the table: every method has a spec; the page may not call the three that take a path', () => {
  assert.deepEqual([...HOST_METHODS].sort(), ['exportTable', 'flowSeries', 'getSettings', 'listInterfaces', 'openFile', 'saveCapture', 'saveFlowPackets', 'saveSettings', 'setFavourites', 'setNotificationRules', 'setOverview', 'setPaused', 'setView', 'startCapture', 'stopCapture', 'validateFilter']);
  assert.deepEqual([...PAGE_METHODS].sort(), ['exportTable', 'flowSeries', 'getSettings', 'listInterfaces', 'saveSettings', 'setFavourites', 'setNotificationRules', 'setOverview', 'setPaused', 'setView', 'startCapture', 'stopCapture', 'validateFilter']);
  for (const m of ['openFile', 'saveCapture', 'saveFlowPackets'] as const) assert.equal(HOST_API[m].caller, 'shell');
  assert.ok(Object.isFrozen(HOST_API));
  for (const m of HOST_METHODS) assert.ok(Object.isFrozen(HOST_API[m]), m);
});

test('only well-formed calls to known methods are accepted', () => {
  assert.ok(isCallMessage({ type: 'call', id: 1, method: 'listInterfaces' }));
  for (const m of HOST_METHODS) assert.ok(isCallMessage({ type: 'call', id: 2, method: m, arg: null }));
  for (const bad of [null, 'x', { type: 'call', id: 1.5, method: 'listInterfaces' }, { type: 'call', id: 1, method: 'constructor' }, { type: 'call', id: 1, method: 'toString' }, { type: 'result', id: 1, method: 'listInterfaces' }, { type: 'call', method: 'stopCapture' }]) {
    assert.equal(isCallMessage(bad), false, JSON.stringify(bad));
  }
});

test('the host validates arguments and checks the filter before starting a capture', async () => {
  const s = services();
  assert.deepEqual(await dispatchHostCall(s, 'listInterfaces', undefined, 'page'), { type: 'result', value: s.listInterfaces() });
  assert.equal(value(await dispatchHostCall(s, 'startCapture', { interface: 'eth0', filter: 'bad', promisc: false }, 'page')).error.code, 'bad_filter', 'a bad filter stops the start before the helper runs');
  assert.equal(value(await dispatchHostCall(s, 'startCapture', { interface: '-x', filter: '', promisc: false }, 'page')).error.code, 'bad_arguments');
  assert.equal(value(await dispatchHostCall(s, 'startCapture', { interface: 'eth0', filter: '', promisc: false, extra: 1 }, 'page')).error.code, 'bad_arguments');
  assert.equal(value(await dispatchHostCall(s, 'openFile', 'relative.pcap', 'shell')).error.code, 'bad_arguments');
  // A flow's chart series: only a flow id; one the table does not hold is a clear error, not a crash.
  for (const bad of [0, -1, 1.5, '1', null, { id: 1 }]) assert.equal(value(await dispatchHostCall(s, 'flowSeries', bad, 'page')).error.message, 'That is not a flow id.', JSON.stringify(bad));
  assert.equal(value(await dispatchHostCall(s, 'flowSeries', 7, 'page')).error.message, 'This flow is no longer in the table.');
  assert.equal(value(await dispatchHostCall(s, 'openFile', '/nonexistent/sp-host-test.pcap', 'shell')).error.code, 'unreadable_file');
  assert.equal(value(await dispatchHostCall(s, 'startCapture', { interface: 'eth0', filter: 'tcp', promisc: false }, 'page')).error.code, 'internal', 'no live capture wired in this session');
  assert.deepEqual(s.filters, ['bad', 'tcp']);
  // A method that takes nothing refuses an argument; one whose promise is void rejects (an `error` reply).
  assert.deepEqual(await dispatchHostCall(s, 'stopCapture', 'x', 'page'), { type: 'error', message: 'stopCapture takes no argument.' });
  assert.deepEqual(await dispatchHostCall(s, 'setPaused', 'yes', 'page'), { type: 'error', message: 'Expected true or false.' });
  await s.engineHost.dispose();
});

test('settings: the page reads them and saves a whole, valid object; anything else is refused and changes nothing', async () => {
  const s = services();
  const defaults = (await dispatchHostCall(s, 'getSettings', undefined, 'page')) as { type: 'result'; value: Record<string, unknown> };
  assert.equal(defaults.value.theme, 'system');
  const next = { ...defaults.value, theme: 'dark', filterHistory: ['proto:udp'] };
  assert.deepEqual(await dispatchHostCall(s, 'saveSettings', next, 'page'), { type: 'result', value: undefined });
  assert.deepEqual(await dispatchHostCall(s, 'getSettings', undefined, 'page'), { type: 'result', value: next });
  assert.deepEqual(await dispatchHostCall(s, 'saveSettings', { ...next, theme: 'neon' }, 'page'), { type: 'error', message: 'The setting theme is not valid.' });
  assert.equal(((await dispatchHostCall(s, 'saveSettings', { theme: 'light' }, 'page')) as { type: string }).type, 'error');
  assert.deepEqual(await dispatchHostCall(s, 'getSettings', undefined, 'page'), { type: 'result', value: next });
  await s.engineHost.dispose();
});

test('a page never names a path: openFile and saveCapture from a page are refused before anything is read or written', async () => {
  const s = services();
  const dir = mkdtempSync(path.join(tmpdir(), 'sp-host-'));
  const file = path.join(dir, 'x.cap');
  writeFileSync(file, PCAP);
  try {
    for (const m of ['openFile', 'saveCapture'] as const) {
      const r = value(await dispatchHostCall(s, m, file, 'page'));
      assert.equal(r.ok, false);
      assert.equal(r.error.code, 'bad_arguments');
    }
    assert.equal(s.engineHost.getStatus().source, null, 'nothing was opened');
    assert.equal(value(await dispatchHostCall(s, 'openFile', file, 'shell')).ok, true, 'the shell may');
  } finally {
    await s.engineHost.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('setView: a bad request is refused (rejects), changes nothing and gets no update', async () => {
  const s = services();
  const updates: EngineUpdate[] = [];
  s.engineHost.onUpdate((u) => updates.push(u));
  const good = { seq: 4, sortColumn: 'bytes', sortDir: 'asc', filter: 'proc:x', start: 0, end: 50, select: { index: 0 }, have: null };
  for (const bad of [undefined, null, { ...good, end: 5000 }, { ...good, sortColumn: 'constructor' }, { ...good, extra: 1 }, { ...good, select: { id: 'x' } }, { ...good, have: { start: 0, end: 5000, order: 1 } }]) {
    assert.equal((await dispatchHostCall(s, 'setView', bad, 'page')).type, 'error', JSON.stringify(bad));
  }
  await new Promise((r) => setImmediate(r));
  assert.equal(updates.length, 0, 'no reply to a refused request');
  assert.deepEqual(await dispatchHostCall(s, 'setView', good, 'page'), { type: 'result', value: undefined });
  await new Promise((r) => setImmediate(r));
  assert.equal(updates.length, 1);
  assert.equal(updates[0].viewSeq, 4);
  await s.engineHost.dispose();
});

function fakeLink() {
  const posted: HostToPage[] = [];
  let onMessage: ((d: unknown) => void) | null = null;
  let onClose: (() => void) | null = null;
  const link: PageLink = { post: (m) => void posted.push(m), onMessage: (l) => void (onMessage = l), onClose: (l) => void (onClose = l), close: () => onClose?.() };
  return { link, posted, send: (d: unknown) => onMessage!(d), close: () => onClose!() };
}

async function until(cond: () => boolean, what: string): Promise<void> {
  for (const deadline = Date.now() + 10_000; !cond(); ) {
    if (Date.now() > deadline) assert.fail(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

test('servePage: hello and status first, answers page calls by id, refuses shell methods, forwards updates until closed', async () => {
  const s = services();
  const l = fakeLink();
  servePage(l.link, s);
  assert.deepEqual(l.posted.slice(0, 2), [{ type: 'hello', version: API_VERSION }, { type: 'status', status: s.engineHost.getStatus() }]);
  l.send({ type: 'call', id: 7, method: 'listInterfaces' });
  l.send({ type: 'call', id: 8, method: 'openFile', arg: '/etc/passwd' });
  l.send({ type: 'call', id: 9, method: 'setView', arg: { seq: 1, sortColumn: 'bytes', sortDir: 'asc', filter: '', start: 0, end: 10, select: null, have: null } });
  l.send('junk');
  l.send({ type: 'call', id: 10, method: '__proto__' });
  await until(() => l.posted.some((m) => m.type === 'update'), 'the reply to setView');
  const byId = new Map(l.posted.flatMap((m) => ('id' in m ? [[m.id, m] as const] : [])));
  assert.deepEqual([...byId.keys()].sort(), [7, 8, 9]);
  assert.deepEqual(byId.get(7), { type: 'result', id: 7, value: s.listInterfaces() });
  assert.equal((byId.get(8) as { value: { error: { code: string } } }).value.error.code, 'bad_arguments');
  l.close();
  const n = l.posted.length;
  l.send({ type: 'call', id: 11, method: 'listInterfaces' });
  s.engineHost.setView({ seq: 2, sortColumn: 'bytes', sortDir: 'asc', filter: '', start: 0, end: 10, select: null, have: null });
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(l.posted.length, n, 'nothing reaches a closed link');
  await s.engineHost.dispose();
});

test('serveHost: the shell may open files; a connect message serves its port as a page, a second one replaces it', async () => {
  const s = services();
  const toMain: unknown[] = [];
  let fromMain: ((e: { data: unknown; ports?: readonly MessagePortLike[] }) => void) | null = null;
  serveHost({ on: (_e, l) => (fromMain = l), postMessage: (m) => toMain.push(m) }, s);
  const port = () => {
    const p = { posted: [] as unknown[], listeners: new Map<string, (e?: unknown) => void>(), started: false, closed: false };
    const like: MessagePortLike = {
      on: (ev: string, l: (e?: unknown) => void) => void p.listeners.set(ev, l),
      postMessage: (m) => void p.posted.push(m),
      start: () => void (p.started = true),
      close: () => void (p.closed = true),
    } as MessagePortLike;
    return { p, like };
  };
  const a = port();
  fromMain!({ data: { type: 'connect' }, ports: [a.like] });
  assert.ok(a.p.started);
  assert.deepEqual(a.p.posted[0], { type: 'hello', version: API_VERSION });
  a.p.listeners.get('message')!({ data: { type: 'call', id: 1, method: 'listInterfaces' } });
  await until(() => a.p.posted.some((m) => (m as { id?: number }).id === 1), 'the page call answered on its port');
  assert.equal(toMain.length, 0, 'page answers go to the page, not to main');

  const dir = mkdtempSync(path.join(tmpdir(), 'sp-host-'));
  const file = path.join(dir, 'x.cap');
  writeFileSync(file, PCAP);
  fromMain!({ data: { type: 'call', id: 5, method: 'openFile', arg: file } });
  await until(() => toMain.length === 1, 'the shell call answered');
  assert.deepEqual(toMain[0], { type: 'result', id: 5, value: { ok: true, value: { path: file } } });
  await until(() => a.p.posted.some((m) => (m as { type: string }).type === 'update'), 'the update reaches the page port');

  const b = port();
  fromMain!({ data: { type: 'connect' }, ports: [b.like] });
  assert.ok(a.p.closed, 'the previous page port is closed');
  const before = a.p.posted.length;
  s.engineHost.setView({ seq: 3, sortColumn: 'bytes', sortDir: 'asc', filter: '', start: 0, end: 10, select: null, have: null });
  await until(() => b.p.posted.some((m) => (m as { type: string }).type === 'update'), 'the new port gets updates');
  assert.equal(a.p.posted.length, before, 'the old port gets none');
  rmSync(dir, { recursive: true, force: true });
  await s.engineHost.dispose();
});

test('setFavourites and setNotificationRules: bad arguments are refused; favourites reorder the table in the next update', async () => {
  const s = services();
  const dir = mkdtempSync(path.join(tmpdir(), 'sp-fav-'));
  const file = path.join(dir, 'two.pcap');
  writeFileSync(file, pcap([
    { ts: 1700000000, data: eth(0x0800, ipv4('192.0.2.10', '198.51.100.20', 17, udp(40000, 53))) },
    { ts: 1700000001, data: eth(0x0800, ipv4('192.0.2.10', '203.0.113.9', 17, udp(40001, 123))) },
  ]));
  assert.equal(value(await dispatchHostCall(s, 'openFile', file, 'shell')).ok, true);
  const good = { flows: [], hosts: ['198.51.100.20'], programs: [], only: false };
  for (const bad of [null, { ...good, extra: 1 }, { ...good, flows: [0] }, { ...good, hosts: ['A.example'] }, { ...good, programs: ['x', 'x'] }, { ...good, only: 'yes' }, { ...good, hosts: Array.from({ length: 501 }, (_, i) => `h${i}.example`) }]) {
    assert.equal((await dispatchHostCall(s, 'setFavourites', bad, 'page')).type, 'error', JSON.stringify(bad));
  }
  for (const bad of [null, { newProgram: true }, { newProgram: true, newHost: false, flowBytes: 0, programBytes: null, flowRate: null, programRate: null, desktop: false }]) {
    assert.equal((await dispatchHostCall(s, 'setNotificationRules', bad, 'page')).type, 'error', JSON.stringify(bad));
  }
  const updates: EngineUpdate[] = [];
  s.engineHost.onUpdate((u) => updates.push(u));
  await dispatchHostCall(s, 'setView', { seq: 1, sortColumn: 'last_seen', sortDir: 'desc', filter: '', start: 0, end: 10, select: null, have: null }, 'page');
  await until(() => updates.length > 0, 'the reply to setView');
  assert.deepEqual(fullRows(updates.at(-1)!).map((r) => r.dst), ['203.0.113.9', '198.51.100.20']);
  assert.deepEqual(await dispatchHostCall(s, 'setFavourites', good, 'page'), { type: 'result', value: undefined });
  const n = updates.length;
  await until(() => updates.length > n, 'the reply to setFavourites');
  assert.deepEqual(fullRows(updates.at(-1)!).map((r) => r.dst), ['198.51.100.20', '203.0.113.9']);
  await dispatchHostCall(s, 'setFavourites', { ...good, only: true }, 'page');
  await until(() => updates.at(-1)?.count === 1, 'favourites only');
  assert.deepEqual(await dispatchHostCall(s, 'setNotificationRules', { newProgram: true, newHost: true, flowBytes: 10, programBytes: null, flowRate: null, programRate: null, desktop: true }, 'page'), { type: 'result', value: undefined });
  await s.engineHost.dispose();
  rmSync(dir, { recursive: true, force: true });
});

test('the page client passes well-formed notice events to its listeners and drops malformed ones', () => {
  const client = createApiClient(() => {}, { openCaptureFile: async () => ({ ok: true, value: null }), saveCapture: async () => ({ ok: true, value: null }), saveTableExport: async () => ({ ok: true, value: null }), saveFlowPackets: async () => ({ ok: true, value: null }) });
  const got: unknown[] = [];
  client.api.onNotice((n) => got.push(n));
  const notice = { kind: 'new_host', count: 3, names: ['a.example'], threshold: null, ts: 1 };
  client.receive({ type: 'notice', notices: [notice] });
  client.receive({ type: 'notice', notices: [{ ...notice, kind: 'other' }] });
  client.receive({ type: 'notice', notices: 'x' });
  assert.deepEqual(got, [[notice]]);
});
