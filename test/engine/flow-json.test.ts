import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { flowRecordJson } from '../../src/engine/flow-json.ts';
import type { FlowRecord } from '../../src/shared/flow.ts';

const record: fc.Arbitrary<FlowRecord> = fc.record({
  type: fc.constant('flow' as const),
  id: fc.nat(),
  proto: fc.constantFrom('tcp', 'udp', 'icmp', 'icmpv6', 'sctp', 'gre', 'esp', 'other'),
  src: fc.oneof(fc.ipV4(), fc.ipV6()),
  sport: fc.nat(65535),
  dst: fc.oneof(fc.ipV4(), fc.ipV6()),
  dport: fc.nat(65535),
  packets_fwd: fc.nat(),
  bytes_fwd: fc.maxSafeNat(),
  packets_rev: fc.nat(),
  bytes_rev: fc.maxSafeNat(),
  first_seen: fc.double({ min: 0, max: 4e9, noNaN: true }),
  last_seen: fc.double({ min: 0, max: 4e9, noNaN: true }),
  state: fc.constantFrom('syn_sent', 'established', 'closing', 'closed', 'reset', 'active'),
  app: fc.constantFrom(null, 'dns', 'tls', 'http', 'quic', 'ssh'),
  host: fc.option(fc.string({ unit: 'binary' })),
  dns_queries: fc.array(fc.string({ unit: 'binary' }), { maxLength: 4 }),
  pid: fc.option(fc.nat()),
  process: fc.option(fc.string({ unit: 'binary' })),
}) as fc.Arbitrary<FlowRecord>;

test('flowRecordJson writes exactly what JSON.stringify writes, key order included', () => {
  fc.assert(fc.property(record, (r) => assert.equal(flowRecordJson(r), JSON.stringify(r))), { numRuns: 2000, seed: 5 });
});
