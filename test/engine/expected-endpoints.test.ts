import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ExpectedEndpoints } from '../../src/engine/expected-endpoints.ts';

test('expected endpoints: taken once; a port is known while any endpoint on it waits; the oldest goes past the bound', () => {
  const e = new ExpectedEndpoints<number>(3);
  e.set('10.0.0.1 2000', 1);
  e.set('2001:db8::1 2000', 2);
  e.set('10.0.0.2 3000', 3);
  assert.equal(e.size, 3);
  assert.ok(e.hasPort(2000) && e.hasPort(3000));
  assert.equal(e.hasPort(4000), false);
  assert.equal(e.take('10.0.0.1 2000'), 1);
  assert.equal(e.take('10.0.0.1 2000'), undefined, 'taken once');
  assert.ok(e.hasPort(2000), 'another endpoint still waits on the port');
  assert.equal(e.take('2001:db8::1 2000'), 2);
  assert.equal(e.hasPort(2000), false);
  e.set('10.0.0.3 4000', 4);
  e.set('10.0.0.4 5000', 5);
  e.set('10.0.0.5 6000', 6);
  assert.equal(e.size, 3, 'bounded');
  assert.equal(e.take('10.0.0.2 3000'), undefined, 'the oldest was forgotten');
  assert.equal(e.hasPort(3000), false, 'with its port');
  e.set('10.0.0.4 5000', 7);
  assert.equal(e.size, 3, 'setting again replaces');
  assert.equal(e.take('10.0.0.4 5000'), 7);
  assert.ok(e.hasPort(4000) && e.hasPort(6000) && !e.hasPort(5000));
});
