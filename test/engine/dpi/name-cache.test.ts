import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LruNameCache } from '../../../src/engine/dpi/name-cache.ts';
import { createNameCache } from '../../../src/engine/dpi/index.ts';

test('remembers, overwrites and misses', () => {
  const c = createNameCache();
  assert.equal(c.lookup('1.2.3.4'), null);
  c.remember('1.2.3.4', 'a.example', 1);
  c.remember('1.2.3.4', 'b.example', 2);
  assert.equal(c.lookup('1.2.3.4'), 'b.example');
  assert.equal(c.size, 1);
});

test('bounded: the least recently used entry goes first', () => {
  const c = new LruNameCache(3);
  c.remember('a', 'A', 0);
  c.remember('b', 'B', 0);
  c.remember('c', 'C', 0);
  assert.equal(c.lookup('a'), 'A'); // a is now the most recent
  c.remember('d', 'D', 0); // evicts b
  assert.equal(c.size, 3);
  assert.equal(c.lookup('b'), null);
  assert.equal(c.lookup('a'), 'A');
  assert.equal(c.lookup('d'), 'D');
});

test('the default bound is 65536 entries', () => {
  const c = createNameCache();
  for (let i = 0; i < 65536 + 100; i++) c.remember(`10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`, `h${i}`, 0);
  assert.equal(c.size, 65536);
  assert.equal(c.lookup('10.0.0.0'), null);
  assert.equal(c.lookup('10.1.0.99'), 'h65635');
});

test('an IPv4 address is the same entry by dotted quad and by number; other spellings stay text', () => {
  const c = createNameCache();
  c.remember('172.16.3.45', 'a.example', 0);
  assert.equal(c.lookup4(0xac10032d), 'a.example');
  assert.equal(c.lookup('172.16.3.45'), 'a.example');
  c.remember('0.0.0.0', 'zero.example', 0);
  assert.equal(c.lookup4(0), 'zero.example');
  c.remember('255.255.255.255', 'all.example', 0);
  assert.equal(c.lookup4(0xffffffff), 'all.example');
  // Not canonical dotted quads: their own keys, never an address's.
  for (const text of ['172.16.03.45', '172.16.3.256', '172.16.3', '172.16.3.45.1', '172..3.45', '1.2.3.4 ', '::ffff:1.2.3.4']) {
    c.remember(text, `t:${text}`, 0);
    assert.equal(c.lookup(text), `t:${text}`);
  }
  assert.equal(c.lookup4(0xac10032d), 'a.example');
  assert.equal(c.lookup4(0x01020304), null);
  assert.equal(c.size, 10);
});
