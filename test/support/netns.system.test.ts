import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { canMakeNetns, createNetnsPair } from './netns.ts';

const skip = canMakeNetns();
test('a netns pair reaches itself over IPv4 and IPv6 and is removed afterwards', { skip: skip ?? false }, () => {
  const p = createNetnsPair();
  try {
    assert.match(p.exec(p.a, 'ping', ['-c', '1', '-W', '2', p.ipB]), /1 received/);
    assert.match(p.exec(p.a, 'ping', ['-6', '-c', '1', '-W', '2', p.ip6B]), /1 received/);
  } finally {
    p.destroy();
  }
  assert.doesNotMatch(execFileSync('ip', ['netns', 'list']).toString(), new RegExp(p.a));
});
