import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, readFileSync, mkdirSync, rmSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EngineHost } from '../../src/engine-host/engine-host.ts';
import { mapCaptureFailure } from '../../src/engine-host/app-errors.ts';
import type { CaptureStatusView, EngineUpdate, ViewRequest } from '../../src/shared/ipc.ts';
import type { LiveCaptureSink } from '../../src/engine-host/types.ts';
import type { SandboxMessage } from '../../src/shared/helper-protocol.ts';
import type { FlowRow } from '../../src/shared/flow.ts';
import { DEFAULT_VIEW } from '../../src/engine-host/view/flow-view-model.ts';
import { FakeEngine } from './fake-engine.ts';

function tmp(): string {
  return mkdtempSync(path.join(tmpdir(), 'sp-session-test-'));
}

function record(session: EngineHost): { updates: EngineUpdate[]; statuses: CaptureStatusView[] } {
  const updates: EngineUpdate[] = [];
  const statuses: CaptureStatusView[] = [];
  session.onUpdate((u) => updates.push(u));
  session.onStatus((s) => statuses.push(s));
  return { updates, statuses };
}

/** The flow ids an update carries, in numeric order. */
function idsOf(u: EngineUpdate): number[] {
  return u.rows.map((r) => r.id).sort((a, b) => a - b);
}

/** The rows of an update whose window shows every flow. */
function allRows(u: EngineUpdate): FlowRow[] {
  assert.equal(u.start, 0);
  assert.equal(u.rows.length, u.total, 'the window holds every flow');
  return u.rows;
}

let viewSeq = 0;
function view(p: Partial<ViewRequest> = {}): ViewRequest {
  return { ...DEFAULT_VIEW, seq: ++viewSeq, ...p };
}

function waitFor<T>(session: EngineHost, pick: (u: EngineUpdate) => T | undefined): Promise<T> {
  return new Promise((resolve) => {
    const off = session.onUpdate((u) => {
      const v = pick(u);
      if (v !== undefined) {
        off();
        resolve(v);
      }
    });
  });
}

const SANDBOX: SandboxMessage = {
  type: 'sandbox', status: 'fully_enforced', landlock_abi: 7, landlock_abi_kernel: 7, fs_restricted: true, net_restricted: true,
  scoped: true, no_new_privs: true, cap_net_raw_dropped: true, uid: 1000, gid: 1000, all_threads: true, threads: 7,
  probes: { raw_socket: 'denied', file_open: 'denied', tcp_connect: 'denied' }, details: 'test',
};

test('file read: updates while reading, then a final one holding every flow and state "stopped"', async () => {
  const dir = tmp();
  try {
    const file = path.join(dir, 'a.cap');
    // 3000 packets over 30 flows, read 64 bytes at a time so many chunks pass through the engine.
    writeFileSync(file, Uint8Array.from({ length: 3000 }, (_, i) => i % 30));
    let engine: FakeEngine | null = null;
    const session = new EngineHost({ createEngine: () => (engine = new FakeEngine()), intervalMs: 5, chunkBytes: 64 });
    const rec = record(session);
    const final = waitFor(session, (u) => (session.getStatus().state === 'stopped' ? u : undefined));
    const r = await session.openFile(file);
    assert.deepEqual(r, { ok: true, value: { path: file } });
    const last = await final;
    assert.equal(allRows(last).length, 30, 'the final update holds every flow');
    assert.equal(allRows(last).reduce((n, row) => n + row.packets_fwd, 0), 3000);
    assert.equal(last.stats.packets, 3000);
    assert.equal(last.stats.flows, 30);
    assert.ok(engine!.ended, 'engine.end() was called');
    assert.deepEqual(rec.statuses.map((s) => s.state), ['reading', 'stopped']);
    assert.deepEqual(rec.statuses[0].source, { kind: 'file', path: file });
    assert.equal(rec.statuses[1].sandbox, null, 'files never carry a sandbox report');
    // seq increases by one per update.
    assert.ok(rec.updates.length > 2, 'updates while reading');
    rec.updates.forEach((u, i) => assert.equal(u.seq, rec.updates[0].seq + i));
    // The default view, sorted by last seen (newest first).
    assert.deepEqual(last.rows.map((x) => x.last_seen), last.rows.map((x) => x.last_seen).sort((a, b) => b - a));
    assert.equal(last.viewSeq, 0);
    await session.dispose();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a file that cannot be opened or is not a capture leaves the current file and its flows in place', async () => {
  const dir = tmp();
  try {
    const good = path.join(dir, 'good.cap');
    writeFileSync(good, Uint8Array.from([1, 2, 3]));
    const notCapture = path.join(dir, 'text.cap');
    writeFileSync(notCapture, Uint8Array.from([0xff, 1, 2]));
    const session = new EngineHost({ createEngine: () => new FakeEngine(), intervalMs: 5 });
    const loaded = waitFor(session, (u) => (u.total === 3 ? u : undefined));
    assert.ok((await session.openFile(good)).ok);
    await loaded;
    const rec = record(session);
    for (const f of [path.join(dir, 'missing.cap'), dir, notCapture]) {
      const r = await session.openFile(f);
      assert.ok(!r.ok && r.error.code === 'unreadable_file', f);
    }
    const bad = await session.openFile(notCapture);
    assert.ok(!bad.ok && bad.error.message === 'Cannot read text.cap: corrupt record at byte 0.');
    assert.deepEqual(session.getStatus().source, { kind: 'file', path: good });
    assert.equal(session.getStatus().state, 'stopped');
    assert.deepEqual(rec.statuses, [], 'no status change');
    const reply = waitFor(session, (u) => u);
    session.setView(view());
    assert.deepEqual(idsOf(await reply), [1, 2, 3], 'the flows are still there');
    await session.dispose();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('file read: a corrupt record keeps the flows read so far and reports the byte offset', async () => {
  const dir = tmp();
  try {
    const file = path.join(dir, 'bad.cap');
    writeFileSync(file, Uint8Array.from([1, 2, 3, 2, 0xff, 4, 5]));
    const session = new EngineHost({ createEngine: () => new FakeEngine(), intervalMs: 5 });
    const final = waitFor(session, (u) => (session.getStatus().state === 'error' ? u : undefined));
    const r = await session.openFile(file);
    assert.equal(r.ok, false);
    assert.ok(!r.ok && r.error.code === 'unreadable_file');
    assert.match(!r.ok ? r.error.message : '', /^Cannot read bad\.cap: corrupt record at byte 4\.$/);
    assert.ok(!r.ok && r.error.action.length > 0);
    const last = await final;
    assert.deepEqual(idsOf(last), [1, 2, 3]);
    assert.deepEqual(session.getStatus().error, !r.ok ? r.error : null);
    await session.dispose();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('file read: missing file, folder and unreadable file are one-sentence errors with an action', async () => {
  const dir = tmp();
  try {
    const session = new EngineHost({ createEngine: () => new FakeEngine(), intervalMs: 5 });
    const missing = await session.openFile(path.join(dir, 'nope.pcap'));
    assert.ok(!missing.ok);
    assert.equal(missing.error.message, 'Cannot read nope.pcap: the file does not exist.');
    assert.equal(session.getStatus().state, 'idle', 'a refused file changes nothing');
    mkdirSync(path.join(dir, 'sub'));
    const folder = await session.openFile(path.join(dir, 'sub'));
    assert.ok(!folder.ok);
    assert.match(folder.error.message, /it is a folder/);
    if (process.getuid?.() !== 0) {
      const locked = path.join(dir, 'locked.pcap');
      writeFileSync(locked, 'x');
      chmodSync(locked, 0);
      const denied = await session.openFile(locked);
      assert.ok(!denied.ok);
      assert.match(denied.error.message, /permission denied/);
    }
    for (const r of [missing, folder]) assert.ok(!r.ok && r.error.code === 'unreadable_file' && r.error.action === 'Choose a pcap or pcapng file that you can read.');
    await session.dispose();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

interface FakeLive {
  sink: LiveCaptureSink | null;
  stopped: number;
}

function fakeLive(onStart: (sink: LiveCaptureSink) => void = (s) => s.sandbox(SANDBOX)): { live: FakeLive; start: ConstructorParameters<typeof EngineHost>[0]['startLive'] } {
  const live: FakeLive = { sink: null, stopped: 0 };
  return {
    live,
    start: (_req, sink) => {
      live.sink = sink;
      onStart(sink);
      return {
        devWarning: 'running the capture helper from a source checkout',
        stop: async () => {
          live.stopped++;
          sink.end(null);
        },
      };
    },
  };
}

test('throttling: a packet flood yields at most 10 updates per second, each carrying the window asked for', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 1_000_000 });
  const { live, start } = fakeLive();
  const session = new EngineHost({ createEngine: () => new FakeEngine(), startLive: start });
  const rec = record(session);
  const started = await session.startCapture({ interface: 'lo', filter: '', promisc: false });
  assert.deepEqual(started, { ok: true, value: undefined });
  const times: number[] = [];
  session.onUpdate(() => times.push(Date.now()));
  // 100 flows touched once at the start, then a flood of 5 000 packets per simulated ms on flows 0..4 only.
  live.sink!.data(Uint8Array.from({ length: 100 }, (_, i) => 100 + i));
  const hot = Uint8Array.from({ length: 5000 }, (_, i) => i % 5);
  for (let ms = 0; ms < 3000; ms++) {
    live.sink!.data(hot);
    t.mock.timers.tick(1);
  }
  t.mock.timers.tick(200);
  assert.ok(times.length >= 25, `updates kept flowing (${times.length})`);
  for (let i = 0; i + 10 < times.length; i++) assert.ok(times[i + 10] - times[i] >= 1000, `11 updates within 1 s at #${i}`);
  const late = rec.updates.slice(2);
  assert.ok(late.length > 20);
  for (const u of late) {
    assert.equal(u.total, 105);
    assert.equal(u.rows.length, 100, 'the default window, whatever the number of flows');
    assert.deepEqual(u.rows.slice(0, 5).map((r) => r.id).sort(), [0, 1, 2, 3, 4], 'the hot flows were seen last');
  }
  const pkts = rec.updates.at(-1)!.stats.packets;
  assert.equal(pkts, 100 + 3000 * 5000, 'the engine saw every packet');
  assert.ok(rec.updates.at(-1)!.stats.packetsPerSecond > 0);
  t.mock.timers.reset();
  await session.dispose();
  assert.equal(live.stopped, 1, 'dispose stops the capture');
});

test('live: sandbox report and dev warning reach the status; stop ends with an update and "stopped"', async () => {
  const { live, start } = fakeLive();
  const session = new EngineHost({ createEngine: () => new FakeEngine(), startLive: start, intervalMs: 5 });
  const rec = record(session);
  await session.startCapture({ interface: 'eth0', filter: 'tcp', promisc: false });
  const s = session.getStatus();
  assert.equal(s.state, 'capturing');
  assert.deepEqual(s.source, { kind: 'live', interface: 'eth0' });
  assert.equal(s.sandbox?.status, 'fully_enforced');
  assert.equal(s.devWarning, 'running the capture helper from a source checkout');
  live.sink!.data(Uint8Array.from([7, 7, 8]));
  const final = waitFor(session, (u) => (session.getStatus().state === 'stopped' ? u : undefined));
  await session.stopCapture();
  const last = await final;
  assert.deepEqual(idsOf(last), [7, 8]);
  assert.deepEqual(last.rows.find((r) => r.id === 7)?.packets_fwd, 2);
  const states = rec.statuses.map((x) => x.state).filter((x, i, a) => i === 0 || a[i - 1] !== x);
  assert.deepEqual(states, ['starting', 'capturing', 'stopped']);
  await session.dispose();
});

test('live: a capture that fails to start resolves with the AppError (code, message, action) and shows it', async () => {
  const error = mapCaptureFailure({ kind: 'dismissed', message: 'authentication dismissed: the capture was not started' }, null);
  const { start } = fakeLive((sink) => sink.end(error));
  const session = new EngineHost({ createEngine: () => new FakeEngine(), startLive: start, intervalMs: 5 });
  const r = await session.startCapture({ interface: 'eth0', filter: '', promisc: false });
  assert.deepEqual(r, { ok: false, error });
  assert.equal(error.code, 'auth_dismissed');
  assert.equal(error.message, 'Authentication dismissed: the capture was not started.');
  assert.match(error.action, /password/);
  assert.equal(session.getStatus().state, 'error');
  assert.deepEqual(session.getStatus().error, error);
  await session.dispose();
});

test('pause freezes the flows (packets still counted) but setView is answered from them; resume catches up', async () => {
  const { live, start } = fakeLive();
  const session = new EngineHost({ createEngine: () => new FakeEngine(), startLive: start, intervalMs: 5 });
  const first = waitFor(session, (u) => (u.total === 2 ? u : undefined));
  await session.startCapture({ interface: 'lo', filter: '', promisc: false });
  live.sink!.data(Uint8Array.from([1, 2]));
  await first;
  session.setPaused(true);
  assert.equal(session.getStatus().state, 'paused');
  const rec = record(session);
  live.sink!.data(Uint8Array.from([1, 1, 3]));
  await new Promise((r) => setTimeout(r, 40));
  assert.equal(rec.updates.length, 0, 'no engine updates while paused');
  const reply = waitFor(session, (u) => u);
  session.setView(view({ sortColumn: 'packets', sortDir: 'desc' }));
  const frozen = await reply;
  assert.equal(frozen.total, 2, 'flow 3 came after the pause');
  assert.deepEqual(frozen.rows.map((r) => [r.id, r.packets_fwd]), [[1, 1], [2, 1]], 'the counters as they were');
  const resumed = waitFor(session, (u) => u);
  session.setPaused(false);
  const u = await resumed;
  assert.deepEqual(u.rows.map((r) => [r.id, r.packets_fwd]), [[1, 3], [2, 1], [3, 1]], 'resuming drains what changed meanwhile, in the view asked for');
  assert.equal(u.viewSeq, frozen.viewSeq);
  assert.equal(u.stats.packets, 5);
  assert.equal(session.getStatus().state, 'capturing');
  await session.dispose();
});

test('setView is answered promptly, not at the next engine update; calls of one turn get one reply', async () => {
  const { live, start } = fakeLive();
  // An interval no test waits for: every update below is a reply.
  const session = new EngineHost({ createEngine: () => new FakeEngine(), startLive: start, intervalMs: 60_000 });
  const rec = record(session);
  const idle = waitFor(session, (u) => u);
  session.setView(view());
  const none = await idle;
  assert.deepEqual([none.total, none.count, none.rows, none.selected, none.filterError], [0, 0, [], null, null], 'answered with no source too');
  assert.equal(none.stats.packets, 0);
  const first = waitFor(session, (u) => u);
  await session.startCapture({ interface: 'lo', filter: '', promisc: false });
  assert.equal((await first).total, 0, 'the new source starts with an empty table (its first update comes at once)');
  live.sink!.data(Uint8Array.from([1, 2, 3, 2]));
  rec.updates.length = 0;
  // Nothing drained yet (the next engine update is a minute away): replies come from the flows held.
  const reply = waitFor(session, (u) => u);
  const a = view({ sortColumn: 'bytes' });
  const b = view({ sortColumn: 'bytes', filter: 'port:abc' });
  const c = view({ sortColumn: 'bytes', sortDir: 'asc', select: { id: 2 } });
  session.setView(a);
  session.setView(b);
  session.setView(c);
  const u = await reply;
  await new Promise((r) => setImmediate(r));
  assert.equal(rec.updates.length, 1, 'one reply for three calls');
  assert.equal(u.viewSeq, c.seq, 'reflecting the last request');
  assert.equal(u.filterError, null, 'the last request has no filter error');
  assert.deepEqual(u.selected, { id: 2, index: -1, row: null, down: [], up: [] }, 'flow 2 is not drained yet');
  await session.dispose();
});

test('a new source empties the table but keeps the view request and the selection', async () => {
  const dir = tmp();
  try {
    const a = path.join(dir, 'a.cap');
    const b = path.join(dir, 'b.cap');
    writeFileSync(a, Uint8Array.from([1, 2, 2, 3]));
    writeFileSync(b, Uint8Array.from([4, 5, 5, 5]));
    const session = new EngineHost({ createEngine: () => new FakeEngine(), intervalMs: 5 });
    const loaded = waitFor(session, (u) => (u.total === 3 ? u : undefined));
    await session.openFile(a);
    await loaded;
    const req = view({ sortColumn: 'packets', sortDir: 'desc', select: { id: 2 } });
    const selected = waitFor(session, (u) => (u.viewSeq === req.seq ? u : undefined));
    session.setView(req);
    assert.deepEqual((await selected).selected?.row?.id, 2);
    // Updates from the moment the second file is the source.
    const after: EngineUpdate[] = [];
    let switched = false;
    session.onStatus((st) => (switched ||= st.source?.kind === 'file' && st.source.path === b));
    session.onUpdate((x) => switched && after.push(x));
    const next = waitFor(session, (u) => (u.total === 2 ? u : undefined));
    await session.openFile(b);
    const u = await next;
    assert.ok(after.length > 0 && after.every((x) => x.rows.every((r) => r.id >= 4)), 'no flow of the first file after the switch');
    assert.deepEqual(u.rows.map((r) => r.id), [5, 4], 'sorted as asked before the switch');
    assert.equal(u.viewSeq, req.seq);
    assert.deepEqual(u.selected, { id: 2, index: -1, row: null, down: [], up: [] });
    await session.dispose();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('saveCapture copies the pcap stream', async () => {
  const dir = tmp();
  try {
    const { live, start } = fakeLive();
    const session = new EngineHost({ createEngine: () => new FakeEngine(), startLive: start, intervalMs: 5 });
    const first = waitFor(session, (u) => (u.total === 2 ? u : undefined));
    await session.startCapture({ interface: 'lo', filter: '', promisc: false });
    live.sink!.data(Uint8Array.from([4, 5]));
    assert.deepEqual(idsOf(await first), [4, 5]);
    const dest = path.join(dir, 'out.pcap');
    assert.deepEqual(await session.saveCapture(dest), { ok: true, value: { path: dest } });
    assert.deepEqual([...readFileSync(dest)], [4, 5]);
    const bad = await session.saveCapture(path.join(dir, 'no/such/dir/x.pcap'));
    assert.ok(!bad.ok && /Cannot save to x\.pcap: ENOENT/.test(bad.error.message));
    await session.dispose();
    const none = await new EngineHost({ createEngine: () => new FakeEngine() }).saveCapture(dest);
    assert.ok(!none.ok && none.error.message === 'There is no capture to save yet.');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('startCapture without live capture support is an error, not a crash', async () => {
  const session = new EngineHost({ createEngine: () => new FakeEngine() });
  const r = await session.startCapture({ interface: 'lo', filter: '', promisc: false });
  assert.ok(!r.ok && r.error.code === 'internal');
  void mock;
});

test("every update shows the engine's flows as they are: changed counters and texts, removals, returns", async () => {
  const { live, start } = fakeLive();
  let engine: FakeEngine | null = null;
  const session = new EngineHost({ createEngine: () => (engine = new FakeEngine()), startLive: start, intervalMs: 5 });
  const first = waitFor(session, (u) => u);
  await session.startCapture({ interface: 'lo', filter: '', promisc: false });
  await first;
  const step = async (bytes: number[]): Promise<EngineUpdate> => {
    const next = waitFor(session, (u) => u);
    live.sink!.data(Uint8Array.from(bytes));
    const u = await next;
    const want = engine!.snapshot().sort((a, b) => b.last_seen - a.last_seen);
    assert.deepEqual(u.rows, want, `after ${bytes.join(',')}`);
    assert.equal(u.total, want.length);
    return u;
  };
  await step([1, 2, 3]);
  await step([1, 2, 3, 3]);
  Object.assign(engine!.rows.get(2)!, { state: 'closed', host: 'elsewhere.example', dns_queries: ['q.example'] });
  await step([1, 2]);
  const filtered = waitFor(session, (u) => u);
  session.setView(view({ filter: 'state:closed' }));
  assert.deepEqual(idsOf(await filtered), [2], 'the changed text is filtered on');
  const unfiltered = waitFor(session, (u) => u);
  session.setView(view());
  assert.deepEqual(idsOf(await unfiltered), [1, 2, 3]);
  await step([3, 0xfe]);
  const back = await step([3]);
  assert.deepEqual(idsOf(back), [1, 2, 3]);
  assert.equal(back.rows[0].packets_fwd, 1, 'a flow back after removal starts anew');
  await session.dispose();
});
