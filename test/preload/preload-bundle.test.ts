/**
 * The sandboxed preload is bundled from src/preload and src/shared only: it must never pull main-process code (which
 * may reach Node APIs a sandboxed preload does not have), and its bundle may require nothing but `electron`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

test('the preload bundle is made of src/preload and src/shared only and requires only electron', async () => {
  const r = await build({
    entryPoints: [path.join(root, 'src/preload/preload.ts')],
    bundle: true,
    write: false,
    platform: 'node',
    format: 'cjs',
    external: ['electron'],
    metafile: true,
    logLevel: 'silent',
    absWorkingDir: root,
  });
  const inputs = Object.keys(r.metafile.inputs).sort();
  assert.ok(inputs.includes('src/preload/api.ts'), inputs.join(', '));
  assert.ok(inputs.includes('src/shared/ipc.ts'), 'the channel names come from shared');
  assert.ok(inputs.includes('src/shared/api.ts'), 'the API is derived from the shared table');
  assert.deepEqual(inputs.filter((f) => !f.startsWith('src/preload/') && !f.startsWith('src/shared/')), []);
  const out = r.outputFiles[0].text;
  const required = [...out.matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1]);
  assert.deepEqual([...new Set(required)], ['electron']);
});
