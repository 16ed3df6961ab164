import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FlowRow } from '../../src/shared/flow.ts';
import {
  C,
  COUNTER_COUNT,
  COUNTER_FIELDS,
  rowOf,
  sameText,
  textOf,
  writeCounters,
  type FlowText,
} from '../../src/shared/flow-update.ts';

/** Every field set to a non-default value (no nulls, non-empty lists), and every counter distinct. */
function sample(id = 7): FlowRow {
  return {
    type: 'flow', id, proto: 'tcp', src: '10.0.0.1', sport: 40000, dst: '93.184.216.34', dport: 443,
    packets_fwd: 11, bytes_fwd: 1200, packets_rev: 13, bytes_rev: 54321, first_seen: 1_700_000_000.125, last_seen: 1_700_000_009.5,
    state: 'established', app: 'tls', host: 'example.com', dns_queries: ['example.com'], pid: 4242, process: 'curl',
    sni: 'example.com', alpn: ['h2', 'http/1.1'], http_host: 'example.com', ssh_client: 'SSH-2.0-OpenSSH_9.6', ssh_server: 'SSH-2.0-OpenSSH_9.7',
    dns_answers: ['93.184.216.34'], dns_rcode: 3, rate_fwd_1s: 101.5, rate_rev_1s: 202.25, rate_fwd_10s: 303.75, rate_rev_10s: 404.125,
    exe: '/usr/bin/curl', user: 'alice', process_hidden: true, local: 'src', ended: false,
  };
}

const COUNTERS: readonly string[] = COUNTER_FIELDS;
/** The text fields, from a row's own keys: a field added to FlowRow shows up here without editing this test. */
const TEXT_FIELDS = Object.keys(sample()).filter((k) => !COUNTERS.includes(k));

/** A value of the same kind as v that differs from it. */
function other(v: unknown): unknown {
  if (typeof v === 'string') return `${v}-changed`;
  if (typeof v === 'number') return v + 1;
  if (typeof v === 'boolean') return !v;
  if (Array.isArray(v)) return [...v.slice(0, -1), `${String(v.at(-1))}-changed`];
  throw new Error(`sample() must give every field a string, number, boolean or non-empty list (got ${String(v)})`);
}

test('the counter fields and offsets agree, and every counter is a number of the row', () => {
  assert.equal(COUNTER_COUNT, COUNTER_FIELDS.length);
  assert.equal(new Set(COUNTER_FIELDS).size, COUNTER_COUNT, 'no counter listed twice');
  assert.deepEqual(Object.keys(C).sort(), [...COUNTER_FIELDS].sort());
  COUNTER_FIELDS.forEach((f, i) => assert.equal(C[f], i, `C.${f} is its place in COUNTER_FIELDS`));
  const r = sample();
  for (const f of COUNTER_FIELDS) assert.equal(typeof r[f], 'number', f);
  assert.equal(TEXT_FIELDS.length + COUNTER_COUNT, Object.keys(r).length);
});

test('textOf keeps exactly the text fields (no counters), as a new object sharing the lists', () => {
  const r = sample();
  const t = textOf(r);
  assert.notEqual(t, r);
  assert.deepEqual(Object.keys(t).sort(), [...TEXT_FIELDS].sort());
  for (const k of TEXT_FIELDS) assert.equal((t as unknown as Record<string, unknown>)[k], (r as unknown as Record<string, unknown>)[k], k);
});

test('sameText: equal for a copy with fresh lists, different for a change in EVERY text field', () => {
  const base = textOf(sample());
  const copy: FlowText = { ...base, dns_queries: [...base.dns_queries], alpn: [...base.alpn], dns_answers: [...base.dns_answers] };
  assert.ok(sameText(base, copy));
  assert.ok(sameText(base, sample()), 'a whole row compares by its text only');
  const recounted: FlowRow = { ...sample(), packets_fwd: 999, rate_rev_10s: 1 };
  assert.ok(sameText(base, recounted), 'counters are not text');
  assert.ok(TEXT_FIELDS.length >= 24, `text fields found: ${TEXT_FIELDS.join(', ')}`);
  for (const k of TEXT_FIELDS) {
    const changed = { ...copy, [k]: other((base as unknown as Record<string, unknown>)[k]) } as FlowText;
    assert.equal(sameText(base, changed), false, `a change of ${k} is noticed`);
    assert.equal(sameText(changed, base), false, `a change of ${k} is noticed (either side)`);
    if (Array.isArray((base as unknown as Record<string, unknown>)[k])) continue;
    const toNull = { ...copy, [k]: null } as unknown as FlowText;
    assert.equal(sameText(base, toNull), false, `${k} becoming null is noticed`);
  }
});

test('sameText: list fields compare by length and by element', () => {
  const base = textOf(sample());
  for (const k of ['dns_queries', 'alpn', 'dns_answers'] as const) {
    assert.equal(sameText(base, { ...base, [k]: [...base[k], 'more'] }), false, `${k} grew`);
    assert.equal(sameText(base, { ...base, [k]: [] }), false, `${k} emptied`);
    assert.equal(sameText({ ...base, [k]: [] }, { ...base, [k]: [] }), true, `${k} both empty`);
  }
  assert.equal(sameText({ ...base, alpn: ['a', 'b'] }, { ...base, alpn: ['b', 'a'] }), false, 'order matters');
});

test('writeCounters writes only its run, and rowOf(textOf, counters) gives the row back', () => {
  const r = sample();
  const offset = 3 * COUNTER_COUNT;
  const out = new Float64Array(5 * COUNTER_COUNT).fill(-1);
  writeCounters(r, out, offset);
  out.forEach((x, i) => {
    if (i < offset || i >= offset + COUNTER_COUNT) assert.equal(x, -1, `index ${i} untouched`);
  });
  COUNTER_FIELDS.forEach((f, i) => assert.equal(out[offset + i], r[f], f));
  const back = rowOf(textOf(r), out, offset);
  assert.deepEqual(back, r);
  assert.deepEqual(Object.keys(back).sort(), Object.keys(r).sort());
  // Every counter has a distinct value in sample(), so a swapped offset would show above; check that premise.
  assert.equal(new Set(COUNTER_FIELDS.map((f) => r[f])).size, COUNTER_COUNT);
});
