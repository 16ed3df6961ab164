import { test } from 'node:test';
import assert from 'node:assert/strict';
import { listInterfaces, type InterfaceSources } from '../../src/engine-host/interfaces.ts';

test('interfaces: sysfs names (also without addresses), up/down from flags and operstate, loopback, plus any', () => {
  const sys: Record<string, { flags: string; operstate: string }> = {
    lo: { flags: '0x9', operstate: 'unknown' },
    eth0: { flags: '0x1003', operstate: 'up' },
    eth1: { flags: '0x1003', operstate: 'down' },
    dummy0: { flags: '0x82', operstate: 'down' },
  };
  const src: InterfaceSources = {
    addresses: () => ({ lo: [{ address: '127.0.0.1', internal: true }, { address: '::1', internal: true }], eth0: [{ address: '192.0.2.7', internal: false }] }),
    sysNames: () => Object.keys(sys),
    sysRead: (n, f) => sys[n]?.[f] ?? null,
  };
  assert.deepEqual(listInterfaces(src), [
    { name: 'dummy0', addresses: [], up: false, loopback: false },
    { name: 'eth0', addresses: ['192.0.2.7'], up: true, loopback: false },
    { name: 'eth1', addresses: [], up: false, loopback: false },
    { name: 'lo', addresses: ['127.0.0.1', '::1'], up: true, loopback: true },
    { name: 'any', addresses: [], up: true, loopback: false },
  ]);
});

test('interfaces on this machine include lo and any', () => {
  const list = listInterfaces();
  assert.ok(list.some((i) => i.name === 'lo' && i.loopback && i.up));
  assert.equal(list.at(-1)?.name, 'any');
});
