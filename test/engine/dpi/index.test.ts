import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createFlowDpi, createNameCache, DpiGuard, FlowDpiPool } from '../../../src/engine/dpi/index.ts';
import type { PayloadContext } from '../../../src/engine/dpi/types.ts';
import { ascii, clientHelloMessage, concat, dnsMessage, dnsName, hex, ptr, tlsRecords, u16be } from './builders.ts';

const A = 1, CNAME = 5, AAAA = 28;
const udp = (fromInitiator: boolean, dstPort = 53): PayloadContext => ({ proto: 17, fromInitiator, srcPort: 33333, dstPort, seq: 0, ts: 1000 });
const tcp = (fromInitiator: boolean, seq: number, dstPort = 53): PayloadContext => ({ proto: 6, fromInitiator, srcPort: 44444, dstPort, seq, ts: 1000 });

function query(name: string, id = 1): Uint8Array {
  return dnsMessage({ id, questions: [{ name: dnsName(name), type: A }] });
}

function answer(name: string, id = 1): Uint8Array {
  return dnsMessage({
    id, response: true,
    questions: [{ name: dnsName(name), type: A }],
    answers: [
      { name: ptr(12), type: CNAME, rdata: dnsName('edge.cdn.example') },
      { name: dnsName('edge.cdn.example'), type: A, rdata: hex('c6336401') },
      { name: dnsName('edge.cdn.example'), type: AAAA, rdata: hex('20010db8000000010000000000000000') },
    ],
  });
}

test('a DNS exchange over UDP: queries, answers, rcode, and the name cache learns the addresses', () => {
  const names = createNameCache();
  const dpi = createFlowDpi(names);
  const q = query('www.example.com');
  const r = answer('www.example.com');
  assert.equal(dpi.inspect(udp(true), q, 0, q.length), false, 'a DNS flow stays inspectable');
  assert.equal(dpi.facts.app, 'dns');
  assert.equal(dpi.inspect(udp(false), r, 0, r.length), false, 'on port 53 a client socket may ask again');
  assert.deepEqual(dpi.facts.dnsQueries, ['www.example.com']);
  assert.deepEqual(dpi.facts.dnsAnswers, ['edge.cdn.example', '198.51.100.1', '2001:db8:0:1::']);
  assert.equal(dpi.facts.dnsRcode, 0);
  assert.equal(names.lookup('198.51.100.1'), 'www.example.com');
  assert.equal(names.lookup('2001:db8:0:1::'), 'www.example.com');
});

test('more queries on the same flow are collected, deduplicated and bounded', () => {
  const dpi = createFlowDpi(createNameCache());
  let done = false;
  for (let i = 0; i < 40 && !done; i++) {
    const q = query(`h${i % 35}.example`, i);
    done = dpi.inspect(udp(true), q, 0, q.length);
    const again = query(`h${i % 35}.example`, i + 1000);
    if (!done) done = dpi.inspect(udp(true), again, 0, again.length);
  }
  assert.equal(dpi.facts.dnsQueries.length, 32);
  assert.equal(new Set(dpi.facts.dnsQueries).size, 32);
  // The flow ends after a bounded number of messages.
  let n = 0;
  while (!done && n++ < 1000) {
    const q = query('x.example');
    done = dpi.inspect(udp(true), q, 0, q.length);
  }
  assert.equal(done, true);
  assert.ok(n < 100);
});

test('an error rcode sticks even if a later answer succeeds', () => {
  const dpi = createFlowDpi(createNameCache());
  const nx = dnsMessage({ response: true, rcode: 3, questions: [{ name: dnsName('gone.example'), type: A }] });
  const ok = answer('www.example.com');
  dpi.inspect(udp(false), nx, 0, nx.length);
  dpi.inspect(udp(false), ok, 0, ok.length);
  assert.equal(dpi.facts.dnsRcode, 3);
  assert.deepEqual(dpi.facts.dnsQueries, ['gone.example', 'www.example.com']);
});

test('DNS over TCP: length prefixes, a message split across segments, two messages in one segment', () => {
  const names = createNameCache();
  const dpi = createFlowDpi(names);
  const q1 = query('one.example', 1), q2 = query('two.example', 2);
  const cli = concat(u16be(q1.length), q1, u16be(q2.length), q2);
  const r1 = answer('one.example', 1);
  const srv = concat(u16be(r1.length), r1);
  assert.equal(dpi.inspect(tcp(true, 5000), cli, 0, cli.length), false);
  assert.deepEqual(dpi.facts.dnsQueries, ['one.example', 'two.example']);
  for (let i = 0; i < srv.length; i += 7) dpi.inspect(tcp(false, 9000 + i), srv.slice(i, i + 7), 0, Math.min(7, srv.length - i));
  assert.equal(dpi.facts.app, 'dns');
  assert.equal(names.lookup('198.51.100.1'), 'one.example');
  assert.equal(dpi.facts.dnsRcode, 0);
});

test('DNS over TCP on another port is recognised only by a whole, well-formed message', () => {
  const q = query('alt.example');
  const framed = concat(u16be(q.length), q);
  const dpi = createFlowDpi(createNameCache());
  assert.equal(dpi.inspect(tcp(true, 1, 8053), framed, 0, 10), false);
  assert.equal(dpi.facts.app, null);
  dpi.inspect(tcp(true, 11, 8053), framed, 10, framed.length - 10);
  assert.equal(dpi.facts.app, 'dns');
  assert.deepEqual(dpi.facts.dnsQueries, ['alt.example']);
});

test('DNS over UDP on another port needs a message that parses exactly', () => {
  const q = query('odd.port.example');
  const a = createFlowDpi(createNameCache());
  a.inspect(udp(true, 8053), q, 0, q.length);
  assert.equal(a.facts.app, 'dns');
  const b = createFlowDpi(createNameCache());
  const trailing = concat(q, hex('00ff'));
  b.inspect(udp(true, 8053), trailing, 0, trailing.length);
  assert.equal(b.facts.app, null);
});

test('TLS seen only from the server side is labelled tls, without SNI, and given up after a few packets', () => {
  const dpi = createFlowDpi(createNameCache());
  const sh = tlsRecords(concat(hex('02000006'), hex('030300000000')));
  assert.equal(dpi.inspect(tcp(false, 1, 443), sh, 0, sh.length), false);
  assert.equal(dpi.facts.app, 'tls');
  let n = 1;
  while (!dpi.inspect(tcp(false, 1 + n * 100, 443), new Uint8Array(100), 0, 100)) n++;
  assert.ok(n <= 8);
  assert.equal(dpi.facts.sni, null);
});

test('a ClientHello from the side the flow table took for the responder is still read', () => {
  // No SYN in the capture: the server's first packet made it the "initiator".
  const dpi = createFlowDpi(createNameCache());
  const sh = tlsRecords(concat(hex('02000006'), hex('030300000000')));
  const ch = tlsRecords(clientHelloMessage({ sni: 'reversed.example' }));
  assert.equal(dpi.inspect(tcp(true, 500, 50000), sh, 0, sh.length), false);
  assert.equal(dpi.inspect(tcp(false, 9, 50000), ch, 0, ch.length), true);
  assert.equal(dpi.facts.sni, 'reversed.example');
});

test('an HTTP response seen first labels the flow http; a request from the other side is still read', () => {
  const dpi = createFlowDpi(createNameCache());
  const resp = ascii('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
  assert.equal(dpi.inspect(tcp(true, 1, 80), resp, 0, resp.length), false);
  assert.equal(dpi.facts.app, 'http');
  const req = ascii('GET /next HTTP/1.1\r\nHost: late.example\r\n\r\n');
  assert.equal(dpi.inspect(tcp(false, 1, 80), req, 0, req.length), true);
  assert.equal(dpi.facts.httpHost, 'late.example');
});

test('SSH banners are attributed by port 22 when the server was taken for the initiator', () => {
  const dpi = createFlowDpi(createNameCache());
  const c = (fromInitiator: boolean): PayloadContext => ({ proto: 6, fromInitiator, srcPort: 22, dstPort: 51515, seq: 1, ts: 0 });
  const srv = ascii('SSH-2.0-server\r\n'), cli = ascii('SSH-2.0-client\r\n');
  dpi.inspect(c(true), srv, 0, srv.length);
  assert.equal(dpi.inspect(c(false), cli, 0, cli.length), true);
  assert.equal(dpi.facts.sshServer, 'SSH-2.0-server');
  assert.equal(dpi.facts.sshClient, 'SSH-2.0-client');
});

test('TLS on a non-standard port is recognised by content, server bytes are not buffered', () => {
  const dpi = createFlowDpi(createNameCache());
  const hello = tlsRecords(clientHelloMessage({ sni: 'port.example', alpn: ['h2'] }));
  assert.equal(dpi.inspect(tcp(true, 1, 9999), hello, 0, 20), false);
  assert.equal(dpi.inspect(tcp(false, 1, 9999), new Uint8Array(1000), 0, 1000), false);
  assert.equal(dpi.inspect(tcp(true, 21, 9999), hello, 20, hello.length - 20), true);
  assert.equal(dpi.facts.sni, 'port.example');
});

test('unrecognised payload gives up after a few packets', () => {
  for (const proto of [6, 17] as const) {
    const dpi = createFlowDpi(createNameCache());
    const junk = ascii('\x00\x01binary protocol nobody knows');
    let n = 0;
    let done = false;
    while (!done && n < 50) {
      done = dpi.inspect({ proto, fromInitiator: n % 2 === 0, srcPort: 1000, dstPort: 2000, seq: n * 100, ts: 0 }, junk, 0, junk.length);
      n++;
    }
    assert.equal(done, true);
    assert.ok(n <= 6, `proto ${proto}: gave up after ${n}`);
    assert.equal(dpi.facts.app, null);
  }
});

test('after done, inspect keeps answering true and facts stay put', () => {
  const dpi = createFlowDpi(createNameCache());
  const hello = tlsRecords(clientHelloMessage({ sni: 'done.example' }));
  assert.equal(dpi.inspect(tcp(true, 1, 443), hello, 0, hello.length), true);
  const other = tlsRecords(clientHelloMessage({ sni: 'other.example' }));
  assert.equal(dpi.inspect(tcp(true, 1 + hello.length, 443), other, 0, other.length), true);
  assert.equal(dpi.facts.sni, 'done.example');
});

test('an all-zero 200-byte payload is not DNS (nor anything else) on any port, over UDP or TCP', () => {
  const zeros = new Uint8Array(200);
  for (const proto of [17, 6] as const) {
    for (const dstPort of [53, 5353, 9000]) {
      const dpi = createFlowDpi(createNameCache());
      let n = 0;
      let done = false;
      while (!done && n < 40) {
        done = dpi.inspect({ proto, fromInitiator: n % 2 === 0, srcPort: 40000, dstPort, seq: 1 + 200 * (n >> 1), ts: 0 }, zeros, 0, 200);
        n++;
      }
      assert.equal(dpi.facts.app, null, `proto ${proto} port ${dstPort}`);
      assert.deepEqual(dpi.facts.dnsQueries, []);
      assert.equal(n, 2, `proto ${proto} port ${dstPort}: given up once both directions' first payloads matched nothing`);
    }
  }
});

test('a plausible DNS header on port 53 whose question does not parse is not DNS', () => {
  const junk = concat(hex('abcd01000001000000000000'), new Uint8Array([40]), ascii('short'));
  const dpi = createFlowDpi(createNameCache());
  dpi.inspect(udp(true), junk, 0, junk.length);
  assert.equal(dpi.facts.app, null);
});

test('off the DNS ports a UDP DNS flow is done once its queries are answered; on port 53 it stays for more', () => {
  const q1 = query('one.example', 1), q2 = query('two.example', 2);
  const r1 = answer('one.example', 1), r2 = answer('two.example', 2);
  const off = createFlowDpi(createNameCache());
  assert.equal(off.inspect(udp(true, 8053), q1, 0, q1.length), false);
  assert.equal(off.inspect(udp(true, 8053), q2, 0, q2.length), false);
  assert.equal(off.inspect(udp(false, 8053), r1, 0, r1.length), false, 'one query still unanswered');
  assert.equal(off.inspect(udp(false, 8053), r2, 0, r2.length), true);
  assert.deepEqual(off.facts.dnsQueries, ['one.example', 'two.example']);
  const on = createFlowDpi(createNameCache());
  on.inspect(udp(true), q1, 0, q1.length);
  assert.equal(on.inspect(udp(false), r1, 0, r1.length), false);
  assert.equal(on.inspect(udp(true), q2, 0, q2.length), false);
  assert.deepEqual(on.facts.dnsQueries, ['one.example', 'two.example'], 'a resolver reusing its socket');
});

test('only a response seen (no query) does not end a DNS flow off the DNS ports', () => {
  const r1 = answer('one.example', 1);
  const dpi = createFlowDpi(createNameCache());
  assert.equal(dpi.inspect(udp(false, 8053), r1, 0, r1.length), false);
  assert.equal(dpi.facts.app, 'dns');
});

test('near misses of the TCP signatures are not labelled', () => {
  const cases = [
    hex('1603010020ff') /* TLS record, handshake type 255 */, hex('160301000001') /* record length 0 */,
    ascii('SSH-x.0-not a banner\r\n'), ascii('GET  /double-space HTTP/1.1\r\n'), ascii('GET /x FTP/1.0\r\nHost: a\r\n\r\n'),
    ascii('HTTP/1.1 abc nope\r\n\r\n'), ascii('POSTMAN is not a method\r\n'),
  ];
  for (const c of cases) {
    const padded = concat(c, new Uint8Array(Math.max(0, 16 - c.length)).fill(0x20));
    const dpi = createFlowDpi(createNameCache());
    dpi.inspect(tcp(true, 1, 5000), padded, 0, padded.length);
    assert.equal(dpi.facts.app, null, Buffer.from(c).toString('latin1'));
  }
});

test('a request line split before its version is recognised, and its Host read', () => {
  const req = ascii('GET /some/long/path?q=1 HTTP/1.1\r\nHost: split.example\r\n\r\n');
  const dpi = createFlowDpi(createNameCache());
  assert.equal(dpi.inspect(tcp(true, 1, 8080), req, 0, 20), false);
  assert.equal(dpi.facts.app, 'http');
  assert.equal(dpi.inspect(tcp(true, 21, 8080), req, 20, req.length - 20), true);
  assert.equal(dpi.facts.httpHost, 'split.example');
});

test('an unrecognised first segment is kept: an earlier segment arriving later still yields the SNI', () => {
  const hello = tlsRecords(clientHelloMessage({ sni: 'late.start.example' }));
  const dpi = createFlowDpi(createNameCache());
  assert.equal(dpi.inspect(tcp(true, 1 + 100, 443), hello, 100, hello.length - 100), false);
  assert.equal(dpi.facts.app, null);
  assert.equal(dpi.inspect(tcp(true, 1, 443), hello, 0, 100), true);
  assert.equal(dpi.facts.sni, 'late.start.example');
});

test('SNI is lower-cased', () => {
  const hello = tlsRecords(clientHelloMessage({ sni: 'Mixed.CASE.example' }));
  const dpi = createFlowDpi(createNameCache());
  assert.equal(dpi.inspect(tcp(true, 1, 443), hello, 0, hello.length), true);
  assert.equal(dpi.facts.sni, 'mixed.case.example');
});

test('a pooled inspector given back and opened again starts as new: no facts or state of its last flow', () => {
  const names = createNameCache();
  const guard = new DpiGuard({ maxInspectors: 1 });
  const pool = new FlowDpiPool(names, guard);
  const first = pool.open()!;
  assert.equal(pool.open(), null, 'the guard still caps inspectors alive at once');
  const ch = tlsRecords(clientHelloMessage({ sni: 'first.example', alpn: ['h2'] }));
  first.inspect(tcp(true, 1, 443), ch, 0, ch.length);
  const q = query('www.example.com');
  first.inspect(udp(true), q, 0, q.length);
  assert.equal(first.facts.sni, 'first.example');
  assert.deepEqual(first.facts.alpn, ['h2']);
  pool.recycle(first);
  const again = pool.open()!;
  assert.equal(again, first, 'the inspector is reused');
  const fresh = createFlowDpi(createNameCache());
  const r = answer('www.example.com');
  assert.equal(again.inspect(udp(false), r, 0, r.length), fresh.inspect(udp(false), r, 0, r.length));
  assert.deepEqual(again.facts, fresh.facts);
  assert.equal(again.facts.sni, null);
  assert.deepEqual(again.facts.alpn, []);
});

test('a reopened inspector equals one never used, field for field (reopen forgets no state)', () => {
  const pool = new FlowDpiPool(createNameCache(), new DpiGuard({ maxInspectors: 2 }));
  const used = pool.open()!;
  const untouched = pool.open()!;
  // TLS over TCP (stream prefix, ClientHello reader, ALPN), then DNS, then a second stream direction.
  const ch = tlsRecords(clientHelloMessage({ sni: 'first.example', alpn: ['h2'] }));
  used.inspect(tcp(true, 1, 443), ch.subarray(0, 20), 0, 20);
  used.inspect(tcp(true, 21, 443), ch, 20, ch.length);
  used.inspect(tcp(false, 1, 443), ascii('x'), 0, 1);
  const q = query('www.example.com');
  used.inspect(udp(true), q, 0, q.length);
  pool.recycle(used);
  const again = pool.open()!;
  assert.equal(again, used, 'the inspector is reused');
  assert.deepEqual(again, untouched);
});
