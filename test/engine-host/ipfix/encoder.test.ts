import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MessagePacker, MAX_STRING_BYTES, VARIABLE_LENGTH, utf8Prefix, type IpfixTemplate, type IpfixValue } from '../../../src/engine-host/ipfix/encoder.ts';
import { FLOW_TEMPLATES, SANDPIPER_PEN, addressBytes, recordValues, templateFor, type UniflowRecord } from '../../../src/engine-host/ipfix/flow-templates.ts';
import { IpfixDecoder } from './ipfix-decoder.ts';

function pack(max: number, fill: (p: MessagePacker) => void): Uint8Array[] {
  const out: Uint8Array[] = [];
  const p = new MessagePacker({ maxBytes: max, observationDomainId: 7, onMessage: (m) => out.push(m) });
  fill(p);
  p.flush(1_700_000_000);
  return out;
}

const sample: UniflowRecord = {
  src: addressBytes('10.0.0.1')!, dst: addressBytes('10.0.0.2')!, sport: 40000, dport: 443, proto: 6, tcpFlags: 0x12,
  octets: 2 ** 40 + 5, packets: 12, startMs: 1_700_000_000_123, endMs: 1_700_000_001_456, endReason: 3, direction: 1,
  pid: 4242, process: 'curl', user: 'alice', serverName: 'example.org', app: 'tls',
};

test('a message: header, template set, data set, values as written', () => {
  const [m] = pack(1400, (p) => {
    p.templates(FLOW_TEMPLATES, 1_700_000_000);
    p.record(templateFor(sample), recordValues(sample), 1_700_000_000);
  });
  const d = new IpfixDecoder().decode(m);
  assert.equal(d.version, 10);
  assert.equal(d.length, m.length);
  assert.equal(d.exportTime, 1_700_000_000);
  assert.equal(d.sequence, 0);
  assert.equal(d.domain, 7);
  assert.deepEqual(d.templates.map((t) => t.id), [256, 257, 258, 259]);
  const v4dir = d.templates.find((t) => t.id === 258)!;
  assert.deepEqual(v4dir.fields.slice(0, 12).map((f) => f.id), [8, 12, 7, 11, 4, 6, 1, 2, 152, 153, 136, 61]);
  assert.deepEqual(v4dir.fields.slice(12).map((f) => [f.id, f.pen, f.length]), [
    [2, SANDPIPER_PEN, 4], [1, SANDPIPER_PEN, VARIABLE_LENGTH], [3, SANDPIPER_PEN, VARIABLE_LENGTH],
    [4, SANDPIPER_PEN, VARIABLE_LENGTH], [5, SANDPIPER_PEN, VARIABLE_LENGTH],
  ]);
  assert.equal(d.records.length, 1);
  const r = d.records[0];
  assert.equal(r.templateId, 258);
  const text = (x: bigint | Uint8Array) => new TextDecoder().decode(x as Uint8Array);
  assert.deepEqual([...(r.values[0] as Uint8Array)], [10, 0, 0, 1]);
  assert.deepEqual([...(r.values[1] as Uint8Array)], [10, 0, 0, 2]);
  assert.deepEqual(r.values.slice(2, 12), [40000n, 443n, 6n, 0x12n, 2n ** 40n + 5n, 12n, 1_700_000_000_123n, 1_700_000_001_456n, 3n, 1n]);
  assert.equal(r.values[12], 4242n);
  assert.deepEqual(r.values.slice(13).map(text), ['curl', 'alice', 'example.org', 'tls']);
});

test('sequence numbers count data records of earlier messages; messages stay under the bound', () => {
  const msgs = pack(400, (p) => {
    p.templates(FLOW_TEMPLATES, 0);
    for (let i = 0; i < 50; i++) p.record(templateFor(sample), recordValues({ ...sample, packets: i + 1 }), 0);
  });
  assert.ok(msgs.length > 3);
  const dec = new IpfixDecoder();
  let seen = 0;
  for (const m of msgs) {
    assert.ok(m.length <= 400, `message of ${m.length} octets`);
    const d = dec.decode(m);
    assert.equal(d.sequence, seen);
    for (const r of d.records) assert.equal(r.values[7], BigInt(++seen));
  }
  assert.equal(seen, 50);
});

test('padding: sets end on 4 octets only when the padding is shorter than a record', () => {
  const small: IpfixTemplate = { id: 300, fields: [{ id: 4, length: 1 }] };
  const big: IpfixTemplate = { id: 301, fields: [{ id: 4, length: 1 }, { id: 7, length: 2 }, { id: 11, length: 2 }] };
  const [m] = pack(1400, (p) => {
    p.templates([small, big], 0);
    p.record(small, [6], 0);
    p.record(big, [17, 1, 2], 0);
  });
  const d = new IpfixDecoder().decode(m);
  assert.equal(d.records.length, 2);
  // The 1-octet record's set is not padded (padding of 3 could read as records), the 5-octet one's is.
  const v = new DataView(m.buffer);
  const tplLen = v.getUint16(18);
  assert.equal(v.getUint16(16 + tplLen + 2), 5);
  assert.equal(v.getUint16(16 + tplLen + 5 + 2), 12);
});

test('long strings are cut at a character boundary', () => {
  const s = 'é'.repeat(300);
  const b = utf8Prefix(s);
  assert.ok(b.length <= MAX_STRING_BYTES);
  assert.equal(b.length % 2, 0);
  assert.equal(new TextDecoder('utf-8', { fatal: true }).decode(b), 'é'.repeat(b.length / 2));
});

test('addressBytes reads the engine\'s address texts', () => {
  assert.deepEqual([...addressBytes('192.168.1.20')!], [192, 168, 1, 20]);
  assert.deepEqual([...addressBytes('2001:db8::1')!], [0x20, 1, 0x0d, 0xb8, ...Array(11).fill(0), 1]);
  assert.deepEqual([...addressBytes('::ffff:10.1.2.3')!], [...Array(10).fill(0), 255, 255, 10, 1, 2, 3]);
  assert.deepEqual([...addressBytes('::')!], Array(16).fill(0));
  for (const bad of ['1.2.3', '1.2.3.256', '1::2::3', 'x::1', '1:2:3:4:5:6:7:8:9']) assert.equal(addressBytes(bad), null, bad);
});

const str = fc.option(fc.string({ unit: 'binary', maxLength: 400 }), { nil: null });
const uniflow: fc.Arbitrary<UniflowRecord> = fc.record({
  src: fc.oneof(fc.uint8Array({ minLength: 4, maxLength: 4 }), fc.uint8Array({ minLength: 16, maxLength: 16 })),
  dst: fc.uint8Array({ minLength: 4, maxLength: 4 }),
  sport: fc.nat(65535), dport: fc.nat(65535), proto: fc.nat(255), tcpFlags: fc.nat(0xffff),
  octets: fc.maxSafeNat(), packets: fc.maxSafeNat(), startMs: fc.maxSafeNat(), endMs: fc.maxSafeNat(), endReason: fc.nat(255),
  direction: fc.constantFrom(0 as const, 1 as const, null),
  pid: fc.option(fc.nat(0xffffffff), { nil: null }), process: str, user: str, serverName: str, app: str,
}).map((r) => ({ ...r, dst: r.src.length === 16 ? new Uint8Array(16).fill(r.dst[0]) : r.dst }));

test('fuzz: any flow records decode back to their values, in bounded messages with right sequence numbers', () => {
  fc.assert(
    fc.property(fc.array(uniflow, { maxLength: 40 }), fc.integer({ min: 1200, max: 9000 }), (recs, max) => {
      const msgs = pack(max, (p) => {
        p.templates(FLOW_TEMPLATES, 0);
        for (const r of recs) p.record(templateFor(r), recordValues(r), 0);
      });
      const dec = new IpfixDecoder();
      const got: (bigint | Uint8Array)[][] = [];
      for (const m of msgs) {
        assert.ok(m.length <= max);
        const d = dec.decode(m);
        assert.equal(d.sequence, got.length);
        for (const r of d.records) got.push(r.values);
      }
      assert.equal(got.length, recs.length);
      recs.forEach((r, i) => {
        const want = recordValues(r).map((x: IpfixValue) =>
          typeof x === 'number' ? BigInt(x) : typeof x === 'string' ? utf8Prefix(x) : x === null ? new Uint8Array(0) : x,
        );
        assert.deepEqual(got[i].map((x) => (x instanceof Uint8Array ? [...x] : x)), want.map((x) => (x instanceof Uint8Array ? [...x] : x)));
      });
    }),
    { numRuns: 300 },
  );
});

test('fuzz: arbitrary templates and values round-trip', () => {
  const field = fc.record({
    id: fc.integer({ min: 1, max: 0x7fff }),
    length: fc.constantFrom(1, 2, 4, 8, VARIABLE_LENGTH),
    pen: fc.option(fc.integer({ min: 1, max: 0xffffffff }), { nil: undefined }),
  }).map((f) => (f.pen === undefined ? { id: f.id, length: f.length } : f));
  const tpl = fc.array(field, { minLength: 1, maxLength: 12 });
  fc.assert(
    fc.property(tpl, fc.array(fc.nat(), { maxLength: 20 }), (fields, seeds) => {
      const t: IpfixTemplate = { id: 999, fields };
      const rows: IpfixValue[][] = seeds.map((s) => fields.map((f, i) => (f.length === VARIABLE_LENGTH ? 'x'.repeat((s + i) % 300) : (s * (i + 1)) % 2 ** (8 * Math.min(f.length, 6)))));
      const msgs = pack(9000, (p) => {
        p.templates([t], 0);
        for (const r of rows) p.record(t, r, 0);
      });
      const dec = new IpfixDecoder();
      const got = msgs.flatMap((m) => dec.decode(m).records);
      assert.equal(got.length, rows.length);
      got.forEach((g, j) => {
        g.values.forEach((x, i) => {
          const w = rows[j][i];
          if (typeof w === 'string') assert.equal(new TextDecoder().decode(x as Uint8Array), w.slice(0, MAX_STRING_BYTES));
          else assert.equal(x instanceof Uint8Array ? BigInt('0x' + (Buffer.from(x).toString('hex') || '0')) : x, BigInt(w as number));
        });
      });
    }),
    { numRuns: 300 },
  );
});

test('a message that switches sets stays within its size when the set it closes is padded', () => {
  // A 5-octet record leaves its set 3 octets short of a 4-octet boundary (padded, as 3 < 5); the next record, of
  // another such template, needs room for that padding as well as for its own set's.
  const a: IpfixTemplate = { id: 300, fields: [{ id: 1, length: 1 }, { id: 2, length: 4 }] };
  const b: IpfixTemplate = { id: 301, fields: [{ id: 3, length: 1 }, { id: 4, length: 4 }] };
  for (let max = 64; max <= 200; max++) {
    const msgs = pack(max, (p) => {
      p.templates([a, b], 0);
      p.flush(0);
      for (let i = 0; i < 6; i++) {
        p.record(a, [i, i], 0);
        p.record(b, [i, i], 0);
      }
    });
    const dec = new IpfixDecoder();
    for (const m of msgs) {
      assert.ok(m.length <= max, `a message of ${m.length} octets for a limit of ${max}`);
      dec.decode(m);
    }
  }
});
