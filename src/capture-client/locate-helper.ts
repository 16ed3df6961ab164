/**
 * Finds the capture helper to run. pkexec runs whatever path we give it as root, so an installed helper only counts
 * when it (and every directory above it) is root-owned and not writable by anyone else; otherwise any user who could
 * replace it would get root. A source checkout's dev build is accepted with a warning.
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { rootOwnedChainProblems } from '../installer/path-safety.ts';
import { installedLauncherCandidates } from '../installer/paths.ts';
import pkg from '../../package.json' with { type: 'json' };

export const APP_VERSION: string = pkg.version;

/** Root-owned and writable by root only, all the way up to `/`. */
export function isRootOwnedChain(p: string): boolean {
  return rootOwnedChainProblems(p).length === 0;
}

export const DEV_HELPER_RELATIVE = 'dist/helper/sandpiper-helper';
export const DEV_WARNING = 'running the capture helper from a source checkout';

export interface LocatedHelper {
  path: string;
  source: 'env' | 'installed' | 'checkout';
  /** Set when the helper is not an installed, root-owned copy. */
  devWarning: string | null;
}

export interface LocateOptions {
  /** An explicit path (tests, `SANDPIPER_HELPER`); used as-is if it is an executable file. */
  explicit?: string;
  env?: NodeJS.ProcessEnv;
  /** Defaults to the packaging's fixed paths for this version. */
  installedPaths?: string[];
  /** Where to look for a source checkout; defaults to the directories above this module. */
  searchFrom?: string;
}

export class HelperNotFoundError extends Error {}

function isExecutableFile(p: string): boolean {
  try {
    const st = statSync(p);
    return st.isFile() && (st.mode & 0o111) !== 0;
  } catch {
    return false;
  }
}

/** The checkout root above `from`: a directory whose package.json names this project. */
function findCheckout(from: string): string | null {
  let cur = path.resolve(from);
  for (let i = 0; i < 8; i++) {
    try {
      const pkg = statSync(path.join(cur, 'package.json'));
      if (pkg.isFile() && isExecutableFile(path.join(cur, DEV_HELPER_RELATIVE))) return cur;
    } catch {
      /* keep walking */
    }
    const up = path.dirname(cur);
    if (up === cur) break;
    cur = up;
  }
  return null;
}

export function locateHelper(opts: LocateOptions = {}): LocatedHelper {
  const env = opts.env ?? process.env;
  const explicit = opts.explicit ?? env.SANDPIPER_HELPER;
  if (explicit !== undefined && explicit !== '') {
    const abs = path.resolve(explicit);
    if (!isExecutableFile(abs)) throw new HelperNotFoundError(`the capture helper ${abs} (SANDPIPER_HELPER) is not an executable file`);
    return { path: abs, source: 'env', devWarning: isRootOwnedChain(abs) ? null : `using the capture helper ${abs} from SANDPIPER_HELPER, which is not root-owned` };
  }
  for (const p of opts.installedPaths ?? installedLauncherCandidates(APP_VERSION)) {
    if (isExecutableFile(p) && isRootOwnedChain(p)) return { path: p, source: 'installed', devWarning: null };
  }
  const from = opts.searchFrom ?? path.dirname(fileURLToPath(import.meta.url));
  const root = findCheckout(from);
  if (root !== null) return { path: path.join(root, DEV_HELPER_RELATIVE), source: 'checkout', devWarning: DEV_WARNING };
  throw new HelperNotFoundError(
    'the capture helper is not installed: run `sandpiper helper install`, or `npm run build` in a source checkout',
  );
}
