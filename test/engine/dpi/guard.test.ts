import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEngine } from '../../../src/engine/index.ts';
import { createNameCache, DpiGuard, openFlowDpi } from '../../../src/engine/dpi/index.ts';
import { QuicInitialReader } from '../../../src/engine/dpi/quic-initial.ts';
import { dpiBufferStats, setDpiBufferBudget } from '../../../src/engine/dpi/stream-prefix.ts';
import { clientHelloMessage, concat, cryptoFrame, hex, protectInitial, tlsRecords, u16be } from './builders.ts';
import { eth, ipv4, pcap, tcp, udp, TCP, type Rec } from '../capture-fixtures.ts';

const dcid = (n: number) => hex(`83940000${n.toString(16).padStart(8, '0')}`);

/** A v1 Initial with valid-looking header and random-looking ciphertext: fails authentication under any key. */
function garbageInitial(id: Uint8Array, size = 300): Uint8Array {
  const head = concat(new Uint8Array([0xc3, 0, 0, 0, 1, id.length]), id, new Uint8Array([0, 0]));
  const body = new Uint8Array(size - head.length - 2).map((_, i) => (i * 131 + id[id.length - 1]) & 255);
  return concat(head, u16be(0x4000 | body.length), body);
}

test('coalesced Initials with another DCID are ignored: one derivation, their CRYPTO data unused, counted', () => {
  const msg = clientHelloMessage({ sni: 'coalesced.example', alpn: ['h3'] });
  const half = Math.floor(msg.length / 2);
  // The first packet carries the first half; the rest of the hello comes in packets protected under other DCIDs.
  const first = protectInitial({ dcid: dcid(1), pn: 0, frames: cryptoFrame(0, msg.subarray(0, half)), pad: false });
  const others = [2, 3, 4].map((n, i) => protectInitial({ dcid: dcid(n), pn: i + 1, frames: cryptoFrame(half, msg.subarray(half)), pad: false }));
  const datagram = concat(first, ...others);
  const guard = new DpiGuard();
  const r = new QuicInitialReader(guard);
  assert.equal(r.pushDatagram(datagram, 0, datagram.length, 1), 'more');
  assert.equal(r.info?.sni ?? null, null);
  assert.equal(guard.quicDerivations, 1);
  assert.equal(guard.refused.quicOtherDcid, 3);
  // The rest under the first DCID, in a later datagram, completes the hello with no new derivation.
  const rest = protectInitial({ dcid: dcid(1), pn: 5, frames: cryptoFrame(half, msg.subarray(half)) });
  assert.equal(r.pushDatagram(rest, 0, rest.length, 1), 'done');
  assert.equal(r.info?.sni, 'coalesced.example');
  assert.equal(guard.quicDerivations, 1);
});

test('keys are cached per (version, DCID) across flows: a second flow with the same DCID derives nothing', () => {
  const guard = new DpiGuard();
  const msg = clientHelloMessage({ sni: 'cached.example' });
  const d = protectInitial({ dcid: dcid(7), frames: cryptoFrame(0, msg) });
  for (const n of [1, 2]) {
    const r = new QuicInitialReader(guard);
    assert.equal(r.pushDatagram(d, 0, d.length, n), 'done');
    assert.equal(r.info?.sni, 'cached.example');
  }
  assert.equal(guard.quicDerivations, 1);
});

test('one decryption attempt per packet: a flow with several keys does not try them all on each Initial', () => {
  const guard = new DpiGuard();
  const r = new QuicInitialReader(guard);
  // Unreadable datagrams of two Initials, a new DCID each: one derivation and one attempt per datagram (its second
  // packet is not tried once the first failed) until the per-flow limit of DCIDs stops the lookups.
  for (let n = 0; n < 6; n++) {
    const g = concat(garbageInitial(dcid(100 + n)), garbageInitial(dcid(100 + n)));
    assert.equal(r.pushDatagram(g, 0, g.length, 0), 'more');
  }
  assert.equal(guard.quicDerivations, 4);
  assert.equal(r.attempts, 4);
  // After a success only the keys that worked are tried: one attempt for a later packet under another DCID.
  const ok = new QuicInitialReader(guard);
  const msg = clientHelloMessage({ sni: 'one.example', padding: 1500 });
  const d1 = protectInitial({ dcid: dcid(300), pn: 0, frames: cryptoFrame(0, msg.subarray(0, 1000)) });
  const server = protectInitial({ dcid: dcid(301), keyDcid: dcid(302), frames: cryptoFrame(0, hex('0200000400000000')) });
  assert.equal(ok.pushDatagram(d1, 0, d1.length, 0), 'more');
  assert.equal(ok.pushDatagram(server, 0, server.length, 0), 'more');
  assert.equal(ok.attempts, 2);
});

test('derivations are bounded per second of capture time, globally: refusals counted, the bound refills with time', () => {
  const guard = new DpiGuard({ quicDerivationBurst: 2, quicDerivationsPerSecond: 1 });
  const sniAt = (n: number, ts: number) => {
    const r = new QuicInitialReader(guard);
    const d = protectInitial({ dcid: dcid(200 + n), frames: cryptoFrame(0, clientHelloMessage({ sni: `f${n}.example` })) });
    r.pushDatagram(d, 0, d.length, ts);
    return r.info?.sni ?? null;
  };
  assert.equal(sniAt(1, 10), 'f1.example');
  assert.equal(sniAt(2, 10), 'f2.example');
  assert.equal(sniAt(3, 10.5), null);
  assert.equal(guard.refused.quicDerivations, 1);
  assert.equal(sniAt(4, 11.5), 'f4.example');
  assert.equal(guard.quicDerivations, 3);
});

const A = '192.0.2.10';
const B = '198.51.100.20';

function quicFlow(port: number, sni: string, ts: number): Rec {
  const d = protectInitial({ dcid: dcid(port), frames: cryptoFrame(0, clientHelloMessage({ sni })) });
  return { ts, data: eth(0x0800, ipv4(A, B, 17, udp(port, 443, Array.from(d)))) };
}

test('the engine bounds derivations across its flows (dpiLimits) and counts the refusals in stats and summary', () => {
  const e = createEngine({ dpiLimits: { quicDerivationBurst: 2, quicDerivationsPerSecond: 1 } });
  e.push(pcap([quicFlow(50001, 'a.example', 100), quicFlow(50002, 'b.example', 100), quicFlow(50003, 'c.example', 100)]));
  e.end();
  const snis = [...e.flows()].map((f) => e.toRow(f).sni);
  assert.deepEqual(snis, ['a.example', 'b.example', null]);
  assert.equal(e.stats.dpiRefused.quicDerivations, 1);
  assert.equal(e.summary().dpi_refused.quic_derivations, 1);
});

/** The first TCP segment of a ClientHello split in two: the flow's inspector stays live, waiting for the rest. */
function halfHello(sport: number, ts: number, second = false): Rec[] {
  const rec = tlsRecords(clientHelloMessage({ sni: `h${sport}.example`, padding: 300 }));
  const half = Math.floor(rec.length / 2);
  const part = second ? rec.subarray(half) : rec.subarray(0, half);
  return [{ ts, data: eth(0x0800, ipv4(A, B, 6, tcp(sport, 443, TCP.ACK | TCP.PSH, Array.from(part), second ? 1000 + half : 1000))) }];
}

function dnsFlow(sport: number, ts: number): Rec {
  const q = [0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 3, 0x77, 0x77, 0x77, 7, ...Buffer.from('example'), 3, 0x63, 0x6f, 0x6d, 0, 0, 1, 0, 1];
  return { ts, data: eth(0x0800, ipv4(A, '192.0.2.53', 17, udp(sport, 53, q))) };
}

test('the inspector cap: a flow arriving while the cap is reached goes uninspected and is counted; closing frees a place', () => {
  const e = createEngine({ dpiLimits: { maxInspectors: 2 } });
  e.push(pcap([
    ...halfHello(40001, 1), ...halfHello(40002, 1.1),
    dnsFlow(5001, 1.2), // refused: two inspectors are live
    ...halfHello(40001, 1.3, true), // completes the first hello: that inspector closes
    dnsFlow(5002, 1.4),
  ]));
  e.end();
  const rows = [...e.flows()].map((f) => e.toRow(f));
  const bySport = new Map(rows.map((r) => [r.sport, r]));
  assert.equal(bySport.get(40001)?.sni, 'h40001.example');
  assert.equal(bySport.get(5001)?.app, null);
  assert.deepEqual(bySport.get(5001)?.dns_queries, []);
  assert.equal(bySport.get(5002)?.app, 'dns');
  assert.equal(e.stats.dpiRefused.inspectors, 1);
  assert.equal(e.summary().dpi_refused.inspectors, 1);
});

test('an inspector closed with its flow gives its buffer bytes back to the DPI budget at once', () => {
  const guard = new DpiGuard();
  const before = dpiBufferStats().held;
  const d = openFlowDpi(createNameCache(), guard)!;
  const rec = tlsRecords(clientHelloMessage({ sni: 'held.example', padding: 300 }));
  d.inspect({ proto: 6, fromInitiator: true, srcPort: 40000, dstPort: 443, seq: 1, ts: 0 }, rec, 0, 100);
  assert.ok(dpiBufferStats().held > before);
  assert.equal(guard.inspectors, 1);
  d.close();
  assert.equal(dpiBufferStats().held, before);
  assert.equal(guard.inspectors, 0);
});

test('buffer-budget refusals are counted per engine in stats and summary', () => {
  const prev = setDpiBufferBudget(dpiBufferStats().held + 1000);
  try {
    const e = createEngine();
    const recs: Rec[] = [];
    for (let i = 0; i < 20; i++) recs.push(...halfHello(41000 + i, 1 + i / 100));
    e.push(pcap(recs));
    e.end();
    assert.ok(e.stats.dpiRefused.bufferBudget > 0);
    assert.equal(e.summary().dpi_refused.buffer_budget, e.stats.dpiRefused.bufferBudget);
  } finally {
    setDpiBufferBudget(prev);
  }
});
