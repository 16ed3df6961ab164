/**
 * `sandpiper helper install|uninstall|status`: the root-owned copy of the capture helper and its polkit action.
 * Exit status: 0 done / ready; 1 refused or not ready (details on stderr / stdout); 3 status: not installed;
 * 64 usage; 69 cannot elevate; 126 / 127 authentication dismissed / not authorised.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { installHelper, uninstallHelper } from '../installer/admin.ts';
import { BuildInfoError, loadBuildInfo, type BuildInfo } from '../installer/build-info.ts';
import { ElevationError } from '../installer/elevate.ts';
import { describeCheck, ManifestError } from '../installer/manifest.ts';
import { helperStatus, type HelperStatus } from '../installer/status.ts';

const USAGE = `usage:
  sandpiper helper install [--source DIR]   copy the helper to a root-owned directory and install its polkit action
  sandpiper helper uninstall                remove what install added
  sandpiper helper status [--json]          show installed copies, their hash check and the polkit action
`;

function say(line: string): void {
  process.stderr.write(`sandpiper: ${line}\n`);
}

export function formatStatus(s: HelperStatus, origin: BuildInfo['origin']): string {
  const lines = [`app version ${s.appVersion} (helper hashes: ${origin === 'embedded' ? 'built into the app' : 'from the source checkout'})`];
  if (s.copies.length === 0) lines.push('installed helper: none');
  for (const c of s.copies) {
    lines.push(`installed helper ${c.version ?? '(other version)'} [${c.kind}]: ${c.launcher}`);
    lines.push(`  ownership and modes: ${c.problems.length === 0 ? 'root-owned, writable by root only' : c.problems.map((p) => `${p.path} ${p.problem}`).join('; ')}`);
    const against = c.hashSource === 'app' ? "this app's hashes" : 'its own SHA256SUMS';
    lines.push(`  SHA-256: ${c.hashes === null ? (c.hashError ?? 'not checked') : `${describeCheck(c.hashes)} (against ${against})`}`);
  }
  const p = s.policy;
  if (!p.present) lines.push(`polkit action: missing (${p.path})`);
  else {
    lines.push(`polkit action: ${p.path}${p.problems.length ? ` — ${p.problems.map((x) => `${x.path} ${x.problem}`).join('; ')}` : ''}`);
    lines.push(`  runs: ${p.execPath ?? '(no exec.path)'} — ${p.launcherOk ? 'exists, root-owned' : 'MISSING or not root-owned'}`);
  }
  lines.push(`status: ${s.ready ? 'ready' : s.copies.length === 0 && !p.present ? 'not installed' : 'NOT READY'}`);
  return lines.join('\n') + '\n';
}

export async function runHelperAdmin(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === '--help' || sub === '-h') {
    process.stdout.write(USAGE);
    return 0;
  }
  if (sub === undefined) return usage('missing helper command');
  if (sub !== 'install' && sub !== 'uninstall' && sub !== 'status') return usage(`unknown helper command '${sub}'`);
  let build: BuildInfo;
  try {
    build = loadBuildInfo();
  } catch (e) {
    if (e instanceof BuildInfoError || e instanceof ManifestError) {
      say(e.message);
      return 1;
    }
    throw e;
  }
  try {
    switch (sub) {
      case 'install': {
        let source = build.checkoutHelperDir;
        for (let i = 0; i < rest.length; i++) {
          if (rest[i] === '--source' && rest[i + 1] !== undefined) source = path.resolve(rest[++i]);
          else return usage(`unknown option '${rest[i]}'`);
        }
        if (source === null || !existsSync(source)) {
          say(`no helper bundle to install${source ? ` (${source} does not exist)` : ''}: run \`npm run build\` or pass --source DIR`);
          return 1;
        }
        const r = await installHelper(build, source);
        if (!r.ok) {
          say(r.message);
          return 1;
        }
        process.stdout.write(`${r.message}\n${r.via === undefined ? '' : `(as root through ${r.via})\n`}`);
        return 0;
      }
      case 'uninstall': {
        if (rest.length) return usage(`unknown option '${rest[0]}'`);
        const r = await uninstallHelper();
        if (!r.ok) {
          say(r.message);
          return 1;
        }
        process.stdout.write(`${r.message}\n`);
        return 0;
      }
      case 'status': {
        const json = rest.includes('--json');
        const bad = rest.find((a) => a !== '--json');
        if (bad !== undefined) return usage(`unknown option '${bad}'`);
        const s = await helperStatus({ appVersion: build.version, appSums: build.sums });
        process.stdout.write(json ? `${JSON.stringify(s)}\n` : formatStatus(s, build.origin));
        return s.ready ? 0 : s.copies.length === 0 && !s.policy.present ? 3 : 1;
      }
      default:
        return usage(`unknown helper command '${sub}'`);
    }
  } catch (e) {
    if (e instanceof ElevationError) {
      say(e.message);
      return e.exitCode;
    }
    if (e instanceof Error && 'code' in e && typeof e.code === 'string' && 'path' in e) {
      // Filesystem refusals (EACCES, EROFS, ...) are the machine's answer, not a Sandpiper bug.
      say(`${e.code}: ${String(e.path)}: ${e.message.split('\n')[0]}`);
      return 1;
    }
    throw e;
  }
}

function usage(msg: string): number {
  process.stderr.write(`sandpiper: ${msg}\n${USAGE}`);
  return 64;
}
