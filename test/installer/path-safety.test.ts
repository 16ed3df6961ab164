import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { rootOwnedChainProblems, treeProblems } from '../../src/installer/path-safety.ts';

const isRoot = process.getuid?.() === 0;

test('a root-owned system binary has a clean chain up to /', { skip: isRoot ? false : 'needs root-owned system paths' }, () => {
  assert.deepEqual(rootOwnedChainProblems('/usr/bin/env'), []);
});

test('/tmp itself is world-writable, so nothing under it counts as root-only', () => {
  const d = mkdtempSync(path.join(tmpdir(), 'sp-chain-'));
  try {
    const problems = rootOwnedChainProblems(d);
    assert.ok(problems.some((p) => p.path === path.resolve(tmpdir()) && /world-writable/.test(p.problem)), JSON.stringify(problems));
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test('group/world-writable dirs, foreign owners, links, setuid files and missing paths are reported', { skip: isRoot ? false : 'needs root to chown' }, () => {
  const base = mkdtempSync(path.join(tmpdir(), 'sp-chain-'));
  try {
    const a = path.join(base, 'a');
    const b = path.join(a, 'b');
    mkdirSync(b, { recursive: true, mode: 0o755 });
    chmodSync(a, 0o755);
    chmodSync(b, 0o755);
    const f = path.join(b, 'f');
    writeFileSync(f, 'x', { mode: 0o755 });
    assert.deepEqual(rootOwnedChainProblems(f, base), []);

    chmodSync(a, 0o775);
    assert.match(rootOwnedChainProblems(f, base)[0]?.problem ?? '', /group-writable/);
    chmodSync(a, 0o755);

    chownSync(b, 65534, 0);
    assert.match(rootOwnedChainProblems(f, base)[0]?.problem ?? '', /owned by uid 65534/);
    chownSync(b, 0, 0);

    chmodSync(f, 0o4755);
    assert.match(rootOwnedChainProblems(f, base)[0]?.problem ?? '', /setuid/);
    chmodSync(f, 0o755);

    const l = path.join(b, 'l');
    symlinkSync(f, l);
    assert.match(rootOwnedChainProblems(l, base)[0]?.problem ?? '', /symbolic link/);
    assert.deepEqual(treeProblems(a).map((p) => p.path), [l]);

    assert.match(rootOwnedChainProblems(path.join(b, 'nope'), base)[0]?.problem ?? '', /does not exist/);
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});
