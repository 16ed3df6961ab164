import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEngine } from '../../src/engine/index.ts';
import { FlowJsonWriter } from '../../src/engine/flow-json.ts';
import { icmpLabel } from '../../src/shared/icmp-names.ts';
import { eth, icmpEcho, ipv4, ipv6, pcap, udp } from './capture-fixtures.ts';

const A = '192.0.2.1';
const B = '192.0.2.2';

test('ICMP and ICMPv6 flows carry the type and code of their first packet, in the record and in the JSON line; others do not', () => {
  const unreachable = [3, 3, 0, 0, 0, 0, 0, 0];
  const capture = pcap([
    { ts: 1, data: eth(0x0800, ipv4(A, B, 1, icmpEcho(true, 7, 1))) },
    { ts: 1.1, data: eth(0x0800, ipv4(B, A, 1, icmpEcho(false, 7, 1))) },
    { ts: 2, data: eth(0x0800, ipv4(B, A, 1, unreachable)) },
    { ts: 3, data: eth(0x86dd, ipv6('2001:db8::1', '2001:db8::2', 58, icmpEcho(true, 9, 1, true))) },
    { ts: 4, data: eth(0x0800, ipv4(A, B, 17, udp(1000, 53, [0]))) },
  ]);
  const e = createEngine({});
  e.push(capture);
  e.end();
  const lines: Buffer[] = [];
  const w = new FlowJsonWriter((b) => lines.push(b), 64);
  const recs = [];
  for (const f of e.flows()) {
    recs.push(e.toRecord(f));
    e.writeFlowJson(f, w);
  }
  w.flush();
  const got = recs.map((r) => [r.proto, r.icmp_type, r.icmp_code]).sort();
  assert.deepEqual(got, [['icmp', 0 + 3, 3], ['icmp', 8, 0], ['icmpv6', 128, 0], ['udp', undefined, undefined]].sort());
  const json = Buffer.concat(lines).toString('utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.deepEqual(json, recs.map((r) => JSON.parse(JSON.stringify(r)) as Record<string, unknown>));
  assert.equal(json.find((j) => j.proto === 'udp')?.icmp_type, undefined);
});

test('ICMP labels name the type and show type/code', () => {
  assert.equal(icmpLabel('icmp', 8, 0), 'echo request (8/0)');
  assert.equal(icmpLabel('icmp', 3, 3), 'unreachable (3/3)');
  assert.equal(icmpLabel('icmpv6', 135, 0), 'neighbor solicitation (135/0)');
  assert.equal(icmpLabel('icmp', 42, 1), 'type 42 (42/1)');
});
