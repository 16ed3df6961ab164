/**
 * Saving one flow's packets as pcap: from a file the host read, and from a live capture's recording. The output
 * opens in tshark with exactly the flow's packet count, and holds that flow only. And one flow's chart series, read
 * from the same places by the same code.
 */
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EngineHost } from '../../../src/engine-host/engine-host.ts';
import { DEFAULT_VIEW } from '../../../src/engine-host/view/flow-view-model.ts';
import { createEngine } from '../../../src/engine/engine.ts';
import type { FlowRow } from '../../../src/shared/flow.ts';
import type { EngineUpdate } from '../../../src/shared/ipc.ts';
import type { LiveCaptureIo, StartLiveCapture } from '../../../src/engine-host/types.ts';
import { eth, ipv4, pcap, tcp, udp, TCP, type Rec } from '../../engine/capture-fixtures.ts';
import { fullRows } from '../../support/full-update.ts';

const A = '192.0.2.1';
const B = '198.51.100.7';
const C = '203.0.113.9';
const T0 = 1_700_000_000;

function tcpRec(ts: number, fromA: boolean, flags: number, payload: number[] = [], sport = 40_000, dport = 443): Rec {
  return { ts, data: eth(0x0800, fromA ? ipv4(A, B, 6, tcp(sport, dport, flags, payload)) : ipv4(B, A, 6, tcp(dport, sport, flags, payload))) };
}

/**
 * Flows, interleaved: a TCP connection (7 packets) and a second connection on the same 5-tuple after it closed (3);
 * a UDP datagram sent in two IP fragments and its answer (3 packets); a VLAN-tagged UDP flow (2); and other flows
 * between the same hosts on other ports.
 */
function capture(): Uint8Array {
  const big = udp(5000, 53, new Array(40).fill(7));
  const recs: Rec[] = [
    tcpRec(T0 + 0.1, true, TCP.SYN),
    { ts: T0 + 0.15, data: eth(0x0800, ipv4(A, B, 17, big.slice(0, 24), { id: 77, mf: true, totalLen: 44 })) },
    tcpRec(T0 + 0.2, false, TCP.SYN | TCP.ACK),
    { ts: T0 + 0.25, data: eth(0x0800, ipv4(A, B, 17, big.slice(24), { id: 77, fragOffset8: 3, totalLen: 20 + big.length - 24 })) },
    tcpRec(T0 + 0.3, true, TCP.ACK),
    { ts: T0 + 0.32, data: eth(0x0800, ipv4(A, C, 17, udp(6000, 123, [1, 2, 3]))) },
    tcpRec(T0 + 0.4, true, TCP.PSH | TCP.ACK, [1, 2, 3, 4]),
    { ts: T0 + 0.42, data: eth(0x0800, ipv4(A, C, 17, udp(7000, 9, [9])), [[0x8100, 5]]) },
    { ts: T0 + 0.45, data: eth(0x0800, ipv4(B, A, 17, udp(53, 5000, [5, 5]))) },
    tcpRec(T0 + 0.5, false, TCP.PSH | TCP.ACK, [5, 6]),
    tcpRec(T0 + 0.6, true, TCP.FIN | TCP.ACK),
    tcpRec(T0 + 0.62, true, TCP.SYN, [], 40_001, 80),
    tcpRec(T0 + 0.7, false, TCP.FIN | TCP.ACK),
    { ts: T0 + 0.72, data: eth(0x0800, ipv4(C, A, 17, udp(9, 7000, [8]))) },
    tcpRec(T0 + 5.0, true, TCP.SYN),
    tcpRec(T0 + 5.1, false, TCP.SYN | TCP.ACK),
    tcpRec(T0 + 5.2, true, TCP.ACK),
  ];
  return pcap(recs);
}

const dirs: string[] = [];
const hosts: EngineHost[] = [];
afterEach(async () => {
  for (const h of hosts.splice(0)) await h.dispose();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tmp(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'sp-flow-packets-'));
  dirs.push(d);
  return d;
}

/** Every flow the host's table holds (one window covering them all). */
async function rowsOf(host: EngineHost, select: { id: number } | null = null): Promise<FlowRow[]> {
  const got = new Promise<EngineUpdate>((resolve) => {
    const off = host.onUpdate((u) => {
      if (u.viewSeq === 9) {
        off();
        resolve(u);
      }
    });
  });
  host.setView({ ...DEFAULT_VIEW, seq: 9, sortColumn: 'first_seen', sortDir: 'asc', start: 0, end: 1000, select, have: null });
  return fullRows(await got);
}

/** How many packets tshark reads in `file` (null when tshark is not installed). */
function tsharkCount(file: string): number | null {
  const r = spawnSync('tshark', ['-n', '-r', file, '-T', 'fields', '-e', 'frame.number'], { encoding: 'utf8', env: { ...process.env, HOME: path.dirname(file) } });
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ENOENT') return null;
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.split('\n').filter((l) => l.trim() !== '').length;
}

/** What our own engine reads back from a saved file: its flows' keys and packet counts. */
function readBack(file: string): { key: string; packets: number }[] {
  const e = createEngine({ retainEnded: true, geo: null });
  e.push(readFileSync(file));
  e.end();
  return [...e.flows()].map((f) => e.toRecord(f)).map((r) => ({ key: `${r.proto} ${r.src}:${r.sport} ${r.dst}:${r.dport}`, packets: r.packets_fwd + r.packets_rev }));
}

const keyOf = (r: FlowRow) => `${r.proto} ${r.src}:${r.sport} ${r.dst}:${r.dport}`;

/** A host that read capture() from a file, and its flows. */
async function fileHost(): Promise<{ dir: string; host: EngineHost; rows: FlowRow[] }> {
  const dir = tmp();
  const file = path.join(dir, 'c.pcap');
  writeFileSync(file, capture());
  const host = new EngineHost({ recordingDir: dir });
  hosts.push(host);
  assert.equal((await host.openFile(file)).ok, true);
  return { dir, host, rows: await rowsOf(host) };
}

test("from a file: each flow's packets, exactly its count in tshark, and only that flow", async (t) => {
  const { dir, host, rows } = await fileHost();
  const tcp443 = rows.filter((r) => r.proto === 'tcp' && r.dport === 443);
  assert.deepEqual(tcp443.map((r) => r.packets_fwd + r.packets_rev), [7, 3], 'two connections on one 5-tuple');
  const frag = rows.find((r) => r.proto === 'udp' && r.dport === 53) as FlowRow;
  assert.equal(frag.packets_fwd + frag.packets_rev, 3, 'both fragments and the answer');
  const vlan = rows.find((r) => r.proto === 'udp' && r.sport === 7000) as FlowRow;
  assert.equal(vlan.packets_fwd + vlan.packets_rev, 2);
  let tshark = true;
  for (const r of rows) {
    const out = path.join(dir, `flow-${r.id}.pcap`);
    const saved = await host.saveFlowPackets({ id: r.id, path: out });
    const packets = r.packets_fwd + r.packets_rev;
    assert.deepEqual(saved, { ok: true, value: { path: out, packets } }, keyOf(r));
    assert.equal(statSync(out).mode & 0o777, 0o600);
    const n = tsharkCount(out);
    if (n === null) tshark = false;
    else assert.equal(n, packets, `tshark reads the flow's ${packets} packets for ${keyOf(r)}`);
    assert.deepEqual(readBack(out), [{ key: keyOf(r), packets }]);
  }
  if (!tshark) t.diagnostic('tshark is not installed: counts checked with our own reader only');
  const gone = await host.saveFlowPackets({ id: 999, path: path.join(dir, 'x.pcap') });
  assert.ok(!gone.ok && gone.error.message === 'This flow is no longer in the table.');
});

test('a write that fails is a clear error', async () => {
  const dir = tmp();
  const file = path.join(dir, 'c.pcap');
  writeFileSync(file, capture());
  const host = new EngineHost({ recordingDir: dir });
  hosts.push(host);
  await host.openFile(file);
  const [r] = await rowsOf(host);
  const bad = await host.saveFlowPackets({ id: r.id, path: path.join(dir, 'no/such/dir/x.pcap') });
  assert.ok(!bad.ok && /^Cannot save to x\.pcap: /.test(bad.error.message), JSON.stringify(bad));
});

/** A scripted live capture feeding the engine and, when `record`, the recording, as the real pipeline does. */
function fakeLive(record: boolean): { push(b: Uint8Array): void; start: StartLiveCapture } {
  let io: LiveCaptureIo | null = null;
  let packets = () => {};
  return {
    push(b) {
      (io as LiveCaptureIo).engine.push(b);
      if (record) (io as LiveCaptureIo).recording.write(Buffer.from(b));
      packets();
    },
    start: (_req, given, events) => {
      io = given;
      packets = () => events.packets();
      events.packets();
      return {
        devWarning: null,
        recordingCut: () => given.engine.completeBytes,
        stop: async () => {
          await given.recording.close(given.engine.completeBytes);
          events.end(null, 0);
        },
      };
    },
  };
}

test('from a live capture: the recording so far; without one, a clear "not available"', async (t) => {
  const dir = tmp();
  const live = fakeLive(true);
  const host = new EngineHost({ startLive: live.start, recordingDir: dir, intervalMs: 5, now: () => (T0 + 6) * 1000 });
  hosts.push(host);
  await host.startCapture({ interface: 'lo', filter: '', promisc: false });
  live.push(capture());
  const rows = await rowsOf(host);
  const conn = rows.find((r) => r.proto === 'tcp' && r.dport === 443) as FlowRow;
  const out = path.join(dir, 'live.pcap');
  const saved = await host.saveFlowPackets({ id: conn.id, path: out });
  const packets = conn.packets_fwd + conn.packets_rev;
  assert.deepEqual(saved, { ok: true, value: { path: out, packets } });
  const n = tsharkCount(out);
  if (n === null) t.diagnostic('tshark is not installed');
  else assert.equal(n, packets);
  assert.deepEqual(readBack(out), [{ key: keyOf(conn), packets }]);
  // The drawer's chart of it, from the same recording: whole seconds up to the capture's clock.
  const total = (r: Awaited<ReturnType<EngineHost['flowSeries']>>) => (r.ok ? [...r.value.down, ...r.value.up].reduce((a, b) => a + b * r.value.step, 0) : NaN);
  const series = await host.flowSeries(conn.id);
  assert.ok(series.ok);
  assert.equal(series.value.start, T0);
  assert.ok(series.value.down.length >= 1);
  assert.equal(total(series), conn.bytes_fwd + conn.bytes_rev);
  // The second connection on that 5-tuple, then more of it: the next ask reads on from where the last stopped, and
  // counts each packet once.
  const later = rows.filter((r) => r.proto === 'tcp' && r.dport === 443)[1];
  assert.equal(total(await host.flowSeries(later.id)), later.bytes_fwd + later.bytes_rev);
  live.push(pcap([tcpRec(T0 + 5.3, false, TCP.PSH | TCP.ACK, [1, 2, 3]), tcpRec(T0 + 5.4, true, TCP.ACK)]).subarray(24));
  // (Still selected, as while the drawer shows it.)
  const grown = (await rowsOf(host, { id: later.id })).find((r) => r.id === later.id) as FlowRow;
  assert.equal(grown.packets_fwd + grown.packets_rev, 5);
  assert.equal(total(await host.flowSeries(grown.id)), grown.bytes_fwd + grown.bytes_rev);
  assert.equal(total(await host.flowSeries(conn.id)), conn.bytes_fwd + conn.bytes_rev, 'another flow is read anew');

  const bare = fakeLive(false);
  const other = new EngineHost({ startLive: bare.start, recordingDir: dir, intervalMs: 5, now: () => (T0 + 6) * 1000 });
  hosts.push(other);
  await other.startCapture({ interface: 'lo', filter: '', promisc: false });
  bare.push(capture());
  const [first] = await rowsOf(other);
  const none = await other.saveFlowPackets({ id: first.id, path: path.join(dir, 'none.pcap') });
  assert.ok(!none.ok && /^This flow’s packets are not available: /.test(none.error.message), JSON.stringify(none));
  const noSeries = await other.flowSeries(first.id);
  assert.ok(!noSeries.ok && /^This flow’s packets are not available: /.test(noSeries.error.message), JSON.stringify(noSeries));
});

test("flowSeries: each flow's bytes over capture time from its packets' timestamps, in the chart's bins and directions", async () => {
  const { dir, host, rows } = await fileHost();
  const sum = (xs: number[], step: number) => xs.reduce((a, b) => a + b * step, 0);
  for (const r of rows) {
    const got = await host.flowSeries(r.id);
    assert.ok(got.ok, keyOf(r));
    const s = got.value;
    assert.equal(s.step, 1);
    // Bins of whole seconds from the flow's first packet's second; a file's flows have no local end known, so the
    // responder's bytes are down, as the main chart counts them.
    assert.equal(s.start, Math.floor(r.first_seen), keyOf(r));
    assert.equal(s.down.length, Math.floor(r.last_seen) - Math.floor(r.first_seen) + 1, keyOf(r));
    assert.equal(sum(s.down, s.step), r.bytes_rev, `down of ${keyOf(r)}`);
    assert.equal(sum(s.up, s.step), r.bytes_fwd, `up of ${keyOf(r)}`);
  }
  // The second connection on the first one's 5-tuple: only its own packets, 5 s later.
  const [first, second] = rows.filter((r) => r.proto === 'tcp' && r.dport === 443);
  const a = await host.flowSeries(first.id);
  const b = await host.flowSeries(second.id);
  assert.ok(a.ok && b.ok);
  assert.equal(a.value.start, T0);
  assert.equal(b.value.start, T0 + 5);
  assert.ok(a.value.up[0] > 0 && a.value.down[0] > 0);
  const gone = await host.flowSeries(999);
  assert.ok(!gone.ok && gone.error.message === 'This flow is no longer in the table.');
  // Asked again for the same flow, a file read to its end is not read again: its bytes spoilt now change nothing.
  const again = await host.flowSeries(second.id);
  writeFileSync(path.join(dir, 'c.pcap'), new Uint8Array(64));
  assert.deepEqual(await host.flowSeries(second.id), again);
  // Another flow is read from the start, and meets the spoilt file.
  assert.equal((await host.flowSeries(first.id)).ok, false);
});
