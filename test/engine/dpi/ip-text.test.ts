import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatIPv4, formatIPv6 } from '../../../src/engine/dpi/ip-text.ts';
import { formatAddress } from '../../../src/engine/address-text.ts';
import { hex } from './builders.ts';

const cases: [string, string][] = [
  ['00000000000000000000000000000000', '::'],
  ['00000000000000000000000000000001', '::1'],
  ['20010db8000000000000000000000001', '2001:db8::1'],
  ['20010db8000000010000000000000000', '2001:db8:0:1::'],
  ['20010db8000100000001000000000001', '2001:db8:1:0:1::1'], // the longer run wins
  ['20010db8000000010000000100000001', '2001:db8:0:1:0:1:0:1'], // single zero groups stay
  ['20010db8000000000001000000000001', '2001:db8::1:0:0:1'], // first of equal runs
  ['fe800000000000000a0bc0fffe0d0e0f', 'fe80::a0b:c0ff:fe0d:e0f'],
  ['00000000000000000000ffffc0a80001', '::ffff:192.168.0.1'],
];

test('IPv6 text is RFC 5952', () => {
  for (const [h, want] of cases) assert.equal(formatIPv6(hex(h), 0), want, h);
  assert.equal(formatIPv4(hex('c0a80001'), 0), '192.168.0.1');
});

test('DNS answer addresses print exactly like the flow table prints flow addresses (name cache keys)', () => {
  for (const [h] of cases) {
    const b = hex(h);
    const words = new Uint32Array(4);
    for (let i = 0; i < 4; i++) words[i] = ((b[4 * i] << 24) | (b[4 * i + 1] << 16) | (b[4 * i + 2] << 8) | b[4 * i + 3]) >>> 0;
    assert.equal(formatIPv6(b, 0), formatAddress(words, 0, 6), h);
  }
  const v4 = new Uint32Array([0xc0a80001]);
  assert.equal(formatIPv4(hex('c0a80001'), 0), formatAddress(v4, 0, 4));
});
