/**
 * Runs the filter check (src/engine-host/filter-check.ts, bundled like the engine host) in a child Node at a chosen
 * place in a package layout, optionally as if Electron had set process.resourcesPath, and reports what it answered
 * and which koffi files it loaded. Used by the packaging tests to show koffi loads from outside the asar.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import type { Result } from '../../src/shared/ipc.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface ProbeResult {
  good: Result;
  bad: Result;
  /** Every loaded module file whose path mentions koffi. */
  koffiFiles: string[];
}

export async function probeFilterCheck(bundleFile: string, resourcesPath?: string): Promise<ProbeResult> {
  mkdirSync(path.dirname(bundleFile), { recursive: true });
  await build({
    entryPoints: [path.join(root, 'src/engine-host/filter-check.ts')],
    outfile: bundleFile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    logLevel: 'silent',
    banner: { js: "import { createRequire as __sp_cr } from 'node:module'; const require = __sp_cr(import.meta.url);" },
  });
  const script = `${bundleFile}.probe.mjs`;
  writeFileSync(
    script,
    `import { createRequire } from 'node:module';
const [bundle, res] = process.argv.slice(2);
if (res) process.resourcesPath = res;
const m = await import(bundle);
const good = m.validateFilter('tcp port 443');
const bad = m.validateFilter('tcp port');
const koffiFiles = Object.keys(createRequire(import.meta.url).cache).filter((f) => f.includes('koffi'));
process.stdout.write(JSON.stringify({ good, bad, koffiFiles }));
`,
  );
  const r = spawnSync(process.execPath, [script, pathToFileURL(bundleFile).href, resourcesPath ?? ''], { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`filter-check probe failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout) as ProbeResult;
}
