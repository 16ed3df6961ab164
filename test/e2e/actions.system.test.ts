/**
 * Things to do with a flow, end to end in Debian's Chromium against `sandpiper ui`'s server (token URL, the app's
 * CSP, the API over a WebSocket): the row menu from a right-click and from Shift+F10, a filter from it, the table
 * exported as CSV and JSON (Blob downloads of every matching flow), and one flow's packets downloaded as pcap that
 * tshark reads with exactly the flow's packet count.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startUiServer, type UiServer } from '../../src/engine-host/ui-server.ts';
import { createSourceEngine } from '../../src/engine-host/engine-adapter.ts';
import { e2eSkipReason, launchChromium, problemsOf, waitText, watchProblems } from './support.ts';
import { RENDERER_DIR } from './bridge/server.ts';
import { eth, ipv4, pcap, tcpConnection, udp, TCP, type Rec } from '../engine/capture-fixtures.ts';

const skip = e2eSkipReason();
const A = '192.0.2.1';
const B = '198.51.100.7';
const T0 = 1_700_000_000;
/** 30 UDP flows to port 53 (1 to 3 packets each) and one TCP connection to port 443 of 6 packets. */
const UDP_FLOWS = 30;

function capture(): Uint8Array {
  const recs: Rec[] = [];
  for (let i = 0; i < UDP_FLOWS; i++) {
    for (let k = 0; k <= i % 3; k++) recs.push({ ts: T0 + i + k / 10, data: eth(0x0800, ipv4(A, B, 17, udp(20_000 + i, 53, [i, k]))) });
  }
  const t = tcpConnection(A, B, 40_000, 443);
  // The TCP connection comes first, so the table's default (arrival) order shows it on the first screen.
  recs.unshift(t(T0 - 1, true, TCP.SYN), t(T0 - 0.9, false, TCP.SYN | TCP.ACK), t(T0 - 0.8, true, TCP.ACK), t(T0 - 0.7, true, TCP.PSH | TCP.ACK, [1, 2, 3]), t(T0 - 0.6, false, TCP.PSH | TCP.ACK, [4]), t(T0 - 0.5, true, TCP.FIN | TCP.ACK));
  return pcap(recs);
}

let dir = '';
let file = '';
let server: UiServer;
let browser: Browser;

before(async () => {
  if (skip) return;
  dir = mkdtempSync(path.join(tmpdir(), 'sp-e2e-actions-'));
  file = path.join(dir, 'flows.pcap');
  writeFileSync(file, capture());
  server = await startUiServer({ rendererDir: RENDERER_DIR, host: { createEngine: createSourceEngine } });
  const r = await server.openPath(file);
  assert.equal(r.ok, true);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function openFlows(): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 820 }, acceptDownloads: true });
  watchProblems(page);
  await page.goto(server.url);
  await page.getByRole('tab', { name: 'Flows' }).click();
  await waitText(page.locator('#flow-filter-count'), new RegExp(`^${UDP_FLOWS + 1} flows$`));
  return page;
}

/** The page's document, typed for what the tests read (they are type-checked without the DOM library). */
interface PageDoc {
  document: { activeElement: { getAttribute(n: string): string | null } | null };
}
const activeRole = (page: Page) => page.evaluate(() => (globalThis as unknown as PageDoc).document.activeElement?.getAttribute('role') ?? null);

const dataRows = (page: Page) => page.getByRole('grid', { name: 'Flows' }).locator('[role="row"][data-flow-id]');

/** A download the page starts with `act`, saved into the test directory; its name and text. */
async function download(page: Page, act: () => Promise<void>, as: string): Promise<{ name: string; bytes: Buffer }> {
  const dl = page.waitForEvent('download');
  await act();
  const d = await dl;
  const to = path.join(dir, as);
  await d.saveAs(to);
  return { name: d.suggestedFilename(), bytes: readFileSync(to) };
}

test('the row menu opens from a right-click and from Shift+F10; its filter filters the table; Esc returns to the row', { skip: skip ?? false }, async () => {
  const page = await openFlows();
  const tcpRow = dataRows(page).filter({ hasText: 'tcp' }).first();
  await tcpRow.click({ button: 'right' });
  const menu = page.getByRole('menu', { name: 'Flow actions' });
  await menu.waitFor();
  assert.equal(await activeRole(page), 'menuitem');
  await page.keyboard.press('Escape');
  await menu.waitFor({ state: 'detached' });
  const grid = page.getByRole('grid', { name: 'Flows' });
  assert.equal(await grid.evaluate((g) => g === (globalThis as unknown as PageDoc).document.activeElement), true, 'focus back on the table');
  const active = await grid.getAttribute('aria-activedescendant');
  assert.equal(active, await tcpRow.getAttribute('id'), 'its active row is the flow the menu was for');
  await page.keyboard.press('Shift+F10');
  await menu.waitFor();
  await page.getByRole('menuitem', { name: 'Filter on port 443' }).click();
  await waitText(page.locator('#flow-filter-count'), new RegExp(`^1 of ${UDP_FLOWS + 1} flows$`));
  assert.equal(await page.getByRole('combobox', { name: 'Filter flows' }).inputValue(), 'port:443');
  assert.deepEqual(problemsOf(page), []);
  await page.close();
});

test('Export table… downloads every flow the filter keeps, in the table’s order, as CSV and as JSON', { skip: skip ?? false }, async () => {
  const page = await openFlows();
  // Sorted by bytes, largest first; only UDP, which is more rows than the screen shows.
  await page.getByRole('combobox', { name: 'Filter flows' }).fill('proto:udp');
  await waitText(page.locator('#flow-filter-count'), new RegExp(`^${UDP_FLOWS} of ${UDP_FLOWS + 1} flows$`));
  await page.getByRole('columnheader', { name: /Bytes/ }).getByRole('button').click();
  const button = page.getByRole('button', { name: 'Export table…' });
  const csv = await download(page, async () => {
    await button.focus();
    await page.keyboard.press('Enter');
    await page.getByRole('menuitem', { name: /^CSV/ }).waitFor();
    await page.keyboard.press('Enter');
  }, 'table.csv');
  assert.equal(csv.name, 'flows.csv');
  const lines = csv.bytes.toString('utf8').split('\r\n');
  assert.match(lines[0], /^id,proto,src,sport,dst,dport,/);
  assert.equal(lines.length, 1 + UDP_FLOWS + 1, 'a header, every UDP flow, and the final CRLF');
  assert.ok(lines.slice(1, -1).every((l) => l.split(',')[1] === 'udp'));
  const json = await download(page, async () => {
    await button.click();
    await page.getByRole('menuitem', { name: /^JSON/ }).click();
  }, 'table.json');
  assert.equal(json.name, 'flows.json');
  const flows = JSON.parse(json.bytes.toString('utf8')) as { type: string; bytes_fwd: number; bytes_rev: number }[];
  assert.equal(flows.length, UDP_FLOWS);
  assert.ok(flows.every((f) => f.type === 'flow'));
  const bytes = flows.map((f) => f.bytes_fwd + f.bytes_rev);
  assert.deepEqual(bytes, [...bytes].sort((a, b) => b - a), 'largest first, as the table shows');
  await waitText(page.getByLabel('Capture statistics'), new RegExp(`Exported ${UDP_FLOWS} flows to flows\\.json`));
  assert.deepEqual(problemsOf(page), []);
  await page.close();
});

test("a flow's packets download as a pcap that tshark reads with exactly the flow's packet count", { skip: skip ?? false }, async (t) => {
  const page = await openFlows();
  const row = dataRows(page).filter({ hasText: 'tcp' }).first();
  await row.click({ button: 'right' });
  const saved = await download(page, () => page.getByRole('menuitem', { name: 'Save this flow’s packets as pcap…' }).click(), 'flow.pcap');
  assert.match(saved.name, /^flow-\d+\.pcap$/);
  const r = spawnSync('tshark', ['-n', '-r', path.join(dir, 'flow.pcap'), '-T', 'fields', '-e', 'frame.number'], { encoding: 'utf8', env: { ...process.env, HOME: dir } });
  if (r.error) t.diagnostic('tshark is not installed: the count is not checked by tshark');
  else assert.equal(r.stdout.split('\n').filter((l) => l.trim() !== '').length, 6);
  await waitText(page.getByLabel('Capture statistics'), /Saved 6 packets of flow \d+ to flow-\d+\.pcap/);
  // And from the details drawer.
  await row.dblclick();
  const drawer = page.getByRole('complementary', { name: 'Flow details' });
  const again = await download(page, () => drawer.getByRole('button', { name: 'Save packets…' }).click(), 'flow2.pcap');
  assert.deepEqual(again.bytes, saved.bytes);
  assert.deepEqual(problemsOf(page), []);
  await page.close();
});
