import assert from 'node:assert/strict';
import test from 'node:test';
import { addressWords, formatAddress } from '../../src/engine/address-text.ts';

test('address text to key words', () => {
  const w = new Uint32Array(4);
  assert.equal(addressWords('10.0.0.1', w), 4);
  assert.deepEqual([...w], [0x0a000001, 0, 0, 0]);
  assert.equal(addressWords('fd00::1', w), 6);
  assert.deepEqual([...w], [0xfd000000, 0, 0, 1]);
  assert.equal(addressWords('::ffff:1.2.3.4', w), 6);
  assert.deepEqual([...w], [0, 0, 0xffff, 0x01020304]);
  assert.equal(addressWords('1:2:3:4:5:6:7:8', w), 6);
  assert.deepEqual([...w], [0x10002, 0x30004, 0x50006, 0x70008]);
  for (const bad of ['', '1.2.3', '1.2.3.256', 'a::b::c', '1:2:3:4:5:6:7', '1:2:3:4:5:6:7:8:9', '12345::', 'x.y.z.w', '::g']) assert.equal(addressWords(bad, w), 0, bad);
});

test('addressWords reads back what formatAddress writes', () => {
  const w = new Uint32Array(4);
  for (const [text, fam] of [['192.0.2.1', 4], ['0.0.0.0', 4], ['2001:db8::1', 6], ['::', 6], ['::ffff:10.1.2.3', 6], ['fe80::1:2:3:4', 6], ['1:0:0:1::1', 6]] as const) {
    assert.equal(addressWords(text, w), fam, text);
    assert.equal(formatAddress(w, 0, fam), text);
  }
});
