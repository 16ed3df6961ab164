import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { spawnSync } from 'node:child_process';
import type { CorpusResult } from './corpus-worker.ts';
import { CORPUS_DIR, REPO_ROOT, SYSTEM_NODE, ensureCliBundle } from './cli-bundle.ts';

const absent = existsSync(CORPUS_DIR) ? null : `tcpdump corpus not found at ${CORPUS_DIR}`;
const MAX_FLOWS = 64;
/** A file taking longer than this has hung: the watchdog names it. */
const WATCHDOG_MS = 30_000;

function runCorpus(files: string[]): Promise<CorpusResult[]> {
  return new Promise((resolve, reject) => {
    const results: CorpusResult[] = [];
    const w = new Worker(new URL('./corpus-worker.ts', import.meta.url), { workerData: { dir: CORPUS_DIR, files, maxFlows: MAX_FLOWS } });
    let current = '';
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        void w.terminate();
        reject(new Error(`watchdog: ${current} did not finish within ${WATCHDOG_MS} ms`));
      }, WATCHDOG_MS);
    };
    w.on('message', (m: { start?: string; result?: CorpusResult }) => {
      if (m.start) {
        current = m.start;
        arm();
      }
      if (m.result) results.push(m.result);
    });
    w.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    w.on('exit', () => {
      clearTimeout(timer);
      resolve(results);
    });
  });
}

test('every tcpdump corpus file: read or CaptureFormatError, nothing else, flows within the cap, flow lines as their records print', { skip: absent ?? false }, async () => {
  const files = readdirSync(CORPUS_DIR).sort();
  assert.ok(files.length > 100, `expected the tcpdump corpus, found ${files.length} files`);
  const results = await runCorpus(files);
  assert.equal(results.length, files.length);
  const exceptions = results.filter((r) => r.outcome === 'exception');
  assert.deepEqual(exceptions.map((r) => `${r.file}: ${r.detail}`), []);
  for (const r of results) assert.ok(r.maxLive <= MAX_FLOWS, `${r.file}: ${r.maxLive} live flows`);
  // The line written from the table in place is the record's line, for every flow of every file.
  assert.deepEqual(results.filter((r) => r.jsonMismatch !== '').map((r) => `${r.file}:\n${r.jsonMismatch}`), []);
  const ok = results.filter((r) => r.outcome === 'ok');
  // Nearly all of the corpus is well-formed pcap/pcapng (the odd one out is its LICENSE file).
  assert.ok(ok.length >= files.length - 10, `only ${ok.length} of ${files.length} read cleanly`);
  assert.ok(ok.reduce((n, r) => n + r.packets, 0) > 5000);
  const license = results.find((r) => r.file === 'LICENSE');
  if (license) assert.equal(license.outcome, 'format-error');
});

test('a sample of the corpus through the CLI bundle on the system Node: JSON lines, summary, exit 0 or 65', { skip: absent ?? false }, () => {
  const cli = ensureCliBundle();
  const files = readdirSync(CORPUS_DIR).sort().filter((_, i) => i % 40 === 0);
  files.push('LICENSE');
  for (const f of files) {
    const path = `${CORPUS_DIR}/${f}`;
    if (!existsSync(path)) continue;
    const r = spawnSync(SYSTEM_NODE, [cli, 'read', '--json', path], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 60_000 });
    assert.ok(r.status === 0 || r.status === 65, `${f}: exit ${r.status}, stderr ${r.stderr}`);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string });
    assert.equal(lines.at(-1)?.type, 'summary', f);
    assert.ok(lines.slice(0, -1).every((l) => l.type === 'flow'), f);
    if (r.status === 65) assert.match(r.stderr, new RegExp(`^sandpiper: ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: .+ at byte \\d+\\n$`));
    else assert.equal(r.stderr, '', f);
  }
});
