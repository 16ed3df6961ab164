/**
 * The deb's after-install / after-remove scripts, rendered the way electron-builder renders them (its ${name} macro
 * pass, which fails on unknown names) and run by /bin/sh against a scratch root (SANDPIPER_DEB_ROOT).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generatePolicy, policyExecPath } from '../../src/installer/policy.ts';
import { makeFakeBundle } from './fake-bundle.ts';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const skip = process.geteuid?.() === 0 ? false : 'the scripts chown to root';
const MACROS: Record<string, string> = { executable: 'sandpiper', sanitizedProductName: 'Sandpiper', productFilename: 'Sandpiper' };
const LAUNCHER = '/opt/Sandpiper/resources/helper/sandpiper-helper';

/** electron-builder's FpmTarget writeConfigFile: replaces ${name}, throws on names it does not define. */
function render(file: string): string {
  return readFileSync(path.join(repo, file), 'utf8').replace(/\${([a-zA-Z]+)}/g, (_m, name: string) => {
    if (!(name in MACROS)) throw new Error(`Macro ${name} is not defined`);
    return MACROS[name];
  });
}

function fakeRoot() {
  const root = mkdtempSync(path.join(tmpdir(), 'sp-debroot-'));
  const app = path.join(root, 'opt/Sandpiper');
  const helper = path.join(app, 'resources/helper');
  mkdirSync(helper, { recursive: true });
  mkdirSync(path.join(app, 'resources/polkit'));
  const b = makeFakeBundle();
  // What electron-builder ships: the bundle with the runtime as a real file, deliberately sloppy modes.
  for (const n of b.sums.keys()) copyFileSync(path.join(b.dir, n), path.join(helper, n));
  writeFileSync(path.join(helper, 'SHA256SUMS'), b.sumsText, { mode: 0o666 });
  writeFileSync(path.join(app, 'sandpiper'), '#!/bin/sh\n', { mode: 0o755 });
  writeFileSync(path.join(app, 'chrome-sandbox'), '', { mode: 0o755 });
  copyFileSync(path.join(repo, 'build/polkit/org.sandpiper.capture.policy'), path.join(app, 'resources/polkit/org.sandpiper.capture.policy'));
  const scripts = path.join(root, '.scripts');
  mkdirSync(scripts);
  writeFileSync(path.join(scripts, 'postinst'), render('build/deb/after-install.sh'));
  writeFileSync(path.join(scripts, 'postrm'), render('build/deb/after-remove.sh'));
  const run = (script: 'postinst' | 'postrm', arg: string) =>
    spawnSync('/bin/sh', [path.join(scripts, script), arg], { encoding: 'utf8', env: { PATH: process.env.PATH, SANDPIPER_DEB_ROOT: root } });
  const policy = path.join(root, 'usr/share/polkit-1/actions/org.sandpiper.capture.policy');
  return { root, app, helper, policy, run, cleanup: () => { rmSync(root, { recursive: true, force: true }); rmSync(path.dirname(b.dir), { recursive: true, force: true }); } };
}

test('the scripts use only macros electron-builder defines and parse as POSIX sh', () => {
  for (const f of ['build/deb/after-install.sh', 'build/deb/after-remove.sh']) {
    const text = render(f);
    assert.doesNotMatch(text, /\$\{(?:executable|sanitizedProductName)\}/);
    const r = spawnSync('/bin/sh', ['-n'], { input: text, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  }
});

test('after-install fixes ownership and modes, checks hashes and writes the policy for /opt', { skip }, () => {
  const f = fakeRoot();
  try {
    const r = f.run('postinst', 'configure');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(readFileSync(f.policy, 'utf8'), generatePolicy(LAUNCHER));
    assert.equal(policyExecPath(readFileSync(f.policy, 'utf8')), LAUNCHER);
    assert.equal(lstatSync(f.policy).mode & 0o777, 0o644);
    assert.equal(lstatSync(f.policy).uid, 0);
    assert.equal(lstatSync(path.join(f.helper, 'sandpiper-helper')).mode & 0o777, 0o755);
    assert.equal(lstatSync(path.join(f.helper, 'node')).mode & 0o777, 0o755);
    assert.equal(lstatSync(path.join(f.helper, 'SHA256SUMS')).mode & 0o777, 0o644);
    assert.equal(lstatSync(path.join(f.helper, 'koffi.node')).mode & 0o777, 0o644);
    assert.equal(readlinkSync(path.join(f.root, 'usr/bin/sandpiper')), '/opt/Sandpiper/sandpiper');

    // after-remove on upgrade keeps it, on remove deletes it.
    assert.equal(f.run('postrm', 'upgrade').status, 0);
    assert.equal(existsSync(f.policy), true);
    const rm = f.run('postrm', 'remove');
    assert.equal(rm.status, 0, rm.stderr);
    assert.equal(existsSync(f.policy), false);
    assert.equal(existsSync(path.join(f.root, 'usr/bin/sandpiper')), false);
  } finally {
    f.cleanup();
  }
});

test('after-remove leaves a policy written by `sandpiper helper install`', { skip }, () => {
  const f = fakeRoot();
  try {
    mkdirSync(path.dirname(f.policy), { recursive: true });
    const other = generatePolicy('/usr/local/lib/sandpiper/0.1.0/sandpiper-helper');
    writeFileSync(f.policy, other);
    assert.equal(f.run('postrm', 'purge').status, 0);
    assert.equal(readFileSync(f.policy, 'utf8'), other);
  } finally {
    f.cleanup();
  }
});

test('after-install refuses a changed file, a file not in SHA256SUMS, or a symlink, and writes no policy', { skip }, () => {
  const cases: Array<[string, (helper: string) => void, RegExp]> = [
    ['changed', (h) => writeFileSync(path.join(h, 'sandpiper-helper.js'), 'evil'), /does not match its SHA256SUMS/],
    ['extra', (h) => writeFileSync(path.join(h, 'extra.js'), 'x'), /files not listed in SHA256SUMS/],
    ['symlink', (h) => { unlinkSync(path.join(h, 'node')); symlinkSync('/bin/sh', path.join(h, 'node')); }, /links or special files/],
  ];
  for (const [name, spoil, msg] of cases) {
    const f = fakeRoot();
    try {
      spoil(f.helper);
      const r = f.run('postinst', 'configure');
      assert.notEqual(r.status, 0, name);
      assert.match(r.stderr, msg, name);
      assert.equal(existsSync(f.policy), false, name);
    } finally {
      f.cleanup();
    }
  }
});
