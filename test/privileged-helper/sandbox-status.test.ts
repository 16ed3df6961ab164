import { test } from 'node:test';
import assert from 'node:assert/strict';
import { combineFileProbes, sandboxStatus, type SandboxFacts } from '../../src/privileged-helper/sandbox-status.ts';

const full: SandboxFacts = {
  abi: 7, fsRestricted: true, netRestricted: true, scoped: true, noNewPrivs: true, allThreads: true, capNetRawDropped: true,
  seccompAllThreads: true,
  probes: { raw_socket: 'denied', file_open: 'denied', tcp_connect: 'denied', udp_send: 'denied', unix_connect: 'denied' },
};

test('everything in place is fully_enforced', () => {
  assert.equal(sandboxStatus(full), 'fully_enforced');
});

test('any missing piece makes it partial', () => {
  const variants: Partial<SandboxFacts>[] = [
    { netRestricted: false }, { scoped: false }, { noNewPrivs: false }, { allThreads: false }, { capNetRawDropped: false },
    { probes: { ...full.probes, tcp_connect: 'allowed' } }, { probes: { ...full.probes, tcp_connect: 'skipped' } },
    { probes: { ...full.probes, file_open: 'allowed' } }, { probes: { ...full.probes, raw_socket: 'allowed' } },
    { seccompAllThreads: false },
    { probes: { ...full.probes, udp_send: 'allowed' } }, { probes: { ...full.probes, udp_send: 'skipped' } },
    { probes: { ...full.probes, unix_connect: 'allowed' } }, { probes: { ...full.probes, unix_connect: 'skipped' } },
  ];
  for (const v of variants) assert.equal(sandboxStatus({ ...full, ...v }), 'partially_enforced', JSON.stringify(v));
});

test('no Landlock is not_available', () => {
  assert.equal(sandboxStatus({ ...full, abi: 0, fsRestricted: false }), 'not_available');
  assert.equal(sandboxStatus({ ...full, fsRestricted: false }), 'not_available');
});

test('the file probe is denied only if denied on both threads', () => {
  assert.equal(combineFileProbes('denied', 'denied'), 'denied');
  assert.equal(combineFileProbes('denied', 'allowed'), 'allowed');
  assert.equal(combineFileProbes('allowed', 'denied'), 'allowed');
  assert.equal(combineFileProbes('skipped', 'skipped'), 'skipped');
});
