import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { GroupTotals, groupKey, registrableDomain } from '../../src/engine/aggregate.ts';

const NO_PLACE = { src_country: null, dst_country: null, src_asn: null, dst_asn: null, src_as_name: null, dst_as_name: null };

test('registrable domains come from the bundled suffix list; addresses and bare names stay as they are', () => {
  assert.equal(registrableDomain('www.example.com'), 'example.com');
  assert.equal(registrableDomain('a.b.example.co.uk'), 'example.co.uk');
  assert.equal(registrableDomain('example.com'), 'example.com');
  // ICANN suffixes only: a CDN's customer names group under the CDN.
  assert.equal(registrableDomain('d111111abcdef8.cloudfront.net'), 'cloudfront.net');
  assert.equal(registrableDomain('co.uk'), 'co.uk');
  assert.equal(registrableDomain('localhost'), 'localhost');
  assert.equal(registrableDomain('192.0.2.7'), '192.0.2.7');
  assert.equal(registrableDomain('2001:db8::1'), '2001:db8::1');
});

test('group keys: process, the registrable domain of the name asked for, the app or the transport', () => {
  const r = { host: 'cdn.Example.com:8080', dns_queries: [] as string[], src: '10.0.0.1', dst: '192.0.2.1', process: 'curl', app: null, proto: 'tcp' as const, ...NO_PLACE };
  assert.equal(groupKey('process', r), 'curl');
  assert.equal(groupKey('process', { ...r, process: null }), null);
  assert.equal(groupKey('domain', r), 'example.com');
  assert.equal(groupKey('domain', { ...r, host: null, dns_queries: ['x.y.example.org.'] }), 'example.org');
  assert.equal(groupKey('domain', { ...r, host: null }), '192.0.2.1');
  assert.equal(groupKey('domain', { ...r, host: null, local: 'dst' }), '10.0.0.1');
  assert.equal(groupKey('app', r), 'tcp');
  assert.equal(groupKey('app', { ...r, app: 'tls' }), 'tls');
});

test('group keys: the remote end\'s country and AS (the other end when only it has any); null for none', () => {
  const r = { host: null, dns_queries: [] as string[], src: '192.168.1.5', dst: '8.8.8.8', process: null, app: null, proto: 'udp' as const, ...NO_PLACE };
  const google = { ...r, dst_country: 'US', dst_asn: 15169, dst_as_name: 'Google LLC' };
  assert.equal(groupKey('country', google), 'US');
  assert.equal(groupKey('asn', google), 'AS15169 Google LLC');
  assert.equal(groupKey('asn', { ...google, dst_as_name: null }), 'AS15169');
  assert.equal(groupKey('country', r), null);
  assert.equal(groupKey('asn', r), null);
  // This host is the responder: the initiator is the remote end.
  const inbound = { ...r, src: '1.1.1.1', dst: '192.168.1.5', src_country: 'AU', src_asn: 13335, src_as_name: 'Cloudflare, Inc.', local: 'dst' as const };
  assert.equal(groupKey('country', inbound), 'AU');
  // A file (no local side) captured on a server: the initiators are the remote side.
  assert.equal(groupKey('country', { ...inbound, local: null }), 'AU');
  assert.equal(groupKey('asn', { ...inbound, local: null }), 'AS13335 Cloudflare, Inc.');
  // Both public: the responder of a file.
  assert.equal(groupKey('country', { ...inbound, local: null, dst_country: 'DE' }), 'DE');
});

test('top(n) selects what a full sort would put first, in either order', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.nat(5), fc.nat(5), fc.nat(3)), { maxLength: 60 }), fc.nat(25), fc.boolean(), (groups, n, byRate) => {
      const t = new GroupTotals();
      groups.forEach(([bytes, rate, flows], i) => {
        const g = t.groupOf(`k${String(i).padStart(3, '0')}`);
        for (let f = 0; f < flows; f++) t.add(g, 0, bytes, 0, 0, rate, 0);
      });
      const order = byRate ? 'rate' : 'bytes';
      const all = t.top(t.size, order);
      assert.deepEqual(t.top(n, order), all.slice(0, n));
      // The full order: rate (if asked), then bytes, then key; groups without flows are left out.
      for (let i = 1; i < all.length; i++) {
        const [a, b] = [all[i - 1], all[i]];
        const key = (g: number) => [byRate ? t.rateA[g] : 0, t.bytesA[g]];
        const [ka, kb] = [key(a), key(b)];
        assert.ok(ka[0] > kb[0] || (ka[0] === kb[0] && (ka[1] > kb[1] || (ka[1] === kb[1] && (t.keys[a] as string) < (t.keys[b] as string)))));
      }
      assert.equal(all.length, groups.filter(([, , f]) => f > 0).length);
    }),
  );
});
