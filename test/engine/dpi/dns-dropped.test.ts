// A DNS flow asking more than 32 names keeps the first 32 and counts the rest, in the record and its JSON line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEngine } from '../../../src/engine/index.ts';
import { FlowJsonWriter } from '../../../src/engine/flow-json.ts';
import { eth, ipv4, pcap, udp } from '../capture-fixtures.ts';
import { dnsMessage, dnsName } from './builders.ts';

/** Queries of two questions each (the engine shows DPI at most 32 payload packets of a flow). */
function queries(names: string[]): number[][] {
  const frames: number[][] = [];
  for (let i = 0; i < names.length; i += 2) {
    const questions = names.slice(i, i + 2).map((n) => ({ name: dnsName(n), type: 1 }));
    frames.push(eth(0x0800, ipv4('10.0.0.1', '10.0.0.53', 17, udp(40000, 53, [...dnsMessage({ id: i, questions })]))));
  }
  return frames;
}

function readRecords(frames: number[][]) {
  const engine = createEngine({ detail: false });
  engine.push(pcap(frames.map((data, k) => ({ ts: 1_700_000_000 + k / 100, data }))));
  engine.end();
  // The lines read --json and capture --json write straight from the table must be the records' lines.
  for (const f of engine.flows()) {
    const direct: Buffer[] = [];
    const w = new FlowJsonWriter((c) => direct.push(c));
    engine.writeFlowJson(f, w);
    w.flush();
    assert.deepEqual(JSON.parse(Buffer.concat(direct).toString('utf8')), jsonLine(engine.toRecord(f)));
  }
  return [...engine.flows()].map((f) => engine.toRecord(f));
}

function jsonLine(r: ReturnType<typeof readRecords>[number]): Record<string, unknown> {
  const chunks: Buffer[] = [];
  const w = new FlowJsonWriter((c) => chunks.push(c));
  w.flow(r);
  w.flush();
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
}

test('40 distinct names and 4 repeats of kept ones: 32 kept, the 8 others counted as dropped, in JSON too', () => {
  const names = Array.from({ length: 40 }, (_, i) => `n${i}.example`);
  const [r] = readRecords(queries([...names.slice(0, 20), 'n0.example', 'n1.example', 'n2.example', 'n3.example', ...names.slice(20)]));
  assert.deepEqual(r.dns_queries, names.slice(0, 32));
  assert.equal(r.dns_queries_dropped, 8);
  const line = jsonLine(r);
  assert.equal(line.dns_queries_dropped, 8);
  assert.deepEqual(line, JSON.parse(JSON.stringify(r)));
});

test('32 names or fewer: no dns_queries_dropped field', () => {
  const [r] = readRecords(queries(Array.from({ length: 32 }, (_, i) => `m${i}.example`)));
  assert.equal(r.dns_queries.length, 32);
  assert.equal('dns_queries_dropped' in r, false);
  assert.equal('dns_queries_dropped' in jsonLine(r), false);
});
