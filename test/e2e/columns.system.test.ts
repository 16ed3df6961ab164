/**
 * The flows table's columns and the details drawer's chart, end to end in Debian's Chromium against `sandpiper ui`'s
 * server (its settings file in a temporary folder): a column resized by dragging its edge and by the keyboard, and
 * one hidden from the Columns menu, both still so after a reload; the drawer's chart of one flow drawn from its
 * packets, with values in its legend under the pointer. Screenshots of the table and the drawer, light and dark, at
 * 1400×820 and 1024×640.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Locator, Page } from 'playwright-core';
import { artifact, e2eSkipReason, fileUi, problemsOf, waitText, watchProblems, type FileUi } from './support.ts';
import { eth, ipv4, pcap, tcpConnection, udp, TCP, type Rec } from '../engine/capture-fixtures.ts';

const skip = e2eSkipReason();
const UDP_FLOWS = 12;

/** A few UDP flows, and a TCP download of 20 s whose rate rises then falls (the drawer's chart has a shape). */
function capture(): Uint8Array {
  const [client, server, start] = ['192.0.2.1', '198.51.100.7', 1_700_000_000];
  const recs: Rec[] = Array.from({ length: UDP_FLOWS }, (_, i) => ({ ts: start + i, data: eth(0x0800, ipv4(client, server, 17, udp(20_000 + i, 53, [i]))) }));
  const t = tcpConnection(client, server, 40_000, 443);
  recs.push(t(start + 1, true, TCP.SYN), t(start + 1.1, false, TCP.SYN | TCP.ACK), t(start + 1.2, true, TCP.ACK));
  for (let s = 0; s < 20; s++) {
    const n = 1 + Math.round(8 * Math.sin((Math.PI * s) / 20));
    for (let k = 0; k < n; k++) {
      recs.push(t(start + 2 + s + k / 20, false, TCP.ACK | TCP.PSH, new Array(1200).fill(s)));
      recs.push(t(start + 2 + s + k / 20 + 0.01, true, TCP.ACK));
    }
  }
  recs.push(t(start + 23, true, TCP.FIN | TCP.ACK));
  recs.sort((x, y) => x.ts - y.ts);
  return pcap(recs);
}

let ui: FileUi | null = null;
before(async () => {
  if (!skip) ui = await fileUi(capture(), 'sp-e2e-columns-');
});
after(async () => {
  await ui?.close();
});

async function newPage(o: { width?: number; height?: number; scheme?: 'light' | 'dark' } = {}): Promise<Page> {
  const { browser, server } = ui as FileUi;
  const page = await browser.newPage({ viewport: { width: o.width ?? 1400, height: o.height ?? 820 }, colorScheme: o.scheme ?? 'light' });
  watchProblems(page);
  await page.goto(server.url);
  await showFlows(page);
  return page;
}

async function showFlows(page: Page): Promise<void> {
  await page.getByRole('tab', { name: 'Flows' }).click();
  await waitText(page.locator('#flow-filter-count'), new RegExp(`^${UDP_FLOWS + 1} flows$`));
}

const headerNames = (page: Page) => page.getByRole('columnheader').evaluateAll((hs) => hs.map((h) => (h.querySelector('button')?.textContent ?? '').replace(/[▲▼]/g, '')));
const edgeOf = (page: Page, label: string) => page.getByRole('separator', { name: `Resize ${label}` });
const widthOf = async (page: Page, label: string) => Number(await edgeOf(page, label).getAttribute('aria-valuenow'));
const headerWidth = (page: Page, label: string) => page.getByRole('columnheader', { name: label }).evaluate((h) => Math.round(h.getBoundingClientRect().width));

/** Waits until the settings file says `pred` (the page saves shortly after a change). */
async function savedSettings(pred: (s: { hiddenColumns: string[]; columnWidths: Record<string, number> }) => boolean): Promise<void> {
  const until = Date.now() + 5000;
  for (;;) {
    try {
      if (pred(JSON.parse(readFileSync((ui as FileUi).settingsPath, 'utf8')))) return;
    } catch {
      // Not written yet.
    }
    if (Date.now() > until) assert.fail('the settings were not saved as expected');
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('a column resized by dragging its edge and by arrow keys, and one hidden from the Columns menu, stay so after a reload', { skip: skip ?? false }, async () => {
  const page = await newPage();
  // Drag the Remote column's edge 80 px to the right.
  const remote0 = await widthOf(page, 'Remote');
  assert.ok(remote0 > 100, `Remote starts ${remote0} px wide`);
  const box = await edgeOf(page, 'Remote').boundingBox();
  assert.ok(box);
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2 + 40, box.y + box.height / 2, { steps: 4 });
  await page.mouse.move(box.x + box.width / 2 + 80, box.y + box.height / 2, { steps: 4 });
  await page.mouse.up();
  const remote1 = await widthOf(page, 'Remote');
  assert.ok(Math.abs(remote1 - (remote0 + 80)) <= 2, `dragged from ${remote0} to ${remote1}`);
  assert.equal(await headerWidth(page, 'Remote'), remote1);
  // The Local column from the keyboard (a file hides Process): Tab reaches its edge, → widens it by a step.
  assert.ok(!(await headerNames(page)).includes('Process'), 'a file hides the process column');
  const proc0 = await widthOf(page, 'Local');
  await edgeOf(page, 'Local').focus();
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  const proc1 = await widthOf(page, 'Local');
  assert.equal(proc1, proc0 + 16);
  // Hide Packets from the Columns… menu.
  await page.getByRole('button', { name: 'Columns…' }).click();
  const menu = page.getByRole('menu', { name: 'Columns' });
  await menu.getByRole('menuitemcheckbox', { name: /Packets/ }).click();
  assert.equal(await menu.getByRole('menuitemcheckbox', { name: /Packets/ }).getAttribute('aria-checked'), 'false');
  await page.keyboard.press('Escape');
  await menu.waitFor({ state: 'detached' });
  const shown = await headerNames(page);
  assert.ok(!shown.includes('Packets') && shown.includes('Bytes'), shown.join(', '));
  await savedSettings((s) => s.hiddenColumns.includes('packets') && s.columnWidths.remote === remote1 && s.columnWidths.local === proc1);

  await page.reload();
  await showFlows(page);
  assert.deepEqual(await headerNames(page), shown, 'the same columns after a reload');
  assert.equal(await widthOf(page, 'Remote'), remote1);
  assert.equal(await headerWidth(page, 'Remote'), remote1);
  assert.equal(await widthOf(page, 'Local'), proc1);
  // Every number still lies in its own column under its header (header and rows share the tracks).
  const misplaced = await page.getByRole('grid', { name: 'Flows' }).evaluate((grid) => {
    const heads = [...grid.querySelectorAll('[role="columnheader"]')].map((h) => h.getBoundingClientRect());
    const out: string[] = [];
    for (const row of grid.querySelectorAll('[role="row"][data-flow-id]')) {
      [...row.querySelectorAll('[role="gridcell"]')].forEach((c, i) => {
        const b = c.getBoundingClientRect();
        if (Math.abs(b.left - heads[i].left) > 0.5 || Math.abs(b.right - heads[i].right) > 0.5) out.push(`${row.id} cell ${i}`);
      });
    }
    return out;
  });
  assert.deepEqual(misplaced, []);
  assert.deepEqual(problemsOf(page), []);
  await page.close();
});

test('the details drawer charts the flow from its packets, with values under the pointer; screenshots of the table and the drawer', { skip: skip ?? false }, async () => {
  const page = await newPage();
  // Back to every column at its default width, from the header's own menu.
  await page.getByRole('columnheader', { name: 'State' }).click({ button: 'right' });
  const menu = page.getByRole('menu', { name: 'Columns' });
  const packets = menu.getByRole('menuitemcheckbox', { name: /Packets/ });
  if ((await packets.getAttribute('aria-checked')) === 'false') await packets.click();
  await menu.getByRole('menuitem', { name: 'Reset column widths' }).click();
  await page.keyboard.press('Escape');
  await savedSettings((s) => s.hiddenColumns.length === 0 && Object.keys(s.columnWidths).length === 0);
  await page.close();

  for (const scheme of ['light', 'dark'] as const) {
    for (const [width, height] of [[1400, 820], [1024, 640]] as const) {
      const p = await newPage({ width, height, scheme });
      await p.waitForTimeout(300);
      await p.screenshot({ path: artifact(`e2e-columns-table-${scheme}-${width}x${height}.png`) });
      await p.getByRole('region', { name: 'Bandwidth' }).screenshot({ path: artifact(`e2e-chart-${scheme}-${width}x${height}.png`) });
      await p.getByRole('row').filter({ hasText: ':443' }).dblclick();
      const drawer = p.getByRole('complementary', { name: 'Flow details' });
      const chart = drawer.getByRole('img', { name: /^Traffic of flow \d+ from / });
      await chart.waitFor();
      assert.match((await chart.getAttribute('aria-label')) ?? '', /peak ↓ [\d.]+ kB\/s/);
      // Under the pointer, the legend shows the bin's time and its rates.
      const over = chart.locator('.u-over');
      const ob = await over.boundingBox();
      assert.ok(ob);
      await p.mouse.move(ob.x + ob.width / 2, ob.y + ob.height / 2);
      const values = await chart.locator('.u-legend .u-value').allTextContents();
      assert.equal(values.length, 3, values.join(' | '));
      assert.match(values[0], /^\d\d:\d\d:\d\d/);
      assert.match(values[1], /^[\d.]+ k?B\/s$/);
      // Labelled axes: clock times along the bottom, rates up the side (drawn on the canvas; uPlot keeps no text nodes).
      assert.equal(await chart.locator('canvas').count(), 1);
      await p.screenshot({ path: artifact(`e2e-columns-drawer-${scheme}-${width}x${height}.png`) });
      assert.deepEqual(problemsOf(p), []);
      await p.close();
    }
  }
});

type Box = { left: number; right: number; top: number; bottom: number };

/** Where the drawer and the selected row's rate cells are, in the viewport's pixels. */
async function drawerGeometry(page: Page) {
  const box = async (l: Locator): Promise<Box | null> => {
    const b = await l.boundingBox();
    return b === null ? null : { left: b.x, right: b.x + b.width, top: b.y, bottom: b.y + b.height };
  };
  const d = page.getByRole('complementary', { name: 'Flow details' });
  const grid = page.getByRole('grid', { name: 'Flows' });
  const g = await box(grid);
  // The grid scrolls: its visible part is its client box (without its scroll bars).
  const [cw, ch] = await grid.evaluate((e) => [e.clientWidth, e.clientHeight]);
  const heads = await headerNames(page);
  const cells = page.locator('[role="row"][aria-selected="true"]').getByRole('gridcell');
  const cell = (label: string) => cells.nth(heads.indexOf(label));
  const figures = [];
  for (const f of [d.getByText(/^↓ /).first(), d.getByText(/^↑ /).first()]) figures.push({ text: (await f.textContent()) ?? '', box: await box(f) });
  return {
    viewport: page.viewportSize() ?? { width: 0, height: 0 },
    drawer: await box(d),
    table: g === null ? null : { ...g, right: g.left + cw, bottom: g.top + ch },
    down: await box(cell('↓ Rate')),
    up: await box(cell('↑ Rate')),
    texts: { down: (await cell('↓ Rate').textContent()) ?? '', up: (await cell('↑ Rate').textContent()) ?? '' },
    figures,
  };
}

const inside = (a: Box, b: Box) => a.left >= b.left - 0.5 && a.right <= b.right + 0.5 && a.top >= b.top - 0.5 && a.bottom <= b.bottom + 0.5;

test('the details drawer and the table share the window: the selected row\'s rates and the drawer\'s stay in sight at 1400×820 and 1024×640', { skip: skip ?? false }, async () => {
  for (const [width, height] of [[1400, 820], [1024, 640]] as const) {
    for (const withProcess of [false, true]) {
      const p = await newPage({ width, height });
      if (withProcess) {
        // As in a live capture: the process column shown too.
        await p.getByRole('button', { name: 'Columns…' }).click();
        await p.getByRole('menu', { name: 'Columns' }).getByRole('menuitemcheckbox', { name: /Process/ }).click();
        await p.keyboard.press('Escape');
        assert.ok((await headerNames(p)).includes('Process'));
      }
      await p.getByRole('row').filter({ hasText: ':443' }).dblclick();
      await p.getByRole('complementary', { name: 'Flow details' }).waitFor();
      const g = await drawerGeometry(p);
      const where = `${width}×${height}${withProcess ? ' with Process' : ''}: ${JSON.stringify(g)}`;
      assert.ok(g.drawer && g.table && g.down && g.up, where);
      const screenBox = { left: 0, top: 0, right: g.viewport.width, bottom: g.viewport.height };
      assert.ok(inside(g.drawer, screenBox), `the drawer is in the window (${where})`);
      // The table is beside the drawer, not under it.
      assert.ok(g.table.right <= g.drawer.left + 0.5, `the table ends where the drawer begins (${where})`);
      for (const c of [g.down, g.up]) {
        assert.ok(inside(c, { ...g.table, right: Math.min(g.table.right, g.drawer.left) }), `a rate cell is in the table's visible part (${where})`);
        assert.ok(c.right - c.left >= 40, `a rate cell is wide enough to read (${where})`);
      }
      assert.match(g.texts.down, /^[\d.]+ k?B\/s$|^0 B\/s$/, where);
      assert.match(g.texts.up, /^[\d.]+ k?B\/s$|^0 B\/s$/, where);
      // The drawer's own figures (↓ and ↑ above its chart) are inside it and on screen.
      assert.equal(g.figures.length, 2, where);
      for (const f of g.figures) assert.ok(f.box !== null && inside(f.box, g.drawer) && inside(f.box, screenBox), `${f.text} is in sight (${where})`);
      assert.deepEqual(problemsOf(p), []);
      await p.close();
    }
  }
});
