/**
 * What the Electron main process needs: is this version's helper installed and trusted, and if not, install it
 * with one pkexec prompt. The main process shows the offer and calls installForApp() once the user agrees.
 */
import path from 'node:path';
import { installHelper } from './admin.ts';
import { loadBuildInfo, type BuildInfo } from './build-info.ts';
import type { RootStepResult } from './root-step.ts';
import { helperStatus, type HelperStatus } from './status.ts';

export interface HelperCheck {
  /** True when captures can start without installing anything (a deb install, or an earlier one-time install). */
  ready: boolean;
  status: HelperStatus;
  build: BuildInfo;
}

export async function checkInstalledHelper(): Promise<HelperCheck> {
  const build = loadBuildInfo();
  const status = await helperStatus({ appVersion: build.version, appSums: build.sums });
  return { ready: status.ready, status, build };
}

/**
 * The helper bundle this app carries: `<resources>/helper` when packaged (Electron's process.resourcesPath), the
 * checkout's dist/helper under `npm start`.
 */
export function appHelperSource(build: BuildInfo, resourcesPath: string | null): string | null {
  if (resourcesPath !== null && build.origin === 'embedded') return path.join(resourcesPath, 'helper');
  return build.checkoutHelperDir;
}

export async function installForApp(resourcesPath: string | null): Promise<RootStepResult> {
  const build = loadBuildInfo();
  const source = appHelperSource(build, resourcesPath);
  if (source === null) return { ok: false, message: 'this build of Sandpiper has no helper bundle to install', paths: [] };
  return installHelper(build, source);
}
