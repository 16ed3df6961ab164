/**
 * `npm start` (build/start.mjs): where Electron cannot start — no binary, no display — it says why and offers
 * `npx sandpiper ui` instead of failing with Electron's own error.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
// @ts-expect-error: a plain .mjs build script, without type declarations
import { electronBinary, whyNoElectron } from '../../build/start.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const why = whyNoElectron as (binary: string | null, env: Record<string, string | undefined>) => string | null;
const find = electronBinary as (dir: string) => string | null;

test('why Electron cannot start: no binary, or no display', () => {
  assert.match(why(null, { DISPLAY: ':0' }) ?? '', /binary is not installed/);
  assert.match(why('/x/electron', {}) ?? '', /no display/);
  assert.equal(why('/x/electron', { DISPLAY: ':0' }), null);
  assert.equal(why('/x/electron', { WAYLAND_DISPLAY: 'wayland-0' }), null);
});

test("the binary is found through electron's path.txt, without running its downloader", () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'sp-start-'));
  try {
    assert.equal(find(dir), null);
    const pkg = path.join(dir, 'node_modules/electron');
    mkdirSync(path.join(pkg, 'dist'), { recursive: true });
    writeFileSync(path.join(pkg, 'path.txt'), 'electron');
    assert.equal(find(dir), null, 'path.txt without the binary');
    writeFileSync(path.join(pkg, 'dist/electron'), '');
    assert.equal(find(dir), path.join(pkg, 'dist/electron'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('without a display, npm start says so and offers `npx sandpiper ui` (exit 1, nothing started)', () => {
  const env = { ...process.env };
  delete env.DISPLAY;
  delete env.WAYLAND_DISPLAY;
  const r = spawnSync(process.execPath, [path.join(root, 'build/start.mjs')], { cwd: root, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 });
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /^sandpiper: Electron cannot start here: /);
  assert.match(r.stderr, /npx sandpiper ui/);
  assert.equal(r.stdout, '');
});
