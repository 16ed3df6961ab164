import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateFilter } from '../../src/engine-host/filter-check.ts';

test('BPF filters are compiled by libpcap without privileges', () => {
  for (const ok of ['', '   ', 'tcp port 443', 'host 192.0.2.1 and not udp', 'tcp[tcpflags] & tcp-syn != 0', 'ip6 and udp port 53', 'vlan 10 and ether host 00:11:22:33:44:55']) {
    assert.deepEqual(validateFilter(ok), { ok: true, value: undefined }, ok);
  }
  for (const bad of ['tcp port', 'hots 1.2.3.4', 'port 99999', '(((']) {
    const r = validateFilter(bad);
    assert.equal(r.ok, false, bad);
    assert.ok(!r.ok && r.error.code === 'bad_filter' && r.error.message.startsWith('Invalid capture filter: '), JSON.stringify(r));
  }
  const long = validateFilter('x'.repeat(5000));
  assert.ok(!long.ok && long.error.code === 'bad_arguments');
});
