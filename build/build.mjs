// Builds every part of Sandpiper that exists in the tree. Each entry is skipped while its source is absent,
// so the build stays green as parts land. Usage: node build/build.mjs [--only helper|cli|electron|renderer|geo]
import { build } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : null;
const want = (part) => only === null || only === part;
const src = (p) => path.join(root, p);

/** esbuild bundles for the unprivileged Node/Electron side. */
const bundles = [
  // Split: each subcommand's code (and the Node modules it imports) loads only when that subcommand runs.
  { part: 'cli', entry: 'src/cli/sandpiper.ts', out: 'dist/cli/sandpiper.js', format: 'esm', external: [], split: true },
  { part: 'electron', entry: 'src/main/main.ts', out: 'dist/main/main.js', format: 'esm', external: ['electron'] },
  { part: 'electron', entry: 'src/engine-host/main.ts', out: 'dist/main/engine-host.js', format: 'esm', external: ['electron'] },
  { part: 'electron', entry: 'src/preload/preload.ts', out: 'dist/preload/preload.cjs', format: 'cjs', external: ['electron'] },
];

// The privileged helper has its own build step (runtime, native parts, launcher).
if (want('helper') && existsSync(src('build/build-helper.mjs'))) {
  const { buildHelper } = await import('./build-helper.mjs');
  await buildHelper(root);
}

// The helper bundle's hashes and the app version are compiled into the app and the CLI, so the installer checks
// the helper against what this build carries, not against a file next to the helper (src/installer).
// The files' sizes too: the root install step refuses a file of another size before copying it.
const helperSums = src('dist/helper/SHA256SUMS');
const helperSizes = () => {
  const names = readFileSync(helperSums, 'utf8').split('\n').filter(Boolean).map((l) => l.replace(/^[0-9a-fA-F]{64} [ *](\.\/)?/, ''));
  return Object.fromEntries(names.map((n) => [n, statSync(src(path.join('dist/helper', n))).size]));
};
const define = existsSync(helperSums)
  ? {
      __SANDPIPER_VERSION__: JSON.stringify(JSON.parse(readFileSync(src('package.json'), 'utf8')).version),
      __SANDPIPER_HELPER_SUMS__: JSON.stringify(readFileSync(helperSums, 'utf8')),
      __SANDPIPER_HELPER_SIZES__: JSON.stringify(JSON.stringify(helperSizes())),
    }
  : {};

for (const b of bundles) {
  if (!want(b.part) || !existsSync(src(b.entry))) continue;
  // Chunk names carry a content hash: drop the previous build's so stale ones do not pile up.
  if (b.split) rmSync(path.join(path.dirname(src(b.out)), 'chunks'), { recursive: true, force: true });
  await build({
    entryPoints: [src(b.entry)],
    ...(b.split
      ? { outdir: path.dirname(src(b.out)), entryNames: path.basename(b.out, '.js'), chunkNames: 'chunks/[name]-[hash]', splitting: true }
      : { outfile: src(b.out) }),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: b.format,
    external: b.external,
    define,
    sourcemap: 'linked',
    logLevel: 'warning',
    // ESM bundles may pull in CommonJS code that calls require().
    banner: b.format === 'esm' ? { js: "import { createRequire as __sp_cr } from 'node:module'; const require = __sp_cr(import.meta.url);" } : undefined,
  });
}


// Country and AS databases for offline lookups (src/engine/geo): the country MMDB is copied as it is; the ASN CSVs
// become the sorted range table the engine binary-searches. Rebuilt only when a source is newer than the output.
if (want('geo') || want('cli') || want('electron')) {
  const geoOut = src('dist/geo');
  const country = src('node_modules/@ip-location-db/geo-whois-asn-country-mmdb/geo-whois-asn-country.mmdb');
  const csv4 = src('node_modules/@ip-location-db/asn/asn-ipv4-num.csv');
  const csv6 = src('node_modules/@ip-location-db/asn/asn-ipv6-num.csv');
  const asnOut = path.join(geoOut, 'asn.bin');
  const countryOut = path.join(geoOut, 'country.mmdb');
  const stale = (out, ...ins) => !existsSync(out) || ins.some((i) => statSync(i).mtimeMs > statSync(out).mtimeMs);
  mkdirSync(geoOut, { recursive: true });
  if (stale(countryOut, country)) copyFileSync(country, countryOut);
  const encoder = src('src/engine/geo/asn-table-build.ts');
  if (stale(asnOut, csv4, csv6, encoder, src('src/engine/geo/asn-table.ts'))) {
    const tool = src('dist/build-tools/asn-table-build.mjs');
    await build({ entryPoints: [encoder], outfile: tool, bundle: true, platform: 'node', target: 'node20', format: 'esm', logLevel: 'warning' });
    const { buildAsnTable } = await import(`${pathToFileURL(tool).href}?${Date.now()}`);
    writeFileSync(asnOut, buildAsnTable(readFileSync(csv4, 'utf8'), readFileSync(csv6, 'utf8')));
  }
  for (const [from, to] of [
    ['node_modules/@ip-location-db/asn/DBIP-LICENSE', 'DBIP-LICENSE'],
    ['node_modules/@ip-location-db/asn/ROUTEVIEWS-LICENSE', 'ROUTEVIEWS-LICENSE'],
    ['node_modules/@ip-location-db/geo-whois-asn-country-mmdb/NRO_LICENSE', 'NRO-LICENSE'],
    ['build/geo-NOTICE.txt', 'NOTICE.txt'],
  ]) copyFileSync(src(from), path.join(geoOut, to));
}

// The renderer is built by Vite from its own config.
if (want('renderer') && existsSync(src('src/renderer/vite.config.ts'))) {
  const r = spawnSync(process.execPath, [src('node_modules/vite/bin/vite.js'), 'build', '--config', src('src/renderer/vite.config.ts'), '--logLevel', 'warn'], { stdio: 'inherit', cwd: root });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
