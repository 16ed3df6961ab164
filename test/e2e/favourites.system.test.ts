/**
 * End to end in Debian's Chromium against `sandpiper ui` with a real live capture in a netns: the user sets a
 * "host seen for the first time" notification and sees its toast when traffic starts; a host starred from the row
 * menu stays at the top of the table while newer flows arrive and whatever the sort.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { artifact, clientPlan, e2eSkipReason, exited, gridRowNames, rowNames, startLiveUi, waitGridNames, waitText, type LiveUi } from './support.ts';
import { TRAFFIC_SCRIPT } from '../support/traffic.ts';

const skip = e2eSkipReason({ netns: true, helper: true });

/** UDP datagrams to HOST from a new source port every 100 ms for 1.5 s: newer flows than any before. */
const NEW_FLOWS = `
const dgram = require('node:dgram');
const [host] = process.argv.slice(1);
let n = 0;
const t = setInterval(() => {
  const s = dgram.createSocket('udp4');
  s.send(Buffer.alloc(100), 41000 + n++, host, () => s.close());
}, 100);
setTimeout(() => clearInterval(t), 1500);
// Exits when done sending, whether or not every socket's close has run.
setTimeout(() => process.exit(0), 2500);
`;

let live: LiveUi | null = null;

before(async () => {
  if (skip) return;
  live = await startLiveUi('sp-e2e-favs-', { settingsPath: null });
});

after(async () => {
  await live?.close();
});

/** The table's first data row, its cells named as a screen reader names them (a shortened name by its full text). */
async function firstRow(page: Page): Promise<string> {
  return rowNames(page.locator('[data-flow-id]').first());
}

async function topRowsAre(page: Page, re: RegExp, what: string): Promise<void> {
  const end = Date.now() + 10_000;
  let text = '';
  while (!re.test((text = await firstRow(page)))) {
    if (Date.now() > end) assert.fail(`${what}: the first row is ${text}`);
    await page.waitForTimeout(100);
  }
}

test('a first-seen host notification appears during a live capture, and a starred host stays on top', { skip: skip ?? false }, async () => {
  const { pair: p, server, browser } = live!;
  const page = await browser.newPage({ viewport: { width: 1400, height: 820 } });
  // A step that cannot happen fails in seconds, saying which, instead of running into the test's timeout.
  page.setDefaultTimeout(20_000);
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(e.message));
  await page.goto(server.url);
  await page.getByRole('tab', { name: 'Flows' }).click();

  // The rules are the user's: a host seen for the first time.
  await page.getByRole('button', { name: /^Notifications/ }).click();
  const dialog = page.getByRole('dialog', { name: 'Notifications' });
  await dialog.getByRole('checkbox', { name: 'a host is seen for the first time' }).check();
  await dialog.getByRole('button', { name: 'Save' }).click();
  await dialog.waitFor({ state: 'detached' });
  assert.equal(await page.getByRole('button', { name: 'Notifications ✓' }).count(), 1);

  await page.getByLabel('Interface').selectOption(p.ifA);
  await page.getByRole('button', { name: 'Start', exact: true }).click();
  await waitText(page.getByRole('button', { name: /Show security details$/ }), /^Helper sandboxed$/, 30_000);

  const client = p.spawn(p.a, process.execPath, [TRAFFIC_SCRIPT, 'client', JSON.stringify(clientPlan(p))], { stdio: 'ignore' });
  assert.equal(await exited(client, 'the traffic client'), 0, 'traffic client succeeded');
  const toasts = page.getByRole('status', { name: 'Notifications' });
  const said = await waitText(toasts, /new host/i, 15_000);
  assert.match(said, /sandpiper\.test|10\.|192\.|fd/, 'the toast names a host');

  // Star the HTTP flow's host from its row menu: its flows go to the top.
  const host = 'web.e2e.sandpiper.test';
  await waitGridNames(page, new RegExp(host.replaceAll('.', '\\.')), 15_000);
  // The row whose remote cell's full text (its tooltip while hovered) is the host's.
  await page.locator('[data-flow-id]').filter({ has: page.locator(`[role="gridcell"][data-tip^="${host} · "]`) }).first().click({ button: 'right' });
  await page.getByRole('menuitem', { name: `Star host ${host}` }).click();
  await topRowsAre(page, new RegExp(host.replaceAll('.', '\\.')), 'after starring');
  const star = page.locator('[data-flow-id]').first().getByRole('img', { name: `Favourite host ${host}` });
  assert.equal(await star.count(), 1, 'the top row shows its star with an accessible name');

  // Newer flows arrive (the sort is by last seen, newest first): the favourite stays first.
  const sender = p.spawn(p.a, process.execPath, ['-e', NEW_FLOWS, p.ipB], { stdio: 'ignore' });
  await page.locator('[data-flow-id]').filter({ hasText: `${p.ipB}:41005` }).first().waitFor({ timeout: 15_000 });
  assert.match(await firstRow(page), new RegExp(host.replaceAll('.', '\\.')), 'a favourite stays above newer flows');
  await page.screenshot({ path: artifact('e2e-favourites-notifications-light.png') });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: artifact('e2e-favourites-notifications-dark.png') });
  await page.emulateMedia({ colorScheme: 'light' });
  await exited(sender, 'the sender of new flows');

  // Whatever the sort.
  await page.getByRole('columnheader', { name: /Bytes/ }).getByRole('button').click();
  await topRowsAre(page, new RegExp(host.replaceAll('.', '\\.')), 'sorted by bytes');
  // Favourites only: nothing else is shown.
  await page.getByRole('button', { name: 'Favourites only' }).click();
  const end = Date.now() + 10_000;
  for (;;) {
    const texts = await gridRowNames(page);
    if (texts.length > 0 && texts.every((t) => t.includes(host))) break;
    if (Date.now() > end) assert.fail(`favourites only shows: ${texts.join(' | ').slice(0, 400)}`);
    await page.waitForTimeout(100);
  }
  await page.getByRole('button', { name: 'Stop', exact: true }).click();
  await waitText(page.getByLabel('Capture statistics'), /stopped/i);
  assert.deepEqual(problems, []);
  await page.close();
});
