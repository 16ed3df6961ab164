import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { FlowJsonWriter } from '../../src/engine/flow-json.ts';
import type { FlowRecord } from '../../src/shared/flow.ts';

const record: fc.Arbitrary<FlowRecord> = fc.record({
  type: fc.constant('flow' as const),
  id: fc.nat(),
  proto: fc.constantFrom('tcp', 'udp', 'icmp', 'icmpv6', 'sctp', 'gre', 'esp', 'other'),
  src: fc.oneof(fc.ipV4(), fc.ipV6()),
  sport: fc.nat(65535),
  dst: fc.oneof(fc.ipV4(), fc.ipV6()),
  dport: fc.nat(65535),
  src_country: fc.option(fc.constantFrom('US', 'DE', 'JP')),
  dst_country: fc.option(fc.constantFrom('US', 'NL', 'AU')),
  src_asn: fc.option(fc.nat()),
  dst_asn: fc.option(fc.nat()),
  src_as_name: fc.option(fc.string({ unit: 'binary' })),
  dst_as_name: fc.option(fc.string({ unit: 'binary' })),
  packets_fwd: fc.nat(),
  bytes_fwd: fc.maxSafeNat(),
  packets_rev: fc.nat(),
  bytes_rev: fc.maxSafeNat(),
  first_seen: fc.double({ min: 0, max: 4e9, noNaN: true }),
  last_seen: fc.double({ min: 0, max: 4e9, noNaN: true }),
  state: fc.constantFrom('syn_sent', 'established', 'mid-flow', 'closing', 'closed', 'reset', 'active'),
  app: fc.constantFrom(null, 'dns', 'tls', 'http', 'quic', 'ssh'),
  host: fc.option(fc.string({ unit: 'binary' })),
  dns_queries: fc.array(fc.string({ unit: 'binary' }), { maxLength: 4 }),
  pid: fc.option(fc.nat()),
  process: fc.option(fc.string({ unit: 'binary' })),
}) as fc.Arbitrary<FlowRecord>;

/** Every line a FlowJsonWriter writes, decoded, with chunks of `chunk` bytes. */
function written(recs: FlowRecord[], chunk: number, extra?: (w: FlowJsonWriter) => void): { text: string; chunks: number[] } {
  const parts: Buffer[] = [];
  const w = new FlowJsonWriter((b) => parts.push(b), chunk);
  for (const r of recs) w.flow(r);
  extra?.(w);
  w.flush();
  return { text: Buffer.concat(parts).toString('utf8'), chunks: parts.map((p) => p.length) };
}

test('FlowJsonWriter writes, as UTF-8, exactly JSON.stringify plus a newline per record, across chunk boundaries', () => {
  fc.assert(
    fc.property(fc.array(record, { maxLength: 8 }), fc.integer({ min: 1, max: 300 }), (recs, chunk) => {
      const { text, chunks } = written(recs, chunk);
      assert.equal(text, recs.map((r) => JSON.stringify(r) + '\n').join(''));
      assert.ok(chunks.every((n) => n > 0));
    }),
    { numRuns: 1000, seed: 7 },
  );
});

test('FlowJsonWriter: the DHCP keys, when present, come last, as JSON.stringify puts them', () => {
  const text = fc.option(fc.string({ unit: 'binary' }), { nil: undefined });
  const withDhcp = fc.tuple(record, text, text).map(([r, h, v]) => {
    const out: FlowRecord = { ...r };
    if (h !== undefined) out.dhcp_hostname = h;
    if (v !== undefined) out.dhcp_vendor_class = v;
    return out;
  });
  fc.assert(
    fc.property(fc.array(withDhcp, { maxLength: 4 }), (recs) => {
      assert.equal(written(recs, 64).text, recs.map((r) => JSON.stringify(r) + '\n').join(''));
    }),
    { numRuns: 300, seed: 11 },
  );
});

test('FlowJsonWriter prints numbers as String() does: microsecond times, integers, and the rest', () => {
  const values = fc.oneof(
    fc.integer({ min: 0, max: 2 ** 33 * 1e6 }).map((us) => Math.round(us) / 1e6),
    fc.integer({ min: 0, max: 2 ** 32 }).map((s) => s + 0.5e-6),
    fc.double({ noNaN: false }),
    fc.maxSafeNat(),
    fc.constantFrom(0, -0, 1e-6, 1e-7, 5e-7, 2 ** 32 - 1e-6, 2 ** 32, 2 ** 53, 2 ** 53 + 2, 1e21, -1.5, Infinity, -Infinity, NaN),
  );
  fc.assert(
    fc.property(values, (v) => {
      const r: FlowRecord = { type: 'flow', id: 1, proto: 'udp', src: '10.0.0.1', sport: 1, dst: '10.0.0.2', dport: 2, src_country: null, dst_country: null, src_asn: v, dst_asn: null,
        src_as_name: null, dst_as_name: 'AS "x"', packets_fwd: v, bytes_fwd: 0,
        packets_rev: 0, bytes_rev: 0, first_seen: v, last_seen: v, state: 'active', app: null, host: null, dns_queries: [], pid: v, process: null };
      assert.equal(written([r], 64).text, JSON.stringify(r) + '\n');
    }),
    { numRuns: 20000, seed: 11 },
  );
});

test('FlowJsonWriter prints every integer length as String() does: each power of ten, one either side, and 2^31 around', () => {
  const edges = [0, 2 ** 31 - 2, 2 ** 31 - 1, 2 ** 31, 2 ** 31 + 1, 2 ** 32, Number.MAX_SAFE_INTEGER];
  for (let p = 1; p <= 1e15; p *= 10) edges.push(p - 1, p, p + 1);
  const recs = edges.map((v): FlowRecord => ({ type: 'flow', id: v, proto: 'tcp', src: '255.0.9.10', sport: v % 65536, dst: '0.99.100.255', dport: 65535,
    src_country: null, dst_country: null, src_asn: v, dst_asn: null, src_as_name: null, dst_as_name: null, packets_fwd: v, bytes_fwd: v,
    packets_rev: 0, bytes_rev: v * 2, first_seen: v, last_seen: v, state: 'closed', app: null, host: null, dns_queries: [], pid: null, process: null }));
  assert.equal(written(recs, 50).text, recs.map((r) => JSON.stringify(r) + '\n').join(''));
});

test('FlowJsonWriter lines: any text, UTF-8 encoded', () => {
  fc.assert(
    fc.property(fc.array(fc.string({ unit: 'grapheme' }), { maxLength: 5 }), fc.integer({ min: 1, max: 50 }), (lines, chunk) => {
      const { text } = written([], chunk, (w) => lines.forEach((l) => w.line(l)));
      assert.equal(text, lines.map((l) => l + '\n').join(''));
    }),
    { numRuns: 500, seed: 3 },
  );
});
