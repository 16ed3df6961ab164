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
