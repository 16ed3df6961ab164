import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StreamPrefix } from '../../../src/engine/dpi/stream-prefix.ts';
import { ascii } from './builders.ts';

function text(s: StreamPrefix): string {
  return Buffer.from(s.data.subarray(0, s.contiguous)).toString('latin1');
}

test('in-order segments form the prefix', () => {
  const s = new StreamPrefix(1024);
  s.push(1000, ascii('hello '), 0, 6);
  s.push(1006, ascii('world'), 0, 5);
  assert.equal(text(s), 'hello world');
});

test('a segment arriving before the first one seen moves the start back', () => {
  const s = new StreamPrefix(1024);
  s.push(1006, ascii('world'), 0, 5);
  assert.equal(text(s), 'world'); // taken as the start until something earlier shows up
  s.push(1000, ascii('hello '), 0, 6);
  assert.equal(text(s), 'hello world');
});

test('a hole stops the prefix until filled', () => {
  const s = new StreamPrefix(1024);
  s.push(0, ascii('aaa'), 0, 3);
  s.push(6, ascii('ccc'), 0, 3);
  assert.equal(text(s), 'aaa');
  s.push(3, ascii('bbb'), 0, 3);
  assert.equal(text(s), 'aaabbbccc');
});

test('overlapping data keeps the bytes that arrived first', () => {
  const s = new StreamPrefix(1024);
  s.push(10, ascii('abcdef'), 0, 6);
  s.push(12, ascii('XXXXgh'), 0, 6);
  assert.equal(text(s), 'abcdefgh');
  s.push(10, ascii('zz'), 0, 2); // retransmission with different bytes
  assert.equal(text(s), 'abcdefgh');
});

test('sequence numbers wrapping past 2^32 stay contiguous', () => {
  const s = new StreamPrefix(1024);
  s.push(0xfffffffd, ascii('abc'), 0, 3);
  s.push(0, ascii('def'), 0, 3);
  assert.equal(text(s), 'abcdef');
});

test('bytes beyond the limit are ignored', () => {
  const s = new StreamPrefix(8);
  s.push(0, ascii('0123456789'), 0, 10);
  assert.equal(text(s), '01234567');
  s.push(10, ascii('zz'), 0, 2);
  assert.equal(text(s), '01234567');
  assert.equal(s.failed, false);
});

test('too many holes abandon the stream', () => {
  const s = new StreamPrefix(4096, 4);
  for (let i = 1; i <= 5; i++) s.push(i * 10, ascii('x'), 0, 1);
  assert.equal(s.failed, true);
  assert.equal(s.push(0, ascii('a'), 0, 1), false);
});

test('consume drops the front and keeps later data aligned', () => {
  const s = new StreamPrefix(64);
  s.push(0, ascii('abcdef'), 0, 6);
  s.consume(4);
  assert.equal(text(s), 'ef');
  s.push(6, ascii('gh'), 0, 2);
  assert.equal(text(s), 'efgh');
  assert.equal(s.consumed, 4);
});

test('a sub-range of the source buffer is copied, not the whole buffer', () => {
  const s = new StreamPrefix(64);
  const shared = ascii('....payload....');
  s.push(5, shared, 4, 7);
  shared.fill(0); // the caller reuses its buffer
  assert.equal(text(s), 'payload');
});

test('storage is allocated to fit the first segment, then grows by doubling', () => {
  const s = new StreamPrefix(16 * 1024);
  assert.equal(s.data.length, 0, 'nothing before the first segment');
  s.push(100, new Uint8Array(300), 0, 300);
  assert.equal(s.data.length, 300);
  s.push(400, new Uint8Array(10), 0, 10);
  assert.equal(s.data.length, 600);
  assert.equal(s.contiguous, 310);
});
