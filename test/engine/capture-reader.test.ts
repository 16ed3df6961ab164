import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CaptureReader } from '../../src/engine/capture-reader.ts';
import { CaptureFormatError } from '../../src/engine/capture-format-error.ts';
import { collector, eth, ipv4, pcap, pcapng, udp, type NgSection } from './capture-fixtures.ts';

const pkt = (n: number) => eth(0x0800, ipv4('10.0.0.1', '10.0.0.2', 17, udp(1000 + n, 53, Array(n).fill(n))));

function readAll(bytes: Uint8Array, chunk = bytes.length) {
  const c = collector();
  const r = new CaptureReader(c.sink);
  for (let i = 0; i < bytes.length; i += chunk) r.push(bytes.subarray(i, i + chunk));
  r.end();
  return c.seen;
}

function formatError(fn: () => unknown): CaptureFormatError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof CaptureFormatError, `expected CaptureFormatError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected a CaptureFormatError');
}

for (const le of [true, false]) {
  for (const nano of [false, true]) {
    test(`pcap ${le ? 'little' : 'big'}-endian ${nano ? 'ns' : 'µs'}: records, times and lengths`, () => {
      const recs = [
        { ts: 1700000000.123456, data: pkt(1) },
        { ts: 1700000001.5, data: pkt(7), wire: 1500 },
      ];
      const seen = readAll(pcap(recs, { le, nano, linktype: 1 }));
      assert.equal(seen.length, 2);
      assert.deepEqual(seen[0].data, recs[0].data);
      assert.equal(seen[0].wire, recs[0].data.length);
      assert.equal(seen[1].wire, 1500);
      assert.ok(Math.abs(seen[0].ts - 1700000000.123456) < 1e-6);
      assert.equal(seen[1].linktype, 1);
    });
  }
}

test('pcap nanosecond timestamps keep sub-microsecond digits', () => {
  const b = pcap([{ ts: 0, data: pkt(1) }], { nano: true });
  new DataView(b.buffer).setUint32(24, 10, true);
  new DataView(b.buffer).setUint32(28, 999_999_999, true);
  const [s] = readAll(b);
  assert.ok(Math.abs(s.ts - 10.999999999) < 1e-9);
});

const multi: NgSection[] = [
  {
    le: true,
    interfaces: [{ linktype: 1 }, { linktype: 101, tsresol: 9 }, { linktype: 113, tsresol: 0x80 | 20 }],
    blocks: [
      { kind: 'epb', iface: 0, ts: 1700000000.25, data: pkt(2) },
      { kind: 'unknown', type: 0x0bad, body: [1, 2, 3, 4, 5, 6, 7, 8] },
      { kind: 'epb', iface: 1, ts: 1700000001.000000123, data: ipv4('10.0.0.1', '10.0.0.2', 17, udp(1, 2)) },
      { kind: 'epb', iface: 2, ts: 1700000002.5, data: [0, 0, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0, 8, 0, ...ipv4('10.0.0.1', '10.0.0.2', 17, udp(1, 2))] },
      { kind: 'spb', data: pkt(3), wire: 999 },
      { kind: 'opb', iface: 1, ts: 1700000003, data: ipv4('10.0.0.3', '10.0.0.4', 17, udp(3, 4)) },
      { kind: 'unknown', type: 5, body: [0, 0, 0, 0, 0, 0, 0, 0] }, // ISB
    ],
  },
  { le: false, interfaces: [{ linktype: 228 }], blocks: [{ kind: 'epb', iface: 0, ts: 1700000004, data: ipv4('10.0.0.9', '10.0.0.8', 17, udp(9, 8)) }] },
];

test('pcapng: several interfaces with their own link types and if_tsresol, SPB, OPB, unknown blocks, a second big-endian section', () => {
  const seen = readAll(pcapng(multi));
  assert.deepEqual(seen.map((s) => s.linktype), [1, 101, 113, 1, 101, 228]);
  assert.ok(Math.abs(seen[0].ts - 1700000000.25) < 1e-6);
  assert.ok(Math.abs(seen[1].ts - 1700000001.000000123) < 1e-6);
  assert.ok(Math.abs(seen[2].ts - 1700000002.5) < 1e-6);
  assert.equal(seen[3].ts, seen[2].ts, 'an SPB takes the last timestamp seen');
  assert.equal(seen[3].wire, 999);
  assert.deepEqual(seen[3].data.slice(0, pkt(3).length), pkt(3), 'an SPB with a larger original length keeps the whole block body');
  assert.ok(Math.abs(seen[5].ts - 1700000004) < 1e-6);
});

test('pcapng: a new section header forgets the previous interfaces', () => {
  const bytes = pcapng([
    { interfaces: [{ linktype: 1 }], blocks: [{ kind: 'epb', iface: 0, ts: 1, data: pkt(1) }] },
    { interfaces: [], blocks: [{ kind: 'epb', iface: 0, ts: 2, data: pkt(1) }] },
  ]);
  const seen = readAll(bytes);
  assert.deepEqual(seen.map((s) => s.linktype), [1, -1]);
});

test('every chunk split of a small pcap and pcapng yields the same records', () => {
  for (const bytes of [pcap([1, 2, 3].map((n) => ({ ts: n, data: pkt(n) }))), pcapng(multi)]) {
    const whole = readAll(bytes);
    for (let cut = 1; cut < bytes.length; cut++) {
      const c = collector();
      const r = new CaptureReader(c.sink);
      r.push(bytes.subarray(0, cut));
      r.push(bytes.subarray(cut));
      r.end();
      assert.deepEqual(c.seen, whole, `split at ${cut}`);
    }
    for (const size of [1, 2, 3, 5, 7, 13]) assert.deepEqual(readAll(bytes, size), whole, `chunks of ${size}`);
  }
});

test('not a capture, empty, truncated, absurd lengths: CaptureFormatError with the byte offset', () => {
  let e = formatError(() => readAll(new TextEncoder().encode('hello world, not a pcap')));
  assert.equal(e.offset, 0);
  assert.match(e.reason, /not a pcap/);
  e = formatError(() => readAll(Uint8Array.of(1, 2, 3)));
  assert.match(e.reason, /not a pcap/, 'shorter than any magic');
  e = formatError(() => readAll(new Uint8Array(0)));
  assert.match(e.reason, /empty/);
  const good = pcap([{ ts: 1, data: pkt(1) }, { ts: 2, data: pkt(2) }]);
  e = formatError(() => readAll(good.subarray(0, good.length - 3)));
  const firstLen = 16 + pkt(1).length;
  assert.equal(e.offset, 24 + firstLen, 'the truncated record starts after the first');
  assert.match(e.reason, /truncated/);
  e = formatError(() => readAll(good.subarray(0, 10)));
  assert.equal(e.offset, 0);
  const huge = pcap([{ ts: 1, data: pkt(1) }]);
  new DataView(huge.buffer).setUint32(24 + 8, 0x7fffffff, true);
  e = formatError(() => readAll(huge));
  assert.equal(e.offset, 24);
  assert.match(e.reason, /exceeds/);
  const ng = pcapng(multi);
  const bad = ng.slice();
  new DataView(bad.buffer).setUint32(28 + 4, 0x40000000, true); // first IDB: 1 GiB
  e = formatError(() => readAll(bad));
  assert.equal(e.offset, 28);
  const odd = ng.slice();
  new DataView(odd.buffer).setUint32(28 + 4, 21, true);
  e = formatError(() => readAll(odd));
  assert.match(e.reason, /invalid/);
});

test('a reader that failed keeps failing, and records before the error were delivered', () => {
  const good = pcap([{ ts: 1, data: pkt(1) }]);
  const c = collector();
  const r = new CaptureReader(c.sink);
  const bad = new Uint8Array(good.length + 16);
  bad.set(good);
  new DataView(bad.buffer).setUint32(good.length + 8, 0xffffffff, true);
  assert.throws(() => r.push(bad), CaptureFormatError);
  assert.equal(c.seen.length, 1);
  assert.throws(() => r.push(good), CaptureFormatError);
});
