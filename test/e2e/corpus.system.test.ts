/**
 * Every capture of the shared tcpdump corpus that has flows, opened in the product UI (`sandpiper ui`'s server, the
 * page in Debian's Chromium, the file uploaded through the picker): the flows grid holds exactly the flows
 * `sandpiper read` lists for the file (its aria-rowcount is that number plus the header row). Files keep every flow
 * they hold, ended ones included; a file corrupt past its first bytes shows the flows read up to the damage, as
 * `read` prints them.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startUiServer, type UiServer } from '../../src/engine-host/ui-server.ts';
import { createEngine } from '../../src/engine/engine.ts';
import { artifact, e2eSkipReason, launchChromium } from './support.ts';
import { REPO_ROOT, RENDERER_DIR } from './bridge/server.ts';

const CORPUS = path.resolve(REPO_ROOT, '../shared/pcaps/tcpdump');
const skip = e2eSkipReason() ?? (existsSync(CORPUS) ? null : `the shared tcpdump corpus is not at ${CORPUS}`);

/** How many flows `sandpiper read FILE` lists: those evicted while reading, then the rest (read.ts does the same). */
function readCount(file: string): number {
  const e = createEngine({ detail: false });
  let n = 0;
  e.onFlowEvicted(() => n++);
  try {
    e.push(readFileSync(file));
    e.end();
  } catch {
    // Corrupt or truncated: read prints the flows read so far.
  }
  for (const _ of e.flows()) n++;
  return n;
}

let server: UiServer;
let browser: Browser;

before(async () => {
  if (skip) return;
  server = await startUiServer({ rendererDir: RENDERER_DIR, host: {} });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/** Opens `file` through the picker and waits until the page says it was read (or shows why it stopped). */
async function open(page: Page, file: string): Promise<void> {
  // The last file's error, if any, goes first, so that the wait below sees this file's outcome.
  const alert = page.getByRole('alert');
  if (await alert.count()) {
    await alert.getByRole('button', { name: 'Dismiss' }).click();
    await alert.waitFor({ state: 'detached' });
  }
  const button = page.getByRole('button', { name: /Open file/ });
  for (let i = 0; i < 300 && !(await button.isEnabled()); i++) await page.waitForTimeout(50);
  const chooser = page.waitForEvent('filechooser');
  await button.click();
  await (await chooser).setFiles(file);
  const opened = page.getByLabel('Capture statistics').getByText(`Opened ${path.basename(file)}`, { exact: true });
  try {
    await opened.or(page.getByRole('alert')).first().waitFor({ timeout: 30_000 });
  } catch (e) {
    await page.screenshot({ path: artifact(`corpus-stuck-${path.basename(file)}.png`) });
    throw new Error(`${path.basename(file)}: neither read nor refused; status bar says "${await page.getByLabel('Capture statistics').textContent()}"`, { cause: e });
  }
}

/** The grid's aria-rowcount once it has settled at `want` (the last update follows the end of the read), else its last value. */
async function rowCount(page: Page, want: number): Promise<number> {
  const grid = page.getByRole('grid');
  let n = -1;
  for (let i = 0; i < 50; i++) {
    n = Number(await grid.getAttribute('aria-rowcount')) - 1;
    if (n === want) return n;
    await page.waitForTimeout(100);
  }
  return n;
}

test('every corpus file with flows shows in the UI exactly the flows sandpiper read lists', { skip: skip ?? false, timeout: 1_500_000 }, async () => {
  const files = readdirSync(CORPUS)
    .filter((f) => /\.(pcap|pcapng|cap)$/i.test(f))
    .sort()
    .map((f) => path.join(CORPUS, f));
  const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  await page.goto(server.url);
  await page.getByRole('tab', { name: 'Flows' }).click();
  const mismatches: string[] = [];
  let checked = 0;
  for (const file of files) {
    const want = readCount(file);
    if (want === 0) continue;
    await open(page, file);
    const got = await rowCount(page, want);
    checked++;
    if (got !== want) mismatches.push(`${path.basename(file)}: read lists ${want}, the UI shows ${got}`);
  }
  assert.deepEqual(mismatches, []);
  assert.deepEqual(problems, []);
  assert.ok(checked > 300, `only ${checked} corpus files had flows`);
});
