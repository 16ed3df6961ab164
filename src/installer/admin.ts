/**
 * Install / uninstall as the app and the CLI see them: build the root step's parameters from this app's own
 * version, hashes and generated policy, then run it with root rights (elevate.ts).
 */
import path from 'node:path';
import type { BuildInfo } from './build-info.ts';
import { runRootStep, type ElevateOptions } from './elevate.ts';
import { formatSums } from './manifest.ts';
import { generatePolicy } from './policy.ts';
import { EXECUTABLE_FILES, INSTALL_ROOT, LAUNCHER_NAME, POLICY_PATH } from './paths.ts';
import type { RootStepParams, RootStepResult } from './root-step.ts';

export interface AdminOptions extends ElevateOptions {
  /** Scratch root for tests; '/' in production. */
  root?: string;
}

export function installParams(build: Pick<BuildInfo, 'version' | 'sums' | 'sizes'>, source: string, root = '/'): RootStepParams {
  const launcher = path.posix.join(INSTALL_ROOT, build.version, LAUNCHER_NAME);
  return {
    op: 'install',
    source: path.resolve(source),
    version: build.version,
    sums: formatSums(build.sums),
    sizes: Object.fromEntries(build.sizes),
    policyXml: generatePolicy(launcher),
    root,
    installRoot: INSTALL_ROOT,
    policyPath: POLICY_PATH,
    executables: [...EXECUTABLE_FILES],
  };
}

export function uninstallParams(root = '/'): RootStepParams {
  return { op: 'uninstall', root, installRoot: INSTALL_ROOT, policyPath: POLICY_PATH, executables: [] };
}

export function installHelper(build: Pick<BuildInfo, 'version' | 'sums' | 'sizes'>, source: string, o: AdminOptions = {}): Promise<RootStepResult> {
  return runRootStep(installParams(build, source, o.root), o);
}

export function uninstallHelper(o: AdminOptions = {}): Promise<RootStepResult> {
  return runRootStep(uninstallParams(o.root), o);
}
