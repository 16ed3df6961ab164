/**
 * The engine host over the real engine (its default createEngine) fed generated pcap bytes: files read from disk, and
 * live captures from a scripted capture that pushes bytes into the engine it is given, as the real pipeline does.
 */
import { inTempDir } from '../support/temp-dir.ts';
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, writeFileSync, readFileSync, mkdirSync, rmSync, chmodSync, readdirSync, statfsSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EngineHost, MAX_RECORDING_BYTES } from '../../src/engine-host/engine-host.ts';
import { mapCaptureFailure } from '../../src/engine-host/app-errors.ts';
import { createEngine, type Engine } from '../../src/engine/engine.ts';
import type { CaptureStatusView, EngineUpdate, ViewRequest } from '../../src/shared/ipc.ts';
import { fullRows, fullUpdate, type FullUpdate } from '../support/full-update.ts';
import type { LiveCaptureEvents, LiveCaptureIo, StartLiveCapture } from '../../src/engine-host/types.ts';
import type { SandboxMessage } from '../../src/shared/helper-protocol.ts';
import type { FlowRow } from '../../src/shared/flow.ts';
import { DEFAULT_VIEW } from '../../src/engine-host/view/flow-view-model.ts';
import { eth, ipv4, pcap, tcp, udp, TCP, type Rec } from '../engine/capture-fixtures.ts';

function tmp(): string {
  return mkdtempSync(path.join(tmpdir(), 'sp-engine-host-test-'));
}

// ---- packets

const HOST = '192.0.2.1';
const PEER = '198.51.100.7';

/** A UDP frame from this host's `sport` to the peer (one flow per source port). */
function udpRec(ts: number, sport: number, payload: number[] = [1], dport = 9): Rec {
  return { ts, data: eth(0x0800, ipv4(HOST, PEER, 17, udp(sport, dport, payload))) };
}

function tcpRec(ts: number, fromHost: boolean, sport: number, dport: number, flags: number, payload: number[] = []): Rec {
  const [src, dst, sp, dp] = fromHost ? [HOST, PEER, sport, dport] : [PEER, HOST, dport, sport];
  return { ts, data: eth(0x0800, ipv4(src, dst, 6, tcp(sp, dp, flags, payload))) };
}

/** The records of a pcap without its file header: what a live stream carries after its first bytes. */
function records(recs: Rec[]): Uint8Array {
  return pcap(recs).subarray(24);
}

/** What `sandpiper read` prints for a capture: flows evicted on the way, then every flow left. */
function readPrints(bytes: Uint8Array): number {
  const e = createEngine({ detail: false });
  let n = 0;
  e.onFlowEvicted(() => n++);
  e.push(bytes);
  e.end();
  for (const _ of e.flows()) n++;
  return n;
}

const ratesOf = (r: FlowRow) => [r.rate_fwd_1s, r.rate_rev_1s, r.rate_fwd_10s, r.rate_rev_10s];
const NO_RATES = [0, 0, 0, 0];

// ---- the host

/** Every host a test makes is disposed after it, so a failed test leaves no capture ticking. */
const hosts = new Set<EngineHost>();
class Host extends EngineHost {
  constructor(o?: ConstructorParameters<typeof EngineHost>[0]) {
    super(o);
    hosts.add(this);
  }
}
afterEach(async () => {
  for (const h of hosts) await h.dispose();
  hosts.clear();
});

function record(host: EngineHost): { updates: FullUpdate[]; statuses: CaptureStatusView[] } {
  const updates: FullUpdate[] = [];
  const statuses: CaptureStatusView[] = [];
  host.onUpdate((u) => updates.push(fullUpdate(u)));
  host.onStatus((s) => statuses.push(s));
  return { updates, statuses };
}

/** The flow ids an update carries, in numeric order. */
function idsOf(u: EngineUpdate): number[] {
  return fullRows(u).map((r) => r.id).sort((a, b) => a - b);
}

/** The rows of an update whose window shows every flow. */
function allRows(u: EngineUpdate): FlowRow[] {
  assert.equal(u.start, 0);
  assert.equal(u.rows.length, u.total, 'the window holds every flow');
  return fullRows(u);
}

let viewSeq = 0;
/** A request; by default in the last-seen order these tests were written for. */
function view(p: Partial<ViewRequest> = {}): ViewRequest {
  return { ...DEFAULT_VIEW, sortColumn: 'last_seen', sortDir: 'desc', seq: ++viewSeq, ...p };
}

/** The next update that `pick` accepts. A new listener makes the host send its chart again. */
function waitFor<T>(host: EngineHost, pick: (u: FullUpdate) => T | undefined): Promise<T> {
  return new Promise((resolve) => {
    const off = host.onUpdate((u) => {
      const v = pick(fullUpdate(u));
      if (v !== undefined) {
        off();
        resolve(v);
      }
    });
  });
}

/** Polls until cond holds (without adding a listener), at most ~5 s. */
async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  assert.fail(`timed out waiting for ${what}`);
}

/** The first update recorded after `after` (default: after now): the tick that follows a change. */
async function nextUpdate(rec: { updates: FullUpdate[] }, after?: FullUpdate): Promise<FullUpdate> {
  const n = after === undefined ? rec.updates.length : rec.updates.indexOf(after) + 1;
  await until(() => rec.updates.length > n, 'an update');
  return rec.updates[n];
}

const SANDBOX: SandboxMessage = {
  type: 'sandbox', status: 'fully_enforced', landlock_abi: 7, landlock_abi_kernel: 7, fs_restricted: true, net_restricted: true,
  scoped: true, no_new_privs: true, cap_net_raw_dropped: true, uid: 1000, gid: 1000, all_threads: true, threads: 7,
  probes: { raw_socket: 'denied', file_open: 'denied', tcp_connect: 'denied', udp_send: 'denied', unix_connect: 'denied' }, seccomp: { installed: true, policy: 'deny_list', threads: [{ tid: 1, mode: 2, filters: 2 }], all_threads: true }, details: 'test',
};

/** A scripted live capture: feeds the engine it is given (and the recording), as the real pipeline does. */
interface FakeLive {
  io: LiveCaptureIo | null;
  events: LiveCaptureEvents | null;
  stopped: number;
  /** Bytes of the stream (the first push starts with a pcap header). */
  push(bytes: Uint8Array): void;
}

function fakeLive(o: { onStart?: (live: FakeLive) => void; record?: boolean } = {}): { live: FakeLive; start: StartLiveCapture } {
  const recordStream = o.record ?? true;
  const live: FakeLive = {
    io: null,
    events: null,
    stopped: 0,
    push(bytes) {
      const io = live.io as LiveCaptureIo;
      const events = live.events as LiveCaptureEvents;
      try {
        io.engine.push(bytes);
      } catch (e) {
        events.streamInvalid(e instanceof Error ? e.message : String(e));
        return;
      }
      if (recordStream) io.recording.write(Buffer.from(bytes));
      events.packets();
    },
  };
  const start: StartLiveCapture = (_req, io, events) => {
    live.io = io;
    live.events = events;
    (o.onStart ?? ((l) => l.events?.sandbox(SANDBOX)))(live);
    return {
      devWarning: 'running the capture helper from a source checkout',
      recordingCut: () => io.engine.completeBytes,
      stop: async () => {
        live.stopped++;
        try {
          io.engine.end();
        } catch {
          // A record cut short by the stop.
        }
        await io.recording.close(io.engine.completeBytes);
        events.end(null, 0);
      },
    };
  };
  return { live, start };
}

/** A host on a fake live capture with a settable wall clock, recording what it sends, once its capture runs. */
async function liveHost(startMs: number, iface: string, filter: string) {
  const { live, start } = fakeLive();
  const wall = clock(startMs);
  const host = new Host({ startLive: start, intervalMs: 5, now: wall.now });
  const rec = record(host);
  await host.startCapture({ interface: iface, filter, promisc: false });
  return { live, wall, host, rec };
}

/** A wall clock the test moves (ms). */
function clock(ms: number): { now: () => number; set(s: number): void } {
  let t = ms;
  return {
    now: () => t,
    set(s: number) {
      t = s * 1000;
    },
  };
}

// ---- files

test('file read: updates while reading (with rates), then a final one holding every flow, no rates, state "stopped"', async () => {
  await inTempDir('sp-engine-host-test-', async (dir) => {
    const file = path.join(dir, 'a.pcap');
    // 3000 packets over 30 flows and 30 s, read 64 bytes at a time so many chunks pass through the engine.
    const bytes = pcap(Array.from({ length: 3000 }, (_, i) => udpRec(100 + i * 0.01, 1000 + (i % 30))));
    writeFileSync(file, bytes);
    const host = new Host({ intervalMs: 5, chunkBytes: 64 });
    const rec = record(host);
    const final = waitFor(host, (u) => (host.getStatus().state === 'stopped' ? u : undefined));
    const r = await host.openFile(file);
    assert.deepEqual(r, { ok: true, value: { path: file } });
    const last = await final;
    assert.equal(allRows(last).length, 30, 'the final update holds every flow');
    assert.equal(allRows(last).reduce((n, row) => n + row.packets_fwd, 0), 3000);
    assert.equal(last.stats.packets, 3000);
    assert.equal(last.stats.bytes, bytes.length - 24 - 3000 * 16);
    assert.equal(last.stats.flows, 30);
    assert.deepEqual(rec.statuses.map((s) => s.state), ['reading', 'stopped']);
    assert.deepEqual(rec.statuses[0].source, { kind: 'file', path: file });
    assert.equal(rec.statuses[1].sandbox, null, 'files never carry a sandbox report');
    // seq increases by one per update.
    assert.ok(rec.updates.length > 2, 'updates while reading');
    rec.updates.forEach((u, i) => assert.equal(u.seq, rec.updates[0].seq + i));
    // The default view, in arrival order (first seen, oldest first).
    assert.deepEqual(last.rows.map((x) => x.first_seen), last.rows.map((x) => x.first_seen).sort((a, b) => a - b));
    assert.equal(last.viewSeq, 0);
    // Rates over capture time while the file is read; none once it is read.
    assert.ok(rec.updates.some((u) => u.rows.some((x) => x.rate_fwd_1s > 0)), 'rates while reading');
    assert.ok(rec.updates.some((u) => u.stats.bytesPerSecond > 0), 'stats rates while reading');
    for (const row of last.rows) assert.deepEqual(ratesOf(row), NO_RATES, 'a finished file shows no rates');
    assert.deepEqual([last.stats.packetsPerSecond, last.stats.bytesPerSecond, last.stats.inBytesPerSecond, last.stats.outBytesPerSecond], [0, 0, 0, 0]);
    assert.equal(last.ts, 100 + 2999 * 0.01, 'the update is stamped with capture time');
    // Asking again (a setView reply) after the end: still no rates.
    const reply = waitFor(host, (u) => u);
    host.setView(view({ sortColumn: 'down', sortDir: 'desc' }));
    for (const row of (await reply).rows) assert.deepEqual(ratesOf(row), NO_RATES);
    await host.dispose();
  });
});

test('a file keeps every flow, ended ones included: as many as `sandpiper read` prints', async () => {
  await inTempDir('sp-engine-host-test-', async (dir) => {
    const file = path.join(dir, 'ending.pcap');
    const bytes = pcap([
      // A UDP flow quiet past its 120 s timeout, then its 5-tuple again: two flows.
      udpRec(0, 5000),
      // A TCP connection reset, then a new SYN on its 5-tuple: two flows.
      tcpRec(1, true, 40000, 80, TCP.SYN),
      tcpRec(1.1, false, 40000, 80, TCP.RST | TCP.ACK),
      tcpRec(2, true, 40000, 80, TCP.SYN),
      // A TCP connection closed, then 10 s+ of quiet.
      tcpRec(3, true, 40001, 80, TCP.SYN),
      tcpRec(3.1, false, 40001, 80, TCP.SYN | TCP.ACK),
      tcpRec(3.2, true, 40001, 80, TCP.ACK | TCP.FIN),
      tcpRec(3.3, false, 40001, 80, TCP.ACK | TCP.FIN),
      ...Array.from({ length: 20 }, (_, i) => udpRec(150 + i, 6000 + i)),
      udpRec(200, 5000),
    ]);
    writeFileSync(file, bytes);
    const host = new Host({ intervalMs: 5 });
    const final = waitFor(host, (u) => (host.getStatus().state === 'stopped' ? u : undefined));
    host.setView(view({ end: 1000 }));
    assert.ok((await host.openFile(file)).ok);
    const last = await final;
    const printed = readPrints(bytes);
    assert.equal(printed, 25);
    assert.equal(last.total, printed);
    assert.equal(last.count, printed);
    const rows = allRows(last);
    assert.equal(new Set(rows.map((r) => r.id)).size, printed);
    const ended = rows.filter((r) => r.ended).map((r) => [r.proto, r.sport, r.state]);
    assert.deepEqual(ended.sort(), [['tcp', 40000, 'reset'], ['tcp', 40001, 'closed'], ['udp', 5000, 'active']].sort());
    assert.equal(last.stats.expiredFlows, 0, 'a file expires nothing');
    assert.equal(last.stats.flows, printed);
    await host.dispose();
  });
});

test('file read: the chart is sent from packet timestamps, then null while unchanged', async () => {
  await inTempDir('sp-engine-host-test-', async (dir) => {
    const file = path.join(dir, 'chart.pcap');
    const a = udpRec(10.2, 1000, Array(100).fill(1));
    const b = tcpRec(10.7, false, 1001, 80, TCP.ACK, Array(50).fill(2));
    const c = udpRec(12.5, 1000, [1]);
    writeFileSync(file, pcap([a, b, c]));
    const host = new Host({ intervalMs: 5 });
    const rec = record(host);
    const final = waitFor(host, (u) => (host.getStatus().state === 'stopped' ? u : undefined));
    assert.ok((await host.openFile(file)).ok);
    await final;
    const charts = rec.updates.map((u) => u.chart).filter((x) => x !== null);
    const chart = charts.at(-1);
    assert.ok(chart);
    // No end of a file is this host: rev bytes are "down", fwd "up". Bins are seconds of capture time.
    // A file's TCP flow seen mid-stream: port 80 names the server, so the sender of b (from port 80) is the responder
    // and b is rev (down).
    assert.deepEqual(chart, { start: 10, step: 1, down: [b.data.length, 0, 0], up: [a.data.length, 0, c.data.length] });
    // (Waiting through a new listener would make the host send its chart again.)
    const req = view();
    host.setView(req);
    await until(() => rec.updates.some((u) => u.viewSeq === req.seq), 'the reply');
    assert.equal(rec.updates.find((u) => u.viewSeq === req.seq)?.chart, null, 'a setView reply carries no chart that did not change');
    await new Promise((r) => setTimeout(r, 30));
    const after = rec.updates.filter((u) => u.seq > rec.updates.findLast((x) => x.chart !== null)!.seq);
    assert.ok(after.every((u) => u.chart === null));
    await host.dispose();
  });
});

test('a file that cannot be opened or is not a capture leaves the current file and its flows in place', async () => {
  await inTempDir('sp-engine-host-test-', async (dir) => {
    const good = path.join(dir, 'good.pcap');
    writeFileSync(good, pcap([udpRec(1, 1), udpRec(2, 2), udpRec(3, 3)]));
    const notCapture = path.join(dir, 'text.cap');
    writeFileSync(notCapture, 'this is a text file, not a capture of any kind\n');
    const host = new Host({ intervalMs: 5 });
    const loaded = waitFor(host, (u) => (u.total === 3 && host.getStatus().state === 'stopped' ? u : undefined));
    assert.ok((await host.openFile(good)).ok);
    await loaded;
    const rec = record(host);
    for (const f of [path.join(dir, 'missing.cap'), dir, notCapture]) {
      const r = await host.openFile(f);
      assert.ok(!r.ok && r.error.code === 'unreadable_file', f);
    }
    const bad = await host.openFile(notCapture);
    assert.ok(!bad.ok);
    assert.equal(bad.error.message, 'Cannot read text.cap: not a pcap or pcapng capture at byte 0.');
    assert.deepEqual(host.getStatus().source, { kind: 'file', path: good });
    assert.equal(host.getStatus().state, 'stopped');
    assert.deepEqual(rec.statuses, [], 'no status change');
    const reply = waitFor(host, (u) => u);
    host.setView(view());
    assert.deepEqual(idsOf(await reply), [1, 2, 3], 'the flows are still there');
    await host.dispose();
  });
});

test('file read: a corrupt record keeps the flows read so far and reports the byte offset', async () => {
  await inTempDir('sp-engine-host-test-', async (dir) => {
    const good = pcap([udpRec(1, 1), udpRec(2, 2), udpRec(3, 3), udpRec(4, 2)]);
    const bytes = new Uint8Array(good.length + 16);
    bytes.set(good);
    // A record header claiming 1 GiB.
    new DataView(bytes.buffer).setUint32(good.length + 8, 1 << 30, true);
    const file = path.join(dir, 'bad.pcap');
    writeFileSync(file, bytes);
    // Found in the first chunk read, and in a later one.
    for (const chunkBytes of [1 << 20, 64]) {
      const host = new Host({ intervalMs: 5, chunkBytes });
      const final = waitFor(host, (u) => (host.getStatus().state === 'error' ? u : undefined));
      const r = await host.openFile(file);
      assert.ok(!r.ok);
      assert.equal(r.error.code, 'unreadable_file');
      assert.match(r.error.message, new RegExp(`^Cannot read bad\\.pcap: record capture length ${1 << 30} exceeds the limit \\d+ at byte ${good.length}\\.$`));
      assert.ok(r.error.action.length > 0);
      const last = await final;
      assert.deepEqual(idsOf(last), [1, 2, 3]);
      assert.equal(last.stats.packets, 4);
      assert.deepEqual(host.getStatus().error, r.error);
      await host.dispose();
    }
  });
});

test('file read: a file cut inside its last record is an error found at its end (engine.end), the flows before it kept', async () => {
  await inTempDir('sp-engine-host-test-', async (dir) => {
    const whole = pcap([udpRec(1, 1), udpRec(2, 2)]);
    const file = path.join(dir, 'cut.pcap');
    writeFileSync(file, whole.subarray(0, whole.length - 5));
    const host = new Host({ intervalMs: 5 });
    const final = waitFor(host, (u) => (host.getStatus().state === 'error' ? u : undefined));
    const r = await host.openFile(file);
    assert.ok(!r.ok);
    const second = 24 + 16 + udpRec(1, 1).data.length;
    assert.equal(r.error.message, `Cannot read cut.pcap: truncated capture: incomplete record at byte ${second}.`);
    assert.deepEqual(idsOf(await final), [1]);
    await host.dispose();
  });
});

test('file read: missing file, folder and unreadable file are one-sentence errors with an action', async () => {
  await inTempDir('sp-engine-host-test-', async (dir) => {
    const host = new Host({ intervalMs: 5 });
    const missing = await host.openFile(path.join(dir, 'nope.pcap'));
    assert.ok(!missing.ok);
    assert.equal(missing.error.message, 'Cannot read nope.pcap: the file does not exist.');
    assert.equal(host.getStatus().state, 'idle', 'a refused file changes nothing');
    mkdirSync(path.join(dir, 'sub'));
    const folder = await host.openFile(path.join(dir, 'sub'));
    assert.ok(!folder.ok);
    assert.match(folder.error.message, /it is a folder/);
    if (process.getuid?.() !== 0) {
      const locked = path.join(dir, 'locked.pcap');
      writeFileSync(locked, 'x');
      chmodSync(locked, 0);
      const denied = await host.openFile(locked);
      assert.ok(!denied.ok);
      assert.match(denied.error.message, /permission denied/);
    }
    for (const r of [missing, folder]) assert.ok(!r.ok && r.error.code === 'unreadable_file' && r.error.action === 'Choose a pcap or pcapng file that you can read.');
    await host.dispose();
  });
});

// ---- live

test('throttling: a packet flood yields at most 10 updates per second, each carrying the window asked for', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 1_000_000 });
  const { live, start } = fakeLive({ record: false });
  const host = new Host({ startLive: start });
  const rec = record(host);
  const started = await host.startCapture({ interface: 'lo', filter: '', promisc: false });
  assert.deepEqual(started, { ok: true, value: undefined });
  const times: number[] = [];
  host.onUpdate(() => times.push(Date.now()));
  // 100 flows touched once at the start, then a flood of 200 packets per simulated ms on 5 other flows only.
  live.push(pcap(Array.from({ length: 100 }, (_, i) => udpRec(1000, 10000 + i))));
  const hot = records(Array.from({ length: 200 }, (_, i) => udpRec(1000.5, 20000 + (i % 5))));
  for (let ms = 0; ms < 3000; ms++) {
    live.push(hot);
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
    // The default order is arrival: the flood's flows came after the others and move none of them.
    assert.deepEqual(u.rows.map((r) => r.sport), Array.from({ length: 100 }, (_, i) => 10000 + i), 'the rows keep their places');
  }
  const pkts = rec.updates.at(-1)!.stats.packets;
  assert.equal(pkts, 100 + 3000 * 200, 'the engine saw every packet');
  assert.ok(rec.updates.at(-1)!.stats.packetsPerSecond > 0);
  t.mock.timers.reset();
  await host.dispose();
  assert.equal(live.stopped, 1, 'dispose stops the capture');
});

test('live: sandbox report and dev warning reach the status; stop ends with an update, no rates, and "stopped"', async () => {
  const { live, wall, host, rec } = await liveHost(1_000_300, 'eth0', 'tcp');
  const s = host.getStatus();
  assert.equal(s.state, 'capturing');
  assert.deepEqual(s.source, { kind: 'live', interface: 'eth0' });
  assert.equal(s.sandbox?.status, 'fully_enforced');
  assert.equal(s.devWarning, 'running the capture helper from a source checkout');
  live.push(pcap([udpRec(999.2, 7), udpRec(999.4, 7), udpRec(999.6, 8)]));
  const running = await waitFor(host, (u) => (u.total === 2 ? u : undefined));
  assert.ok(running.rows.every((r) => r.rate_fwd_1s > 0), 'rates while capturing');
  assert.ok(running.stats.bytesPerSecond >= 0);
  const final = waitFor(host, (u) => (host.getStatus().state === 'stopped' ? u : undefined));
  await host.stopCapture();
  const last = await final;
  assert.deepEqual(idsOf(last), [1, 2]);
  assert.deepEqual(last.rows.find((r) => r.sport === 7)?.packets_fwd, 2);
  for (const row of last.rows) assert.deepEqual(ratesOf(row), NO_RATES, 'a stopped capture shows no rates');
  assert.deepEqual([last.stats.packetsPerSecond, last.stats.bytesPerSecond], [0, 0]);
  const states = rec.statuses.map((x) => x.state).filter((x, i, a) => i === 0 || a[i - 1] !== x);
  assert.deepEqual(states, ['starting', 'capturing', 'stopped']);
  assert.equal(live.stopped, 1);
  await host.dispose();
});

test('live: a quiet flow\'s rate falls to 0 within 2 s of capture time, in the rows and the selected flow\'s history', async () => {
  const { live, wall, host, rec } = await liveHost(1_000_100, 'lo', '');
  const selected = waitFor(host, (u) => u);
  host.setView(view({ select: { id: 1 } }));
  await selected;
  live.push(pcap([udpRec(999.1, 7, Array(500).fill(0)), udpRec(999.5, 7, Array(500).fill(0))]));
  const busy = await waitFor(host, (u) => (u.total === 1 ? u : undefined));
  assert.ok(busy.rows[0].rate_fwd_1s > 1000, 'second 999 held the flow\'s bytes');
  assert.ok((busy.selected?.up.at(-1) ?? 0) > 0, 'the selected flow\'s history has its rate');
  // No packet arrives; the wall clock goes on.
  wall.set(1001.4);
  const quiet = await nextUpdate(rec);
  assert.equal(quiet.total, 1, 'the flow is still there');
  assert.deepEqual([quiet.rows[0].rate_fwd_1s, quiet.rows[0].rate_rev_1s], [0, 0], 'no bytes in the last whole second');
  assert.equal(quiet.ts, 1001.4, 'capture time follows the wall clock');
  assert.equal(quiet.rows[0].ended, false);
  assert.equal(quiet.stats.bytesPerSecond, 0);
  const sel = quiet.selected;
  assert.ok(sel && sel.row);
  assert.equal(sel.up.at(-1), 0, 'the history got a 0 point');
  assert.ok(sel.up.some((x) => x > 0), 'after points of the busy second');
  // A point per tick even though no packet came.
  const again = await nextUpdate(rec, quiet);
  assert.equal(again.selected?.up.length, sel.up.length + 1);
  assert.equal(again.selected?.up.at(-1), 0);
  await host.dispose();
});

test('live: stats.expiredFlows counts flows that ended and left the table', async () => {
  const { live, wall, host, rec } = await liveHost(1_000_000, 'lo', '');
  live.push(pcap([
    udpRec(999.5, 5000),
    tcpRec(999.6, true, 40000, 443, TCP.SYN),
    tcpRec(999.7, false, 40000, 443, TCP.SYN | TCP.ACK),
    tcpRec(999.8, true, 40000, 443, TCP.ACK | TCP.FIN),
    tcpRec(999.9, false, 40000, 443, TCP.ACK | TCP.FIN),
  ]));
  const first = await waitFor(host, (u) => (u.total === 2 ? u : undefined));
  assert.equal(first.stats.expiredFlows, 0);
  assert.equal(first.stats.flows, 2);
  // The closed TCP flow goes 10 s after its last packet.
  wall.set(1011);
  await until(() => rec.updates.at(-1)!.total === 1, 'the closed flow to expire');
  let u = rec.updates.at(-1)!;
  assert.equal(u.stats.expiredFlows, 1);
  assert.equal(u.stats.flows, 1);
  assert.equal(u.rows[0].proto, 'udp');
  // The UDP flow after 120 s of quiet.
  wall.set(1121);
  await until(() => rec.updates.at(-1)!.total === 0, 'the UDP flow to expire');
  u = rec.updates.at(-1)!;
  assert.equal(u.stats.expiredFlows, 2);
  assert.deepEqual([u.stats.flows, u.count, u.rows.length], [0, 0, 0]);
  assert.equal(u.stats.packets, 5, 'packets are still counted');
  await host.dispose();
});

test('overview: updates carry the totals only while the page shows it; flows that expired still count', async () => {
  const { live, wall, host, rec } = await liveHost(1_000_000, 'lo', '');
  live.push(pcap([
    udpRec(999.5, 5000, [1, 2, 3]),
    tcpRec(999.6, true, 40000, 443, TCP.SYN),
    tcpRec(999.7, false, 40000, 443, TCP.SYN | TCP.ACK),
    tcpRec(999.8, true, 40000, 443, TCP.ACK | TCP.FIN),
    tcpRec(999.9, false, 40000, 443, TCP.ACK | TCP.FIN),
  ]));
  const hidden = await waitFor(host, (u) => (u.total === 2 ? u : undefined));
  assert.equal(hidden.overview, undefined, 'no totals while the overview is hidden');
  host.setOverview({ visible: true, order: 'bytes' });
  const shown = await waitFor(host, (u) => u.overview);
  const bytes = (u: EngineUpdate) => u.stats.bytes;
  assert.equal(shown.total.flows, 2);
  assert.equal(shown.total.bytesIn + shown.total.bytesOut, bytes(rec.updates.at(-1)!));
  assert.deepEqual(shown.lists.app.entries.map((e) => e.key).sort(), ['tcp', 'udp']);
  // No name for the peer: the domain is its address.
  assert.deepEqual(shown.lists.domain.entries.map((e) => e.key), [PEER]);
  assert.deepEqual(shown.lists.process.entries.map((e) => [e.key, e.flows]), [[null, 2]]);
  // The closed TCP flow leaves the table 10 s after its last packet; its bytes stay in the totals.
  wall.set(1011);
  await until(() => rec.updates.at(-1)!.total === 1, 'the closed flow to expire');
  const after = rec.updates.at(-1)!.overview!;
  assert.equal(after.total.flows, 2);
  assert.equal(after.total.bytesIn + after.total.bytesOut, shown.total.bytesIn + shown.total.bytesOut);
  const tcpEntry = after.lists.app.entries.find((e) => e.key === 'tcp')!;
  assert.equal(tcpEntry.flows, 1);
  assert.equal(tcpEntry.rateIn + tcpEntry.rateOut, 0);
  host.setOverview({ visible: false, order: 'bytes' });
  const again = await waitFor(host, (u) => (u.overview === undefined ? u : undefined));
  assert.equal(again.overview, undefined);
  await host.dispose();
});

test('live: the chart comes from packet timestamps, whole seconds only, and is null while unchanged', async () => {
  const { live, wall, host, rec } = await liveHost(1_000_300, 'lo', '');
  const a = udpRec(998.5, 1, Array(100).fill(0));
  const b = udpRec(999.2, 1, Array(10).fill(0));
  const c = tcpRec(999.4, false, 2, 80, TCP.ACK, Array(20).fill(0));
  const d = udpRec(1000.1, 1, [1]);
  live.push(pcap([a, b, c, d]));
  await until(() => rec.updates.some((u) => u.total === 2), 'the flows');
  await until(() => rec.updates.filter((u) => u.total === 2).length >= 3, 'a few ticks');
  const withFlows = rec.updates.filter((u) => u.total === 2);
  const charts = withFlows.map((u) => u.chart).filter((x) => x !== null);
  assert.equal(charts.length, 1, 'sent once, then null while nothing changed');
  // Seconds 998 and 999 are whole at capture time 1000.3; the bin of second 1000 is still filling.
  assert.deepEqual(charts[0], { start: 998, step: 1, down: [0, 0], up: [a.data.length, b.data.length + c.data.length] });
  // A new whole second: sent again, with the bin of second 1000.
  wall.set(1001.2);
  await until(() => rec.updates.at(-1)!.ts === 1001.2, 'a tick at the new time');
  await until(() => rec.updates.filter((u) => u.ts === 1001.2).length >= 3, 'a few ticks');
  const later = rec.updates.filter((u) => u.ts === 1001.2).map((u) => u.chart).filter((x) => x !== null);
  assert.deepEqual(later, [{ start: 998, step: 1, down: [0, 0, 0], up: [a.data.length, b.data.length + c.data.length, d.data.length] }]);
  // A new listener gets the chart with its next update.
  const forNew = await waitFor(host, (u) => u);
  assert.deepEqual(forNew.chart, later[0]);
  await host.dispose();
});

test('live: a capture that fails to start resolves with the AppError (code, message, action) and shows it', async () => {
  const error = mapCaptureFailure({ kind: 'dismissed', message: 'authentication dismissed: the capture was not started' }, null);
  const { start } = fakeLive({ onStart: (l) => l.events?.end(error, 0) });
  const host = new Host({ startLive: start, intervalMs: 5 });
  const r = await host.startCapture({ interface: 'eth0', filter: '', promisc: false });
  assert.deepEqual(r, { ok: false, error });
  assert.equal(error.code, 'auth_dismissed');
  assert.equal(error.message, 'Authentication dismissed: the capture was not started.');
  assert.match(error.action, /password/);
  assert.equal(host.getStatus().state, 'error');
  assert.deepEqual(host.getStatus().error, error);
  await host.dispose();
});

test('live: a stream the engine cannot read is an error shown in the status', async () => {
  const { live, start } = fakeLive();
  const host = new Host({ startLive: start, intervalMs: 5 });
  await host.startCapture({ interface: 'eth0', filter: '', promisc: false });
  live.push(new TextEncoder().encode('definitely not a pcap stream, no'));
  const st = host.getStatus();
  assert.equal(st.state, 'error');
  assert.equal(st.error?.code, 'helper_exited');
  assert.equal(st.error?.message, 'The capture stream is corrupt: not a pcap or pcapng capture at byte 0.');
  await host.dispose();
});

test('pause: no engine updates and no rates (packets still counted), setView still answered; resume catches up', async () => {
  const { live, start } = fakeLive();
  const wall = clock(1_000_500);
  const host = new Host({ startLive: start, intervalMs: 5, now: wall.now });
  const first = waitFor(host, (u) => (u.total === 2 ? u : undefined));
  await host.startCapture({ interface: 'lo', filter: '', promisc: false });
  live.push(pcap([udpRec(999.5, 1), udpRec(999.6, 2)]));
  const before = await first;
  assert.ok(before.rows.every((r) => r.rate_fwd_1s > 0));
  host.setPaused(true);
  assert.equal(host.getStatus().state, 'paused');
  const rec = record(host);
  live.push(records([udpRec(999.7, 1), udpRec(999.8, 1), udpRec(999.9, 3)]));
  await new Promise((r) => setTimeout(r, 40));
  assert.equal(rec.updates.length, 0, 'no engine updates while paused');
  const reply = waitFor(host, (u) => u);
  const req = view({ sortColumn: 'packets', sortDir: 'desc' });
  host.setView(req);
  const paused = await reply;
  assert.equal(paused.viewSeq, req.seq, 'answered while paused');
  for (const row of paused.rows) assert.deepEqual(ratesOf(row), NO_RATES, 'a paused capture shows no rates');
  assert.equal(paused.stats.packets, before.stats.packets, 'a reply repeats the last stats');
  const resumed = waitFor(host, (u) => u);
  host.setPaused(false);
  const u = await resumed;
  assert.deepEqual(u.rows.map((r) => [r.id, r.packets_fwd]), [[1, 3], [2, 1], [3, 1]], 'resuming shows what the engine counted meanwhile, in the view asked for');
  assert.equal(u.viewSeq, req.seq);
  assert.equal(u.stats.packets, 5);
  assert.ok(u.rows.some((r) => r.rate_fwd_1s > 0), 'rates again');
  assert.equal(host.getStatus().state, 'capturing');
  await host.dispose();
});

test('setView is answered promptly, not at the next engine update; calls of one turn get one reply', async () => {
  const { live, start } = fakeLive();
  // An interval no test waits for: every update below but the first of the source is a reply.
  const host = new Host({ startLive: start, intervalMs: 60_000 });
  const rec = record(host);
  const idle = waitFor(host, (u) => u);
  host.setView(view());
  const none = await idle;
  assert.deepEqual([none.total, none.count, none.rows, none.selected, none.filterError], [0, 0, [], null, null], 'answered with no source too');
  assert.equal(none.stats.packets, 0);
  const first = waitFor(host, (u) => u);
  await host.startCapture({ interface: 'lo', filter: '', promisc: false });
  assert.equal((await first).total, 0, 'the new source starts with an empty table (its first update comes at once)');
  live.push(pcap([udpRec(10, 1), udpRec(10.1, 2, [1, 2, 3]), udpRec(10.2, 3, [1, 2]), udpRec(10.3, 2)]));
  rec.updates.length = 0;
  // The next engine update is a minute away: replies read the engine's table as it is.
  const reply = waitFor(host, (u) => u);
  const a = view({ sortColumn: 'bytes' });
  const b = view({ sortColumn: 'bytes', filter: 'port:abc' });
  const c = view({ sortColumn: 'bytes', sortDir: 'asc', select: { id: 2 } });
  host.setView(a);
  host.setView(b);
  host.setView(c);
  const u = await reply;
  await new Promise((r) => setImmediate(r));
  assert.equal(rec.updates.length, 1, 'one reply for three calls');
  assert.equal(u.viewSeq, c.seq, 'reflecting the last request');
  assert.equal(u.filterError, null, 'the last request has no filter error');
  assert.deepEqual(u.rows.map((r) => r.id), [1, 3, 2], 'by bytes, ascending');
  assert.equal(u.selected?.id, 2);
  assert.equal(u.selected?.index, 2);
  assert.equal(u.selected?.row?.packets_fwd, 2);
  assert.deepEqual([u.selected?.down, u.selected?.up], [[], []], 'a reply adds no history point');
  await host.dispose();
});

test('a new source empties the table but keeps the view request and the selection', async () => {
  await inTempDir('sp-engine-host-test-', async (dir) => {
    const a = path.join(dir, 'a.pcap');
    const b = path.join(dir, 'b.pcap');
    writeFileSync(a, pcap([udpRec(1, 1001), udpRec(2, 1002), udpRec(3, 1002), udpRec(4, 1003)]));
    writeFileSync(b, pcap([udpRec(1, 2001), udpRec(2, 2002), udpRec(3, 2002), udpRec(4, 2002)]));
    const host = new Host({ intervalMs: 5 });
    const loaded = waitFor(host, (u) => (u.total === 3 ? u : undefined));
    await host.openFile(a);
    await loaded;
    const req = view({ sortColumn: 'packets', sortDir: 'desc', select: { id: 3 } });
    const selected = waitFor(host, (u) => (u.viewSeq === req.seq ? u : undefined));
    host.setView(req);
    assert.deepEqual((await selected).selected?.row?.sport, 1003);
    // Updates from the moment the second file is the source.
    const after: FullUpdate[] = [];
    let switched = false;
    host.onStatus((st) => (switched ||= st.source?.kind === 'file' && st.source.path === b));
    host.onUpdate((x) => switched && after.push(fullUpdate(x)));
    const next = waitFor(host, (u) => (switched && host.getStatus().state === 'stopped' ? u : undefined));
    await host.openFile(b);
    const u = await next;
    assert.ok(after.length > 0 && after.every((x) => x.rows.every((r) => r.sport >= 2000)), 'no flow of the first file after the switch');
    assert.deepEqual(u.rows.map((r) => [r.id, r.sport]), [[2, 2002], [1, 2001]], 'sorted as asked before the switch; ids start anew');
    assert.equal(u.viewSeq, req.seq);
    assert.deepEqual(u.selected, { id: 3, index: -1, row: null, down: [], up: [] });
    await host.dispose();
  });
});

test('saveCapture writes the recorded stream, whole records only, while capturing and after the stop', async () => {
  const dir = tmp();
  const recDir = tmp();
  try {
    const { live, start } = fakeLive();
    const host = new Host({ startLive: start, intervalMs: 5, recordingDir: recDir, now: clock(1_000_500).now });
    const first = waitFor(host, (u) => (u.total === 2 ? u : undefined));
    await host.startCapture({ interface: 'lo', filter: '', promisc: false });
    const whole = pcap([udpRec(999.1, 4), udpRec(999.2, 5)]);
    const next = records([udpRec(999.3, 6)]);
    live.push(whole);
    // Half a record: the stream goes on past what a copy may hold.
    live.push(next.subarray(0, 20));
    assert.deepEqual(idsOf(await first), [1, 2]);
    // The recording is private.
    const [recording] = readdirSync(recDir);
    assert.match(recording, new RegExp(`^sandpiper-rec-${process.pid}-`));
    assert.equal(statSync(path.join(recDir, recording)).mode & 0o777, 0o700);
    const dest = path.join(dir, 'out.pcap');
    assert.deepEqual(await host.saveCapture(dest), { ok: true, value: { path: dest } });
    assert.deepEqual([...readFileSync(dest)], [...whole], 'cut at the last whole record');
    assert.equal(statSync(path.join(recDir, recording, 'capture.pcap')).mode & 0o777, 0o600);
    const readBack = createEngine();
    readBack.push(readFileSync(dest));
    readBack.end();
    assert.equal(readBack.stats.packets, 2, 'the copy is a well-formed capture');
    live.push(next.subarray(20));
    live.push(next.subarray(0, 7));
    await host.stopCapture();
    const dest2 = path.join(dir, 'out2.pcap');
    assert.deepEqual(await host.saveCapture(dest2), { ok: true, value: { path: dest2 } });
    assert.deepEqual([...readFileSync(dest2)], [...whole, ...next], 'after the stop: every whole record');
    const bad = await host.saveCapture(path.join(dir, 'no/such/dir/x.pcap'));
    assert.ok(!bad.ok && /Cannot save to x\.pcap: no such directory/.test(bad.error.message));
    await host.dispose();
    assert.deepEqual(readdirSync(recDir), [], 'dispose removes the recording');
    const none = await new Host({ recordingDir: recDir }).saveCapture(dest);
    assert.ok(!none.ok && none.error.message === 'There is no capture to save yet.');
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(recDir, { recursive: true, force: true });
  }
});

test('saveCapture of a file copies it', async () => {
  await inTempDir('sp-engine-host-test-', async (dir) => {
    const file = path.join(dir, 'in.pcap');
    const bytes = pcap([udpRec(1, 4), udpRec(2, 5)]);
    writeFileSync(file, bytes);
    const host = new Host({ intervalMs: 5 });
    assert.ok((await host.openFile(file)).ok);
    const dest = path.join(dir, 'copy.pcap');
    assert.deepEqual(await host.saveCapture(dest), { ok: true, value: { path: dest } });
    assert.deepEqual([...readFileSync(dest)], [...bytes]);
    await host.dispose();
  });
});

test('saveCapture is private and never writes through a link planted at the destination', async () => {
  await inTempDir('sp-engine-host-test-', async (dir) => {
    const file = path.join(dir, 'in.pcap');
    const bytes = pcap([udpRec(1, 4), udpRec(2, 5)]);
    writeFileSync(file, bytes);
    chmodSync(file, 0o644);
    const host = new Host({ intervalMs: 5 });
    assert.ok((await host.openFile(file)).ok);
    const victim = path.join(dir, 'victim');
    writeFileSync(victim, 'precious');
    const dest = path.join(dir, 'saved.pcap');
    symlinkSync(victim, dest);
    const r = await host.saveCapture(dest);
    assert.ok(!r.ok && r.error.message === 'Cannot save to saved.pcap: is a symbolic link.', JSON.stringify(r));
    assert.equal(readFileSync(victim, 'utf8'), 'precious');
    // An existing file of the user's is replaced in place, shortened, and made private.
    rmSync(dest);
    writeFileSync(dest, Buffer.alloc(bytes.length * 3, 7));
    assert.deepEqual(await host.saveCapture(dest), { ok: true, value: { path: dest } });
    assert.deepEqual([...readFileSync(dest)], [...bytes]);
    assert.equal(statSync(dest).mode & 0o777, 0o600);
    await host.dispose();
  });
});

test('recordings left by a host that died are removed at start; live hosts\' and other files are kept', async () => {
  const recDir = tmp();
  try {
    const dead = spawnSync(process.execPath, ['-e', '0']).pid;
    assert.ok(dead > 0);
    const stale = path.join(recDir, `sandpiper-rec-${dead}-abc123`);
    mkdirSync(stale);
    writeFileSync(path.join(stale, 'capture.pcap'), 'old');
    const mine = path.join(recDir, `sandpiper-rec-${process.pid}-keep`);
    mkdirSync(mine);
    const parent = path.join(recDir, `sandpiper-rec-${process.ppid}-keep`);
    mkdirSync(parent);
    const other = path.join(recDir, 'sandpiper-recording-notes');
    writeFileSync(other, 'x');
    const { live, start } = fakeLive();
    const host = new Host({ startLive: start, intervalMs: 5, recordingDir: recDir });
    assert.ok((await host.startCapture({ interface: 'lo', filter: '', promisc: false })).ok);
    live.push(pcap([udpRec(1, 1)]));
    assert.equal(existsSync(stale), false, 'the dead host\'s recording is gone');
    for (const p of [mine, parent, other]) assert.ok(existsSync(p), p);
    const names = readdirSync(recDir).filter((n) => n.startsWith(`sandpiper-rec-${process.pid}-`));
    assert.equal(names.length, 2, 'this host\'s own recording beside the one kept');
    await host.dispose();
  } finally {
    rmSync(recDir, { recursive: true, force: true });
  }
});

test('stale recordings of another user are left alone (a shared TMPDIR)', { skip: process.geteuid?.() === 0 ? false : 'needs root to chown' }, async () => {
  const recDir = tmp();
  try {
    const dead = spawnSync(process.execPath, ['-e', '0']).pid;
    const theirs = path.join(recDir, `sandpiper-rec-${dead}-theirs`);
    mkdirSync(theirs);
    writeFileSync(path.join(theirs, 'capture.pcap'), 'theirs');
    chownSync(theirs, 65534, 65534);
    const mine = path.join(recDir, `sandpiper-rec-${dead}-mine`);
    mkdirSync(mine);
    const { start } = fakeLive();
    const host = new Host({ startLive: start, intervalMs: 5, recordingDir: recDir });
    assert.ok((await host.startCapture({ interface: 'lo', filter: '', promisc: false })).ok);
    assert.equal(existsSync(mine), false, "this user's stale recording is removed");
    assert.equal(readFileSync(path.join(theirs, 'capture.pcap'), 'utf8'), 'theirs');
    await host.dispose();
  } finally {
    rmSync(recDir, { recursive: true, force: true });
  }
});

test('a live recording is bounded by default: MAX_RECORDING_BYTES, or a quarter of the free space if less', async () => {
  const recDir = tmp();
  try {
    const { live, start } = fakeLive();
    const host = new Host({ startLive: start, intervalMs: 5, recordingDir: recDir });
    assert.ok((await host.startCapture({ interface: 'lo', filter: '', promisc: false })).ok);
    const bound = live.io?.maxRecordingBytes ?? Infinity;
    const fs = statfsSync(recDir);
    assert.equal(bound, Math.min(MAX_RECORDING_BYTES, Math.floor((fs.bavail * fs.bsize) / 4)));
    assert.ok(bound <= 1 << 30);
    await host.dispose();
  } finally {
    rmSync(recDir, { recursive: true, force: true });
  }
});

test('startCapture without live capture support is an error, not a crash', async () => {
  const host = new Host();
  const r = await host.startCapture({ interface: 'lo', filter: '', promisc: false });
  assert.ok(!r.ok && r.error.code === 'internal');
  await host.dispose();
});

test("every update shows the engine's flows as they are: changed counters and texts, removals, returns", async () => {
  const ARRIVAL = { sortColumn: DEFAULT_VIEW.sortColumn, sortDir: DEFAULT_VIEW.sortDir };
  const { live, wall, host, rec } = await liveHost(1_000_000, 'lo', '');
  const engine = (): Engine => live.io!.engine;
  let first = true;
  const step = async (recs: Rec[], at?: number): Promise<FullUpdate> => {
    if (recs.length) {
      live.push(first ? pcap(recs) : records(recs));
      first = false;
    }
    if (at !== undefined) wall.set(at);
    const u = await nextUpdate(rec);
    const e = engine();
    // The default order: arrival.
    const want = [...e.flows()].map((f) => e.toRow(f, true)).sort((x, y) => x.first_seen - y.first_seen || e.slotOfId(x.id) - e.slotOfId(y.id));
    assert.deepEqual(u.rows, want, `at ${wall.now()}`);
    assert.equal(u.total, want.length);
    return u;
  };
  await step([udpRec(999.1, 1), tcpRec(999.2, true, 2, 80, TCP.SYN), udpRec(999.3, 3)], 1000);
  await step([udpRec(999.4, 1), udpRec(999.5, 3), udpRec(999.6, 3)]);
  // Texts change: the TCP flow is established and DPI names its host.
  const get = [...new TextEncoder().encode('GET / HTTP/1.1\r\nHost: www.example.test\r\n\r\n')];
  const texts = await step([tcpRec(999.7, false, 2, 80, TCP.SYN | TCP.ACK), tcpRec(999.8, true, 2, 80, TCP.ACK), tcpRec(999.9, true, 2, 80, TCP.ACK | TCP.PSH, get)]);
  const http = texts.rows.find((r) => r.sport === 2);
  assert.deepEqual([http?.state, http?.app, http?.host], ['established', 'http', 'www.example.test']);
  const filtered = waitFor(host, (u) => u);
  host.setView(view({ ...ARRIVAL, filter: 'host:www.example.test' }));
  assert.deepEqual((await filtered).rows.map((r) => r.sport), [2], 'the changed text is filtered on');
  const unfiltered = waitFor(host, (u) => u);
  host.setView(view(ARRIVAL));
  assert.deepEqual(idsOf(await unfiltered), [1, 2, 3]);
  // UDP flows 1 and 3 keep talking; the TCP flow closes and, 10 s later, leaves the table.
  await step([tcpRec(1000.1, true, 2, 80, TCP.ACK | TCP.FIN), tcpRec(1000.2, false, 2, 80, TCP.ACK | TCP.FIN), udpRec(1005, 1), udpRec(1005, 3)], 1005);
  const gone = await step([udpRec(1011, 1)], 1011);
  assert.deepEqual(gone.rows.map((r) => r.sport).sort(), [1, 3]);
  assert.equal(gone.stats.expiredFlows, 1);
  // Its 5-tuple again: a new flow, counted from the start.
  const back = await step([tcpRec(1011.5, true, 2, 80, TCP.SYN)]);
  const again = back.rows.find((r) => r.sport === 2);
  assert.ok(again);
  assert.equal(again.id, 4, 'a flow back after removal starts anew');
  assert.equal(again.packets_fwd, 1);
  await host.dispose();
});
