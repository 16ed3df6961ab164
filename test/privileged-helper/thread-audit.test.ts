import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkThreads, everyThreadFiltered, parseSeccomp, parseTaskStatus, readOwnThreads } from '../../src/privileged-helper/thread-audit.ts';

const status = (o: { nnp?: string; eff?: string; prm?: string; uid?: string; gid?: string; groups?: string }) => `Name:\tnode
Umask:\t0022
Uid:\t${o.uid ?? '1000\t1000\t1000\t1000'}
Gid:\t${o.gid ?? '65534\t65534\t65534\t65534'}
FDSize:\t64
Groups:\t${o.groups ?? ''}
CapInh:\t0000000000000000
CapPrm:\t${o.prm ?? '0000000000000000'}
CapEff:\t${o.eff ?? '0000000000000000'}
CapBnd:\t00000000000020c0
NoNewPrivs:\t${o.nnp ?? '1'}
Seccomp:\t0
`;

test('parses the fields the audit needs', () => {
  assert.deepEqual(parseTaskStatus(5, status({ eff: '0000000000002000' })), {
    tid: 5, noNewPrivs: true, capEff: 0x2000n, capPrm: 0n, uids: [1000, 1000, 1000, 1000], gids: [65534, 65534, 65534, 65534], groups: [],
  });
  assert.deepEqual(parseTaskStatus(5, status({ groups: '4 27 ' }))?.groups, [4, 27]);
  assert.equal(parseTaskStatus(5, 'Name:\tx\n'), null);
  assert.equal(parseTaskStatus(5, status({ eff: 'zz' })), null);
});

test('a clean process passes', () => {
  const r = checkThreads([parseTaskStatus(1, status({})), parseTaskStatus(2, status({}))], 1000, 65534);
  assert.deepEqual(r, { ok: true, threads: 2, problems: [] });
});

test('one bad thread fails the audit and is named', () => {
  for (const bad of [
    { nnp: '0' }, { eff: '0000000000002000' }, { prm: '0000000000000040' }, { uid: '1000\t0\t1000\t1000' }, { uid: '0\t0\t0\t0' },
    { gid: '1000\t1000\t1000\t1000' }, { gid: '65534\t0\t65534\t65534' }, { groups: '65534' }, { groups: '27' },
  ]) {
    const r = checkThreads([parseTaskStatus(1, status({})), parseTaskStatus(2, status(bad))], 1000, 65534);
    assert.equal(r.ok, false, JSON.stringify(bad));
    assert.equal(r.problems.length, 1);
    assert.match(r.problems[0], /^tid 2: /);
  }
  assert.equal(checkThreads([null], 1000, 65534).ok, false);
  assert.equal(checkThreads([], 1000, 65534).ok, false);
});

test('reads this process: every thread is listed', () => {
  const mine = readOwnThreads();
  assert.ok(mine.length >= 1);
  assert.ok(mine.every((s) => s !== null && s.uids.length === 4));
});

test('seccomp read-back: mode 2 on every thread, with one filter more than before', () => {
  assert.deepEqual(parseSeccomp(status({})), { mode: 0, filters: null });
  assert.deepEqual(parseSeccomp('Seccomp:\t2\nSeccomp_filters:\t3\n'), { mode: 2, filters: 3 });
  assert.deepEqual(parseSeccomp('Name:\tx\n'), { mode: null, filters: null });
  const t = (tid: number, mode: number | null, filters: number | null) => ({ tid, mode, filters });
  const before = [t(1, 2, 1), t(2, 2, 1)];
  assert.equal(everyThreadFiltered(before, [t(1, 2, 2), t(2, 2, 2)]), true);
  assert.equal(everyThreadFiltered(before, [t(1, 2, 2), t(2, 2, 1)]), false, 'a thread still on the boot filter only');
  assert.equal(everyThreadFiltered(before, [t(1, 2, 2), t(2, null, null)]), false, 'unreadable');
  assert.equal(everyThreadFiltered([t(1, 0, null)], [t(1, 0, null)]), false);
  assert.equal(everyThreadFiltered([t(1, 0, null)], [t(1, 2, null)]), true, 'a kernel without Seccomp_filters');
  assert.equal(everyThreadFiltered([], []), false);
  assert.equal(everyThreadFiltered([t(1, 2, 1)], [t(3, 2, 2)]), false);
});
