/**
 * The app version and the helper bundle's SHA-256 manifest that this build of the app carries. A packaged build
 * gets both compiled in (esbuild `define` of __SANDPIPER_VERSION__ and __SANDPIPER_HELPER_SUMS__), so the hashes the
 * installer checks against never come from the helper directory being installed; the files' sizes likewise
 * (__SANDPIPER_HELPER_SIZES__). Running from a source checkout
 * (tests, `npm start`) falls back to reading package.json and dist/helper/SHA256SUMS once, at startup.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fileSizes, parseSizes, parseSums, type FileSizes, type Manifest } from './manifest.ts';
import { SUMS_NAME } from './paths.ts';

declare const __SANDPIPER_VERSION__: string | undefined;
declare const __SANDPIPER_HELPER_SUMS__: string | undefined;
declare const __SANDPIPER_HELPER_SIZES__: string | undefined;

export interface BuildInfo {
  version: string;
  sums: Manifest;
  /** The size of each file in `sums`, which the install copies exactly. */
  sizes: FileSizes;
  /** Where the hashes came from, for `status`. */
  origin: 'embedded' | 'checkout';
  /** The dev helper bundle next to a checkout, when there is one. */
  checkoutHelperDir: string | null;
}

export function findCheckoutRoot(from: string): string | null {
  let cur = path.resolve(from);
  for (let i = 0; i < 8; i++) {
    const pkg = path.join(cur, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: unknown }).name === 'sandpiper') return cur;
      } catch {
        /* not ours */
      }
    }
    const up = path.dirname(cur);
    if (up === cur) break;
    cur = up;
  }
  return null;
}

export class BuildInfoError extends Error {}

export function loadBuildInfo(from = path.dirname(fileURLToPath(import.meta.url))): BuildInfo {
  const root = findCheckoutRoot(from);
  const checkoutHelperDir = root === null ? null : path.join(root, 'dist', 'helper');
  if (typeof __SANDPIPER_VERSION__ === 'string' && typeof __SANDPIPER_HELPER_SUMS__ === 'string' && typeof __SANDPIPER_HELPER_SIZES__ === 'string') {
    const sums = parseSums(__SANDPIPER_HELPER_SUMS__);
    return { version: __SANDPIPER_VERSION__, sums, sizes: parseSizes(__SANDPIPER_HELPER_SIZES__), origin: 'embedded', checkoutHelperDir };
  }
  if (root === null || checkoutHelperDir === null) {
    throw new BuildInfoError('this build of Sandpiper carries no helper hashes and is not in a source checkout');
  }
  const version = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version;
  const sumsFile = path.join(checkoutHelperDir, SUMS_NAME);
  if (!existsSync(sumsFile)) throw new BuildInfoError(`the helper is not built (${sumsFile} is missing): run \`npm run build\``);
  const sums = parseSums(readFileSync(sumsFile, 'utf8'));
  // A checkout's hashes come from the same directory, so its sizes may as well.
  return { version, sums, sizes: fileSizes(checkoutHelperDir, sums), origin: 'checkout', checkoutHelperDir };
}
