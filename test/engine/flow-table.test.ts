import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEngine, type Engine, type EngineOptions } from '../../src/engine/index.ts';
import type { FlowRecord } from '../../src/shared/flow.ts';
import { icmpEcho, ipv4, ipv6, tcp, udp, TCP } from './capture-fixtures.ts';

const A = '10.1.0.1';
const B = '10.1.0.2';

function harness(o: EngineOptions = {}) {
  const e: Engine = createEngine(o);
  const evicted: { rec: FlowRecord; reason: string }[] = [];
  e.onFlowEvicted((f, reason) => evicted.push({ rec: e.toRecord(f), reason }));
  const send = (bytes: number[], ts: number, wire = bytes.length) => {
    const buf = Uint8Array.from(bytes);
    e.packet(buf, 0, buf.length, wire, ts, 101);
  };
  const flows = () => [...e.flows()].map((f) => e.toRecord(f)).sort((a, b) => a.id - b.id);
  return { e, send, flows, evicted };
}

const t4 = (src: string, dst: string, sp: number, dp: number, flags: number, payload: number[] = []) => ipv4(src, dst, 6, tcp(sp, dp, flags, payload));

test('TCP handshake, data and FIN: initiator, per-direction counts (wire length), states', () => {
  const { send, flows } = harness();
  send(t4(A, B, 40000, 80, TCP.SYN), 100);
  assert.equal(flows()[0].state, 'syn_sent');
  send(t4(B, A, 80, 40000, TCP.SYN | TCP.ACK), 100.1);
  send(t4(A, B, 40000, 80, TCP.ACK), 100.2);
  assert.equal(flows()[0].state, 'established');
  send(t4(A, B, 40000, 80, TCP.ACK | TCP.PSH, [1, 2, 3]), 100.3, 1000);
  send(t4(B, A, 80, 40000, TCP.ACK | TCP.FIN), 100.4);
  assert.equal(flows()[0].state, 'closing');
  send(t4(A, B, 40000, 80, TCP.ACK | TCP.FIN), 100.5);
  const [f] = flows();
  assert.equal(f.state, 'closed');
  assert.equal(f.proto, 'tcp');
  assert.deepEqual([f.src, f.sport, f.dst, f.dport], [A, 40000, B, 80]);
  assert.equal(f.packets_fwd, 4);
  assert.equal(f.packets_rev, 2);
  assert.equal(f.bytes_fwd, 40 + 40 + 1000 + 40);
  assert.equal(f.bytes_rev, 80);
  assert.equal(f.first_seen, 100);
  assert.equal(f.last_seen, 100.5);
});

test('a SYN-ACK seen first makes its receiver the initiator; mid-stream packets: first sender, established', () => {
  const { send, flows } = harness();
  send(t4(B, A, 443, 50000, TCP.SYN | TCP.ACK), 1);
  send(t4(A, B, 50000, 443, TCP.ACK), 2);
  send(t4('10.9.0.9', A, 22, 33333, TCP.ACK | TCP.PSH, [1]), 3);
  const [f1, f2] = flows();
  assert.deepEqual([f1.src, f1.sport, f1.dst, f1.dport, f1.packets_fwd, f1.packets_rev], [A, 50000, B, 443, 1, 1]);
  assert.equal(f1.state, 'established');
  assert.deepEqual([f2.src, f2.sport, f2.state], ['10.9.0.9', 22, 'established']);
});

test('RST resets; a new SYN on a closed or reset 5-tuple finalises the old flow and starts a new one', () => {
  const { send, flows, evicted } = harness();
  send(t4(A, B, 40000, 80, TCP.SYN), 1);
  send(t4(B, A, 80, 40000, TCP.RST | TCP.ACK), 1.1);
  assert.equal(flows()[0].state, 'reset');
  send(t4(A, B, 40000, 80, TCP.SYN), 2);
  assert.equal(evicted.length, 1);
  assert.equal(evicted[0].reason, 'restart');
  assert.equal(evicted[0].rec.state, 'reset');
  assert.equal(evicted[0].rec.packets_fwd + evicted[0].rec.packets_rev, 2);
  const [f] = flows();
  assert.equal(f.state, 'syn_sent');
  assert.equal(f.packets_fwd, 1);
  assert.notEqual(f.id, evicted[0].rec.id);
  // A SYN retransmitted on an open flow is the same flow.
  send(t4(A, B, 40000, 80, TCP.SYN), 2.5);
  assert.equal(flows().length, 1);
  assert.equal(flows()[0].packets_fwd, 2);
});

test('UDP and ICMP: first sender initiates; echo flows keyed by identifier; ICMP errors between hosts', () => {
  const { send, flows } = harness();
  send(ipv4(B, A, 17, udp(53, 5000, [1])), 1);
  send(ipv4(A, B, 17, udp(5000, 53, [1, 2])), 2);
  send(ipv4(A, B, 1, icmpEcho(true, 7, 1)), 3);
  send(ipv4(B, A, 1, icmpEcho(false, 7, 1)), 3.1);
  send(ipv4(A, B, 1, icmpEcho(true, 8, 1)), 4);
  send(ipv4(B, A, 1, [3, 3, 0, 0, 0, 0, 0, 0, ...ipv4(A, B, 17, udp(5000, 53))]), 5);
  send(ipv6('2001:db8::1', '2001:db8::2', 58, icmpEcho(true, 7, 1, true)), 6);
  const f = flows();
  assert.equal(f.length, 5);
  assert.deepEqual([f[0].proto, f[0].src, f[0].sport, f[0].packets_fwd, f[0].packets_rev, f[0].state], ['udp', B, 53, 1, 1, 'active']);
  assert.deepEqual([f[1].proto, f[1].sport, f[1].dport, f[1].packets_fwd, f[1].packets_rev], ['icmp', 7, 7, 1, 1]);
  assert.deepEqual([f[2].proto, f[2].sport, f[2].packets_fwd], ['icmp', 8, 1]);
  assert.deepEqual([f[3].proto, f[3].src, f[3].sport, f[3].dport], ['icmp', B, 0, 0]);
  assert.deepEqual([f[4].proto, f[4].src, f[4].dst], ['icmpv6', '2001:db8::1', '2001:db8::2']);
});

test('IPv4 fragments count to the flow of their first fragment, in either direction', () => {
  const { send, flows, e } = harness();
  send(ipv4(A, B, 17, udp(7000, 9000, Array(32).fill(0)), { id: 5, mf: true }), 1, 1514);
  send(ipv4(A, B, 17, Array(32).fill(0), { id: 5, fragOffset8: 5 }), 1.1, 1000);
  send(ipv4(B, A, 17, udp(9000, 7000, Array(32).fill(0)), { id: 6, mf: true }), 1.2);
  send(ipv4(B, A, 17, Array(8).fill(0), { id: 6, fragOffset8: 5 }), 1.3, 60);
  send(ipv4(A, B, 17, Array(8).fill(0), { id: 99, fragOffset8: 5 }), 1.4);
  const [f] = flows();
  assert.equal(flows().length, 1);
  assert.deepEqual([f.packets_fwd, f.bytes_fwd, f.packets_rev], [2, 2514, 2]);
  assert.equal(e.summary().undecoded, 1, 'a fragment whose first fragment was never seen');
});

test('IPv6 flows: both directions on one flow, RFC 5952 text', () => {
  const { send, flows } = harness();
  send(ipv6('2001:db8:0:0:1:0:0:1', 'fe80::2', 17, udp(546, 547)), 1);
  send(ipv6('fe80::2', '2001:db8:0:0:1:0:0:1', 17, udp(547, 546)), 2);
  const f = flows();
  assert.equal(f.length, 1);
  assert.equal(f[0].src, '2001:db8::1:0:0:1');
  assert.equal(f[0].dst, 'fe80::2');
  assert.equal(f[0].packets_rev, 1);
});

test('idle eviction by packet time: closed TCP after 10 s, UDP after 120 s, open TCP kept an hour; configurable', () => {
  const { send, flows, evicted } = harness();
  send(t4(A, B, 1, 80, TCP.SYN), 0);
  send(t4(A, B, 1, 80, TCP.RST), 0.5);
  send(t4(A, B, 2, 80, TCP.SYN), 0);
  send(ipv4(A, B, 17, udp(3, 53)), 0);
  send(ipv4(A, '10.1.0.3', 17, udp(4, 53)), 15);
  assert.deepEqual(evicted.map((x) => [x.rec.sport, x.reason]), [[1, 'idle']]);
  send(ipv4(A, '10.1.0.3', 17, udp(4, 53)), 125);
  assert.deepEqual(evicted.map((x) => x.rec.sport), [1, 3]);
  send(ipv4(A, '10.1.0.3', 17, udp(4, 53)), 3601);
  assert.deepEqual(evicted.map((x) => x.rec.sport), [1, 3, 2, 4], 'the open TCP flow after an hour, the UDP one after 120 s');
  assert.deepEqual(flows().map((f) => f.sport), [4]);

  const h = harness({ idleTimeouts: { udp: 5 } });
  h.send(ipv4(A, B, 17, udp(3, 53)), 0);
  assert.equal(h.e.stats.liveFlows, 1);
  h.e.sweep(5.5);
  assert.equal(h.evicted.length, 1);
  assert.equal(h.e.stats.liveFlows, 0, 'stats follow evictions');
  assert.equal(h.e.stats.evictedIdle, 1);
});

test('the live-flow cap evicts the least recently seen and counts it; memory stays bounded', () => {
  const { send, e, evicted } = harness({ maxFlows: 100 });
  for (let i = 0; i < 1000; i++) {
    send(ipv4(A, B, 17, udp(10000 + i, 53)), i * 0.001);
    if (i === 50) send(ipv4(A, B, 17, udp(10000, 53)), i * 0.001); // keep the first flow recent
  }
  assert.equal([...e.flows()].length, 100);
  const s = e.summary();
  assert.equal(s.evicted_by_cap, 900);
  assert.equal(s.flows, 1000);
  assert.ok(evicted.every((x) => x.reason === 'cap'));
  assert.equal(evicted[0].rec.sport, 10001, 'the least recently seen goes first');
  assert.ok(!evicted.slice(0, 49).some((x) => x.rec.sport === 10000));
});

test('many flows: every one found again after growth and churn (hash table integrity)', () => {
  const { send, e } = harness({ maxFlows: 5000 });
  for (let round = 0; round < 3; round++) {
    for (let i = 0; i < 8000; i++) send(ipv4(`10.${i >> 8}.${i & 255}.1`, B, 17, udp(1000 + (i % 7), 53)), round * 10 + i * 1e-4);
  }
  const recs = [...e.flows()].map((f) => e.toRecord(f));
  assert.equal(recs.length, 5000);
  const keys = new Set(recs.map((r) => `${r.src}:${r.sport}`));
  assert.equal(keys.size, 5000, 'no duplicate flows');
  // LRU order means each round misses every key (the oldest are always the next ones needed): 3 × 8000 created.
  assert.equal(e.summary().flows, 24000);
  assert.equal(e.summary().evicted_by_cap, 19000);
  for (const r of recs) assert.equal(r.packets_fwd, 1);
});

test('drainChanged reports each changed flow once; drainRemoved lists evicted ids; rates over 1 s and 10 s', () => {
  const { send, e } = harness({ idleTimeouts: { udp: 30 } });
  send(ipv4(A, B, 17, udp(1, 2)), 100, 1000);
  send(ipv4(A, B, 17, udp(1, 2)), 100.5, 1000);
  send(ipv4(B, A, 17, udp(2, 1)), 101.2, 500);
  send(ipv4(A, '10.1.0.3', 17, udp(5, 6)), 102.1, 100);
  const rows = e.drainChanged();
  assert.equal(rows.length, 2);
  assert.deepEqual(e.drainChanged(), []);
  const r = rows.find((x) => x.sport === 1);
  assert.ok(r);
  assert.equal(r.rate_rev_1s, 500, 'second 101 held 500 bytes back');
  assert.equal(r.rate_fwd_1s, 0);
  assert.equal(r.rate_fwd_10s, 200, '2000 bytes in second 100, over 10 s');
  send(ipv4(A, '10.1.0.3', 17, udp(5, 6)), 131.5, 100);
  const removed = e.drainRemoved();
  assert.deepEqual(removed, [r.id]);
  assert.deepEqual(e.drainRemoved(), []);
});

test('process attribution: asked once per new TCP/UDP flow, retried at most every 250 ms while young', () => {
  const calls: string[] = [];
  let known = false;
  const attributor = {
    lookup(proto: 'tcp' | 'udp', la: string, lp: number, ra: string, rp: number) {
      calls.push(`${proto} ${la}:${lp} ${ra}:${rp}`);
      if (known && la === A) return { pid: 42, process: 'curl', exe: '/usr/bin/curl', user: 'alice', hidden: false };
      return null;
    },
  };
  const { send, e } = harness({ attributor });
  send(t4(A, B, 40000, 80, TCP.SYN), 10);
  assert.deepEqual(calls, [`tcp ${A}:40000 ${B}:80`, `tcp ${B}:80 ${A}:40000`]);
  for (let i = 1; i <= 20; i++) send(t4(A, B, 40000, 80, TCP.ACK), 10 + i * 0.01);
  assert.equal(calls.length, 2, 'no retry inside 250 ms, none per packet');
  known = true;
  send(t4(A, B, 40000, 80, TCP.ACK), 10.3);
  const row = e.drainChanged().find((x) => x.sport === 40000);
  assert.ok(row);
  assert.deepEqual([row.pid, row.process, row.exe, row.user, row.process_hidden, row.local], [42, 'curl', '/usr/bin/curl', 'alice', false, 'src']);
  const n = calls.length;
  send(t4(A, B, 40000, 80, TCP.ACK), 11);
  send(ipv4(A, B, 1, icmpEcho(true, 1, 1)), 11);
  assert.equal(calls.length, n, 'attributed flows and ICMP are not asked');
});
