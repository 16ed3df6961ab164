import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { GroupTotals, groupKey, registrableDomain } from '../../src/engine/aggregate.ts';

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
  const r = { host: 'cdn.Example.com:8080', dns_queries: [] as string[], src: '10.0.0.1', dst: '192.0.2.1', process: 'curl', app: null, proto: 'tcp' as const };
  assert.equal(groupKey('process', r), 'curl');
  assert.equal(groupKey('process', { ...r, process: null }), null);
  assert.equal(groupKey('domain', r), 'example.com');
  assert.equal(groupKey('domain', { ...r, host: null, dns_queries: ['x.y.example.org.'] }), 'example.org');
  assert.equal(groupKey('domain', { ...r, host: null }), '192.0.2.1');
  assert.equal(groupKey('domain', { ...r, host: null, local: 'dst' }), '10.0.0.1');
  assert.equal(groupKey('app', r), 'tcp');
  assert.equal(groupKey('app', { ...r, app: 'tls' }), 'tls');
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
