import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEngine } from '../../../src/engine/index.ts';
import { FlowExporter } from '../../../src/engine-host/ipfix/flow-exporter.ts';
import { END_REASON, linkHeaderBytes, sniffLinktype } from '../../../src/engine-host/ipfix/flow-templates.ts';
import type { IpfixTransport, TransportStats } from '../../../src/engine-host/ipfix/transport.ts';
import { TCP, eth, ipv4, ipv6, pcap, tcp, udp, type Rec } from '../../engine/capture-fixtures.ts';
import { IpfixDecoder } from './ipfix-decoder.ts';

class FakeTransport implements IpfixTransport {
  readonly stats: TransportStats = { messagesSent: 0, bytesSent: 0, sendErrors: 0, dropped: 0, queuedBytes: 0 };
  readonly lastError = null;
  readonly messages: Uint8Array[] = [];
  start: () => Uint8Array[] = () => [];
  readonly kind: 'udp' | 'tcp';
  constructor(kind: 'udp' | 'tcp') {
    this.kind = kind;
  }
  readonly busy = false;
  async room(): Promise<void> {}
  send(m: Uint8Array): void {
    this.messages.push(m);
  }
  sessionStart(fn: () => Uint8Array[]): void {
    this.start = fn;
  }
  async close(): Promise<void> {}
}

interface Uniflow {
  src: string;
  dst: string;
  sport: number;
  dport: number;
  proto: number;
  flags: number;
  octets: number;
  packets: number;
  start: number;
  end: number;
  reason: number;
  app: string;
  host: string;
}

function records(msgs: Uint8Array[], dec = new IpfixDecoder()): Uniflow[] {
  const out: Uniflow[] = [];
  const txt = (x: unknown) => new TextDecoder().decode(x as Uint8Array);
  for (const m of msgs) {
    for (const r of dec.decode(m).records) {
      const v = r.values;
      const ip = (x: unknown) => ((x as Uint8Array).length === 4 ? [...(x as Uint8Array)].join('.') : Buffer.from(x as Uint8Array).toString('hex'));
      const dir = r.templateId >= 258 ? 1 : 0;
      out.push({
        src: ip(v[0]), dst: ip(v[1]), sport: Number(v[2]), dport: Number(v[3]), proto: Number(v[4]), flags: Number(v[5]),
        octets: Number(v[6]), packets: Number(v[7]), start: Number(v[8]), end: Number(v[9]), reason: Number(v[10]),
        host: txt(v[14 + dir]), app: txt(v[15 + dir]),
      });
    }
  }
  return out;
}

const A = '10.0.0.1';
const B = '10.0.0.2';
const e4 = (src: string, dst: string, proto: number, l4: number[]) => eth(0x0800, ipv4(src, dst, proto, l4));

function tcpSession(t0: number): Rec[] {
  return [
    { ts: t0, data: e4(A, B, 6, tcp(40000, 80, TCP.SYN)) },
    { ts: t0 + 0.01, data: e4(B, A, 6, tcp(80, 40000, TCP.SYN | TCP.ACK)) },
    { ts: t0 + 0.02, data: e4(A, B, 6, tcp(40000, 80, TCP.ACK, [...Buffer.from('GET / HTTP/1.1\r\nHost: example.org\r\n\r\n')])) },
    { ts: t0 + 0.03, data: e4(B, A, 6, tcp(80, 40000, TCP.ACK, Array(500).fill(65))) },
    { ts: t0 + 0.04, data: e4(A, B, 6, tcp(40000, 80, TCP.FIN | TCP.ACK)) },
    { ts: t0 + 0.05, data: e4(B, A, 6, tcp(80, 40000, TCP.FIN | TCP.ACK)) },
    { ts: t0 + 0.06, data: e4(A, B, 6, tcp(40000, 80, TCP.ACK)) },
  ];
}

test('a file: two uniflow records per flow with IP-layer octets, and the end reasons', async () => {
  const recs = [
    ...tcpSession(1000),
    { ts: 1000.5, data: e4(A, B, 17, udp(5353, 53, [1, 2, 3])) },
    { ts: 1001.5, data: e4(A, B, 17, udp(5353, 53, [1, 2, 3, 4])) },
    { ts: 1002, data: eth(0x86dd, ipv6('2001:db8::1', '2001:db8::2', 17, udp(1000, 2000, [9]))) },
  ];
  const file = pcap(recs);
  assert.equal(sniffLinktype(file), 1);
  const engine = createEngine({ detail: false });
  const t = new FakeTransport('udp');
  const x = new FlowExporter({ engine, transport: t, linkHeaderBytes: linkHeaderBytes(1), now: () => 5_000_000 });
  engine.push(file);
  engine.end();
  await x.finish();
  const got = records(t.messages);
  const frames = (pred: (r: Rec) => boolean) => recs.filter(pred);
  const ipBytes = (rs: Rec[]) => rs.reduce((n, r) => n + r.data.length - 14, 0);
  const fwd = got.find((r) => r.proto === 6 && r.src === A)!;
  const rev = got.find((r) => r.proto === 6 && r.src === B)!;
  const tcpA = frames((r) => r.data[23] === 6 && r.data[29] === 1);
  const tcpB = frames((r) => r.data[23] === 6 && r.data[29] === 2);
  assert.deepEqual([fwd.packets, fwd.octets, fwd.sport, fwd.dport], [4, ipBytes(tcpA), 40000, 80]);
  assert.deepEqual([rev.packets, rev.octets, rev.sport, rev.dport, rev.dst], [3, ipBytes(tcpB), 80, 40000, A]);
  assert.equal(fwd.reason, END_REASON.endOfFlow);
  assert.equal(fwd.flags & 0x13, 0x13, 'SYN, ACK and FIN');
  assert.equal(fwd.start, 1_000_000);
  assert.equal(fwd.end, 1_000_060);
  assert.equal(fwd.host, 'example.org');
  assert.equal(fwd.app, 'http');
  const u = got.filter((r) => r.proto === 17 && r.src === A);
  assert.equal(u.length, 1, 'a flow with one direction gives one record');
  assert.deepEqual([u[0].packets, u[0].octets, u[0].reason], [2, 31 + 32, END_REASON.forcedEnd]);
  const v6 = got.find((r) => r.src.length === 32)!;
  assert.deepEqual([v6.src, v6.octets], ['20010db8000000000000000000000001', 40 + 8 + 1]);
  assert.equal(got.length, 4);
  // Templates come first, once (the refresh interval has not passed).
  const dec = new IpfixDecoder();
  assert.equal(dec.decode(t.messages[0]).templates.length, 4);
  assert.equal(t.messages.slice(1).reduce((n, m) => n + dec.decode(m).templates.length, 0), 0);
});

test('live: the active timeout exports deltas and the flow goes on; the idle timeout exports a quiet flow once', async () => {
  const engine = createEngine({ detail: true });
  const t = new FakeTransport('tcp');
  const x = new FlowExporter({ engine, transport: t, activeTimeout: 60, idleTimeout: 15, linkHeaderBytes: 14 });
  // Header only, then one UDP packet a second for 150 s, then 20 s of quiet, then 2 more packets.
  const head = pcap([]);
  engine.push(head);
  const frame = e4(A, B, 17, udp(1111, 2222, [0, 0]));
  const one = (ts: number) => pcap([{ ts, data: frame }]).subarray(24);
  let ts = 2000;
  for (; ts < 2150; ts++) {
    engine.push(one(ts));
    x.tick();
  }
  for (let q = ts; q < ts + 20; q++) {
    engine.advance(q);
    x.tick();
  }
  x.tick();
  engine.push(one(ts + 20));
  engine.push(one(ts + 21));
  await x.finish();
  // TCP: no templates in the data messages; the connection start sends them.
  const dec = new IpfixDecoder();
  for (const m of t.start()) dec.decode(m);
  const got = records(t.messages, dec);
  assert.deepEqual(got.map((r) => [r.reason, r.packets]), [
    [END_REASON.activeTimeout, 61],
    [END_REASON.activeTimeout, 60],
    [END_REASON.idleTimeout, 29],
    [END_REASON.forcedEnd, 2],
  ]);
  assert.equal(got.reduce((n, r) => n + r.packets, 0), 152);
  assert.equal(got.reduce((n, r) => n + r.octets, 0), 152 * (frame.length - 14));
  for (let i = 1; i < got.length; i++) assert.ok(got[i].start >= got[i - 1].end, 'records of one flow do not overlap');
});

test('UDP: templates are sent again once the refresh interval has passed', async () => {
  let now = 1_000_000;
  const engine = createEngine({ detail: false });
  const t = new FakeTransport('udp');
  const x = new FlowExporter({ engine, transport: t, templateRefreshSeconds: 10, now: () => now });
  engine.push(pcap([{ ts: 1, data: e4(A, B, 17, udp(1, 2)) }, ...Array.from({ length: 30 }, (_, i) => ({ ts: 2 + i, data: e4(A, B, 17, udp(3 + i, 2)) }))]));
  for (const _ of [1, 2, 3]) {
    x.tick();
    now += 3000;
  }
  await x.finish();
  const dec = new IpfixDecoder();
  const withTemplates = t.messages.filter((m) => dec.decode(m).templates.length > 0).length;
  assert.ok(t.messages.length >= 1);
  assert.equal(withTemplates, 1 + 0, 'one message at the start, none again before 10 s passed');
  now += 11_000;
  engine.push(pcap([{ ts: 100, data: e4(A, B, 17, udp(9, 9)) }]).subarray(24));
  await x.finish();
  assert.equal(dec.decode(t.messages.at(-1)!).templates.length, 4);
});

test('tcpControlBits: a flow first seen mid-stream claims no SYN, open or after FIN or RST; a handshake flow does', async () => {
  const recs: Rec[] = [
    // Mid-stream, then closed by FINs both ways.
    { ts: 10, data: e4(A, B, 6, tcp(40001, 80, TCP.ACK, [1, 2, 3])) },
    { ts: 10.1, data: e4(B, A, 6, tcp(80, 40001, TCP.ACK | TCP.FIN)) },
    { ts: 10.2, data: e4(A, B, 6, tcp(40001, 80, TCP.ACK | TCP.FIN)) },
    // Mid-stream and still open.
    { ts: 11, data: e4(A, B, 6, tcp(40002, 443, TCP.ACK | TCP.PSH, [4, 5])) },
    // Mid-stream, then reset.
    { ts: 12, data: e4(A, B, 6, tcp(40003, 22, TCP.ACK, [6])) },
    { ts: 12.1, data: e4(B, A, 6, tcp(22, 40003, TCP.RST)) },
    // A handshake, then reset.
    { ts: 13, data: e4(A, B, 6, tcp(40004, 25, TCP.SYN)) },
    { ts: 13.1, data: e4(B, A, 6, tcp(25, 40004, TCP.RST | TCP.ACK)) },
  ];
  const engine = createEngine({ detail: false });
  const t = new FakeTransport('udp');
  const x = new FlowExporter({ engine, transport: t, linkHeaderBytes: 14, now: () => 5_000_000 });
  engine.push(pcap(recs));
  engine.end();
  await x.finish();
  const flagsOf = (sport: number) => records(t.messages).find((r) => r.src === A && r.sport === sport)?.flags;
  const FIN = 1, SYN = 2, RST = 4, ACK = 16;
  assert.equal(flagsOf(40001), FIN | ACK);
  assert.equal(flagsOf(40002), ACK);
  assert.equal(flagsOf(40003), RST | ACK);
  assert.equal(flagsOf(40004), SYN | RST | ACK);
});
