/**
 * The live-capture adapter over src/capture-client with a fake helper (a shell script speaking the helper's wire
 * format), launched directly: the helper's outcome reaches the session as an AppError with an action.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, chmodSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EngineHost } from '../../src/engine-host/engine-host.ts';
import { createLiveCaptureStarter } from '../../src/engine-host/live-capture-adapter.ts';
import { createSessionEngine } from '../../src/engine-host/engine-adapter.ts';

const PCAP_HEADER = String.raw`\324\303\262\241\002\000\004\000\000\000\000\000\000\000\000\000\000\000\004\000\001\000\000\000`;
const SANDBOX = JSON.stringify({
  type: 'sandbox', status: 'partially_enforced', landlock_abi: 3, landlock_abi_kernel: 3, fs_restricted: true, net_restricted: false,
  scoped: false, no_new_privs: true, cap_net_raw_dropped: true, uid: 65534, gid: 65534, all_threads: true, threads: 7,
  probes: { raw_socket: 'denied', file_open: 'denied', tcp_connect: 'skipped' }, details: 'fake',
});

function fakeHelper(dir: string, body: string): string {
  const p = path.join(dir, 'fake-helper');
  writeFileSync(p, `#!/bin/sh\n${body}\n`);
  chmodSync(p, 0o755);
  return p;
}

test('a helper that cannot open the interface: startCapture resolves with interface_gone and an action', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'sp-live-adapter-'));
  try {
    const helper = fakeHelper(dir, `echo '{"type":"error","code":"no_such_interface","message":"eth9: no such device"}' >&2\necho '{"type":"exit","reason":"error","code":3}' >&2\nexit 3`);
    const session = new EngineHost({ createEngine: createSessionEngine, startLive: createLiveCaptureStarter({ helperPath: helper, launch: 'direct' }), intervalMs: 5 });
    const r = await session.startCapture({ interface: 'eth9', filter: '', promisc: false });
    assert.equal(r.ok, false);
    assert.ok(!r.ok);
    assert.equal(r.error.code, 'interface_gone');
    assert.match(r.error.message, /eth9: no such device/);
    assert.equal(r.error.action, 'Pick another interface from the list and start again.');
    assert.equal(session.getStatus().state, 'error');
    assert.deepEqual(session.getStatus().error, r.error);
    await session.dispose();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a running helper: its sandbox report shows, the pcap stream feeds the engine, stop ends cleanly', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'sp-live-adapter-'));
  try {
    const args = path.join(dir, 'args');
    const helper = fakeHelper(dir, `echo "$@" > ${args}\nprintf '${PCAP_HEADER}'\necho '${SANDBOX}' >&2\nexec sleep 30`);
    const session = new EngineHost({ createEngine: createSessionEngine, startLive: createLiveCaptureStarter({ helperPath: helper, launch: 'direct' }), intervalMs: 5 });
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
    const { readFileSync } = await import('node:fs');
    assert.equal(readFileSync(args, 'utf8').trim(), '--interface eth0 --filter tcp port 443 --promisc');
    const saved = path.join(dir, 'saved.pcap');
    assert.deepEqual(await session.saveCapture(saved), { ok: true, value: { path: saved } });
    assert.equal(readFileSync(saved).length, 24, 'the pcap stream was recorded for Save');
    await session.dispose();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a missing helper is an error, not a crash', async () => {
  const session = new EngineHost({ createEngine: createSessionEngine, startLive: createLiveCaptureStarter({ helperPath: '/nonexistent/sandpiper-helper', launch: 'direct' }), intervalMs: 5 });
  const r = await session.startCapture({ interface: 'eth0', filter: '', promisc: false });
  assert.ok(!r.ok);
  assert.match(r.error.message, /not an executable file/);
  await session.dispose();
});
