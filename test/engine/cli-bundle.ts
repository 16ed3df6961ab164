/** The CLI bundle (dist/cli/sandpiper.js) for tests that run it under the system Node: built on demand. */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CLI_BUNDLE = path.join(REPO_ROOT, 'dist/cli/sandpiper.js');
export const CORPUS_DIR = path.resolve(REPO_ROOT, '../shared/pcaps/tcpdump');
/** The system Node (20 here), deliberately not the pinned Node 24 the tests run on. */
export const SYSTEM_NODE = '/usr/bin/node';

function newestSource(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestSource(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** Builds the bundle when it is missing or older than the sources it is made of. */
export function ensureCliBundle(): string {
  const stale = !existsSync(CLI_BUNDLE) ||
    statSync(CLI_BUNDLE).mtimeMs < Math.max(...['src/cli', 'src/engine', 'src/engine-host', 'src/capture-client', 'src/shared'].map((d) => newestSource(path.join(REPO_ROOT, d))));
  if (stale) execFileSync(process.execPath, [path.join(REPO_ROOT, 'build/build.mjs'), '--only', 'cli'], { cwd: REPO_ROOT, stdio: 'inherit' });
  return CLI_BUNDLE;
}
