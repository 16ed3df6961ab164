import { test } from 'node:test';
import assert from 'node:assert/strict';
import { httpMethodAt, parseHttpRequestHead } from '../../../src/engine/dpi/http-request.ts';
import { createFlowDpi, createNameCache } from '../../../src/engine/dpi/index.ts';
import { ascii } from './builders.ts';

const req = 'POST /upload?x=1 HTTP/1.1\r\nUser-Agent: t\r\nhOsT:   files.example.com:8080  \r\nAccept: */*\r\n\r\nbody';

test('method and Host of a request', () => {
  const b = ascii(req);
  assert.deepEqual(parseHttpRequestHead(b, 0, b.length), { status: 'done', method: 'POST', host: 'files.example.com:8080' });
});

test('a head without Host ends at the blank line', () => {
  const b = ascii('GET / HTTP/1.0\r\nAccept: x\r\n\r\n');
  assert.deepEqual(parseHttpRequestHead(b, 0, b.length), { status: 'done', method: 'GET', host: null });
});

test('an incomplete head asks for more; a non-HTTP line is invalid', () => {
  const b = ascii('GET /index.html HTTP/1.1\r\nAcc');
  assert.equal(parseHttpRequestHead(b, 0, b.length).status, 'more');
  const c = ascii('GET /x SOMETHING\r\n\r\n');
  assert.equal(parseHttpRequestHead(c, 0, c.length).status, 'invalid');
  const d = ascii('GETTING / HTTP/1.1\r\n');
  assert.equal(httpMethodAt(d, 0, d.length), null);
  assert.equal(httpMethodAt(ascii('\x16\x03\x01'), 0, 3), null);
});

test('a request split at every byte boundary over two segments gives the same facts', () => {
  const b = ascii(req);
  for (let i = 1; i < b.length; i++) {
    const dpi = createFlowDpi(createNameCache());
    const ctx = (seq: number) => ({ proto: 6 as const, fromInitiator: true, srcPort: 5000, dstPort: 80, seq, ts: 0 });
    let done = dpi.inspect(ctx(7), b.slice(0, i), 0, i);
    if (!done) done = dpi.inspect(ctx(7 + i), b.slice(i), 0, b.length - i);
    assert.equal(done, true, `split ${i}`);
    assert.equal(dpi.facts.app, 'http');
    assert.equal(dpi.facts.httpHost, 'files.example.com:8080', `split ${i}`);
  }
});
