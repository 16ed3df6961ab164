import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeHandoff, encodeHandoff, type StageHandoff } from '../../src/privileged-helper/stage-handoff.ts';

test('round trip', () => {
  const h: StageHandoff = { uid: 1000, gid: 1000, abi: 7, kernelAbi: 7, attribution: { method: 'off' } };
  assert.deepEqual(decodeHandoff(encodeHandoff(h)), h);
});

test('round trip of both attribution methods', () => {
  const ebpf: StageHandoff = { uid: 1000, gid: 65534, abi: 7, kernelAbi: 7, attribution: { method: 'ebpf', eventsFd: 3, ringFd: 21, linkFds: [22, 24, 25, 26] } };
  assert.deepEqual(decodeHandoff(encodeHandoff(ebpf)), ebpf);
  // The events FIFO (--events-fifo) is wherever stage 1 opened it.
  const fifo: StageHandoff = { ...ebpf, attribution: { method: 'ebpf', eventsFd: 19, ringFd: 21, linkFds: [22] } };
  assert.deepEqual(decodeHandoff(encodeHandoff(fifo)), fifo);
  const proc: StageHandoff = { uid: 1000, gid: 65534, abi: 7, kernelAbi: 7, attribution: { method: 'proc', reason: 'the kernel refused: EPERM (lockdown?) ünïcode:colon' } };
  assert.deepEqual(decodeHandoff(encodeHandoff(proc)), proc);
});

test('root, group 0, bad ABI, bad descriptors or garbage are refused', () => {
  for (const s of [
    undefined, '', '0:1000:7:7:-', '1000:0:7:7:-', '1000:1000:9:7:-', '1000:1000:7', '1000:1000:7:7', 'a:b:c:d:-',
    '1000:1000:7:7:-\n', '-1:1000:7:7:-', '1000:1000:7:7:e', '1000:1000:7:7:e5', '1000:1000:7:7:e2,5', '1000:1000:7:7:e5,5', '1000:1000:7:7:e3,5', '1000:1000:7:7:e3,5,5',
    '1000:1000:7:7:e5,99999', '1000:1000:7:7:p', '1000:1000:7:7:p a', '1000:1000:7:7:x',
  ]) {
    assert.equal(decodeHandoff(s), null, String(s));
  }
});
