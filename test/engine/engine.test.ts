import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEngine, CaptureFormatError } from '../../src/engine/index.ts';
import { FlowJsonWriter } from '../../src/engine/flow-json.ts';
import { dnsQuery, dnsResponse, eth, ipv4, ipv6, pcap, tcp, tlsClientHello, udp, TCP } from './capture-fixtures.ts';

const C = '192.0.2.7';
const S = '203.0.113.9';
const frame = (src: string, dst: string, l4proto: number, l4: number[]) => eth(0x0800, ipv4(src, dst, l4proto, l4));

function read(bytes: Uint8Array, chunk = bytes.length) {
  const e = createEngine();
  for (let i = 0; i < bytes.length; i += chunk) e.push(bytes.subarray(i, i + chunk));
  e.end();
  return { e, recs: [...e.flows()].map((f) => e.toRecord(f)).sort((a, b) => a.id - b.id) };
}

const sessionRecords = () => [
  { ts: 10, data: frame(C, '192.0.2.53', 17, udp(40001, 53, dnsQuery(0x77, 'api.example.test'))) },
  { ts: 10.01, data: frame('192.0.2.53', C, 17, udp(53, 40001, dnsResponse(0x77, 'api.example.test', S))) },
  { ts: 11, data: frame(C, S, 6, tcp(50000, 443, TCP.SYN)) },
  { ts: 11.01, data: frame(S, C, 6, tcp(443, 50000, TCP.SYN | TCP.ACK)) },
  { ts: 11.02, data: frame(C, S, 6, tcp(50000, 443, TCP.ACK)) },
  { ts: 11.03, data: frame(C, S, 6, tcp(50000, 443, TCP.ACK | TCP.PSH, tlsClientHello('secure.example.test'), 1001)) },
  { ts: 12, data: frame(C, S, 6, tcp(50001, 80, TCP.SYN)) },
  { ts: 12.01, data: frame(C, S, 6, tcp(50001, 80, TCP.ACK | TCP.PSH, [...new TextEncoder().encode('GET / HTTP/1.1\r\nHost: www.example.test\r\n\r\n')], 1001)) },
  { ts: 13, data: frame(C, S, 6, tcp(50002, 8443, TCP.SYN)) },
];
const session = pcap(sessionRecords());

test('DPI hook: SNI, HTTP Host, DNS queries, and the name cache naming a later flow to the resolved address', () => {
  const { recs } = read(session);
  const [dns, tls, http, plain] = recs;
  assert.deepEqual([dns.app, dns.dns_queries], ['dns', ['api.example.test']]);
  assert.deepEqual([tls.app, tls.host], ['tls', 'secure.example.test']);
  assert.deepEqual([http.app, http.host], ['http', 'www.example.test']);
  assert.deepEqual([plain.app, plain.host], [null, 'api.example.test'], 'no SNI or Host: the DNS name for dst');
});

test('the same capture pushed a byte at a time gives the same flows', () => {
  assert.deepEqual(read(session, 1).recs, read(session).recs);
});

test('a corrupt record stops the read with CaptureFormatError; flows before it stay available', () => {
  const bad = session.slice();
  // Second record's caplen → 1 GiB.
  const secondRecord = 24 + 16 + frame(C, '192.0.2.53', 17, udp(40001, 53, dnsQuery(0x77, 'api.example.test'))).length;
  new DataView(bad.buffer).setUint32(secondRecord + 8, 1 << 30, true);
  const e = createEngine();
  assert.throws(() => e.push(bad), (err: unknown) => err instanceof CaptureFormatError && err.offset === secondRecord);
  assert.equal([...e.flows()].length, 1);
  assert.equal(e.summary().packets, 1);
});

test('FlowRow detail: SNI, ALPN and DNS answers are kept when detail is on, not when it is off', () => {
  const on = read(session).e;
  const rows = [...on.flows()].map((f) => on.toRow(f));
  const tls = rows.find((r) => r.dport === 443);
  assert.ok(tls);
  assert.equal(tls.sni, 'secure.example.test');
  assert.deepEqual(tls.alpn, ['h2']);
  const dns = rows.find((r) => r.dport === 53);
  assert.ok(dns);
  assert.deepEqual(dns.dns_answers, [S]);
  const off = createEngine({ detail: false });
  off.push(session);
  off.end();
  const tlsOff = [...off.flows()].map((f) => off.toRow(f)).find((r) => r.dport === 443);
  assert.equal(tlsOff?.host, 'secure.example.test');
  assert.equal(tlsOff?.sni, null);
});

test('DPI state is for young flows: dropped after 5 s of quiet (packet time), its facts kept', () => {
  const q = (id: number, name: string, ts: number) => ({ ts, data: frame(C, '192.0.2.53', 17, udp(40001, 53, dnsQuery(id, name))) });
  const r = (id: number, name: string, ts: number) => ({ ts, data: frame('192.0.2.53', C, 17, udp(53, 40001, dnsResponse(id, name, S))) });
  const other = (ts: number) => ({ ts, data: frame(C, S, 17, udp(1234, 9, [1, 2, 3])) });
  const { recs } = read(pcap([q(1, 'a.example.test', 0), r(1, 'a.example.test', 0.01), q(2, 'b.example.test', 1), other(4), other(7), q(3, 'c.example.test', 8)]));
  const dns = recs.find((x) => x.dport === 53);
  assert.ok(dns);
  assert.deepEqual(dns.dns_queries, ['a.example.test', 'b.example.test'], 'queries while young are kept; the one after 7 s of quiet is not inspected');
  assert.equal(dns.packets_fwd, 3, 'the packet is still counted');
});

/** What `sandpiper read` prints: every flow evicted on the way, then every flow left. */
function readPrints(bytes: Uint8Array, o: { maxFlows?: number } = {}) {
  const e = createEngine({ detail: false, ...o });
  const out: ReturnType<typeof e.toRecord>[] = [];
  e.onFlowEvicted((f) => out.push(e.toRecord(f)));
  e.push(bytes);
  e.end();
  for (const f of e.flows()) out.push(e.toRecord(f));
  return out.sort((a, b) => a.id - b.id);
}

// A capture where flows end on the way: a UDP flow quiet past its timeout, a TCP connection restarted on its 5-tuple.
const ending = pcap([
  { ts: 0, data: frame(C, S, 17, udp(5000, 9, [1])) },
  { ts: 1, data: frame(C, S, 6, tcp(40000, 80, TCP.SYN)) },
  { ts: 1.1, data: frame(S, C, 6, tcp(80, 40000, TCP.RST | TCP.ACK)) },
  { ts: 2, data: frame(C, S, 6, tcp(40000, 80, TCP.SYN)) },
  { ts: 200, data: frame(C, S, 17, udp(5001, 9, [1, 2])) },
  { ts: 200.5, data: frame(C, S, 17, udp(5000, 9, [1, 2, 3])) },
]);

test('retainEnded (files) keeps every flow, ended ones marked: the flows `read` prints, none evicted', () => {
  const e = createEngine({ retainEnded: true });
  const evicted: number[] = [];
  e.onFlowEvicted((f) => evicted.push(e.toRecord(f).id));
  e.push(ending);
  e.end();
  assert.deepEqual(evicted, []);
  const rows = [...e.flows()].map((f) => e.toRow(f)).sort((a, b) => a.id - b.id);
  assert.deepEqual(rows.map((r) => [r.id, r.proto, r.sport, r.ended]), [
    [1, 'udp', 5000, true],
    [2, 'tcp', 40000, true],
    [3, 'tcp', 40000, false],
    [4, 'udp', 5001, false],
    [5, 'udp', 5000, false],
  ]);
  assert.equal(e.size, 5);
  assert.equal(e.stats.expired, 0);
  const printed = readPrints(ending);
  assert.deepEqual(rows.map((r) => e.toRecord(e.slotOfId(r.id))), printed, 'the same records as `sandpiper read`');
  // Live (no retainEnded), the ended flows were evicted and counted.
  const live = createEngine();
  live.push(ending);
  live.end();
  assert.deepEqual([...live.flows()].map((f) => live.toRecord(f).id).sort(), [3, 4, 5]);
  assert.deepEqual([live.stats.expired, live.stats.evictedIdle], [2, 2]);
});

test('the timeline bins bytes per capture second, towards this host and from it', () => {
  const e = createEngine();
  e.push(ending);
  const tl = e.timeline;
  const s = tl.series(Infinity);
  assert.equal(s.start, 0);
  assert.equal(s.step, 1);
  assert.equal(s.down.length, 201);
  const len = (l4: number[], proto: number) => frame(C, S, proto, l4).length;
  // No end is local in a file: rev (responder → initiator) is down, fwd up.
  assert.equal(s.up[0], len(udp(5000, 9, [1]), 17));
  assert.equal(s.up[1], len(tcp(40000, 80, TCP.SYN), 6));
  assert.equal(s.down[1], len(tcp(80, 40000, TCP.RST | TCP.ACK), 6));
  assert.equal(s.up[2], len(tcp(40000, 80, TCP.SYN), 6));
  assert.equal(s.up[200], len(udp(5001, 9, [1, 2]), 17) + len(udp(5000, 9, [1, 2, 3]), 17));
  assert.equal(s.down.reduce((a, b) => a + b, 0), e.stats.bytesDown);
  assert.equal(s.up.reduce((a, b) => a + b, 0), e.stats.bytesUp);
  assert.equal(e.stats.bytesDown + e.stats.bytesUp, e.stats.bytes);
  assert.equal(tl.series(200).down.length, 200, 'only bins that ended by then');
  const v = tl.version;
  e.advance(300);
  assert.equal(tl.version, v, 'time passing without packets changes no bin');
});

test('completeBytes is the offset past the last whole record', () => {
  const e = createEngine();
  const firstRecord = 24 + 16 + frame(C, S, 17, udp(5000, 9, [1])).length;
  e.push(ending.subarray(0, firstRecord + 10));
  assert.equal(e.completeBytes, firstRecord);
  e.push(ending.subarray(firstRecord + 10));
  assert.equal(e.completeBytes, ending.length);
});

test('writeFlowJson writes, byte for byte, the line of FlowJsonWriter.flow(toRecord(flow)), for every kind of flow', () => {
  const v6 = (src: string, dst: string, l4proto: number, l4: number[]) => eth(0x86dd, ipv6(src, dst, l4proto, l4));
  const capture = pcap([
    ...sessionRecords(),
    { ts: 14, data: v6('2001:db8::7', '2001:db8:0:1::9', 17, udp(5000, 6000, [1, 2, 3])) },
    { ts: 14.5, data: v6('::ffff:192.0.2.1', 'fe80::1', 6, tcp(1, 2, TCP.SYN)) },
    { ts: 15, data: frame(C, '198.51.100.255', 1, [8, 0, 0, 0, 0, 9, 0, 1]) },
    { ts: 15.1234567, data: frame('0.0.0.0', '255.255.255.255', 17, udp(68, 67, [0])) },
    // A host that must be escaped in JSON.
    { ts: 16, data: frame(C, S, 6, tcp(50003, 443, TCP.ACK | TCP.PSH, tlsClientHello('a"b\\c.example.test'), 1001)) },
    // Public addresses, which have a country and an AS (an AS name with a comma).
    { ts: 17, data: frame(C, '8.8.8.8', 17, udp(5353, 53, [0])) },
    { ts: 17.5, data: frame('1.1.1.1', C, 17, udp(53, 5354, [0])) },
    { ts: 18, data: v6('2001:db8::7', '2001:4860:4860::8888', 17, udp(5001, 443, [1])) },
  ]);
  const owner = { pid: 4242, process: 'curl "x"', exe: '/usr/bin/curl', user: 'me', hidden: false };
  for (const detail of [true, false]) {
    const e = createEngine({ detail, attributor: { lookup: (_p, _la, lp) => (lp === 50000 ? owner : null) } });
    const viaRecord: Buffer[] = [];
    const direct: Buffer[] = [];
    const wr = new FlowJsonWriter((b) => viaRecord.push(b), 64);
    const wd = new FlowJsonWriter((b) => direct.push(b), 64);
    e.push(capture);
    e.end();
    let n = 0;
    for (const f of e.flows()) {
      wr.flow(e.toRecord(f));
      e.writeFlowJson(f, wd);
      n++;
    }
    wr.flush();
    wd.flush();
    assert.ok(n >= 9, `${n} flows`);
    const text = Buffer.concat(direct).toString('utf8');
    assert.equal(text, Buffer.concat(viaRecord).toString('utf8'));
    assert.match(text, /"process":"curl \\"x\\""/);
    assert.match(text, /"dst":"2001:db8:0:1::9"/);
    assert.match(text, /"host":"api.example.test"/);
    assert.match(text, /"dst":"8\.8\.8\.8","dport":53,"src_country":null,"dst_country":"US","src_asn":null,"dst_asn":15169,"src_as_name":null,"dst_as_name":"Google LLC"/);
    assert.match(text, /"src":"1\.1\.1\.1",.*"src_asn":13335,"dst_asn":null,"src_as_name":"Cloudflare, Inc\.","dst_as_name":null/);
    assert.match(text, /"dst":"2001:4860:4860::8888",.*"dst_country":"US",.*"dst_asn":15169,/);
  }
});
