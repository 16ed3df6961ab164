import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  FILE_ONLY_RIGHTS, FS, NET, RESTRICT_SELF, SCOPE, effectiveAbi, encodePathBeneath, encodeRulesetAttr, fsRightsForAbi,
  netRightsForAbi, restrictSelfFlags, ruleRights, rulesetAttrSize, scopesForAbi,
} from '../../src/privileged-helper/landlock-abi.ts';

test('filesystem rights grow with the ABI exactly as the uapi header says', () => {
  assert.equal(fsRightsForAbi(0), 0n);
  assert.equal(fsRightsForAbi(1), 0x1fffn);
  assert.equal(fsRightsForAbi(2), 0x3fffn);
  assert.equal(fsRightsForAbi(3), 0x7fffn);
  assert.equal(fsRightsForAbi(4), 0x7fffn);
  assert.equal(fsRightsForAbi(5), 0xffffn);
  for (const abi of [6, 7, 8]) assert.equal(fsRightsForAbi(abi), 0xffffn);
  assert.equal(fsRightsForAbi(2) & FS.refer, FS.refer);
  assert.equal(fsRightsForAbi(1) & FS.refer, 0n);
  assert.equal(fsRightsForAbi(2) & FS.truncate, 0n);
  assert.equal(fsRightsForAbi(4) & FS.ioctlDev, 0n);
});

test('network rights from ABI 4, scopes from ABI 6', () => {
  for (const abi of [0, 1, 2, 3]) assert.equal(netRightsForAbi(abi), 0n);
  for (const abi of [4, 5, 6, 7, 8]) assert.equal(netRightsForAbi(abi), NET.bindTcp | NET.connectTcp);
  for (const abi of [0, 1, 2, 3, 4, 5]) assert.equal(scopesForAbi(abi), 0n);
  for (const abi of [6, 7, 8]) assert.equal(scopesForAbi(abi), SCOPE.abstractUnixSocket | SCOPE.signal);
});

test('ruleset_attr size follows the fields the ABI knows', () => {
  assert.deepEqual([1, 2, 3, 4, 5, 6, 7, 8].map(rulesetAttrSize), [8, 8, 8, 16, 16, 24, 24, 24]);
});

test('encodeRulesetAttr never names rights above the ABI', () => {
  const all = { handledFs: (1n << 40n) - 1n, handledNet: 0xffn, scoped: 0xffn };
  const a3 = encodeRulesetAttr(all, 3);
  assert.equal(a3.length, 8);
  assert.equal(a3.readBigUInt64LE(0), 0x7fffn);
  const a4 = encodeRulesetAttr(all, 4);
  assert.equal(a4.readBigUInt64LE(8), 3n);
  const a7 = encodeRulesetAttr(all, 7);
  assert.deepEqual([a7.readBigUInt64LE(0), a7.readBigUInt64LE(8), a7.readBigUInt64LE(16)], [0xffffn, 3n, 3n]);
});

test('TSYNC only at ABI 8 and only when asked', () => {
  assert.equal(restrictSelfFlags(7, true), 0);
  assert.equal(restrictSelfFlags(8, true), RESTRICT_SELF.tsync);
  assert.equal(restrictSelfFlags(8, false), 0);
  assert.equal(RESTRICT_SELF.tsync, 8);
});

test('rule rights: file parents get only file rights, and only what the ABI handles', () => {
  const want = FS.readFile | FS.readDir | FS.execute | FS.truncate | FS.ioctlDev;
  assert.equal(ruleRights(want, 7, true), want);
  assert.equal(ruleRights(want, 7, false), FS.readFile | FS.execute | FS.truncate | FS.ioctlDev);
  assert.equal(ruleRights(want, 2, false), FS.readFile | FS.execute);
  assert.equal(ruleRights(want, 0, true), 0n);
  assert.equal(FILE_ONLY_RIGHTS & FS.readDir, 0n);
});

test('effective ABI: kernel, capped by the flag and by the newest reviewed ABI', () => {
  assert.equal(effectiveAbi(7, null), 7);
  assert.equal(effectiveAbi(7, 3), 3);
  assert.equal(effectiveAbi(7, 8), 7);
  assert.equal(effectiveAbi(12, null), 8);
  assert.equal(effectiveAbi(0, 5), 0);
  assert.equal(effectiveAbi(-1, null), 0);
});

test('path_beneath attr is packed to 12 bytes', () => {
  const b = encodePathBeneath(FS.readFile | FS.execute, 7);
  assert.equal(b.length, 12);
  assert.equal(b.readBigUInt64LE(0), 5n);
  assert.equal(b.readInt32LE(8), 7);
});
