import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseHelperMessage } from '../../src/shared/helper-protocol.ts';

test('attribution lines: ebpf with no reason, proc with one; anything else is not a message', () => {
  assert.deepEqual(parseHelperMessage('{"type":"attribution","method":"ebpf","reason":null}'), { type: 'attribution', method: 'ebpf', reason: null });
  assert.deepEqual(parseHelperMessage('{"type":"attribution","method":"proc","reason":"no BTF"}'), { type: 'attribution', method: 'proc', reason: 'no BTF' });
  for (const bad of [
    '{"type":"attribution","method":"ebpf","reason":"x"}',
    '{"type":"attribution","method":"ebpf"}',
    '{"type":"attribution","method":"proc","reason":""}',
    '{"type":"attribution","method":"proc","reason":null}',
    '{"type":"attribution","method":"kprobe","reason":null}',
    '{"type":"attribution"}',
  ]) {
    assert.equal(parseHelperMessage(bad), null, bad);
  }
});
