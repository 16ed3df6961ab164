import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeHandoff, encodeHandoff } from '../../src/privileged-helper/stage-handoff.ts';

test('round trip', () => {
  const h = { uid: 1000, gid: 1000, abi: 7, kernelAbi: 7 };
  assert.deepEqual(decodeHandoff(encodeHandoff(h)), h);
});

test('root, group 0, bad ABI or garbage are refused', () => {
  for (const s of [undefined, '', '0:1000:7:7', '1000:0:7:7', '1000:1000:9:7', '1000:1000:7', 'a:b:c:d', '1000:1000:7:7\n', '-1:1000:7:7']) {
    assert.equal(decodeHandoff(s), null, String(s));
  }
});
