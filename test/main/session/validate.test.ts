import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { checkBoolean, checkFilter, checkInterfaceName, checkPath, checkStartCapture } from '../../../src/main/session/validate.ts';

test('interface names: the helper regex, and never a leading dash', () => {
  for (const ok of ['eth0', 'lo', 'wlp3s0', 'br-1a2b3c', 'veth.100', 'eth0:1', 'any', 'a@b', 'x'.repeat(15)]) assert.ok(checkInterfaceName(ok).ok, ok);
  for (const bad of ['', 'x'.repeat(16), '-i', '--filter', 'eth0 ', 'eth/0', 'eth0;id', '$(id)', 'ä', null, 1, ['eth0']]) assert.equal(checkInterfaceName(bad).ok, false, String(bad));
});

test('filters: text up to 4096 characters without NUL', () => {
  assert.ok(checkFilter('').ok);
  assert.ok(checkFilter('x'.repeat(4096)).ok);
  assert.equal(checkFilter('x'.repeat(4097)).ok, false);
  assert.equal(checkFilter('tcp\0 or udp').ok, false);
  for (const bad of [null, undefined, 42, {}, ['tcp']]) assert.equal(checkFilter(bad).ok, false);
});

test('booleans are booleans, paths are absolute', () => {
  assert.deepEqual(checkBoolean(true), { ok: true, value: true });
  for (const bad of ['true', 1, 0, null, undefined]) assert.equal(checkBoolean(bad).ok, false);
  assert.ok(checkPath('/home/u/a.pcap').ok);
  for (const bad of ['a.pcap', '', '/a\0b', 7, '/' + 'x'.repeat(5000)]) assert.equal(checkPath(bad).ok, false);
});

test('start requests: exactly interface, filter, promisc; anything else is a bad_arguments AppError', () => {
  assert.deepEqual(checkStartCapture({ interface: 'eth0', filter: 'udp', promisc: true }), { ok: true, value: { interface: 'eth0', filter: 'udp', promisc: true } });
  fc.assert(
    fc.property(fc.anything(), (v) => {
      const r = checkStartCapture(v);
      if (r.ok) {
        assert.deepEqual(Object.keys(r.value).sort(), ['filter', 'interface', 'promisc']);
        assert.ok(checkInterfaceName(r.value.interface).ok);
      } else {
        assert.equal(r.error.code, 'bad_arguments');
        assert.ok(r.error.message.length > 0 && r.error.action.length > 0);
      }
    }),
    { numRuns: 500 },
  );
});
