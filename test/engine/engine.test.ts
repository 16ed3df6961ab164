import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEngine, CaptureFormatError } from '../../src/engine/index.ts';
import { dnsQuery, dnsResponse, eth, ipv4, pcap, tcp, tlsClientHello, udp, TCP } from './capture-fixtures.ts';

const C = '192.0.2.7';
const S = '203.0.113.9';
const frame = (src: string, dst: string, l4proto: number, l4: number[]) => eth(0x0800, ipv4(src, dst, l4proto, l4));

function read(bytes: Uint8Array, chunk = bytes.length) {
  const e = createEngine();
  for (let i = 0; i < bytes.length; i += chunk) e.push(bytes.subarray(i, i + chunk));
  e.end();
  return { e, recs: [...e.flows()].map((f) => e.toRecord(f)).sort((a, b) => a.id - b.id) };
}

const session = pcap([
  { ts: 10, data: frame(C, '192.0.2.53', 17, udp(40001, 53, dnsQuery(0x77, 'api.example.test'))) },
  { ts: 10.01, data: frame('192.0.2.53', C, 17, udp(53, 40001, dnsResponse(0x77, 'api.example.test', S))) },
  { ts: 11, data: frame(C, S, 6, tcp(50000, 443, TCP.SYN)) },
  { ts: 11.01, data: frame(S, C, 6, tcp(443, 50000, TCP.SYN | TCP.ACK)) },
  { ts: 11.02, data: frame(C, S, 6, tcp(50000, 443, TCP.ACK)) },
  { ts: 11.03, data: frame(C, S, 6, tcp(50000, 443, TCP.ACK | TCP.PSH, tlsClientHello('secure.example.test'), 1001)) },
  { ts: 12, data: frame(C, S, 6, tcp(50001, 80, TCP.SYN)) },
  { ts: 12.01, data: frame(C, S, 6, tcp(50001, 80, TCP.ACK | TCP.PSH, [...new TextEncoder().encode('GET / HTTP/1.1\r\nHost: www.example.test\r\n\r\n')], 1001)) },
  { ts: 13, data: frame(C, S, 6, tcp(50002, 8443, TCP.SYN)) },
]);

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
