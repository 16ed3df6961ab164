/**
 * The live-capture adapter over src/capture-client with a fake helper (a shell script speaking the helper's wire
 * format), launched directly: the helper's outcome reaches the session as an AppError with an action.
 */
import { inTempDir } from '../support/temp-dir.ts';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, chmodSync, rmSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EngineHost } from '../../src/engine-host/engine-host.ts';
import { createLiveCaptureStarter } from '../../src/engine-host/live-capture-adapter.ts';
import { eth, ipv4, pcap, udp } from '../engine/capture-fixtures.ts';
import { createEngine } from '../../src/engine/engine.ts';
import { makeFakeDir } from '../capture-client/fixtures/fake-helper.ts';
import { compileFilter } from '../../src/capture-client/bpf-compile.ts';
import { DLT } from '../../src/capture-client/link-type.ts';
import { formatBpfProgram } from '../../src/shared/helper-protocol.ts';
import { createSourceEngine } from '../../src/engine-host/engine-adapter.ts';
import type { LiveCaptureIo } from '../../src/engine-host/types.ts';
import type { EngineUpdate } from '../../src/shared/ipc.ts';
import { fullRows } from '../support/full-update.ts';

const PCAP_HEADER = String.raw`\324\303\262\241\002\000\004\000\000\000\000\000\000\000\000\000\000\000\004\000\001\000\000\000`;
const SANDBOX = JSON.stringify({
  type: 'sandbox', status: 'partially_enforced', landlock_abi: 3, landlock_abi_kernel: 3, fs_restricted: true, net_restricted: false,
  scoped: false, no_new_privs: true, cap_net_raw_dropped: true, uid: 65534, gid: 65534, all_threads: true, threads: 7,
  probes: { raw_socket: 'denied', file_open: 'denied', tcp_connect: 'skipped', udp_send: 'denied', unix_connect: 'denied' }, seccomp: { installed: true, policy: 'deny_list', threads: [{ tid: 1, mode: 2, filters: 2 }], all_threads: true }, details: 'fake',
});

function fakeHelper(dir: string, body: string): string {
  const p = path.join(dir, 'fake-helper');
  writeFileSync(p, `#!/bin/sh\n${body}\n`);
  chmodSync(p, 0o755);
  return p;
}

test('a helper that cannot open the interface: startCapture resolves with interface_gone and an action', async () => {
  await inTempDir('sp-live-adapter-', async (dir) => {
    const helper = fakeHelper(dir, `echo '{"type":"error","code":"no_such_interface","message":"eth9: no such device"}' >&2\necho '{"type":"exit","reason":"error","code":3}' >&2\nexit 3`);
    const session = new EngineHost({ startLive: createLiveCaptureStarter({ helperPath: helper, launch: 'direct' }), intervalMs: 5 });
    const r = await session.startCapture({ interface: 'eth9', filter: '', promisc: false });
    assert.equal(r.ok, false);
    assert.ok(!r.ok);
    assert.equal(r.error.code, 'interface_gone');
    assert.match(r.error.message, /eth9: no such device/);
    assert.equal(r.error.action, 'Pick another interface from the list and start again.');
    assert.equal(session.getStatus().state, 'error');
    assert.deepEqual(session.getStatus().error, r.error);
    await session.dispose();
  });
});

test('a running helper: its sandbox report shows, the pcap stream feeds the engine, stop ends cleanly', async () => {
  await inTempDir('sp-live-adapter-', async (dir) => {
    const args = path.join(dir, 'args');
    const helper = fakeHelper(dir, `echo "$@" > ${args}\nprintf '${PCAP_HEADER}'\necho '${SANDBOX}' >&2\nexec sleep 30`);
    const session = new EngineHost({ startLive: createLiveCaptureStarter({ helperPath: helper, launch: 'direct' }), intervalMs: 5 });
    const r = await session.startCapture({ interface: 'eth0', filter: 'tcp port 443', promisc: true });
    assert.deepEqual(r, { ok: true, value: undefined });
    // The fake writes the pcap header before its report, as the real helper does, so once the report is seen the
    // header is already in the pipe and a stop cannot cut it off. stdout and stderr are separate pipes: poll.
    for (let i = 0; i < 100 && session.getStatus().sandbox === null; i++) await new Promise((res) => setTimeout(res, 20));
    const s = session.getStatus();
    assert.equal(s.state, 'capturing');
    assert.equal(s.sandbox?.status, 'partially_enforced');
    assert.match(s.devWarning ?? '', /not root-owned|source checkout/);
    await session.stopCapture();
    assert.equal(session.getStatus().state, 'stopped');
    assert.equal(session.getStatus().error, null);
    // The filter reaches the helper compiled by the user side (eth0 is Ethernet, or absent here: DLT 1).
    const compiled = compileFilter('tcp port 443', DLT.EN10MB);
    assert.ok(compiled.ok);
    assert.equal(readFileSync(args, 'utf8').trim(), `--interface eth0 --filter-bpf ${formatBpfProgram(compiled.insns)} --filter-linktype 1 --promisc --attribute-processes`, "the app always asks for process attribution");
    const saved = path.join(dir, 'saved.pcap');
    assert.deepEqual(await session.saveCapture(saved), { ok: true, value: { path: saved } });
    assert.equal(readFileSync(saved).length, 24, 'the pcap stream was recorded for Save');
    await session.dispose();
  });
});

test('a helper streaming packets: the engine counts them as they come; Save holds the whole records', async () => {
  await inTempDir('sp-live-adapter-', async (dir) => {
    // Timestamps near the wall clock: a live capture's time follows it, and older flows would have expired.
    const now = Date.now() / 1000;
    const rec = (ts: number, sport: number) => ({ ts, data: eth(0x0800, ipv4('192.0.2.1', '198.51.100.7', 17, udp(sport, 53, [1, 2, 3]))) });
    const whole = pcap([rec(now - 0.5, 5000), rec(now - 0.4, 5000), rec(now - 0.3, 5001)]);
    const stream = path.join(dir, 'stream.pcap');
    // The stream ends inside a record: a helper stopped mid-write.
    writeFileSync(stream, Buffer.concat([whole, pcap([rec(now, 5002)]).subarray(24, 24 + 20)]));
    const helper = fakeHelper(dir, `cat ${stream}\necho '${SANDBOX}' >&2\nexec sleep 30`);
    const session = new EngineHost({ startLive: createLiveCaptureStarter({ helperPath: helper, launch: 'direct' }), intervalMs: 5 });
    const seen = new Promise<number[]>((resolve) => {
      session.onUpdate((u) => {
        if (u.total === 2) resolve(fullRows(u).map((r) => r.packets_fwd).sort());
      });
    });
    assert.deepEqual(await session.startCapture({ interface: 'eth0', filter: '', promisc: false }), { ok: true, value: undefined });
    assert.deepEqual(await seen, [1, 2]);
    await session.stopCapture();
    assert.equal(session.getStatus().state, 'stopped');
    assert.equal(session.getStatus().error, null, 'a record cut short at the stop is no error');
    const saved = path.join(dir, 'saved.pcap');
    assert.deepEqual(await session.saveCapture(saved), { ok: true, value: { path: saved } });
    assert.deepEqual([...readFileSync(saved)], [...whole], 'the recording, cut to whole records');
    await session.dispose();
  });
});

test('the recording is bounded: past maxRecordingBytes it keeps whole records only, the capture goes on', async () => {
  const fakes = makeFakeDir();
  try {
    await inTempDir('sp-live-adapter-', async (dir) => {
      const helper = fakes.helper({ packets: 2000 });
      const session = new EngineHost({ startLive: createLiveCaptureStarter({ helperPath: helper, launch: 'direct' }), intervalMs: 5, recordingDir: dir, maxRecordingBytes: 10_000 });
      const ended = new Promise<void>((resolve) => session.onStatus((st) => st.state === 'stopped' && resolve()));
      assert.deepEqual(await session.startCapture({ interface: 'lo', filter: '', promisc: false }), { ok: true, value: undefined });
      await ended;
      assert.equal(session.getStatus().recordingFullAt, 10_000, 'the status says the recording stopped at its bound');
      const [rec] = readdirSync(dir);
      const recorded = statSync(path.join(dir, rec, 'capture.pcap')).size;
      assert.ok(recorded > 24 && recorded <= 10_000, `recording is ${recorded} bytes`);
      const saved = path.join(dir, 'saved.pcap');
      assert.deepEqual(await session.saveCapture(saved), { ok: true, value: { path: saved } });
      const e = createEngine({ detail: false });
      const bytes = readFileSync(saved);
      e.push(bytes);
      e.end();
      assert.equal(e.completeBytes, bytes.length, 'whole records only');
      assert.ok(e.stats.packets > 0 && e.stats.packets < 2000);
      await session.dispose();
    });
  } finally {
    fakes.cleanup();
  }
});

test('a helper whose stream is not pcap: the capture stops with a corrupt-stream error', async () => {
  await inTempDir('sp-live-adapter-', async (dir) => {
    const helper = fakeHelper(dir, `printf 'this is not a pcap stream at all, sorry'\necho '${SANDBOX}' >&2\nexec sleep 30`);
    const session = new EngineHost({ startLive: createLiveCaptureStarter({ helperPath: helper, launch: 'direct' }), intervalMs: 5 });
    await session.startCapture({ interface: 'eth0', filter: '', promisc: false });
    for (let i = 0; i < 250 && session.getStatus().state !== 'error'; i++) await new Promise((res) => setTimeout(res, 20));
    const st = session.getStatus();
    assert.equal(st.state, 'error');
    assert.equal(st.error?.code, 'helper_exited');
    assert.match(st.error?.message ?? '', /^The capture stream is corrupt: not a pcap or pcapng capture/);
    await session.dispose();
  });
});

test('a missing helper is an error, not a crash', async () => {
  const session = new EngineHost({ startLive: createLiveCaptureStarter({ helperPath: '/nonexistent/sandpiper-helper', launch: 'direct' }), intervalMs: 5 });
  const r = await session.startCapture({ interface: 'eth0', filter: '', promisc: false });
  assert.ok(!r.ok);
  assert.match(r.error.message, /not an executable file/);
  await session.dispose();
});

test('a burst the engine is behind on: the pipe is read on, the engine gets every byte in order, capture time waits', async () => {
  await inTempDir('sp-live-adapter-', async (dir) => {
    // A burst far larger than the pipe between helper and host holds, written at once; the engine's slices of
    // ingesting run only when the test says, so the engine stays behind for as long as the test likes.
    const now = Date.now() / 1000;
    const count = 60_000;
    const flows = 3000;
    const whole = pcap(Array.from({ length: count }, (_, i) => ({ ts: now - 1 + i / count, data: eth(0x0800, ipv4('192.0.2.1', '198.51.100.7', 17, udp(10_000 + (i % flows), 53, [i & 255, i >> 8]))) })));
    const stream = path.join(dir, 'stream.pcap');
    writeFileSync(stream, whole);
    // The helper's stats lines, as it writes them every second, are what keeps a live capture's updates going.
    const stats = JSON.stringify({ type: 'stats', received: count, dropped_kernel: 0, dropped_iface: 0, written: count, elapsed: 1 });
    const helper = fakeHelper(dir, `cat ${stream}\necho '${SANDBOX}' >&2\nwhile :; do echo '${stats}' >&2; sleep 0.05; done`);
    const slices: (() => void)[] = [];
    const starter = createLiveCaptureStarter({ helperPath: helper, launch: 'direct', ingest: { schedule: (cb) => void slices.push(cb), sliceMs: 0 } });
    let recording: LiveCaptureIo['recording'] | null = null;
    const pushed: Uint8Array[] = [];
    let advances = 0;
    const session = new EngineHost({
      intervalMs: 5,
      recordingDir: dir,
      startLive: (req, io, events) => {
        recording = io.recording;
        return starter(req, io, events);
      },
      createEngine: (mode) => {
        const e = createSourceEngine(mode);
        const push = e.push.bind(e);
        const advance = e.advance.bind(e);
        e.push = (c) => {
          pushed.push(Uint8Array.from(c));
          push(c);
        };
        e.advance = (t) => {
          advances++;
          advance(t);
        };
        return e;
      },
    });
    const updates: EngineUpdate[] = [];
    session.onUpdate((u) => updates.push(u));
    assert.deepEqual(await session.startCapture({ interface: 'eth0', filter: '', promisc: false }), { ok: true, value: undefined });
    const written = () => (recording as LiveCaptureIo['recording'] | null)?.written ?? 0;
    for (let i = 0; i < 500 && written() < whole.length; i++) await new Promise((res) => setTimeout(res, 10));
    assert.equal(written(), whole.length, 'the whole burst was read from the pipe (and recorded)');
    assert.equal(pushed.length, 0, 'while the engine had ingested none of it');
    // Updates go on meanwhile, without moving capture time past packets that wait.
    const seen = updates.length;
    for (let i = 0; i < 200 && updates.length < seen + 3; i++) await new Promise((res) => setTimeout(res, 10));
    assert.ok(updates.length >= seen + 3, 'updates kept coming');
    assert.equal(advances, 0, 'no capture-time advance while packets are queued');
    assert.equal(updates.at(-1)?.stats.packets, 0);

    while (slices.length > 0) slices.splice(0).forEach((s) => s());
    assert.deepEqual(Buffer.concat(pushed), Buffer.from(whole), 'the engine got every byte, in order');
    for (let i = 0; i < 500 && updates.at(-1)?.stats.packets !== count; i++) await new Promise((res) => setTimeout(res, 10));
    assert.equal(updates.at(-1)?.stats.packets, count);
    assert.equal(updates.at(-1)?.total, flows);
    assert.ok(advances > 0, 'capture time moves on once the queue is empty');
    await session.stopCapture();
    assert.equal(session.getStatus().error, null);
    const saved = path.join(dir, 'saved.pcap');
    assert.deepEqual(await session.saveCapture(saved), { ok: true, value: { path: saved } });
    assert.ok(readFileSync(saved).equals(Buffer.from(whole)), 'the recording holds the whole burst');
    await session.dispose();
  });
});
