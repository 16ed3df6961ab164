/**
 * What is installed, and whether it can be trusted: every installed copy with its ownership/mode problems and its
 * hash check, and whether the polkit action exists and names a root-owned launcher. Read-only; works as any user.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { formatSums, parseSums, verifyTree, type DirCheck, type Manifest } from './manifest.ts';
import { rootOwnedChainProblems, treeProblems, type PathProblem } from './path-safety.ts';
import { policyExecPath } from './policy.ts';
import { DEB_HELPER_DIR, INSTALL_ROOT, isValidVersion, LAUNCHER_NAME, POLICY_PATH, SUMS_NAME } from './paths.ts';

export interface InstalledCopy {
  kind: 'versioned' | 'deb';
  version: string | null;
  dir: string;
  launcher: string;
  /** Ownership/mode problems of the directory, its ancestors and everything in it. */
  problems: PathProblem[];
  hashes: DirCheck | null;
  /** 'app': checked against the hashes this app carries; 'installed': against the copy's own root-owned SHA256SUMS. */
  hashSource: 'app' | 'installed' | 'none';
  hashError: string | null;
}

export interface PolicyStatus {
  path: string;
  present: boolean;
  execPath: string | null;
  /** The launcher it names exists and is a root-owned chain. */
  launcherOk: boolean;
  problems: PathProblem[];
}

export interface HelperStatus {
  appVersion: string;
  copies: InstalledCopy[];
  policy: PolicyStatus;
  /** This app version's helper is installed, intact, and the policy points at it (or at an intact deb copy). */
  ready: boolean;
}

export interface StatusOptions {
  appVersion: string;
  appSums: Manifest;
  /** Scratch root for tests; '/' in production. */
  root?: string;
}

async function inspectCopy(kind: InstalledCopy['kind'], version: string | null, dir: string, o: StatusOptions): Promise<InstalledCopy> {
  const root = o.root ?? '/';
  const stopAbove = root === '/' ? undefined : root;
  const launcher = path.join(dir, LAUNCHER_NAME);
  const problems = [...rootOwnedChainProblems(dir, stopAbove), ...treeProblems(dir)];
  const c: InstalledCopy = { kind, version, dir, launcher, problems, hashes: null, hashSource: 'none', hashError: null };
  let sums: Manifest | null = null;
  if (version === o.appVersion) {
    sums = o.appSums;
    c.hashSource = 'app';
  } else {
    try {
      sums = parseSums(readFileSync(path.join(dir, SUMS_NAME), 'utf8'));
      c.hashSource = 'installed';
    } catch (e) {
      c.hashError = `no usable ${SUMS_NAME}: ${e instanceof Error ? e.message : String(e)}`;
    }
  }
  if (sums !== null) c.hashes = await verifyTree(dir, sums, [SUMS_NAME]);
  return c;
}

export async function helperStatus(o: StatusOptions): Promise<HelperStatus> {
  const root = o.root ?? '/';
  const stopAbove = root === '/' ? undefined : root;
  const copies: InstalledCopy[] = [];
  const installRoot = path.join(root, INSTALL_ROOT);
  if (existsSync(installRoot)) {
    for (const e of readdirSync(installRoot, { withFileTypes: true })) {
      if (e.isDirectory() && isValidVersion(e.name)) copies.push(await inspectCopy('versioned', e.name, path.join(installRoot, e.name), o));
    }
  }
  const deb = path.join(root, DEB_HELPER_DIR);
  if (existsSync(deb)) {
    // The deb ships the app and helper together: its copy counts as this version when its manifest is ours.
    let same = false;
    try {
      same = formatSums(parseSums(readFileSync(path.join(deb, SUMS_NAME), 'utf8'))) === formatSums(o.appSums);
    } catch {
      /* reported by inspectCopy */
    }
    copies.push(await inspectCopy('deb', same ? o.appVersion : null, deb, o));
  }

  const policyFile = path.join(root, POLICY_PATH);
  const policy: PolicyStatus = { path: policyFile, present: existsSync(policyFile), execPath: null, launcherOk: false, problems: [] };
  if (policy.present) {
    policy.problems = rootOwnedChainProblems(policyFile, stopAbove);
    policy.execPath = policyExecPath(readFileSync(policyFile, 'utf8'));
    if (policy.execPath !== null) {
      policy.launcherOk = rootOwnedChainProblems(path.join(root, policy.execPath), stopAbove).length === 0;
    }
  }
  const healthy = (c: InstalledCopy) => c.problems.length === 0 && c.hashes?.ok === true;
  const target = policy.execPath === null ? null : path.join(root, policy.execPath);
  const pointedAt = copies.find((c) => c.launcher === target);
  const ready =
    policy.present &&
    policy.problems.length === 0 &&
    policy.launcherOk &&
    pointedAt !== undefined &&
    healthy(pointedAt) &&
    (pointedAt.kind === 'deb' || pointedAt.version === o.appVersion);
  return { appVersion: o.appVersion, copies, policy, ready };
}
