/**
 * Runs the root step (root-step.ts) with root rights. Already root: in-process. Otherwise through pkexec, with ONE
 * prompt, and without ever making root execute something a user could have changed:
 *   - the program pkexec runs is a Node runtime no user can alter: a previously installed, root-owned Sandpiper
 *     runtime; else the bundle's own runtime sealed in a memfd and hash-checked (sealed-runtime.ts); else a
 *     root-owned system Node;
 *   - the code it runs arrives on stdin as text taken from this process's memory (rootStep's own source);
 *   - the helper files are read by root as data only, and the root-owned copy is hashed after copying.
 * See docs/packaging.md for why not `pkexec /bin/sh -c` and not `pkexec <bundled node path>`.
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PkexecExitCode } from '../shared/helper-protocol.ts';
import { parseSums } from './manifest.ts';
import { rootOwnedChainProblems } from './path-safety.ts';
import { sealBundledRuntime, type SealedRuntime } from './sealed-runtime.ts';
import { DEB_HELPER_DIR, INSTALL_ROOT, isValidVersion } from './paths.ts';
import { rootStep, type RootStepParams, type RootStepResult } from './root-step.ts';

export const SYSTEM_NODE_PATHS = ['/usr/bin/node', '/usr/bin/nodejs'];

/** Root-owned and root-writable only: the path, its real file, and every directory above both. */
function rootSafe(p: string): boolean {
  try {
    const real = realpathSync(p);
    return rootOwnedChainProblems(path.dirname(p)).length === 0 && rootOwnedChainProblems(real).length === 0;
  } catch {
    return false;
  }
}

/** Node runtimes root can run safely, best first: an installed Sandpiper runtime, then the system's. */
export function trustedNodeRuntimes(): { installed: string[]; system: string[] } {
  const installed: string[] = [];
  if (existsSync(INSTALL_ROOT)) {
    for (const v of readdirSync(INSTALL_ROOT).filter(isValidVersion).sort().reverse()) installed.push(path.join(INSTALL_ROOT, v, 'node'));
  }
  installed.push(path.join(DEB_HELPER_DIR, 'node'));
  return { installed: installed.filter(rootSafe), system: SYSTEM_NODE_PATHS.filter(rootSafe) };
}

/** The program text fed to the root Node on stdin: rootStep's source plus this call's parameters, nothing else. */
export function rootScript(params: RootStepParams): string {
  return `'use strict';
if (typeof process.getBuiltinModule !== 'function') {
  process.stdout.write(JSON.stringify({ ok: false, message: 'the root-owned Node runtime is too old (needs >= 20.16)', paths: [] }) + '\\n');
  process.exit(1);
}
const rootStep = ${rootStep.toString()};
rootStep(${JSON.stringify(params)}).then(
  (r) => { process.stdout.write(JSON.stringify(r) + '\\n'); process.exitCode = r.ok ? 0 : 1; },
  (e) => { process.stdout.write(JSON.stringify({ ok: false, message: String((e && e.message) || e), paths: [] }) + '\\n'); process.exitCode = 1; },
);
`;
}

export class ElevationError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode: number) {
    super(message);
    this.exitCode = exitCode;
  }
}

export interface ElevateOptions {
  /** The pkexec to run (tests substitute a stand-in). */
  pkexec?: string;
  /** Overrides the runtime search (tests): a path, or 'sealed' for the memfd-sealed bundled runtime. */
  node?: string;
}

function parseResult(stdout: string): RootStepResult | null {
  const line = stdout.trim().split('\n').pop() ?? '';
  try {
    const v = JSON.parse(line) as Partial<RootStepResult>;
    if (typeof v.ok === 'boolean' && typeof v.message === 'string') return { ok: v.ok, message: v.message, paths: Array.isArray(v.paths) ? v.paths : [] };
  } catch {
    /* fallthrough */
  }
  return null;
}

/** Root cannot read inside a running AppImage's FUSE mount: give it a plain copy (still verified after root copies). */
function stageReadableSource(params: RootStepParams): { params: RootStepParams; cleanup: () => void } {
  const src = params.source;
  const inAppImage = src !== undefined && (process.env.APPIMAGE !== undefined || src.startsWith('/tmp/.mount_'));
  if (!inAppImage || src === undefined) return { params, cleanup: () => {} };
  const dir = mkdtempSync(path.join(tmpdir(), 'sandpiper-helper-'));
  cpSync(src, dir, { recursive: true, dereference: true });
  return { params: { ...params, source: dir }, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function runRootStep(params: RootStepParams, o: ElevateOptions = {}): Promise<RootStepResult> {
  // Root runs the step in-process; an explicit pkexec (tests) always goes through the elevation path.
  if (process.geteuid?.() === 0 && o.pkexec === undefined) return rootStep(params);
  const runtime = pickRuntime(params, o);
  const staged = stageReadableSource(params);
  try {
    const label = params.op === 'install' ? `sandpiper-helper-install` : 'sandpiper-helper-uninstall';
    const program = runtime.sealed === null ? runtime.path : '/proc/self/fd/3';
    const stdio: Array<'pipe' | number> = ['pipe', 'pipe', 'pipe'];
    if (runtime.sealed !== null) stdio.push(runtime.sealed.fd);
    const child = spawn(o.pkexec ?? 'pkexec', [program, '-', label, params.version ?? ''], { stdio: stdio as ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { out += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { err += d; });
    child.stdin.on('error', () => {}); // pkexec may exit before reading (dismissed)
    child.stdin.end(rootScript(staged.params));
    const code = await new Promise<number>((resolve, reject) => {
      child.on('error', (e) => reject(new ElevationError(`cannot run pkexec: ${e.message}`, 69)));
      child.on('close', (c, sig) => resolve(c ?? (sig ? 128 : 1)));
    });
    if (code === PkexecExitCode.dismissed) throw new ElevationError('authentication was dismissed; nothing was changed', 126);
    if (code === PkexecExitCode.notAuthorised) throw new ElevationError('not authorised to install the capture helper; nothing was changed', 127);
    const r: RootStepResult | null = parseResult(out);
    if (r === null) throw new ElevationError(`the install step failed (exit ${code})${err.trim() ? `: ${err.trim().split('\n').pop()}` : ''}`, 1);
    return { ...r, via: runtime.sealed === null ? `pkexec ${runtime.path}` : "pkexec with Sandpiper's own Node runtime, sealed in memory" };
  } finally {
    staged.cleanup();
    runtime.sealed?.close();
  }
}

interface PickedRuntime {
  path: string;
  /** Set when the runtime is the bundle's own, sealed in a memfd (run as /proc/self/fd/3). */
  sealed: SealedRuntime | null;
}

/**
 * Installed Sandpiper runtime (a root-owned path, the clearest prompt) → the bundle's runtime sealed in a memfd
 * (works on any machine; install only, it needs the bundle) → a root-owned system Node.
 */
function pickRuntime(params: RootStepParams, o: ElevateOptions): PickedRuntime {
  if (o.node !== undefined && o.node !== 'sealed') return { path: o.node, sealed: null };
  const { installed, system } = trustedNodeRuntimes();
  if (installed[0] !== undefined && o.node === undefined) return { path: installed[0], sealed: null };
  let sealError = '';
  if (params.op === 'install' && params.source !== undefined && params.sums !== undefined) {
    try {
      return { path: '/proc/self/fd/3', sealed: sealBundledRuntime(params.source, parseSums(params.sums)) };
    } catch (e) {
      sealError = ` (sealing the bundled runtime failed: ${e instanceof Error ? e.message : String(e)})`;
    }
  }
  if (system[0] !== undefined) return { path: system[0], sealed: null };
  throw new ElevationError(
    `no root-safe Node runtime to run the install step${sealError}: install the Sandpiper .deb, or run \`sudo sandpiper helper install\``,
    69,
  );
}
