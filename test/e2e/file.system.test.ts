/**
 * End to end in Debian's Chromium: the built renderer served by `sandpiper ui`'s server (the product path: token URL,
 * the app's CSP, the API over a WebSocket), reading a capture file of real traffic (made with tcpdump in a netns
 * pair) that the page uploads through its file picker, with src/engine-host and the real engine.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startUiServer, type UiServer } from '../../src/engine-host/ui-server.ts';
import { createSourceEngine } from '../../src/engine-host/engine-adapter.ts';
import { artifact, createNetnsPair, e2eSkipReason, launchChromium, makeTrafficCapture, PLAN_NAMES, waitText } from './support.ts';
import { RENDERER_DIR } from './bridge/server.ts';

const skip = e2eSkipReason({ netns: true });
let dir = '';
let capture = '';
let server: UiServer;
let browser: Browser;

before(async () => {
  if (skip) return;
  dir = mkdtempSync(path.join(tmpdir(), 'sp-e2e-file-'));
  capture = path.join(dir, 'traffic.pcap');
  const pair = createNetnsPair();
  try {
    await makeTrafficCapture(pair, dir, capture);
  } finally {
    pair.destroy();
  }
  server = await startUiServer({ rendererDir: RENDERER_DIR, host: { createEngine: createSourceEngine } });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The app in a new page; on its flows table unless `tab` says otherwise (it opens on the Overview). */
async function openPage(scheme: 'light' | 'dark' = 'light', o: { tab?: 'overview' | 'flows'; viewport?: { width: number; height: number } } = {}): Promise<Page> {
  const page = await browser.newPage({ viewport: o.viewport ?? { width: 1400, height: 820 }, colorScheme: scheme });
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  // A CSP violation shows up as a console error: the page must run under the app's policy without one.
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  (page as Page & { problems?: string[] }).problems = problems;
  await page.goto(server.url);
  await page.getByRole('button', { name: /Open file/ }).waitFor();
  if ((o.tab ?? 'flows') === 'flows') await page.getByRole('tab', { name: 'Flows' }).click();
  return page;
}

function problemsOf(page: Page): string[] {
  return (page as Page & { problems?: string[] }).problems ?? [];
}

/** "Open file…" as a person does it: the browser's file picker, then the page uploads the file. */
async function openCapture(page: Page, file: string): Promise<void> {
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: /Open file/ }).click();
  await (await chooser).setFiles(file);
}

/** What openAndRead uses in the page (the tests are type-checked without the DOM library). */
interface StatesPage {
  spStates: string[];
  MutationObserver: new (cb: () => void) => { observe(target: unknown, options: { childList: boolean; characterData: boolean; subtree: boolean }): void };
}

/**
 * Opens a capture and waits until the host has started reading it and stopped: the engine host is shared by the
 * tests, so a fresh page first shows the table an earlier test left, which the new read then replaces (closing the
 * drawer of a flow selected in it).
 */
async function openAndRead(page: Page, file: string): Promise<void> {
  // Every state the status bar shows from now on, seen by a MutationObserver (a read can be shorter than a poll).
  await page.getByLabel('Capture statistics').evaluate((footer) => {
    const dd = [...footer.querySelectorAll('dt')].find((d) => d.textContent === 'State')?.nextElementSibling;
    if (!dd) throw new Error('no State in the status bar');
    const g = globalThis as unknown as StatesPage;
    const seen: string[] = [];
    g.spStates = seen;
    new g.MutationObserver(() => seen.push(dd.textContent ?? '')).observe(dd, { childList: true, characterData: true, subtree: true });
  });
  await openCapture(page, file);
  await page.waitForFunction(() => {
    const seen = (globalThis as unknown as StatesPage).spStates;
    const i = seen.indexOf('reading');
    return i >= 0 && seen.slice(i + 1).includes('stopped');
  });
}

/**
 * Opens the good capture and waits until it is completely read (status bar says stopped) and its rows have settled:
 * the last update after the read (rates drop to zero once the source has stopped) may come a moment later.
 */
async function openAndLoad(page: Page): Promise<string[]> {
  await openAndRead(page, capture);
  let rows = await waitRows(page, (r) => r.length >= 8, 'flows loaded');
  for (let i = 0; i < 50; i++) {
    await page.waitForTimeout(300);
    const again = await waitRows(page, (r) => r.length >= 8, 'flows loaded');
    if (again.join('\n') === rows.join('\n')) return rows;
    rows = again;
  }
  assert.fail(`the rows never settled:\n${rows.join('\n')}`);
}

/**
 * Text of every data row in the grid (header excluded), in display order. Rows still loading (aria-busy
 * placeholders, shown until the host sends the rows of a new window) are left out: waitRows waits for them.
 */
async function rowTexts(page: Page): Promise<string[]> {
  const rows = page.getByRole('grid', { name: 'Flows' }).locator('[role="row"][aria-rowindex]:not([aria-rowindex="1"]):not([aria-busy="true"])');
  return rows.evaluateAll((els) =>
    els
      .map((e) => ({ i: Number(e.getAttribute('aria-rowindex')), t: [...e.querySelectorAll('[role="gridcell"]')].map((c) => c.getAttribute('aria-label') ?? c.textContent ?? '').join(' | ') }))
      .sort((a, b) => a.i - b.i)
      .map((x) => x.t),
  );
}

async function placeholders(page: Page): Promise<number> {
  return page.getByRole('grid', { name: 'Flows' }).locator('[role="row"][aria-busy="true"]').count();
}

/** Waits until no row is loading and the rows satisfy pred (the host answers each change a round trip later). */
async function waitRows(page: Page, pred: (rows: string[]) => boolean, what: string): Promise<string[]> {
  let rows: string[] = [];
  for (let i = 0; i < 100; i++) {
    rows = await rowTexts(page);
    if (pred(rows) && (await placeholders(page)) === 0) return rows;
    await page.waitForTimeout(100);
  }
  assert.fail(`${what}; rows were:\n${rows.join('\n')}`);
}

test('a capture file shows its flows with host names, a grey badge, in light and dark', { skip: skip ?? false }, async () => {
  for (const scheme of ['light', 'dark'] as const) {
    const page = await openPage(scheme);
    await openAndRead(page, capture);
    const rows = await waitRows(page, (r) => PLAN_NAMES.tlsNames.every((n) => r.some((x) => x.includes(n))), 'TLS flows with their SNI');
    for (const n of [...PLAN_NAMES.tlsNames, ...PLAN_NAMES.httpHosts]) assert.ok(rows.some((r) => r.includes(n)), `a row names ${n}`);
    assert.ok(rows.some((r) => r.includes('tcp/tls')), 'TLS recognised');
    assert.ok(rows.some((r) => r.includes('tcp/http')), 'HTTP recognised');
    assert.ok(rows.some((r) => r.includes('tcp/ssh')), 'SSH recognised');
    assert.ok(rows.some((r) => /udp\/dns/.test(r)), 'DNS recognised');
    const badge = page.getByRole('button', { name: /Show security details$/ });
    assert.equal(await badge.textContent(), 'File: no helper needed');
    assert.equal(await badge.getAttribute('data-tone'), 'neutral');
    await page.screenshot({ path: artifact(`e2e-file-${scheme}.png`) });
    assert.deepEqual(problemsOf(page), [], 'no page errors or CSP violations');
    await page.close();
  }
});

test('the Overview is the first screen: totals by program, domain and app of the file; an entry shows its flows', { skip: skip ?? false }, async () => {
  for (const scheme of ['light', 'dark'] as const) {
    for (const viewport of [{ width: 1400, height: 820 }, { width: 1024, height: 640 }]) {
      const page = await openPage(scheme, { tab: 'overview', viewport });
      assert.equal(await page.getByRole('tab', { name: 'Overview' }).getAttribute('aria-selected'), 'true');
      await openAndRead(page, capture);
      const domains = page.getByRole('region', { name: 'Domains' });
      // Every name of the plan is under sandpiper.test (.test is no public suffix: its registrable domain is sandpiper.test).
      await waitText(domains, /sandpiper\.test/);
      const apps = page.getByRole('region', { name: 'Apps' });
      for (const app of ['TLS', 'HTTP', 'DNS', 'SSH']) await apps.getByRole('button', { name: new RegExp(`^${app}:`) }).waitFor();
      // A file has no processes: every flow is in the one "unknown" entry.
      const programs = page.getByRole('region', { name: 'Programs' });
      await programs.getByRole('button', { name: /^Unknown program:/ }).waitFor();
      // The header stays one line and the four panels fit the window without scrolling the page.
      const fits = await page.evaluate(() => {
        const w = globalThis as unknown as { innerWidth: number; innerHeight: number; document: { documentElement: { scrollWidth: number; scrollHeight: number } } };
        return w.document.documentElement.scrollHeight <= w.innerHeight && w.document.documentElement.scrollWidth <= w.innerWidth;
      });
      assert.ok(fits, `the page fits ${viewport.width}×${viewport.height}`);
      // The status bar fits too (a long notice is shortened with an ellipsis, not scrolled out of sight).
      const bar = await page.getByLabel('Capture statistics').locator('div').first().evaluate((e) => [e.scrollWidth, e.clientWidth]);
      assert.ok(bar[0] <= bar[1], `the status bar fits ${viewport.width}×${viewport.height}: ${bar.join(' > ')}`);
      // One line: every control of the header overlaps every other vertically, and none runs past its right edge.
      const header = await page.locator('header').first().evaluate((h) => {
        const edge = h.getBoundingClientRect().right;
        const boxes = [...h.querySelectorAll('button, select, input')].map((e) => e.getBoundingClientRect());
        return { oneLine: Math.max(...boxes.map((b) => b.top)) < Math.min(...boxes.map((b) => b.bottom)), clipped: boxes.filter((b) => b.right > edge + 0.5).length };
      });
      assert.deepEqual(header, { oneLine: true, clipped: 0 }, `the header at ${viewport.width}×${viewport.height}`);
      await page.waitForTimeout(300);
      await page.screenshot({ path: artifact(`e2e-overview-${scheme}-${viewport.width}x${viewport.height}.png`) });
      assert.deepEqual(problemsOf(page), []);
      await page.close();
    }
  }
  // Choosing an entry shows the flows table filtered on it.
  const page = await openPage('light', { tab: 'overview' });
  await openAndRead(page, capture);
  await page.getByRole('region', { name: 'Apps' }).getByRole('button', { name: /^DNS:/ }).click();
  assert.equal(await page.getByRole('tab', { name: 'Flows' }).getAttribute('aria-selected'), 'true');
  assert.equal(await page.getByLabel('Filter flows').inputValue(), 'app:dns');
  const rows = await waitRows(page, (r) => r.length > 0 && r.every((x) => x.includes('/dns')), 'only DNS flows');
  assert.ok(rows.length >= PLAN_NAMES.dnsUdpNames.length);
  await page.getByRole('tab', { name: 'Overview' }).click();
  await page.getByRole('region', { name: 'Domains' }).getByRole('button', { name: /^sandpiper\.test:/ }).click();
  assert.equal(await page.getByLabel('Filter flows').inputValue(), 'domain:sandpiper.test');
  await waitRows(page, (r) => PLAN_NAMES.tlsNames.every((n) => r.some((x) => x.includes(n))), 'the flows under sandpiper.test');
  await page.close();
});

test('each number sits in its own cell under its header, ends where the header\'s label does, unclipped, and is named in Chromium\'s accessibility tree', { skip: skip ?? false }, async () => {
  const page = await openPage();
  const rows = await openAndLoad(page);
  // Each number is the text of its own grid cell: it must lie inside its column header's box and its row's, end where
  // the header's label ends (numeric labels are right-aligned with the values), and not be cut off; ended flows'
  // rows are dimmed (data-over) and the capture has both kinds.
  const misplaced = await page.getByRole('grid', { name: 'Flows' }).evaluate((grid) => {
    const out: string[] = [];
    const doc = grid.ownerDocument;
    const headerEls = [...grid.querySelectorAll('[role="columnheader"]')];
    const numeric = headerEls.map((h) => {
      const label = [...(h.querySelector('button')?.childNodes ?? [])].find((n) => n.nodeType === n.TEXT_NODE);
      return label && /Rate|Bytes|Packets|seen/i.test(label.textContent ?? '') ? label : null;
    });
    const labelRight = numeric.map((label) => {
      if (!label) return null;
      const range = doc.createRange();
      range.selectNodeContents(label);
      return range.getBoundingClientRect().right;
    });
    if (numeric.filter(Boolean).length !== 6) out.push(`${numeric.filter(Boolean).length} numeric headers, not 6`);
    let checked = 0;
    const rowEls = [...grid.querySelectorAll('[role="row"][aria-rowindex]:not([aria-rowindex="1"]):not([aria-busy="true"])')];
    for (const row of rowEls) {
      const rb = row.getBoundingClientRect();
      [...row.querySelectorAll('[role="gridcell"]')].forEach((cell, i) => {
        const right = labelRight[i];
        if (right === null || right === undefined) return;
        const text = cell.textContent ?? '';
        if (text === '') return void out.push(`row ${row.id}, column ${i}: empty`);
        const range = doc.createRange();
        range.selectNodeContents(cell);
        const r = range.getBoundingClientRect();
        const h = headerEls[i].getBoundingClientRect();
        checked++;
        if (r.left < h.left || r.right > h.right) out.push(`row ${row.id}, column ${i}: "${text}" at ${r.left}..${r.right}, header ${h.left}..${h.right}`);
        if (Math.abs(r.right - right) > 1) out.push(`row ${row.id}, column ${i}: "${text}" ends at ${r.right}, its label at ${right}`);
        if (r.top < rb.top || r.bottom > rb.bottom) out.push(`row ${row.id}, column ${i}: "${text}" at y ${r.top}..${r.bottom}, row ${rb.top}..${rb.bottom}`);
        if (cell.scrollWidth > cell.clientWidth) out.push(`row ${row.id}, column ${i}: "${text}" is cut off`);
      });
    }
    if (!rowEls.some((r) => r.hasAttribute('data-over')) || rowEls.every((r) => r.hasAttribute('data-over'))) out.push('the capture should have both open and ended flows');
    return checked >= 8 * 6 ? out : [...out, `only ${checked} numbers checked`];
  });
  assert.deepEqual(misplaced, []);
  // Chromium exposes every cell, by name, in each row's cell order.
  const cdp = await page.context().newCDPSession(page);
  type AxNode = { nodeId: string; childIds?: string[]; role?: { value?: string }; name?: { value?: string }; ignored?: boolean };
  const { nodes } = (await cdp.send('Accessibility.getFullAXTree')) as unknown as { nodes: AxNode[] };
  // The grid's own cells, in tree order (the chart's legend is a table of its own).
  const byId = new Map(nodes.map((n) => [n.nodeId, n]));
  const grid = nodes.find((n) => n.role?.value === 'grid' && n.name?.value === 'Flows');
  assert.ok(grid, 'the grid is in the accessibility tree');
  const cells: string[] = [];
  const walk = (n: AxNode): void => {
    if (!n.ignored && /^(grid)?cell$/i.test(n.role?.value ?? '')) cells.push(n.name?.value ?? '');
    for (const c of n.childIds ?? []) {
      const child = byId.get(c);
      if (child) walk(child);
    }
  };
  walk(grid);
  // The remote cell holds the row's star button (named "Favourite flow"), then the remote text; a remote name
  // shortened to fit its column is named by its full text instead (its aria-label, which rows already hold).
  const labelled = await page.getByRole('grid', { name: 'Flows' }).locator('[role="row"][aria-rowindex]:not([aria-rowindex="1"]):not([aria-busy="true"])').evaluateAll((els) =>
    els
      .map((e) => ({ i: Number(e.getAttribute('aria-rowindex')), l: e.querySelector('[role="gridcell"]')?.hasAttribute('aria-label') ?? false }))
      .sort((a, b) => a.i - b.i)
      .map((x) => x.l),
  );
  assert.equal(labelled.length, rows.length);
  const expected = rows.flatMap((r, k) => r.split(' | ').map((c, i) => (i === 0 && !labelled[k] ? `Favourite flow ${c}` : c)));
  assert.deepEqual(cells.slice(0, expected.length), expected);
  await cdp.detach();
  await page.close();
});

test('dragging across the chart shows exactly the flows seen in that time, and Whole capture all of them again', { skip: skip ?? false }, async () => {
  const page = await openPage();
  await openAndLoad(page);
  const grid = page.getByRole('grid', { name: 'Flows' });
  const total = Number(await grid.getAttribute('aria-rowcount')) - 1;
  const box = await page.locator('.bw-chart .u-over').boundingBox();
  if (!box) throw new Error('no chart plot area');
  const filter = page.getByLabel('Filter flows');
  // The same engine the host uses, read here: which flows were seen in [from, to].
  const e = createSourceEngine({ live: false });
  e.push(readFileSync(capture));
  e.end();
  const wants: number[] = [];
  // Two drags across the chart's time axis (a file's axis spans its packets), the second replacing the first.
  for (const [a, b] of [[0.3, 0.6], [0.85, 0.99]]) {
    await page.mouse.move(box.x + box.width * a, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * b, box.y + box.height / 2, { steps: 5 });
    await page.mouse.up();
    await waitText(page.getByText(/^Flows seen/), /Flows seen/);
    const m = /^seen:([\d.]+)-([\d.]+)$/.exec(await filter.inputValue());
    assert.ok(m, `the filter box holds one seen: range, not ${await filter.inputValue()}`);
    const [from, to] = [Number(m[1]), Number(m[2])];
    let want = 0;
    for (const f of e.flows()) if (e.numberKey('first_seen', f, false) <= to && e.numberKey('last_seen', f, false) >= from) want++;
    await page.waitForFunction(
      ([n]) => (globalThis as unknown as { document: { querySelector(s: string): { getAttribute(a: string): string | null } | null } }).document
        .querySelector('[role="grid"]')?.getAttribute('aria-rowcount') === String(n + 1),
      [want],
    );
    wants.push(want);
  }
  assert.ok(wants.some((w) => w < total), `some range holds fewer than all ${total} flows (${wants.join(', ')})`);
  await page.screenshot({ path: artifact('e2e-file-chart-range.png') });
  await page.getByRole('button', { name: 'Whole capture' }).click();
  assert.equal(await filter.inputValue(), '');
  await page.waitForFunction(
    ([n]) => (globalThis as unknown as { document: { querySelector(s: string): { getAttribute(a: string): string | null } | null } }).document
      .querySelector('[role="grid"]')?.getAttribute('aria-rowcount') === String(n + 1),
    [total],
  );
  assert.deepEqual(problemsOf(page), []);
  await page.close();
});

test('sorting by a column orders the rows, and aria-sort says so', { skip: skip ?? false }, async () => {
  const page = await openPage();
  await openAndLoad(page);
  const header = page.getByRole('columnheader', { name: /Packets/i });
  // By the header's place: a file hides the process column.
  const at = (await page.getByRole('columnheader').allTextContents()).findIndex((t) => /Packets/i.test(t));
  const packetsOf = (rows: string[]) => rows.map((r) => Number(r.split(' | ')[at].replace(/[^0-9]/g, '')));
  const inOrder = (xs: number[], dir: string | null) => xs.every((x, i) => i === 0 || (dir === 'ascending' ? xs[i - 1] <= x : xs[i - 1] >= x));
  await header.getByRole('button').click();
  // The header says so at once; the rows come in that order when the host answers.
  const first = await header.getAttribute('aria-sort');
  assert.ok(first === 'ascending' || first === 'descending', `aria-sort ${first}`);
  const a = packetsOf(await waitRows(page, (r) => r.length >= 8 && inOrder(packetsOf(r), first), `rows by packets, ${first}`));
  await header.getByRole('button').click();
  const second = await header.getAttribute('aria-sort');
  assert.notEqual(second, first);
  const b = packetsOf(await waitRows(page, (r) => r.length >= 8 && inOrder(packetsOf(r), second), `rows by packets, ${second}`));
  const asc = first === 'ascending' ? a : b;
  const desc = first === 'ascending' ? b : a;
  assert.deepEqual(asc, [...asc].sort((x, y) => x - y), `ascending: ${asc}`);
  assert.deepEqual(desc, [...desc].sort((x, y) => y - x), `descending: ${desc}`);
  assert.ok(desc[0] > desc.at(-1)!, 'the capture has flows of different sizes');
  await page.close();
});

test('filtering with host: and proto: keeps only the matching rows', { skip: skip ?? false }, async () => {
  const page = await openPage();
  const all = await openAndLoad(page);
  const count = page.locator('#flow-filter-count');
  const total = Number(/^([\d,]+) flows$/.exec((await count.textContent()) ?? '')?.[1].replaceAll(',', ''));
  assert.ok(total >= all.length, `the count says ${total} flows`);
  const filter = page.getByLabel('Filter flows');
  await filter.fill(`host:${PLAN_NAMES.tlsNames[0]}`);
  const one = await waitRows(page, (r) => r.length === 1, 'host: filter leaves one row');
  assert.ok(one[0].includes(PLAN_NAMES.tlsNames[0]), one[0]);
  // The count beside the filter: what passes it, of every flow read.
  assert.equal(await count.textContent(), `1 of ${total} flows`);
  await filter.fill('proto:udp');
  const udp = await waitRows(page, (r) => r.length >= 2 && r.every((x) => / udp/.test(x)), 'proto:udp leaves only the UDP rows');
  assert.ok(udp.length < all.length, udp.join('\n'));
  assert.equal(udp.length, all.filter((r) => / udp/.test(r)).length, 'every UDP flow is kept');
  await page.screenshot({ path: artifact('e2e-filter-proto-udp.png') });
  await filter.fill('');
  await waitRows(page, (r) => r.length === all.length, 'filter cleared');
  await page.close();
});

test('the details drawer shows every field of the selected flow', { skip: skip ?? false }, async () => {
  const page = await openPage();
  await openAndRead(page, capture);
  await waitRows(page, (r) => r.some((x) => x.includes(PLAN_NAMES.tlsNames[0])), 'TLS flow present');
  await page.getByRole('row').filter({ hasText: PLAN_NAMES.tlsNames[0] }).dblclick();
  const drawer = page.getByRole('complementary', { name: 'Flow details' });
  await drawer.waitFor();
  const text = (await drawer.textContent()) ?? '';
  assert.ok(text.includes(PLAN_NAMES.tlsNames[0]), 'SNI shown');
  assert.match(text, /h2/, 'ALPN shown');
  assert.match(text, /443/, 'port shown');
  await page.screenshot({ path: artifact('e2e-details.png') });
  await drawer.getByRole('button', { name: 'Close' }).click();
  await drawer.waitFor({ state: 'detached' });
  // A DNS flow's drawer lists the names it asked for.
  await page.getByRole('row').filter({ hasText: 'udp/dns' }).first().dblclick();
  await drawer.waitFor();
  assert.ok(((await drawer.textContent()) ?? '').includes(PLAN_NAMES.dnsUdpNames[0]), 'DNS query name shown');
  await page.close();
});

test('errors: an invalid capture filter is shown inline; a file that is not a capture shows what to do', { skip: skip ?? false }, async () => {
  const page = await openPage();
  await page.getByLabel('Capture filter (BPF)').fill('tcp port');
  const inline = page.locator('#bpf-error');
  await inline.waitFor();
  assert.match((await inline.textContent()) ?? '', /Invalid capture filter: .*syntax error/);
  await page.screenshot({ path: artifact('e2e-error-bad-filter.png') });
  await page.getByLabel('Capture filter (BPF)').fill('tcp port 443');
  await inline.waitFor({ state: 'detached' });

  const before = await openAndLoad(page);
  const banner = page.locator('[role="alert"][data-code="unreadable_file"]');
  const junk = path.join(dir, 'not-a-capture.pcap');
  writeFileSync(junk, 'this is not a packet capture, just text\n'.repeat(4));
  await openCapture(page, junk);
  await waitText(banner, /not-a-capture\.pcap/);
  await page.screenshot({ path: artifact('e2e-error-unreadable-file.png') });
  assert.match((await banner.textContent()) ?? '', /Cannot read not-a-capture\.pcap: .* at byte 0\./);
  assert.match((await banner.textContent()) ?? '', /Choose a pcap or pcapng file that you can read/);
  assert.deepEqual(await rowTexts(page), before, 'a file that is not a capture loses nothing on screen');
  assert.ok(existsSync(junk));
  await page.close();
});

test('a file the shell opens (FILE on the command line) is shown by a page opened later, under its own name', { skip: skip ?? false }, async () => {
  const r = await server.openPath(capture);
  assert.deepEqual(r, { ok: true, value: { path: capture } });
  const page = await openPage();
  await waitText(page.getByLabel('Capture statistics'), /stopped/i);
  await waitRows(page, (rows) => PLAN_NAMES.tlsNames.every((n) => rows.some((x) => x.includes(n))), 'the flows of the file opened at start');
  assert.deepEqual(problemsOf(page), []);
  await page.close();
});

test('the page without its token, or from another host name, gets nothing', { skip: skip ?? false }, async () => {
  const page = await browser.newPage();
  const u = new URL(server.url);
  const r = await page.goto(`${u.origin}/`);
  assert.equal(r?.status(), 404);
  assert.doesNotMatch(await page.content(), /Open file/);
  await page.close();
});
