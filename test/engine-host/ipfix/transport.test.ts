import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { createSocket } from 'node:dgram';
import { setTimeout as sleep } from 'node:timers/promises';
import { openTransport, parseEndpoint } from '../../../src/engine-host/ipfix/transport.ts';
import { splitIpfixArgs } from '../../../src/engine-host/ipfix/ipfix-cli.ts';

const msg = (tag: number, n = 16) => new Uint8Array(n).fill(tag);

async function freePort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
  const p = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return p;
}

test('TCP: every connection starts with the templates; a dropped connection is dialled again', async () => {
  const conns: { sock: Socket; bytes: number[] }[] = [];
  const server = createServer((sock) => {
    const c = { sock, bytes: [] as number[] };
    conns.push(c);
    sock.on('data', (d) => c.bytes.push(...d));
    sock.on('error', () => {});
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const t = await openTransport({ kind: 'tcp', endpoint: { host: '127.0.0.1', port } });
  t.sessionStart(() => [msg(0xee, 4)]);
  t.send(msg(1));
  t.send(msg(2));
  const until = async (f: () => boolean) => {
    for (let i = 0; i < 200 && !f(); i++) await sleep(20);
    assert.ok(f());
  };
  await until(() => conns.length === 1 && conns[0].bytes.length === 36);
  assert.deepEqual(conns[0].bytes, [...msg(0xee, 4), ...msg(1), ...msg(2)]);
  conns[0].sock.destroy();
  await sleep(100);
  t.send(msg(3));
  await until(() => conns.length === 2 && conns[1].bytes.length === 20);
  assert.deepEqual(conns[1].bytes, [...msg(0xee, 4), ...msg(3)]);
  await t.close(1000);
  assert.equal(t.stats.dropped, 0);
  await new Promise<void>((r) => server.close(() => r()));
});

test('TCP with no collector: the queue stays within its bound, drops are counted, close does not wait', async () => {
  const port = await freePort();
  const t = await openTransport({ kind: 'tcp', endpoint: { host: '127.0.0.1', port }, queueBytes: 64 << 10 });
  for (let i = 0; i < 1000; i++) {
    t.send(msg(i & 255, 1024));
    assert.ok(t.stats.queuedBytes <= 64 << 10);
  }
  assert.equal(t.stats.dropped, 1000 - 64);
  await sleep(100);
  assert.ok(t.stats.sendErrors >= 1);
  assert.equal(t.lastError, 'ECONNREFUSED');
  const t0 = Date.now();
  await t.close(500);
  assert.ok(Date.now() - t0 < 1500);
  assert.equal(t.stats.dropped, 1000);
});

test('UDP with no collector: bounded in-flight bytes, drops and ICMP errors counted', async () => {
  const port = await freePort();
  const t = await openTransport({ kind: 'udp', endpoint: { host: '127.0.0.1', port }, queueBytes: 64 << 10 });
  for (let round = 0; round < 5; round++) {
    for (let i = 0; i < 2000; i++) {
      t.send(msg(1, 1400));
      assert.ok(t.stats.queuedBytes <= 64 << 10);
    }
    await sleep(20);
  }
  await t.close(1000);
  const s = t.stats;
  assert.ok(s.dropped > 0, JSON.stringify(s));
  assert.ok(s.sendErrors > 0, JSON.stringify(s));
  assert.equal(s.messagesSent + s.sendErrors + s.dropped, 10_000);
  assert.equal(s.queuedBytes, 0);
});

test('endpoints and --ipfix options', () => {
  assert.deepEqual(parseEndpoint('127.0.0.1:4739'), { host: '127.0.0.1', port: 4739 });
  assert.deepEqual(parseEndpoint('[::1]:2055'), { host: '::1', port: 2055 });
  assert.deepEqual(parseEndpoint('collector:9995'), { host: 'collector', port: 9995 });
  for (const bad of ['127.0.0.1', '127.0.0.1:0', 'h:70000', ':1', '::1:4739', 'h:x']) assert.equal(typeof parseEndpoint(bad), 'string', bad);
  const ok = splitIpfixArgs(['f.pcap', '--ipfix', '127.0.0.1:4739', '--json', '--ipfix-transport=tcp', '--ipfix-active', '30', '--ipfix-idle=5']);
  assert.ok(typeof ok !== 'string');
  assert.deepEqual(ok.rest, ['f.pcap', '--json']);
  assert.deepEqual(ok.ipfix && [ok.ipfix.transport, ok.ipfix.active, ok.ipfix.idle, ok.ipfix.refresh, ok.ipfix.domain], ['tcp', 30, 5, 60, 1]);
  assert.deepEqual(splitIpfixArgs(['x', '--json']), { rest: ['x', '--json'], ipfix: null });
  assert.match(splitIpfixArgs(['--ipfix-idle', '5']) as string, /needs --ipfix/);
  assert.match(splitIpfixArgs(['--ipfix', 'h:1', '--ipfix-transport', 'sctp']) as string, /udp or tcp/);
  assert.match(splitIpfixArgs(['--ipfix', 'h:1', '--ipfix-active', '0']) as string, /seconds/);
  assert.match(splitIpfixArgs(['--ipfix']) as string, /needs a value/);
});
