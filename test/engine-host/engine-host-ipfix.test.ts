/**
 * A live capture started with an IPFIX target exports as `sandpiper capture --ipfix` does: a real UDP socket on
 * 127.0.0.1 is the collector, a scripted capture feeds the engine, the host's wall clock is moved by the test.
 */
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { EngineHost } from '../../src/engine-host/engine-host.ts';
import { END_REASON } from '../../src/engine-host/ipfix/flow-templates.ts';
import type { LiveCaptureEvents, LiveCaptureIo, StartLiveCapture } from '../../src/engine-host/types.ts';
import type { EngineUpdate, IpfixExportRequest, StartCaptureRequest } from '../../src/shared/ipc.ts';
import { eth, ipv4, pcap, udp } from '../engine/capture-fixtures.ts';
import { IpfixDecoder } from './ipfix/ipfix-decoder.ts';

const hosts = new Set<EngineHost>();
const sockets = new Set<Socket>();
afterEach(async () => {
  for (const h of hosts) await h.dispose();
  hosts.clear();
  for (const s of sockets) s.close();
  sockets.clear();
});

/** A collector: every record received, as source port and end reason. */
async function collector(): Promise<{ port: number; records: { sport: number; reason: number; packets: number }[] }> {
  const sock = createSocket('udp4');
  sockets.add(sock);
  const dec = new IpfixDecoder();
  const records: { sport: number; reason: number; packets: number }[] = [];
  sock.on('message', (m) => {
    for (const r of dec.decode(new Uint8Array(m)).records) records.push({ sport: Number(r.values[2]), reason: Number(r.values[10]), packets: Number(r.values[7]) });
  });
  await new Promise<void>((resolve) => sock.bind(0, '127.0.0.1', resolve));
  return { port: (sock.address() as AddressInfo).port, records };
}

/** A scripted live capture pushing bytes into the engine it is given; stop ends the engine, as the pipeline does. */
function fakeLive(): { push(b: Uint8Array): void; start: StartLiveCapture } {
  let io: LiveCaptureIo | null = null;
  let events: LiveCaptureEvents | null = null;
  const start: StartLiveCapture = (_req, i, e) => {
    io = i;
    events = e;
    e.packets();
    return {
      devWarning: null,
      recordingCut: () => i.engine.completeBytes,
      stop: async () => {
        i.engine.end();
        await i.recording.close(i.engine.completeBytes);
        e.end(null, 0);
      },
    };
  };
  return {
    start,
    push(b) {
      io?.engine.push(b);
      io?.recording.write(Buffer.from(b));
      events?.packets();
    },
  };
}

const frame = (ts: number, sport: number) => ({ ts, data: eth(0x0800, ipv4('192.0.2.1', '198.51.100.7', 17, udp(sport, 53, [1, 2, 3]))) });

async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  assert.fail(`timed out waiting for ${what}`);
}

function liveHost(): { host: EngineHost; push(b: Uint8Array): void; setWall(s: number): void; updates: EngineUpdate[] } {
  const live = fakeLive();
  let wall = 1000_000;
  const host = new EngineHost({ startLive: live.start, intervalMs: 5, now: () => wall });
  hosts.add(host);
  const updates: EngineUpdate[] = [];
  host.onUpdate((u) => updates.push(u));
  return { host, push: live.push, setWall: (s) => (wall = s * 1000), updates };
}

const req = (ipfix: IpfixExportRequest): StartCaptureRequest => ({ interface: 'eth0', filter: '', promisc: false, ipfix });

test('live capture with IPFIX: idle flows are exported on the tick with the timeout asked for, the rest on stop; counters in the stats', async () => {
  const col = await collector();
  const { host, push, setWall, updates } = liveHost();
  const started = await host.startCapture(req({ collector: `127.0.0.1:${col.port}`, transport: 'udp', idleTimeout: 2 }));
  assert.deepEqual(started, { ok: true, value: undefined });
  const file = pcap([frame(1000, 5001), frame(1000.5, 5001), frame(1000.2, 5002)]);
  push(file.subarray(0, 24));
  push(file.subarray(24));
  await until(() => updates.at(-1)?.stats.packets === 3, 'the packets counted');
  assert.equal(col.records.length, 0, 'nothing exported before a timeout');
  assert.deepEqual(updates.at(-1)?.stats.ipfix, {
    collector: `127.0.0.1:${col.port}`, transport: 'udp', recordsSent: 0, messagesSent: 0, sendErrors: 0, dropped: 0, lastError: null,
  });

  // Three seconds later both flows have been idle longer than 2 s (the default of 15 s would keep them).
  setWall(1003);
  await until(() => col.records.length === 2, 'the idle flows at the collector');
  assert.deepEqual(col.records.map((r) => [r.sport, r.reason, r.packets]).sort(), [[5001, END_REASON.idleTimeout, 2], [5002, END_REASON.idleTimeout, 1]]);
  await until(() => updates.at(-1)?.stats.ipfix?.recordsSent === 2, 'records sent in the stats');

  // A new flow, then stop: the final export sends it.
  push(pcap([frame(1003.1, 5003)]).subarray(24));
  await until(() => updates.at(-1)?.stats.packets === 4, 'the fourth packet counted');
  await host.stopCapture();
  await until(() => col.records.length === 3, 'the final export at the collector');
  assert.deepEqual(col.records[2], { sport: 5003, reason: END_REASON.forcedEnd, packets: 1 });
  await until(() => updates.at(-1)?.stats.ipfix?.recordsSent === 3, 'the final count in the stats');
  assert.equal(host.getStatus().state, 'stopped');
  const last = updates.at(-1)?.stats.ipfix;
  assert.equal(last?.sendErrors, 0);
  assert.equal(last?.dropped, 0);
});

test('live capture with IPFIX: the default timeouts are the CLI\'s (an idle flow of 3 s is not exported yet)', async () => {
  const col = await collector();
  const { host, push, setWall, updates } = liveHost();
  assert.ok((await host.startCapture(req({ collector: `127.0.0.1:${col.port}`, transport: 'udp' }))).ok);
  push(pcap([frame(1000, 6001)]));
  await until(() => updates.at(-1)?.stats.packets === 1, 'the packet counted');
  setWall(1003);
  await until(() => updates.some((u) => u.ts >= 1003), 'a tick at 1003 s');
  setWall(1005);
  await until(() => updates.some((u) => u.ts >= 1005), 'a tick at 1005 s');
  assert.equal(col.records.length, 0);
  setWall(1016);
  await until(() => col.records.length === 1, 'the flow idle 16 s at the collector');
  assert.equal(col.records[0].reason, END_REASON.idleTimeout);
});

test('live capture with a bad IPFIX target: a clear bad_arguments AppError, no capture started', async () => {
  for (const [ipfix, why] of [
    [{ collector: 'collector-without-port', transport: 'udp' }, /Cannot export flows to collector-without-port: 'collector-without-port' is not HOST:PORT\.$/],
    [{ collector: '127.0.0.1:4739', transport: 'sctp' }, /udp or tcp/],
    [{ collector: '127.0.0.1:4739', transport: 'udp', idleTimeout: -1 }, /seconds/],
  ] as const) {
    let started = 0;
    const host = new EngineHost({ startLive: () => { started++; throw new Error('must not start'); } });
    hosts.add(host);
    const r = await host.startCapture(req(ipfix as unknown as IpfixExportRequest));
    assert.equal(r.ok, false);
    if (r.ok) continue;
    assert.equal(r.error.code, 'bad_arguments');
    assert.match(r.error.message, why);
    assert.doesNotMatch(r.error.message + r.error.action, /\n\s+at /, 'no stack');
    assert.equal(started, 0, 'the capture did not start');
    assert.equal(host.getStatus().state, 'error');
  }
});
