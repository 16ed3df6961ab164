// @vitest-environment node
/**
 * The production build in headless Chromium: dist/renderer served over HTTP with a stub window.sandpiper loaded by
 * a <script> before the app bundle (how the e2e bridge loads it), under the page's own CSP. Takes light and dark
 * screenshots into test-artifacts/. Skips when dist/renderer or Chromium is missing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const dist = path.join(root, 'dist/renderer');
const chromiumPath = '/usr/bin/chromium';
const artifacts = path.join(root, 'test-artifacts');
const missing = !existsSync(path.join(dist, 'index.html'))
  ? 'dist/renderer/index.html is missing (run `npm run build`)'
  : !existsSync(chromiumPath)
    ? `${chromiumPath} is missing`
    : null;
if (missing) console.warn(`skipping built-page tests: ${missing}`);

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.map': 'application/json' };

function serve(): Promise<{ server: Server; base: string }> {
  const bridge = readFileSync(path.join(root, 'test/renderer/fixtures/stub-bridge.js'));
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/bridge.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(bridge);
      return;
    }
    const rel = url.pathname === '/' || url.pathname === '/no-api.html' ? '/index.html' : url.pathname;
    const file = path.join(dist, path.normalize(rel));
    if (!file.startsWith(dist) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    let body: Buffer | string = readFileSync(file);
    if (rel === '/index.html' && url.pathname === '/') {
      // The bridge goes before the app bundle, as the e2e bridge does.
      body = body.toString('utf8').replace('<script type="module"', '<script src="./bridge.js"></script>\n    <script type="module"');
    }
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' }).end(body);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    const a = server.address();
    resolve({ server, base: `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}` });
  }));
}

describe.skipIf(missing !== null)('built renderer in Chromium', () => {
  let browser: Browser;
  let server: Server;
  let base = '';

  const launch = () =>
    chromium.launch({
      executablePath: chromiumPath,
      args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
      // Other test files start and stop a system D-Bus; Chromium aborts when a bus it joined goes away, so keep it off.
      env: { ...process.env, DBUS_SYSTEM_BUS_ADDRESS: 'unix:path=/nonexistent', DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent' },
    });

  beforeAll(async () => {
    ({ server, base } = await serve());
    browser = await launch();
    mkdirSync(artifacts, { recursive: true });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => server?.close(r));
  });

  async function open(pathname: string, scheme: 'light' | 'dark'): Promise<{ page: Page; problems: string[] }> {
    // Each test stands alone: a browser lost in an earlier test (crash, timeout) is replaced.
    if (!browser.isConnected()) browser = await launch();
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 }, colorScheme: scheme });
    page.setDefaultTimeout(60_000); // the test machine is shared and often loaded
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    await page.goto(base + pathname);
    // The app opens on the Overview; these tests are about the flows table (the page without an API has no tabs).
    if (pathname !== '/no-api.html') await page.getByRole('tab', { name: 'Flows' }).click();
    return { page, problems };
  }

  for (const scheme of ['light', 'dark'] as const) {
    it(`runs on the injected API without CSP violations (${scheme})`, async () => {
      const { page, problems } = await open('/', scheme);
      try {
        await page.getByRole('button', { name: /^Helper sandboxed/ }).waitFor();
        await page.getByRole('row', { name: /firefox/ }).first().waitFor();
        expect(await page.getByRole('grid', { name: 'Flows' }).getAttribute('aria-rowcount')).toBe('301');
        expect(await page.locator('.bw-chart canvas').count()).toBe(1);
        const bg = await page.evaluate(() => getComputedStyle(document.querySelector('#root > div') as Element).backgroundColor);
        // Light: white; dark: zinc-950 (both as oklch or rgb depending on the engine).
        if (scheme === 'light') expect(bg).toMatch(/rgb\(255, 255, 255\)|oklch\(1 0 0\)/);
        else expect(bg).not.toMatch(/rgb\(255, 255, 255\)|oklch\(1 0 0\)/);
        await page.screenshot({ path: path.join(artifacts, `renderer-${scheme}.png`) });
        // Hovering the chart shows the bin's time and rates in its legend.
        const over = page.locator('.bw-chart .u-over');
        const box = await over.boundingBox();
        if (!box) throw new Error('no chart plot area');
        await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
        const legend = (await page.locator('.bw-chart .u-legend').textContent()) ?? '';
        expect(legend).toMatch(/Time\d\d:\d\d:\d\d\.\d{3}/);
        expect(legend).toMatch(/↓ Down[\d.]+ k?B\/s/);
        await page.screenshot({ path: path.join(artifacts, `renderer-${scheme}-chart-hover.png`), clip: { x: 0, y: box.y - 20, width: 1440, height: box.height + 90 } });
        await page.mouse.move(5, 5);
        // Details drawer by keyboard.
        await page.getByRole('grid', { name: 'Flows' }).focus();
        await page.keyboard.press('ArrowDown');
        await page.keyboard.press('Enter');
        await page.getByRole('complementary', { name: 'Flow details' }).waitFor();
        await page.waitForTimeout(50);
        await page.screenshot({ path: path.join(artifacts, `renderer-${scheme}-details.png`) });
        await page.keyboard.press('Escape');
        await page.getByRole('button', { name: /Show security details/ }).click();
        await page.getByRole('dialog', { name: 'Capture helper security' }).waitFor();
        await page.screenshot({ path: path.join(artifacts, `renderer-${scheme}-security.png`) });
        expect(problems).toEqual([]);
      } finally {
        await page.close();
      }
    }, 150_000);
  }

  it('shows problems: amber badge, error banner, filter errors (light)', async () => {
    const { page, problems } = await open('/?scenario=problems', 'light');
    try {
      await page.getByRole('button', { name: /^Helper partly sandboxed/ }).waitFor();
      const banner = page.getByRole('alert').filter({ hasText: 'Interface gone' });
      await banner.waitFor();
      expect(await banner.textContent()).toContain('What to do: Pick another interface and press Start.');
      await page.getByRole('textbox', { name: 'Capture filter (BPF)' }).fill('tcp prot 80');
      await page.getByText('Filter: syntax error in filter expression').waitFor();
      await page.getByRole('combobox', { name: 'Filter flows' }).fill('port:http');
      await page.getByText(/Bad port "http"/).waitFor();
      await page.screenshot({ path: path.join(artifacts, 'renderer-light-problems.png') });
      await page.getByRole('button', { name: /Show security details/ }).click();
      await page.getByRole('dialog').waitFor();
      await page.screenshot({ path: path.join(artifacts, 'renderer-light-problems-security.png') });
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  }, 150_000);

  it('shows a clear message when window.sandpiper is absent', async () => {
    const { page, problems } = await open('/no-api.html', 'light');
    try {
      await page.getByRole('alert').waitFor();
      expect(await page.getByRole('alert').textContent()).toContain('Sandpiper cannot reach its capture engine');
      await page.screenshot({ path: path.join(artifacts, 'renderer-no-api.png') });
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  }, 150_000);
});
