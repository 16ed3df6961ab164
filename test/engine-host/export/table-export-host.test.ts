/**
 * The exportTable method: the engine host's whole table under the request's filter and sort (not the renderer's
 * window), in the order the table shows, as CSV or JSON; and how the API table checks its argument.
 */
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EngineHost } from '../../../src/engine-host/engine-host.ts';
import { dispatchHostCall, type HostServices } from '../../../src/engine-host/host-protocol.ts';
import { SettingsFile } from '../../../src/engine-host/settings-file.ts';
import { DEFAULT_VIEW } from '../../../src/engine-host/view/flow-view-model.ts';
import { recordOf } from '../../../src/engine-host/export/table-export.ts';
import type { ViewRequest } from '../../../src/shared/ipc.ts';
import { eth, ipv4, pcap, tcp, udp, TCP, type Rec } from '../../engine/capture-fixtures.ts';
import { fullUpdate, type FullUpdate } from '../../support/full-update.ts';

const HOST = '192.0.2.1';
const PEER = '198.51.100.7';
const UDP_FLOWS = 150;

/** 150 UDP flows (more than the default window of 100 rows) of differing sizes, and two TCP flows. */
function capture(): Uint8Array {
  const recs: Rec[] = [];
  for (let i = 0; i < UDP_FLOWS; i++) {
    // Sizes repeat every 7 flows, so a sort by bytes has ties, which the table breaks by slot.
    for (let k = 0; k <= i % 3; k++) recs.push({ ts: 1_700_000_000 + i + k / 10, data: eth(0x0800, ipv4(HOST, PEER, 17, udp(20_000 + i, 53, new Array(1 + (i % 7) * 10).fill(1)))) });
  }
  recs.push({ ts: 1_700_000_200, data: eth(0x0800, ipv4(HOST, PEER, 6, tcp(40_000, 443, TCP.SYN))) });
  recs.push({ ts: 1_700_000_201, data: eth(0x0800, ipv4(HOST, PEER, 6, tcp(40_001, 80, TCP.SYN))) });
  return pcap(recs);
}

const dirs: string[] = [];
const hosts: EngineHost[] = [];
afterEach(async () => {
  for (const h of hosts.splice(0)) await h.dispose();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function opened(): Promise<EngineHost> {
  const dir = mkdtempSync(path.join(tmpdir(), 'sp-export-test-'));
  dirs.push(dir);
  const file = path.join(dir, 'c.pcap');
  writeFileSync(file, capture());
  const host = new EngineHost({ recordingDir: dir });
  hosts.push(host);
  const r = await host.openFile(file);
  assert.equal(r.ok, true);
  return host;
}

/** The table's own order under a view: the host's update for a window covering every flow. */
async function viewed(host: EngineHost, req: Partial<ViewRequest>): Promise<FullUpdate> {
  const got = new Promise<FullUpdate>((resolve) => {
    const off = host.onUpdate((u) => {
      if (u.viewSeq === 7) {
        off();
        resolve(fullUpdate(u));
      }
    });
  });
  host.setView({ ...DEFAULT_VIEW, seq: 7, start: 0, end: 1000, ...req });
  return got;
}

test('exports every flow that passes the filter, in the order the table shows them, not only the window', async () => {
  const host = await opened();
  const q = { sortColumn: 'bytes', sortDir: 'desc', filter: 'proto:udp' } as const;
  const r = host.exportTable({ format: 'json', ...q });
  assert.ok(r.ok);
  assert.equal(r.value.flows, UDP_FLOWS);
  const flows = JSON.parse(r.value.text) as { id: number; proto: string }[];
  assert.equal(flows.length, UDP_FLOWS);
  assert.ok(flows.every((f) => f.proto === 'udp'));
  const u = await viewed(host, q);
  assert.equal(u.count, UDP_FLOWS);
  // Every row as the table has it, in its order (ties included), each as its `read --json` line.
  assert.deepEqual(flows, u.rows.map((row) => JSON.parse(JSON.stringify(recordOf(row)))));
  // Another sort, ascending by a text column: still the table's order.
  const q2 = { sortColumn: 'local', sortDir: 'asc', filter: '' } as const;
  const r2 = host.exportTable({ format: 'json', ...q2 });
  assert.ok(r2.ok);
  const u2 = await viewed(host, q2);
  assert.deepEqual((JSON.parse(r2.value.text) as { id: number }[]).map((f) => f.id), u2.rows.map((row) => row.id));
  assert.equal(u2.rows.length, UDP_FLOWS + 2);
});

test('a seen: range (a drag across the chart) limits the export as it limits the table', async () => {
  const host = await opened();
  // UDP flow i is seen from T0 + i to T0 + i + (i % 3) / 10.
  const q = { sortColumn: 'first_seen', sortDir: 'asc', filter: `proto:udp seen:${1_700_000_010.5}-${1_700_000_019}` } as const;
  const r = host.exportTable({ format: 'json', ...q });
  assert.ok(r.ok);
  const u = await viewed(host, q);
  assert.equal(u.count, 9, 'flows 11 to 19');
  assert.deepEqual((JSON.parse(r.value.text) as { id: number }[]).map((f) => f.id), u.rows.map((row) => row.id));
});

test('CSV: a header and one CRLF line per matching flow', async () => {
  const host = await opened();
  const r = host.exportTable({ format: 'csv', sortColumn: 'last_seen', sortDir: 'desc', filter: 'proto:tcp' });
  assert.ok(r.ok);
  assert.equal(r.value.format, 'csv');
  const lines = r.value.text.split('\r\n');
  assert.equal(lines.at(-1), '');
  assert.equal(lines.length, 1 + 2 + 1);
  assert.match(lines[0], /^id,proto,src,sport,dst,dport,/);
  // Newest first: the port-80 flow came last.
  assert.match(lines[1], /,tcp,192\.0\.2\.1,40001,198\.51\.100\.7,80,/);
  assert.match(lines[2], /,tcp,192\.0\.2\.1,40000,198\.51\.100\.7,443,/);
});

test('a filter that does not parse is refused with its reason; an empty host exports an empty table', async () => {
  const host = await opened();
  const bad = host.exportTable({ format: 'csv', sortColumn: 'bytes', sortDir: 'desc', filter: 'port:x' });
  assert.equal(bad.ok, false);
  assert.ok(!bad.ok && bad.error.code === 'bad_arguments' && /port/.test(bad.error.message));
  const empty = new EngineHost();
  hosts.push(empty);
  const r = empty.exportTable({ format: 'json', sortColumn: 'bytes', sortDir: 'desc', filter: '' });
  assert.deepEqual(r, { ok: true, value: { format: 'json', text: '[]\n', flows: 0 } });
});

test('the API table lets the page call it and refuses a malformed request as a result', async () => {
  const host = await opened();
  const s: HostServices = { engineHost: host, listInterfaces: () => [], validateFilter: () => ({ ok: true, value: undefined }), settings: new SettingsFile(null) };
  const ok = await dispatchHostCall(s, 'exportTable', { format: 'csv', sortColumn: 'bytes', sortDir: 'asc', filter: 'port:80' }, 'page');
  assert.equal(ok.type, 'result');
  assert.equal((ok as { value: { ok: boolean; value: { flows: number } } }).value.value.flows, 1);
  for (const arg of [
    { format: 'xml', sortColumn: 'bytes', sortDir: 'asc', filter: '' },
    { format: 'csv', sortColumn: 'nope', sortDir: 'asc', filter: '' },
    { format: 'csv', sortColumn: 'bytes', sortDir: 'up', filter: '' },
    { format: 'csv', sortColumn: 'bytes', sortDir: 'asc', filter: 'x'.repeat(5000) },
    { format: 'csv', sortColumn: 'bytes', sortDir: 'asc', filter: '', path: '/etc/passwd' },
    'csv',
  ]) {
    const r = await dispatchHostCall(s, 'exportTable', arg, 'page');
    assert.equal(r.type, 'result');
    const v = (r as { value: { ok: boolean; error?: { code: string } } }).value;
    assert.equal(v.ok, false, JSON.stringify(arg));
    assert.equal(v.error?.code, 'bad_arguments');
  }
});
