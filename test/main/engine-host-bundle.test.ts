/**
 * The built engine host (dist/main/engine-host.js) run as a child process, with a shim giving it the
 * `process.parentPort` of an Electron utility process and a stand-in for the page's MessagePort: it serves the page
 * on its port (validating filters with libpcap, streaming throttled updates of a capture read by the real engine),
 * and main's calls (openFile with a dialog's path) on the parent port.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { API_VERSION, type HostToPage } from '../../src/shared/api.ts';
import type { HostToMain } from '../../src/shared/engine-host-protocol.ts';
import type { EngineUpdate, CaptureStatusView } from '../../src/shared/ipc.ts';
import { isEngineUpdate } from '../../src/shared/engine-host-protocol.ts';
import { fullRows } from '../support/full-update.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const bundle = path.resolve(here, '../../dist/main/engine-host.js');

/** A small Ethernet/IPv4/UDP pcap: `n` datagrams from 192.0.2.1:5000+i%3 to 192.0.2.2:53. */
function pcap(n: number): Buffer {
  const parts = [Buffer.from('d4c3b2a1020004000000000000000000ffff000001000000', 'hex')];
  for (let i = 0; i < n; i++) {
    const payload = Buffer.alloc(8, i);
    const udp = Buffer.alloc(8);
    udp.writeUInt16BE(5000 + (i % 3), 0);
    udp.writeUInt16BE(9999, 2);
    udp.writeUInt16BE(8 + payload.length, 4);
    const ip = Buffer.from('450000000000400040110000c0000201c0000202', 'hex');
    ip.writeUInt16BE(20 + udp.length + payload.length, 2);
    const eth = Buffer.from('00000000000200000000000108 00'.replaceAll(' ', ''), 'hex');
    const frame = Buffer.concat([eth, ip, udp, payload]);
    const rec = Buffer.alloc(16);
    rec.writeUInt32LE(1_700_000_000 + i, 0);
    rec.writeUInt32LE(frame.length, 8);
    rec.writeUInt32LE(frame.length, 12);
    parts.push(rec, frame);
  }
  return Buffer.concat(parts);
}

test('the engine-host bundle serves the page on its port (calls, throttled updates) and main on the parent port', { skip: existsSync(bundle) ? false : 'dist/main/engine-host.js is not built (npm run build)' }, async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'sp-host-bundle-'));
  // 'advanced': structured clone, as Electron's utility-process port uses (the default, JSON, would flatten typed arrays).
  const child = fork(bundle, [], { execArgv: ['--import', path.join(here, 'parent-port-shim.mjs')], stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'advanced' });
  try {
    const updates: EngineUpdate[] = [];
    const statuses: CaptureStatusView[] = [];
    const hellos: unknown[] = [];
    const pending = new Map<number, (v: unknown) => void>();
    const mainPending = new Map<number, (v: unknown) => void>();
    child.on('message', (raw: HostToMain | { port: HostToPage }) => {
      if (!('port' in raw)) {
        if (raw.type === 'result') mainPending.get(raw.id)?.(raw.value);
        return;
      }
      const m = raw.port;
      if (m.type === 'result') pending.get(m.id)?.(m.value);
      else if (m.type === 'error') pending.get(m.id)?.(new Error(m.message));
      else if (m.type === 'update') updates.push(m.update);
      else if (m.type === 'status') statuses.push(m.status);
      else hellos.push(m);
    });
    let id = 0;
    /** A call from the page, on its port. */
    const call = (method: string, arg?: unknown) =>
      new Promise<unknown>((resolve) => {
        pending.set(++id, resolve);
        child.send({ port: { type: 'call', id, method, arg } });
      });
    /** A call from main (the shell), on the parent port. */
    const mainCall = (method: string, arg?: unknown) =>
      new Promise<unknown>((resolve) => {
        mainPending.set(++id, resolve);
        child.send({ type: 'call', id, method, arg });
      });
    child.send({ type: 'connect' });
    const ifaces = (await call('listInterfaces')) as { name: string }[];
    assert.deepEqual(hellos, [{ type: 'hello', version: API_VERSION }], 'the host says which API it speaks first');
    assert.ok(ifaces.some((i) => i.name === 'lo') && ifaces.some((i) => i.name === 'any'));
    // A structured clone keeps `value: undefined` (JSON would drop it), as Electron's port does.
    assert.deepEqual(await call('validateFilter', 'udp port 53'), { ok: true, value: undefined });
    const bad = (await call('validateFilter', 'udp port')) as { ok: boolean; error: { code: string } };
    assert.equal(bad.error.code, 'bad_filter');
    const file = path.join(dir, 'small.pcap');
    writeFileSync(file, pcap(30));
    const fromPage = (await call('openFile', file)) as { ok: boolean; error: { code: string } };
    assert.equal(fromPage.error.code, 'bad_arguments', 'the page cannot name a path');
    assert.deepEqual(await mainCall('openFile', file), { ok: true, value: { path: file } });
    // The final update follows the "stopped" status within one update interval.
    for (let i = 0; i < 100 && !(updates.at(-1)?.total === 3 && updates.at(-1)!.stats.packets === 30); i++) await new Promise((r) => setTimeout(r, 50));
    const last = updates.at(-1)!;
    assert.ok(isEngineUpdate(last), 'the update survives the structured clone in the shape the page accepts');
    assert.equal(last.count, 3);
    assert.equal(last.rows.length, 3, 'three UDP flows, whole rows');
    assert.equal(last.stats.packets, 30);
    assert.deepEqual(fullRows(last).map((r) => r.packets_fwd), [10, 10, 10]);
    assert.deepEqual(fullRows(last).map((r) => r.sport).sort(), [5000, 5001, 5002]);
    assert.equal(statuses.at(-1)?.state, 'stopped');
    // The renderer's view request: answered with an update of its own.
    const n = updates.length;
    const view = { seq: 1, sortColumn: 'local', sortDir: 'desc', filter: 'port:5001,5002', start: 1, end: 10, select: { index: 0 }, have: null };
    assert.equal(await call('setView', view), undefined);
    for (let i = 0; i < 100 && updates.length === n; i++) await new Promise((r) => setTimeout(r, 10));
    const reply = updates.at(-1)!;
    assert.ok(isEngineUpdate(reply));
    assert.deepEqual([reply.viewSeq, reply.total, reply.count, reply.start], [1, 3, 2, 1]);
    assert.deepEqual(fullRows(reply).map((r) => r.sport), [5001]);
    assert.equal(reply.selected?.row?.sport, 5002);
    assert.equal(reply.selected?.index, 0);
  } finally {
    child.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});
