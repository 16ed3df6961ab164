/**
 * pkexec runs the installed launcher as root, so it is only as safe as the weakest directory above it: anyone who
 * can write to any ancestor can swap the file. These checks read metadata with lstat and never follow links.
 */
import { lstatSync, readdirSync, type Stats } from 'node:fs';
import path from 'node:path';

export interface PathProblem {
  path: string;
  problem: string;
}

function describe(st: Stats, isLeaf: boolean): string | null {
  if (st.isSymbolicLink()) return 'is a symbolic link';
  if (st.uid !== 0) return `is owned by uid ${st.uid}, not root`;
  if (st.gid !== 0 && (st.mode & 0o020) !== 0) return `is group-writable by gid ${st.gid}`;
  if ((st.mode & 0o022) !== 0) {
    // /tmp-style sticky dirs are world-writable by design but are never on an installed path.
    return `is ${(st.mode & 0o002) !== 0 ? 'world' : 'group'}-writable (mode ${(st.mode & 0o7777).toString(8)})`;
  }
  if (isLeaf && !st.isFile() && !st.isDirectory()) return 'is not a regular file or directory';
  if ((st.mode & 0o6000) !== 0 && !st.isDirectory()) return 'has a setuid/setgid bit';
  return null;
}

/**
 * Problems with `target` and each ancestor up to `/` (or up to, excluding, `stopAbove`, which lets tests use a
 * scratch tree under /tmp). Empty when every component is root-owned and writable by root only.
 */
export function rootOwnedChainProblems(target: string, stopAbove?: string): PathProblem[] {
  const out: PathProblem[] = [];
  const stop = stopAbove === undefined ? null : path.resolve(stopAbove);
  let cur = path.resolve(target);
  let leaf = true;
  for (;;) {
    if (stop !== null && cur === stop) break;
    let st: Stats;
    try {
      st = lstatSync(cur);
    } catch {
      out.push({ path: cur, problem: 'does not exist' });
      return out;
    }
    const p = describe(st, leaf);
    if (p !== null) out.push({ path: cur, problem: p });
    leaf = false;
    const up = path.dirname(cur);
    if (up === cur) break;
    cur = up;
  }
  return out;
}

/** Problems with every file and directory inside `dir` (recursively), same rules. */
export function treeProblems(dir: string): PathProblem[] {
  const out: PathProblem[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      const problem = describe(lstatSync(p), true);
      if (problem !== null) out.push({ path: p, problem });
      else if (e.isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out;
}
