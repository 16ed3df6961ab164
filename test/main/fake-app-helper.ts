/**
 * A stand-in for src/installer/app-helper.ts in the bundled main process, so the wiring test neither reads
 * this machine's installed helper nor runs pkexec. Scripted through `globalThis.__fakeAppHelper`.
 */
import { ElevationError } from '../../src/installer/elevate.ts';
import type { RootStepResult } from '../../src/installer/root-step.ts';

export interface FakeAppHelperState {
  ready: boolean;
  version: string;
  /** What installForApp resolves with, or the pkexec exit status it fails with. */
  install: RootStepResult | { exitCode: number };
  calls: string[];
}

function state(): FakeAppHelperState {
  const g = globalThis as unknown as { __fakeAppHelper?: FakeAppHelperState };
  g.__fakeAppHelper ??= { ready: true, version: '0.0.0-test', install: { ok: true, message: 'installed', paths: [] }, calls: [] };
  return g.__fakeAppHelper;
}

export async function checkInstalledHelper(): Promise<{ ready: boolean; build: { version: string } }> {
  const s = state();
  s.calls.push('check');
  return { ready: s.ready, build: { version: s.version } };
}

export async function installForApp(resourcesPath: string | null): Promise<RootStepResult> {
  const s = state();
  s.calls.push(`install ${resourcesPath}`);
  if ('exitCode' in s.install) throw new ElevationError('authentication was dismissed; nothing was changed', s.install.exitCode);
  return s.install;
}
