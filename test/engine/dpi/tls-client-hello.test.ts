import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseClientHello, TlsClientHelloReader, MAX_HELLO } from '../../../src/engine/dpi/tls-client-hello.ts';
import { createFlowDpi, createNameCache } from '../../../src/engine/dpi/index.ts';
import type { PayloadContext } from '../../../src/engine/dpi/types.ts';
import { clientHelloMessage, concat, hex, tlsRecords, u16be } from './builders.ts';

const ctx = (seq: number, fromInitiator = true): PayloadContext => ({ proto: 6, fromInitiator, srcPort: 40000, dstPort: 443, seq, ts: 1 });

test('SNI and ALPN from a complete ClientHello message', () => {
  const m = clientHelloMessage({ sni: 'www.example.org', alpn: ['h2', 'http/1.1'] });
  assert.deepEqual(parseClientHello(m, 0, m.length), { sni: 'www.example.org', alpn: ['h2', 'http/1.1'] });
});

test('a ClientHello without extensions or SNI', () => {
  const m = clientHelloMessage({});
  assert.deepEqual(parseClientHello(m, 0, m.length), { sni: null, alpn: [] });
  // Strip the extensions block entirely (old-style hello).
  const body = concat(hex('0303'), new Uint8Array(32), new Uint8Array([0]), u16be(2), hex('002f'), new Uint8Array([1, 0]));
  const bare = concat(new Uint8Array([1, 0, 0, body.length]), body);
  assert.deepEqual(parseClientHello(bare, 0, bare.length), { sni: null, alpn: [] });
});

test('malformed hellos: truncation at every length gives null or a result, never an exception', () => {
  const m = clientHelloMessage({ sni: 'a.example', alpn: ['h2'] });
  for (let n = 0; n < m.length; n++) assert.equal(parseClientHello(m, 0, n), null, `length ${n}`);
  const wrongType = m.slice();
  wrongType[0] = 2;
  assert.equal(parseClientHello(wrongType, 0, wrongType.length), null);
});

test('a non-printable ALPN id is shown as hex; a non-hostname SNI is dropped', () => {
  const m = clientHelloMessage({ sni: 'bad host', alpn: ['\u0001\u0002'] });
  assert.deepEqual(parseClientHello(m, 0, m.length), { sni: null, alpn: ['0x0102'] });
});

test('a ClientHello split across several TLS records is reassembled', () => {
  const m = clientHelloMessage({ sni: 'records.example', alpn: ['h2'] });
  for (const size of [1, 3, 50, 100]) {
    const stream = tlsRecords(m, size);
    const r = new TlsClientHelloReader();
    assert.equal(r.update(stream, 0, stream.length), 'done', `record size ${size}`);
    assert.equal(r.info?.sni, 'records.example');
  }
});

test('the reader waits for more bytes and rejects non-hello records', () => {
  const stream = tlsRecords(clientHelloMessage({ sni: 'wait.example' }));
  const r = new TlsClientHelloReader();
  assert.equal(r.update(stream, 0, 10), 'more');
  assert.equal(r.update(stream, 0, stream.length), 'done');
  const appData = hex('170303000501020304aa');
  assert.equal(new TlsClientHelloReader().update(appData, 0, appData.length), 'invalid');
  const serverHello = tlsRecords(concat(hex('02000004'), hex('03030000')));
  assert.equal(new TlsClientHelloReader().update(serverHello, 0, serverHello.length), 'invalid');
});

test('a hello larger than the bound is abandoned', () => {
  const big = clientHelloMessage({ sni: 'big.example', padding: MAX_HELLO });
  const stream = tlsRecords(big);
  assert.equal(new TlsClientHelloReader().update(stream, 0, stream.length), 'invalid');
});

function runFlow(segments: { seq: number; bytes: Uint8Array }[]) {
  const dpi = createFlowDpi(createNameCache());
  let done = false;
  for (const s of segments) {
    done = dpi.inspect(ctx(s.seq), s.bytes, 0, s.bytes.length);
    if (done) break;
  }
  return { done, facts: dpi.facts };
}

test('ClientHello split into two TCP segments at every byte boundary, in and out of order', () => {
  const stream = tlsRecords(clientHelloMessage({ sni: 'split.example.net', alpn: ['h2', 'http/1.1'] }));
  const isn = 0xfffffff0; // exercises sequence wrap-around too
  for (let i = 1; i < stream.length; i++) {
    const a = { seq: isn, bytes: stream.slice(0, i) };
    const b = { seq: (isn + i) >>> 0, bytes: stream.slice(i) };
    for (const order of [[a, b], [b, a]]) {
      const r = runFlow(order);
      assert.equal(r.done, true, `split ${i}`);
      assert.equal(r.facts.app, 'tls');
      assert.equal(r.facts.sni, 'split.example.net', `split ${i}`);
      assert.deepEqual(r.facts.alpn, ['h2', 'http/1.1']);
    }
  }
});

test('ClientHello in three TCP segments at every pair of boundaries, across two TLS records', () => {
  const stream = tlsRecords(clientHelloMessage({ sni: 'three.example', alpn: ['h2'] }), 60);
  let cases = 0;
  for (let i = 1; i < stream.length - 1; i++) {
    for (let j = i + 1; j < stream.length; j++) {
      const segs = [{ seq: 100, bytes: stream.slice(0, i) }, { seq: 100 + i, bytes: stream.slice(i, j) }, { seq: 100 + j, bytes: stream.slice(j) }];
      const order = (i + j) % 3 === 0 ? [segs[2], segs[0], segs[1]] : (i + j) % 3 === 1 ? [segs[1], segs[2], segs[0]] : segs;
      const r = runFlow(order);
      assert.equal(r.facts.sni, 'three.example', `split ${i},${j}`);
      cases++;
    }
  }
  assert.ok(cases > 1000);
});

test('overlapping retransmissions do not corrupt the hello', () => {
  const stream = tlsRecords(clientHelloMessage({ sni: 'overlap.example' }));
  const r = runFlow([
    { seq: 0, bytes: stream.slice(0, 40) },
    { seq: 20, bytes: stream.slice(20, 90) },
    { seq: 10, bytes: stream.slice(10, 30) },
    { seq: 90, bytes: stream.slice(90) },
  ]);
  assert.equal(r.facts.sni, 'overlap.example');
});

test('the reader parses a hello inside a larger buffer at an offset, in place', () => {
  const stream = tlsRecords(clientHelloMessage({ sni: 'inplace.example', alpn: ['h2'] }));
  const big = concat(new Uint8Array(37).fill(0x16), stream, new Uint8Array(11).fill(0xee));
  const r = new TlsClientHelloReader();
  assert.equal(r.update(big, 37, stream.length), 'done');
  assert.deepEqual(r.info, { sni: 'inplace.example', alpn: ['h2'] });
  const split = tlsRecords(clientHelloMessage({ sni: 'records.example' }), 50);
  const big2 = concat(new Uint8Array(5), split);
  const r2 = new TlsClientHelloReader();
  assert.equal(r2.update(big2, 5, 60), 'more');
  assert.equal(r2.update(big2, 5, split.length), 'done');
  assert.equal(r2.info?.sni, 'records.example');
});
