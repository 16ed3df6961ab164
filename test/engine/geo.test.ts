import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Reader, type Response } from 'mmdb-lib';
import { REPO_ROOT } from './cli-bundle.ts';
import { AsnTable, AsnTableError } from '../../src/engine/geo/asn-table.ts';
import { buildAsnTable } from '../../src/engine/geo/asn-table-build.ts';
import { GeoLookup, NO_GEO, findGeoDir } from '../../src/engine/geo/geo-lookup.ts';
import { createEngine } from '../../src/engine/engine.ts';
import { eth, ipv4, ipv6, pcap, udp } from './capture-fixtures.ts';

const GEO_DIR = path.join(REPO_ROOT, 'dist/geo');
const ASN_CSV4 = path.join(REPO_ROOT, 'node_modules/@ip-location-db/asn/asn-ipv4-num.csv');
const ASN_CSV6 = path.join(REPO_ROOT, 'node_modules/@ip-location-db/asn/asn-ipv6-num.csv');
const COUNTRY_MMDB = path.join(REPO_ROOT, 'node_modules/@ip-location-db/geo-whois-asn-country-mmdb/geo-whois-asn-country.mmdb');

function v4text(a: number): string {
  return `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
}

function v6text(x: bigint): string {
  const parts: string[] = [];
  for (let k = 7; k >= 0; k--) parts.push(((x >> BigInt(16 * k)) & 0xffffn).toString(16));
  return parts.join(':');
}

/** Every `step`-th line of a CSV, parsed as start, end, asn, name. */
function sampled(file: string, step: number): Array<{ start: bigint; end: bigint; asn: number }> {
  const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
  const out = [];
  for (let i = 0; i < lines.length; i += step) {
    const [start, end, asn] = lines[i].split(',');
    out.push({ start: BigInt(start), end: BigInt(end), asn: Number(asn) });
  }
  return out;
}

test('the built databases are where the engine looks for them', () => {
  assert.ok(existsSync(path.join(GEO_DIR, 'country.mmdb')), 'dist/geo/country.mmdb (npm run build)');
  assert.ok(existsSync(path.join(GEO_DIR, 'asn.bin')), 'dist/geo/asn.bin (npm run build)');
  assert.equal(findGeoDir(), GEO_DIR);
  assert.equal(new GeoLookup(GEO_DIR).available, true);
});

test('well-known public addresses: country and AS as the databases say (8.8.8.8 is Google, US)', () => {
  const g = new GeoLookup(GEO_DIR);
  assert.deepEqual(g.address('8.8.8.8'), { country: 'US', asn: 15169, asName: 'Google LLC' });
  assert.deepEqual(g.address('2001:4860:4860::8888'), { country: 'US', asn: 15169, asName: 'Google LLC' });
  assert.equal(g.address('1.1.1.1').asn, 13335);
  assert.equal(g.address('1.1.1.1').asName, 'Cloudflare, Inc.');
  // An IPv4-mapped IPv6 address is its IPv4 address.
  assert.deepEqual(g.address('::ffff:8.8.8.8'), g.address('8.8.8.8'));
});

test('AS of addresses across the whole table equals the CSV row they fall in (first, middle and last address)', () => {
  const g = new GeoLookup(GEO_DIR);
  let n = 0;
  for (const r of sampled(ASN_CSV4, 997)) {
    for (const a of [r.start, (r.start + r.end) / 2n, r.end]) {
      const got = g.v4(Number(a));
      if (got === NO_GEO) continue; // a special block
      assert.equal(got.asn, r.asn, `${v4text(Number(a))} in row ${r.start}-${r.end}`);
      n++;
    }
  }
  for (const r of sampled(ASN_CSV6, 499)) {
    for (const a of [r.start, (r.start + r.end) / 2n, r.end]) {
      const got = g.address(v6text(a));
      if (got === NO_GEO) continue;
      assert.equal(got.asn, r.asn, `${v6text(a)} in row ${r.start}-${r.end}`);
      n++;
    }
  }
  assert.ok(n > 1000, `${n} addresses checked`);
});

test('country of addresses equals what mmdb-lib reads from the database file itself', () => {
  const reader = new Reader<Response>(readFileSync(COUNTRY_MMDB));
  const g = new GeoLookup(GEO_DIR);
  let n = 0;
  for (const r of sampled(ASN_CSV4, 1499)) {
    const text = v4text(Number(r.start));
    const got = g.address(text);
    if (got === NO_GEO && r.start < 0x01000000n) continue;
    const want = (reader.get(text) as { country_code?: string } | null)?.country_code ?? null;
    assert.equal(got.country, want, text);
    if (want !== null) n++;
  }
  for (const r of sampled(ASN_CSV6, 997)) {
    const text = v6text(r.start);
    const want = (reader.get(text) as { country_code?: string } | null)?.country_code ?? null;
    assert.equal(g.address(text).country, want, text);
    if (want !== null) n++;
  }
  assert.ok(n > 200, `${n} countries checked`);
});

test('private and special addresses have no country and no AS', () => {
  const g = new GeoLookup(GEO_DIR);
  for (const a of ['10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '127.0.0.1', '169.254.1.1', '100.64.0.1', '0.0.0.0',
    '255.255.255.255', '224.0.0.251', '239.255.255.250', '192.0.2.7', '198.51.100.1', '203.0.113.9', '198.18.0.1', '240.0.0.1',
    '::', '::1', 'fe80::1', 'fd00::1', 'fc00::1', 'ff02::1', 'ff02::fb', '2001:db8::1', '::ffff:10.0.0.1', '::ffff:192.168.0.1', '64:ff9b::808:808', '3fff::1']) {
    assert.deepEqual(g.address(a), NO_GEO, a);
  }
  // Not an address at all.
  assert.deepEqual(g.address('example.com'), NO_GEO);
  // Just outside the private blocks is public.
  assert.notDeepEqual(g.address('172.32.0.1'), NO_GEO);
  assert.notDeepEqual(g.address('11.0.0.1').country, null);
});

test('AS range table from CSV: quoted names, overlaps, IPv6, and a clear error for a bad file', () => {
  const csv4 = ['16777216,16777471,13335,"Cloudflare, Inc."', '16777472,16777727,64500,Plain Name', '16777600,16777800,64501,Overlap', '33554432,33554432,64502,"A ""q"""'].join('\n');
  const csv6 = ['42540488161975842760550356425300246528,42540488241204005274814694018844196863,6939,Hurricane Electric LLC'].join('\n');
  const t = new AsnTable(buildAsnTable(csv4, csv6));
  assert.deepEqual(t.lookup4(16777216), { asn: 13335, name: 'Cloudflare, Inc.' });
  assert.deepEqual(t.lookup4(16777471), { asn: 13335, name: 'Cloudflare, Inc.' });
  assert.equal(t.lookup4(16777215), null);
  assert.equal(t.lookup4(16777600)?.asn, 64500);
  // The overlapping range keeps only its part past the previous one.
  assert.equal(t.lookup4(16777728)?.asn, 64501);
  assert.equal(t.lookup4(16777801), null);
  assert.deepEqual(t.lookup4(33554432), { asn: 64502, name: 'A "q"' });
  // The row is 2001::/32.
  assert.equal(t.lookup6([0x20010000, 0, 0, 1], 0)?.asn, 6939);
  assert.equal(t.lookup6([0x20010000, 0xffffffff, 0xffffffff, 0xffffffff], 0)?.asn, 6939);
  assert.equal(t.lookup6([0x20010001, 0, 0, 0], 0), null);
  assert.equal(t.lookup6([0x2000ffff, 0xffffffff, 0xffffffff, 0xffffffff], 0), null);
  assert.throws(() => new AsnTable(new Uint8Array(64)), AsnTableError);
  const good = buildAsnTable(csv4, csv6);
  assert.throws(() => new AsnTable(good.subarray(0, good.length - 40)), /truncated/);
  assert.throws(() => buildAsnTable('5,1,3,x', ''), /bad AS CSV line/);
});

test('the engine reports country and AS of both ends; none when it is given no databases', () => {
  const capture = pcap([
    { ts: 1, data: eth(0x0800, ipv4('192.168.1.5', '8.8.8.8', 17, udp(40000, 53, [0]))) },
    { ts: 2, data: eth(0x86dd, ipv6('fd00::5', '2001:4860:4860::8888', 17, udp(40001, 443, [0]))) },
  ]);
  const e = createEngine({ detail: false, geo: new GeoLookup(GEO_DIR) });
  e.push(capture);
  e.end();
  const recs = [...e.flows()].map((f) => e.toRecord(f));
  for (const r of recs) {
    assert.deepEqual([r.src_country, r.src_asn, r.src_as_name], [null, null, null]);
    assert.deepEqual([r.dst_country, r.dst_asn, r.dst_as_name], ['US', 15169, 'Google LLC']);
  }
  const none = createEngine({ detail: false, geo: null });
  none.push(capture);
  none.end();
  for (const f of none.flows()) assert.equal(none.toRecord(f).dst_country, null);
});
