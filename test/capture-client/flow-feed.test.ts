import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createFlowFeed } from '../../src/capture-client/flow-feed.ts';

const T0 = 1_760_000_000;

function pcapHeader(): Buffer {
  const h = Buffer.alloc(24);
  h.writeUInt32LE(0xa1b2c3d4, 0);
  h.writeUInt16LE(2, 4);
  h.writeUInt16LE(4, 6);
  h.writeUInt32LE(65535, 16);
  h.writeUInt32LE(1, 20);
  return h;
}

/** One Ethernet/IPv4/UDP record 10.1.0.1:sport → 10.1.0.2:7000 at T0 + t. */
function udp(sport: number, t: number): Buffer {
  const f = Buffer.alloc(14 + 20 + 8 + 4);
  f.writeUInt16BE(0x0800, 12);
  f[14] = 0x45;
  f.writeUInt16BE(32, 16);
  f[22] = 64;
  f[23] = 17;
  Buffer.from([10, 1, 0, 1, 10, 1, 0, 2]).copy(f, 26);
  f.writeUInt16BE(sport, 34);
  f.writeUInt16BE(7000, 36);
  f.writeUInt16BE(12, 38);
  const r = Buffer.alloc(16);
  r.writeUInt32LE(T0 + t, 0);
  r.writeUInt32LE(f.length, 8);
  r.writeUInt32LE(f.length, 12);
  return Buffer.concat([r, f]);
}

const RECORD_KEYS = [
  'type', 'id', 'proto', 'src', 'sport', 'dst', 'dport', 'packets_fwd', 'bytes_fwd', 'packets_rev', 'bytes_rev',
  'first_seen', 'last_seen', 'state', 'app', 'host', 'dns_queries', 'pid', 'process',
].sort();

test('changed flows come out once per drain, as FlowRecords', () => {
  const feed = createFlowFeed({ attribute: false, now: () => T0 + 1 });
  const stream = Buffer.concat([pcapHeader(), udp(1111, 0), udp(2222, 0), udp(1111, 1)]);
  for (let i = 0; i < stream.length; i += 13) feed.push(stream.subarray(i, i + 13));
  const first = feed.drainChanged();
  assert.equal(first.length, 2);
  for (const r of first) assert.deepEqual(Object.keys(r).sort(), RECORD_KEYS);
  assert.equal(first.find((r) => r.sport === 1111)?.packets_fwd, 2);
  assert.deepEqual(feed.drainChanged(), [], 'nothing changed since');
  feed.push(udp(2222, 1));
  const second = feed.drainChanged();
  assert.deepEqual(second.map((r) => [r.sport, r.packets_fwd]), [[2222, 2]]);
  assert.equal(feed.flowCount(), 2);
  assert.equal(feed.error, null);
});

test('flows that go idle are reported once more with their final state', () => {
  let now = T0 + 1;
  const feed = createFlowFeed({ attribute: false, now: () => now });
  feed.push(Buffer.concat([pcapHeader(), udp(3333, 0)]));
  assert.equal(feed.drainChanged().length, 1);
  now = T0 + 3600;
  const later = feed.drainChanged();
  assert.deepEqual(later.map((r) => [r.sport, r.packets_fwd]), [[3333, 1]]);
  assert.deepEqual(feed.drainChanged(), []);
});

test('a stream that is not pcap stops the flow view with a reason, without throwing', () => {
  const feed = createFlowFeed({ attribute: false });
  assert.doesNotThrow(() => feed.push(Buffer.from('this is not a capture file at all, not even close')));
  assert.doesNotThrow(() => feed.end());
  assert.match(feed.error ?? '', /\S/);
  assert.deepEqual(feed.drainChanged(), []);
});
