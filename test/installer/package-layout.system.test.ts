/**
 * Runs electron-builder for real (target `dir`, x64) with a stand-in Electron distribution, since the real one cannot
 * be downloaded here, and checks the unpacked app: the helper bundle under resources/helper with its runtime as a
 * real file that matches SHA256SUMS, the policy template, koffi (JS + native part) unpacked under resources/koffi where
 * the engine host's filter check loads it, and an asar holding only the built app. The fuses are left out of this run
 * only because they patch the (absent) Electron binary.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseSums, verifyTree } from '../../src/installer/manifest.ts';
import { probeFilterCheck } from '../main/koffi-probe.ts';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(path.join(repo, 'package.json'));
const skip = !existsSync(path.join(repo, 'dist/helper/SHA256SUMS'))
  ? 'the helper bundle is not built (dist/helper/SHA256SUMS missing): run `npm run build`'
  : !existsSync(path.join(repo, 'dist/main/main.js'))
    ? 'the Electron main bundle is not built (dist/main/main.js): run `npm run build`'
    : false;

test('electron-builder puts the helper, its real runtime and the policy template where the installers expect them', { skip }, async () => {
  const work = mkdtempSync(path.join(tmpdir(), 'sp-eb-'));
  try {
    // A snapshot of the built tree, so a concurrent `npm run build` cannot change files under electron-builder.
    const project = path.join(work, 'project');
    for (const p of ['package.json', 'electron-builder.yml', 'dist/main', 'dist/preload', 'dist/renderer', 'dist/helper', 'dist/geo', 'build/icons', 'build/polkit', 'build/deb']) {
      if (existsSync(path.join(repo, p))) cpSync(path.join(repo, p), path.join(project, p), { recursive: true });
    }
    symlinkSync(path.join(repo, 'node_modules'), path.join(project, 'node_modules'));
    const fakeElectron = path.join(work, 'electron-dist');
    mkdirSync(path.join(fakeElectron, 'resources'), { recursive: true });
    writeFileSync(path.join(fakeElectron, 'electron'), '#!/bin/sh\n');
    chmodSync(path.join(fakeElectron, 'electron'), 0o755);
    writeFileSync(path.join(fakeElectron, 'chrome-sandbox'), '');
    const yaml = require('js-yaml') as { load: (s: string) => Record<string, unknown> };
    const cfg = yaml.load(readFileSync(path.join(repo, 'electron-builder.yml'), 'utf8'));
    delete cfg.electronFuses;
    cfg.electronDist = fakeElectron;
    cfg.electronVersion = '45.5.0';
    cfg.directories = { ...(cfg.directories as object), output: path.join(work, 'out') };
    const cfgFile = path.join(work, 'eb.json');
    writeFileSync(cfgFile, JSON.stringify(cfg));
    const r = spawnSync(process.execPath, [path.join(repo, 'node_modules/electron-builder/cli.js'), '--projectDir', project, '--config', cfgFile, '--linux', 'dir', '--x64'], {
      encoding: 'utf8',
      timeout: 280_000,
      env: { ...process.env, ELECTRON_BUILDER_OFFLINE: 'true' },
    });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const res = path.join(work, 'out/linux-unpacked/resources');
    const helper = path.join(res, 'helper');
    assert.equal(lstatSync(path.join(helper, 'node')).isFile(), true, 'the runtime is a file, not the dev symlink');
    const check = await verifyTree(helper, parseSums(readFileSync(path.join(helper, 'SHA256SUMS'), 'utf8')), ['SHA256SUMS']);
    assert.equal(check.ok, true, JSON.stringify(check));
    // The app's own hashes (the checkout's) describe the packaged files.
    assert.equal(readFileSync(path.join(helper, 'SHA256SUMS'), 'utf8'), readFileSync(path.join(project, 'dist/helper/SHA256SUMS'), 'utf8'));
    assert.equal(lstatSync(path.join(helper, 'sandpiper-helper')).mode & 0o111, 0o111);
    assert.equal(readFileSync(path.join(res, 'polkit/org.sandpiper.capture.policy'), 'utf8'), readFileSync(path.join(repo, 'build/polkit/org.sandpiper.capture.policy'), 'utf8'));
    // The offline country and AS databases, with their licences, where the engine host looks (resources/geo).
    const geo = path.join(res, 'geo');
    assert.deepEqual(readdirSync(geo).sort(), ['DBIP-LICENSE', 'NOTICE.txt', 'NRO-LICENSE', 'ROUTEVIEWS-LICENSE', 'asn.bin', 'country.mmdb']);
    for (const f of ['asn.bin', 'country.mmdb']) assert.ok(readFileSync(path.join(geo, f)).equals(readFileSync(path.join(repo, 'dist/geo', f))), f);
    const asar = require('@electron/asar') as { listPackage: (p: string, o: object) => string[] };
    const listed = asar.listPackage(path.join(res, 'app.asar'), {});
    assert.ok(listed.includes('/dist/main/main.js'));
    assert.ok(listed.includes('/package.json'));
    assert.deepEqual(listed.filter((f) => f.startsWith('/node_modules') || f.endsWith('.map') || f.startsWith('/src')), []);
    assert.ok(!existsSync(path.join(res, 'app.asar.unpacked')), 'nothing is unpacked from the asar');

    // koffi for the engine host's filter check: only the listed files, outside the asar, and loadable from there.
    const koffiRoot = path.join(res, 'koffi/node_modules');
    const shipped = (readdirSync(koffiRoot, { recursive: true, withFileTypes: true }) as import('node:fs').Dirent[])
      .filter((e) => e.isFile())
      .map((e) => path.relative(koffiRoot, path.join(e.parentPath, e.name)))
      .sort();
    assert.deepEqual(shipped, [
      '@koromix/koffi-linux-x64/index.js', '@koromix/koffi-linux-x64/linux_x64/koffi.node', '@koromix/koffi-linux-x64/package.json',
      'koffi/LICENSE.txt', 'koffi/index.cjs', 'koffi/package.json', 'koffi/src/koffi/index.cjs', 'koffi/src/koffi/src/static.cjs',
    ]);
    const probe = await probeFilterCheck(path.join(work, 'probe/engine-host.js'), res);
    assert.equal(probe.good.ok, true, JSON.stringify(probe.good));
    assert.ok(!probe.bad.ok && probe.bad.error.code === 'bad_filter', JSON.stringify(probe.bad));
    assert.ok(probe.koffiFiles.length > 0);
    assert.deepEqual(probe.koffiFiles.filter((f) => !f.startsWith(koffiRoot + path.sep)), [], 'koffi came from the package, not the checkout');
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
