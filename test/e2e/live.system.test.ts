/**
 * End to end in Debian's Chromium with a real live capture, the page served by `sandpiper ui`'s server (the product
 * path): the real helper (run as root, so no pkexec) captures inside a netns while real traffic flows; the page shows
 * the sandbox badge from the helper's own report, the security panel, and the flows with their host names; "Save
 * capture…" is a browser download.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { startUiServer, type UiServer } from '../../src/engine-host/ui-server.ts';
import { createSourceEngine } from '../../src/engine-host/engine-adapter.ts';
import { RENDERER_DIR } from './bridge/server.ts';
import { artifact, clientPlan, e2eSkipReason, exited, helperInNetns, netnsInterfaces, PLAN_NAMES, startLiveUi, waitGridNames, waitText, type LiveUi } from './support.ts';
import { createLiveCaptureStarter } from '../../src/engine-host/live-capture-adapter.ts';
import { TRAFFIC_SCRIPT } from '../support/traffic.ts';
import type { NetnsPair } from '../support/netns.ts';
import { COLUMN_IDS } from '../../src/shared/flows/columns.ts';

const skip = e2eSkipReason({ netns: true, helper: true });

/** Where the ↓ and ↑ rates stand among a row's cells (src/shared/flows/columns.ts). */
const RATE_COLUMNS = [COLUMN_IDS.indexOf('down'), COLUMN_IDS.indexOf('up')] as const;

/** UDP datagrams to HOST:PORT every 10 ms for 2 s, then exit. */
const STEADY_SENDER = `
const s = require('node:dgram').createSocket('udp4');
const [host, port] = process.argv.slice(1);
const buf = Buffer.alloc(1000);
const t = setInterval(() => s.send(buf, Number(port), host), 10);
setTimeout(() => { clearInterval(t); s.close(); }, 2000);
`;
let live: LiveUi | null = null;
let dir = '';
let pair: NetnsPair | null = null;
let server: UiServer;
let browser: Browser;

before(async () => {
  if (skip) return;
  live = await startLiveUi('sp-e2e-live-');
  ({ dir, pair, server, browser } = live);
});

after(async () => {
  await live?.close();
});

test('a live capture shows "fully enforced", the security panel, and the flows with host names', { skip: skip ?? false }, async () => {
  const p = pair!;
  const page = await browser.newPage({ viewport: { width: 1400, height: 820 } });
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(e.message));
  await page.goto(server.url);
  await page.getByRole('tab', { name: 'Flows' }).click();
  const badge = page.getByRole('button', { name: /Show security details$/ });
  assert.equal(await badge.getAttribute('data-tone'), 'grey', 'grey before any capture');
  await page.getByLabel('Interface').selectOption(p.ifA);
  await page.getByRole('button', { name: 'Start', exact: true }).click();
  await waitText(badge, /^Helper sandboxed$/, 30_000);
  assert.equal(await badge.getAttribute('data-tone'), 'green');
  assert.equal(await badge.textContent(), 'Helper sandboxed');
  assert.equal(await badge.getAttribute('title'), "The capture helper can't read your files, reach the network or regain admin rights.");

  // Real traffic from namespace a to the servers in b, while the helper captures a's veth.
  const client = p.spawn(p.a, process.execPath, [TRAFFIC_SCRIPT, 'client', JSON.stringify(clientPlan(p))], { stdio: 'ignore' });
  assert.equal(await exited(client, 'the traffic client'), 0, 'traffic client succeeded');
  const names = [...PLAN_NAMES.tlsNames, ...PLAN_NAMES.httpHosts];
  // Named as a screen reader names the cells: a name shortened to fit its column is labelled with its full text.
  const grid = await waitGridNames(page, new RegExp(names.map((n) => `(?=[\\s\\S]*${n.replaceAll('.', '\\.')})`).join('')), 30_000);
  assert.match(grid, /tcp\/tls/);
  assert.match(grid, new RegExp(p.ipB.replaceAll('.', '\\.')));
  await page.screenshot({ path: artifact('e2e-live-fully-enforced-light.png') });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: artifact('e2e-live-fully-enforced-dark.png') });
  await page.emulateMedia({ colorScheme: 'light' });

  // The security panel lists what the helper proved, from its own report.
  await badge.click();
  const panel = page.getByRole('dialog');
  await panel.waitFor();
  const text = (await panel.textContent()) ?? '';
  assert.match(text, /Landlock ABI 7/);
  assert.match(text, /no_new_privs/);
  assert.match(text, /uid 65534/);
  assert.match(text, /denied/);
  assert.match(text, /^Capture helper securityCloseThe capture helper can't read your files, reach the network or regain admin rights\./);
  await panel.getByText('Technical details').click();
  await page.screenshot({ path: artifact('e2e-live-security-panel.png') });
  // The panel at both window sizes, light and dark: it fits the window (its own box scrolls, not the page).
  for (const scheme of ['light', 'dark'] as const) {
    for (const [width, height] of [[1400, 820], [1024, 640]] as const) {
      await page.setViewportSize({ width, height });
      await page.emulateMedia({ colorScheme: scheme });
      const b = await panel.boundingBox();
      assert.ok(b !== null && b.x >= 0 && b.y >= 0 && b.x + b.width <= width + 0.5 && b.y + b.height <= height + 0.5, `the panel fits ${width}×${height}: ${JSON.stringify(b)}`);
      await page.screenshot({ path: artifact(`e2e-security-panel-${scheme}-${width}x${height}.png`) });
    }
  }
  await page.setViewportSize({ width: 1400, height: 820 });
  await page.emulateMedia({ colorScheme: 'light' });
  await page.keyboard.press('Escape');
  await panel.waitFor({ state: 'detached' });

  // A steady sender: its flow shows a rate while it sends, and 0 within 2 s of capture time once it stops.
  const port = 40999;
  // Its row is on the first screen whatever came before it (the table's default order is arrival).
  await page.getByRole('combobox', { name: 'Filter flows' }).fill(`port:${port}`);
  const sender = p.spawn(p.a, process.execPath, ['-e', STEADY_SENDER, p.ipB, String(port)], { stdio: 'ignore' });
  // When it stopped, noted as it happens: the rates are timed from then, however late the test gets to look.
  let senderExitAt = 0;
  sender.once('exit', () => (senderExitAt = Date.now()));
  const row = page.getByRole('row').filter({ hasText: `${p.ipB}:${port}` });
  const rates = async () => {
    const cells = row.first().getByRole('gridcell');
    return [await cells.nth(RATE_COLUMNS[0]).textContent(), await cells.nth(RATE_COLUMNS[1]).textContent()];
  };
  await row.first().waitFor({ timeout: 15_000 });
  let seen: (string | null)[] = [];
  for (let i = 0; i < 60 && !seen.some((r) => r !== null && r !== '0 B/s'); i++) {
    seen = await rates();
    await page.waitForTimeout(50);
  }
  assert.ok(seen.some((r) => r !== null && r !== '0 B/s'), `a rate while sending: ${JSON.stringify(seen)}`);
  await exited(sender, 'the sender');
  const stoppedAt = senderExitAt;
  let quiet: (string | null)[] = seen;
  while (Date.now() - stoppedAt < 4000 && quiet.some((r) => r !== '0 B/s')) {
    await page.waitForTimeout(50);
    quiet = await rates();
  }
  const fell = Date.now() - stoppedAt;
  assert.deepEqual(quiet, ['0 B/s', '0 B/s'], 'the rates fall to 0 once the flow is quiet');
  // Two seconds of capture time, plus an update interval and the page's frame.
  assert.ok(fell <= 2500, `the rates fell to 0 after ${fell} ms`);

  await page.getByRole('button', { name: 'Stop', exact: true }).click();
  await waitText(page.getByLabel('Capture statistics'), /stopped/i);
  assert.equal(server.engineHost.getStatus().state, 'stopped');
  assert.equal(server.engineHost.getStatus().error, null);

  // "Save capture…" is a download of the helper's pcap stream; capinfos reads it back.
  const saved = path.join(dir, 'saved-live.pcap');
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: /Save capture/ }).click();
  const d = await download;
  assert.equal(d.suggestedFilename(), 'capture.pcap');
  await d.saveAs(saved);
  assert.ok(existsSync(saved));
  const info = execFileSync('capinfos', ['-c', '-M', saved], { encoding: 'utf8' });
  const packets = Number(/Number of packets:\s+(\d+)/.exec(info)?.[1]);
  assert.ok(packets >= 40, `saved capture holds the traffic (${packets} packets)`);
  assert.deepEqual(problems, []);
  await page.close();
});

test('a helper capped below Landlock ABI 4 shows an amber "partially enforced" badge', { skip: skip ?? false }, async () => {
  const p = pair!;
  // The same real helper, told to use at most Landlock ABI 3 (no TCP restriction): its own report says partial.
  const partial = await startUiServer({
    rendererDir: RENDERER_DIR,
    host: { createEngine: createSourceEngine, startLive: createLiveCaptureStarter({ helperPath: helperInNetns(dir, p.a, ['--max-landlock-abi', '3']), launch: 'direct' }) },
    listInterfaces: () => netnsInterfaces(p, p.a),
  });
  const page = await browser.newPage({ viewport: { width: 1400, height: 820 } });
  try {
    await page.goto(partial.url);
    await page.getByLabel('Interface').selectOption(p.ifA);
    await page.getByRole('button', { name: 'Start', exact: true }).click();
    const badge = page.getByRole('button', { name: /Show security details$/ });
    const text = await waitText(badge, /partly/, 30_000);
    assert.match(text, /Helper partly sandboxed/);
    assert.equal(await badge.getAttribute('data-tone'), 'amber');
    assert.equal(partial.engineHost.getStatus().sandbox?.landlock_abi, 3);
    assert.equal(partial.engineHost.getStatus().sandbox?.net_restricted, false);
    await page.screenshot({ path: artifact('e2e-live-partially-enforced-light.png') });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: artifact('e2e-live-partially-enforced-dark.png') });
    await page.getByRole('button', { name: 'Stop', exact: true }).click();
    await waitText(page.getByLabel('Capture statistics'), /stopped/i);
  } finally {
    await page.close();
    await partial.close();
  }
});
