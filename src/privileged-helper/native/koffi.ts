/**
 * Loads koffi's native module directly, never through koffi's JS loader: that loader searches several directories
 * (including ones relative to the working directory's node_modules), and a root process must load exactly one
 * known file. The bundle loads `koffi.node` from its own directory; running from source (tests) loads the copy in
 * node_modules.
 */
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type * as KoffiModule from 'koffi';

export type Koffi = typeof KoffiModule;

const KOFFI_VERSION = '3.3.4';

function nativePath(): string {
  const here = import.meta.dirname;
  const beside = path.join(here, 'koffi.node');
  if (existsSync(beside)) return beside;
  // Only the unbundled source may fall back to node_modules; the bundle has no business looking elsewhere.
  if (import.meta.filename.endsWith('.ts')) {
    return path.resolve(here, '../../../node_modules/@koromix/koffi-linux-x64/linux_x64/koffi.node');
  }
  throw new Error(`koffi.node is missing next to ${import.meta.filename}`);
}

let cached: Koffi | null = null;

export function koffi(): Koffi {
  if (cached) return cached;
  const req = createRequire(import.meta.url);
  const mod = req(nativePath()) as Koffi;
  if (mod.version !== KOFFI_VERSION) throw new Error(`koffi.node version ${mod.version}, expected ${KOFFI_VERSION}`);
  cached = mod;
  return mod;
}
