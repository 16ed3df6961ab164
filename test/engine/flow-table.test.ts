import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEngine, type Engine, type EngineOptions } from '../../src/engine/index.ts';
import type { FlowRecord } from '../../src/shared/flow.ts';
import { icmpEcho, ipv4, ipv6, tcp, udp, TCP } from './capture-fixtures.ts';
import { hashKey, hashKey4, KEY_WORDS } from '../../src/engine/flow-table.ts';

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

test('a SYN-ACK seen first makes its receiver the initiator; mid-stream packets: the port tells the server, mid-flow', () => {
  const { send, flows } = harness();
  send(t4(B, A, 443, 50000, TCP.SYN | TCP.ACK), 1);
  send(t4(A, B, 50000, 443, TCP.ACK), 2);
  send(t4('10.9.0.9', A, 22, 33333, TCP.ACK | TCP.PSH, [1]), 3);
  const [f1, f2] = flows();
  assert.deepEqual([f1.src, f1.sport, f1.dst, f1.dport, f1.packets_fwd, f1.packets_rev], [A, 50000, B, 443, 1, 1]);
  assert.equal(f1.state, 'established');
  assert.deepEqual([f2.src, f2.sport, f2.dst, f2.dport, f2.state], [A, 33333, '10.9.0.9', 22, 'mid-flow']);
});

test('RST resets; a new SYN on a closed or reset 5-tuple ends the old flow (kept, marked ended) and starts a new one', () => {
  const { send, flows, evicted, e } = harness();
  send(t4(A, B, 40000, 80, TCP.SYN), 1);
  send(t4(B, A, 80, 40000, TCP.RST | TCP.ACK), 1.1);
  assert.equal(flows()[0].state, 'reset');
  const oldSlot = e.slotOfId(flows()[0].id);
  const v = e.textVersionAt(oldSlot);
  send(t4(A, B, 40000, 80, TCP.SYN), 2);
  assert.equal(evicted.length, 0, 'a restart evicts nothing');
  const [old, f] = flows();
  assert.equal(old.state, 'reset');
  assert.equal(old.packets_fwd + old.packets_rev, 2);
  assert.equal(e.toRow(oldSlot).ended, true);
  assert.notEqual(e.textVersionAt(oldSlot), v, 'ending changes the text');
  assert.equal(f.state, 'syn_sent');
  assert.equal(f.packets_fwd, 1);
  assert.notEqual(f.id, old.id);
  assert.equal(e.toRow(e.slotOfId(f.id)).ended, false);
  // A SYN retransmitted on an open flow is the same flow; the ended one gets nothing.
  send(t4(A, B, 40000, 80, TCP.SYN), 2.5);
  send(t4(B, A, 80, 40000, TCP.SYN | TCP.ACK), 2.6);
  assert.equal(flows().length, 2);
  assert.deepEqual([flows()[1].packets_fwd, flows()[1].packets_rev], [2, 1]);
  assert.equal(flows()[0].packets_fwd + flows()[0].packets_rev, 2);
  // Live, an ended flow is evicted once the closed-TCP timeout has passed since its last packet, as idle.
  send(t4(A, B, 40000, 80, TCP.ACK), 11);
  assert.equal(flows().length, 2);
  send(t4(A, B, 40000, 80, TCP.ACK), 11.2);
  assert.equal(flows().length, 2, 'idle sweeps run once a second of packet time');
  send(t4(A, B, 40000, 80, TCP.ACK), 12);
  assert.deepEqual(evicted.map((x) => [x.rec.id, x.reason]), [[old.id, 'idle']]);
  assert.deepEqual(flows().map((x) => x.id), [f.id]);
  assert.equal(e.stats.evictedIdle, 1);
  assert.equal(e.stats.expired, 1);
});

test('retainEnded (files): restarted and idle flows stay, marked ended, never evicted idle', () => {
  const { send, flows, evicted, e } = harness({ retainEnded: true });
  send(t4(A, B, 40000, 80, TCP.SYN), 1);
  send(t4(B, A, 80, 40000, TCP.RST | TCP.ACK), 1.1);
  send(t4(A, B, 40000, 80, TCP.SYN), 2);
  send(ipv4(A, B, 17, udp(3, 53)), 2);
  send(t4(A, B, 5, 80, TCP.SYN), 3);
  send(ipv4(A, '10.1.0.3', 17, udp(4, 53)), 5000);
  assert.deepEqual(evicted, []);
  const rows = [...e.flows()].map((x) => e.toRow(x)).sort((a, b) => a.id - b.id);
  assert.deepEqual(rows.map((r) => [r.sport, r.state, r.ended]), [
    [40000, 'reset', true],
    [40000, 'syn_sent', true],
    [3, 'active', true],
    [5, 'syn_sent', true],
    [4, 'active', false],
  ]);
  assert.deepEqual([e.stats.evictedIdle, e.stats.expired, e.stats.liveFlows, e.size, e.stats.flows], [0, 0, 5, 5, 5]);
  // A new packet on an ended flow's 5-tuple starts a new flow; the ended one is left as it was.
  send(ipv4(A, B, 17, udp(3, 53)), 5001);
  assert.equal(flows().length, 6);
  assert.deepEqual(flows().filter((x) => x.sport === 3).map((x) => x.packets_fwd), [1, 1]);
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
  const { send, flows, evicted, e } = harness();
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
  assert.deepEqual([e.stats.evictedIdle, e.stats.evictedByCap, e.stats.expired], [4, 0, 4]);

  const h = harness({ idleTimeouts: { udp: 5 } });
  h.send(ipv4(A, B, 17, udp(3, 53)), 0);
  assert.equal(h.e.stats.liveFlows, 1);
  h.e.advance(5);
  assert.equal(h.evicted.length, 0, 'idle exactly its timeout: kept');
  h.e.advance(6);
  assert.equal(h.evicted.length, 0);
  assert.equal(h.e.toRow(h.e.slotOfId(1)).ended, true, 'advance moves time without a packet: the flow ended');
  h.e.advance(10.5);
  assert.equal(h.evicted.length, 1, 'and left 10 s after its last packet');
  assert.equal(h.e.stats.liveFlows, 0, 'stats follow evictions');
  assert.equal(h.e.stats.evictedIdle, 1);
  assert.equal(h.e.stats.expired, 1);
  assert.equal(h.e.clock, 10.5);
  h.e.advance(4);
  assert.equal(h.e.clock, 10.5, 'time does not go back');
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

/** The slots drainChanged reports, in order. */
function drain(e: Engine): number[] {
  const out: number[] = [];
  e.drainChanged((s) => out.push(s));
  return out;
}

test('the IPv4 hash taken from its four words equals the hash of the whole key (lookups and resizes agree)', () => {
  const k = new Uint32Array(KEY_WORDS);
  let x = 0x12345678;
  const next = () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0);
  for (let i = 0; i < 10000; i++) {
    k[0] = next(); k[4] = next(); k[8] = next(); k[9] = 6 | (4 << 8) | ((i % 3) << 16);
    assert.equal(hashKey4(k[0], k[4], k[8], k[9]), hashKey(k, false));
  }
});

test('an IPv4 and an IPv6 flow whose key words overlap stay two flows', () => {
  const { send, flows } = harness();
  // a01:1:: → a01:2:: has the IPv4 flow's words as its first address words and zeros after: only the family differs.
  send(ipv4(A, B, 17, udp(1000, 2000, [1])), 1);
  send(ipv6('a01:1::', 'a01:2::', 17, udp(1000, 2000, [1])), 2);
  send(ipv4(A, B, 17, udp(1000, 2000, [1])), 3);
  send(ipv6('a01:1::', 'a01:2::', 17, udp(1000, 2000, [1])), 4);
  const f = flows();
  assert.deepEqual(f.map((r) => [r.src, r.packets_fwd]), [[A, 2], ['a01:1::', 2]]);
});

test('drainChanged reports each changed slot once, removed ones too (idAt 0); rates over 1 s and 10 s', () => {
  const { send, e } = harness({ idleTimeouts: { udp: 30 } });
  send(ipv4(A, B, 17, udp(1, 2)), 100, 1000);
  send(ipv4(A, B, 17, udp(1, 2)), 100.5, 1000);
  send(ipv4(B, A, 17, udp(2, 1)), 101.2, 500);
  send(ipv4(A, '10.1.0.3', 17, udp(5, 6)), 102.1, 100);
  const slots = drain(e);
  assert.equal(slots.length, 2);
  assert.equal(new Set(slots).size, 2);
  assert.deepEqual(drain(e), []);
  const r = slots.map((s) => e.toRow(s)).find((x) => x.sport === 1);
  assert.ok(r);
  assert.deepEqual(e.row(e.slotOfId(r.id), true), r, 'row is toRow');
  assert.equal(r.rate_rev_1s, 500, 'second 101 held 500 bytes back');
  assert.equal(r.rate_fwd_1s, 0);
  assert.equal(r.rate_fwd_10s, 200, '2000 bytes in second 100, over 10 s');
  const slot = e.slotOfId(r.id);
  assert.equal(e.numberKey('bytes', slot, true), 2500);
  assert.equal(e.numberKey('packets', slot, true), 3);
  assert.equal(e.numberKey('first_seen', slot, true), 100);
  assert.equal(e.numberKey('last_seen', slot, true), 101.2);
  assert.equal(e.numberKey('down', slot, true), 500, 'no end known: rev is towards this host');
  assert.equal(e.numberKey('up', slot, true), 0);
  assert.equal(e.numberKey('down', slot, false), 0);
  const off = e.row(slot, false);
  assert.deepEqual([off.rate_fwd_1s, off.rate_rev_1s, off.rate_fwd_10s, off.rate_rev_10s], [0, 0, 0, 0]);
  assert.equal(off.bytes_fwd, 2000);
  const other = e.slotOfId(r.id + 1);
  send(ipv4(A, '10.1.0.3', 17, udp(5, 6)), 131.5, 100);
  // Flow 1 was idle 30.3 s: it ended and (live, its last packet over 10 s ago) left the table.
  assert.equal(e.idAt(slot), 0);
  assert.equal(e.slotOfId(r.id), -1);
  assert.deepEqual(drain(e).sort(), [slot, other].sort(), 'the removed slot, and the one a packet touched');
  assert.deepEqual(drain(e), []);
  // The freed slot goes to the next new flow; a drain then reports it once, holding the new id.
  send(ipv4(A, '10.1.0.4', 17, udp(7, 8)), 131.6, 100);
  assert.deepEqual(drain(e), [slot]);
  assert.equal(e.idAt(slot), r.id + 2);
  assert.equal(e.size, 2);
  assert.equal(e.slotCount, 2);
});

test('a removed slot reused before the drain is reported once, with the new flow', () => {
  const { send, e } = harness({ maxFlows: 2 });
  send(ipv4(A, B, 17, udp(1, 2)), 1);
  send(ipv4(A, B, 17, udp(3, 4)), 2);
  drain(e);
  send(ipv4(A, B, 17, udp(5, 6)), 3);
  const slots = drain(e);
  assert.deepEqual(slots, [0], 'the first flow was evicted by the cap and its slot taken');
  assert.equal(e.idAt(0), 3);
  assert.equal(e.stats.evictedByCap, 1);
});

test('textVersion bumps when the text changes (state, end, DPI, attribution), not for counters', () => {
  const { send, e } = harness();
  send(t4(A, B, 40000, 80, TCP.SYN), 1);
  const s = e.slotOfId(1);
  let v = e.textVersionAt(s);
  const bumped = (why: string) => {
    const n = e.textVersionAt(s);
    assert.notEqual(n, v, why);
    v = n;
  };
  const same = (why: string) => assert.equal(e.textVersionAt(s), v, why);
  send(t4(A, B, 40000, 80, TCP.SYN), 1.1);
  same('a retransmitted SYN');
  send(t4(B, A, 80, 40000, TCP.SYN | TCP.ACK), 1.2);
  same('a SYN-ACK does not change the state yet');
  send(t4(A, B, 40000, 80, TCP.ACK), 1.3);
  bumped('syn_sent → established');
  send(t4(A, B, 40000, 80, TCP.ACK), 1.4, 1000);
  same('counters only');
  send(t4(A, B, 40000, 80, TCP.ACK | TCP.PSH, [...new TextEncoder().encode('GET / HTTP/1.1\r\nHost: www.example.test\r\n\r\n')]), 1.5);
  bumped('DPI found the host');
  assert.equal(e.toRecord(s).host, 'www.example.test');
  send(t4(B, A, 80, 40000, TCP.ACK | TCP.FIN), 1.6);
  bumped('closing');
  send(t4(A, B, 40000, 80, TCP.ACK | TCP.FIN), 1.7);
  bumped('closed');
  send(t4(A, B, 40000, 80, TCP.SYN), 2);
  bumped('ended by a new connection');
  assert.equal(e.toRow(s).ended, true);
  // A flow's slot reused by a new flow also has a new version (a view keyed on (id, version) sees it either way).
  const h = harness({ retainEnded: false, idleTimeouts: { udp: 1 } });
  h.send(ipv4(A, B, 17, udp(1, 2)), 1);
  const v0 = h.e.textVersionAt(0);
  h.send(ipv4(A, B, 17, udp(3, 4)), 20);
  assert.equal(h.e.idAt(0), 2, 'the slot was reused');
  assert.notEqual(h.e.textVersionAt(0), v0);
});

test('advance moves capture time without packets: rates fall to 0, quiet flows end', () => {
  const { send, e, evicted } = harness({ idleTimeouts: { udp: 5 } });
  send(ipv4(A, B, 17, udp(1, 2)), 100.1, 1000);
  send(ipv4(A, B, 17, udp(1, 2)), 101.1, 400);
  const s = e.slotOfId(1);
  assert.equal(e.toRow(s).rate_fwd_1s, 1000);
  e.advance(102.05);
  assert.equal(e.toRow(s).rate_fwd_1s, 400);
  assert.equal(e.toRow(s).rate_fwd_10s, 140);
  e.advance(103);
  assert.equal(e.toRow(s).rate_fwd_1s, 0, 'a second with no packet');
  assert.equal(e.numberKey('up', s, true), 0);
  assert.equal(e.toRow(s).rate_fwd_10s, 140);
  drain(e);
  const v = e.textVersionAt(s);
  e.advance(106.2);
  assert.equal(e.toRow(s).ended, true, 'idle past 5 s: ended');
  assert.notEqual(e.textVersionAt(s), v);
  assert.deepEqual(drain(e), [s]);
  assert.equal(evicted.length, 0, 'kept until 10 s after its last packet');
  e.advance(111.2);
  assert.equal(e.slotOfId(1), -1, 'then evicted');
  assert.deepEqual(evicted.map((x) => x.reason), ['idle']);
  assert.deepEqual(drain(e), [s]);
  assert.equal(e.idAt(s), 0);
  assert.equal(e.clock, 111.2);
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
  const s = e.slotOfId(1);
  const v = e.textVersionAt(s);
  send(t4(A, B, 40000, 80, TCP.ACK), 10.3);
  assert.notEqual(e.textVersionAt(s), v, 'attribution changes the text');
  const row = drain(e).map((x) => e.toRow(x)).find((x) => x.sport === 40000);
  assert.ok(row);
  assert.deepEqual([row.pid, row.process, row.exe, row.user, row.process_hidden, row.local], [42, 'curl', '/usr/bin/curl', 'alice', false, 'src']);
  const n = calls.length;
  send(t4(A, B, 40000, 80, TCP.ACK), 11);
  send(ipv4(A, B, 1, icmpEcho(true, 1, 1)), 11);
  assert.equal(calls.length, n, 'attributed flows and ICMP are not asked');
  assert.equal(e.numberKey('up', s, true), e.toRow(s).rate_fwd_1s, 'src is this host: fwd is up');
});

test('an ended flow stays out of the hash when the table grows: its 5-tuple keeps counting to the newer flow', () => {
  for (const retainEnded of [true, false]) {
    const { send, e } = harness({ retainEnded });
    send(t4(A, B, 40000, 80, TCP.SYN), 1);
    send(t4(B, A, 80, 40000, TCP.RST | TCP.ACK), 1.1);
    send(t4(A, B, 40000, 80, TCP.SYN), 2);
    // Past the initial 1024 slots: the table grows and rehashes.
    for (let i = 0; i < 2000; i++) send(ipv4(A, '10.1.0.3', 17, udp(1000 + i, 53)), 3);
    send(t4(B, A, 80, 40000, TCP.SYN | TCP.ACK), 4);
    send(t4(A, B, 40000, 80, TCP.ACK), 4.1);
    const rows = [...e.flows()].map((f) => e.toRow(f)).filter((r) => r.dport === 80);
    assert.deepEqual(rows.map((r) => [r.id, r.state, r.ended, r.packets_fwd, r.packets_rev]), [
      [1, 'reset', true, 1, 1],
      [2, 'established', false, 2, 1],
    ], `retainEnded ${retainEnded}`);
  }
});
