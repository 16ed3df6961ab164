/**
 * Long remote names in the flows table, end to end in Debian's Chromium against `sandpiper ui` with a generated
 * capture: at 1024×640 a long name is shortened in the middle (its subdomains give way, its registrable domain, the
 * address and the country stay, the full name in the tooltip and the accessible name); at 1400×820 a short name is
 * shown whole, and so is the long one when its column is made wide enough. Screenshots at both sizes.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { artifact, e2eSkipReason, fileUi, problemsOf, waitText, watchProblems, type FileUi } from './support.ts';
import { eth, ipv4, pcap, tcpConnection, tlsClientHello, udp, TCP, type Rec } from '../engine/capture-fixtures.ts';

const skip = e2eSkipReason();

/** A long name whose registrable domain fits beside its address at 1024×640 (the Remote column at its least width). */
const LONG = 'auth.eu-west-1.accounts.internal.ex.co.uk';
const LONG_DOMAIN = 'ex.co.uk';
/** A long name with a long registrable domain: at 1024×640 even the domain's start gives way, never the address. */
const LONGER = 'login.eu-west-1.accounts.internal.sandpiper-shop.co.uk';
const LONGER_DOMAIN = 'sandpiper-shop.co.uk';
const SHORT = 'www.example.org';
// Public addresses, so the offline database gives them a country (nothing is sent anywhere: the packets are made here).
const CLIENT = '192.168.7.2';
const ADDR: Record<string, string> = { [LONG]: '8.8.8.8', [LONGER]: '8.8.4.4', [SHORT]: '9.9.9.9' };
const FLOWS = 4;

/** TLS connections whose ClientHellos name LONG, LONGER and SHORT, and one nameless UDP flow. */
function capture(): Uint8Array {
  const start = 1_700_000_000;
  const recs: Rec[] = [];
  for (const [i, sni] of [LONG, LONGER, SHORT].entries()) {
    const t = tcpConnection(CLIENT, ADDR[sni], 40_000 + i, 443);
    const at = start + i;
    recs.push(t(at, true, TCP.SYN), t(at + 0.01, false, TCP.SYN | TCP.ACK), t(at + 0.02, true, TCP.ACK));
    recs.push(t(at + 0.03, true, TCP.ACK | TCP.PSH, tlsClientHello(sni)), t(at + 0.04, false, TCP.ACK));
  }
  recs.push({ ts: start + 3, data: eth(0x0800, ipv4(CLIENT, '203.0.113.50', 17, udp(50_000, 9999, [1, 2, 3]))) });
  return pcap(recs);
}

let ui: FileUi | null = null;
before(async () => {
  if (!skip) ui = await fileUi(capture(), 'sp-e2e-remote-names-');
});
after(() => ui?.close());

async function open(width: number, height: number, scheme: 'light' | 'dark' = 'light'): Promise<Page> {
  const { browser, server } = ui as FileUi;
  const page = await browser.newPage({ viewport: { width, height }, colorScheme: scheme });
  watchProblems(page);
  await page.goto(server.url);
  await page.getByRole('tab', { name: 'Flows' }).click();
  await waitText(page.locator('#flow-filter-count'), new RegExp(`^${FLOWS} flows$`));
  return page;
}

interface RemoteCell {
  /** What the cell shows (its text, the star's glyph being CSS). */
  text: string;
  title: string;
  label: string | null;
  /** Whether the cell's content is wider than its box (the end would be clipped). */
  overflows: boolean;
}

/** The remote cell of the row whose whole text begins with `host`, hovered (so its title is its tooltip). */
async function remoteCell(page: Page, host: string): Promise<RemoteCell> {
  // Found by its whole text; its tooltip is what the pointer over it shows.
  const cell = page.locator(`[role="gridcell"][data-tip^="${host} · "]`);
  await cell.waitFor();
  await cell.hover();
  return cell.evaluate((c) => ({
    text: (c as unknown as { innerText: string }).innerText,
    title: c.getAttribute('title') ?? '',
    label: c.getAttribute('aria-label'),
    overflows: c.scrollWidth > c.clientWidth,
  }));
}

/** The cell's text after its name: " · address:port · CC", checked against the full text in its tooltip. */
function restOf(c: RemoteCell, host: string): string {
  assert.ok(c.title.startsWith(host), c.title);
  const rest = c.title.slice(host.length);
  assert.match(rest, new RegExp(`^ · ${ADDR[host].replaceAll('.', '\\.')}:443 · [A-Z]{2}$`), `the full text names the address and its country: ${c.title}`);
  return rest;
}

/** A cell shortened in the middle: "…" in it, `end` (address and country at least) whole, the full text its name. */
function assertShortened(c: RemoteCell, end: string): void {
  assert.ok(c.text.includes('…'), `shortened: ${c.text}`);
  assert.ok(c.text.endsWith(end), `"${c.text}" ends with "${end}"`);
  assert.ok(c.text.length < c.title.length);
  assert.equal(c.label, c.title, 'the accessible name is the full text');
  assert.equal(c.overflows, false, `the shortened text fits its cell (nothing clipped at its end): ${c.text}`);
}

test('at 1024×640 a long remote name is shortened in the middle: its domain, address and country stay, the full name in its tooltip and accessible name', { skip: skip ?? false }, async () => {
  for (const scheme of ['light', 'dark'] as const) {
    const page = await open(1024, 640, scheme);
    const c = await remoteCell(page, LONG);
    await page.waitForTimeout(200);
    await page.screenshot({ path: artifact(`e2e-remote-names-${scheme}-1024x640.png`) });
    const rest = restOf(c, LONG);
    assertShortened(c, `${LONG_DOMAIN}${rest}`);
    // The accessibility tree names the cell by its full text.
    assert.equal(await page.getByRole('gridcell', { name: c.title, exact: true }).count(), 1);
    // A registrable domain too long for the column gives up its start; the address and the country stay whole.
    const d = await remoteCell(page, LONGER);
    const dRest = restOf(d, LONGER);
    assertShortened(d, dRest);
    assert.ok(LONGER_DOMAIN.endsWith(d.text.slice(1, d.text.length - dRest.length)), `what is left of the name is the domain's end: ${d.text}`);
    console.log(`# 1024×640 ${scheme}: "${c.text}" and "${d.text}"`);
    assert.deepEqual(problemsOf(page), []);
    await page.close();
  }
});

test('at 1400×820 a short name is shown whole and a long one keeps its domain; a name follows its column as it is widened and the window narrowed', { skip: skip ?? false }, async () => {
  const page = await open(1400, 820);
  const s = await remoteCell(page, SHORT);
  assert.equal(s.text, s.title, 'a short name is not shortened');
  assert.ok(s.text.startsWith(`${SHORT} · ${ADDR[SHORT]}:443 · `), s.text);
  assert.equal(s.label, null, 'a cell shown whole has no accessible name of its own');
  const d = await remoteCell(page, LONGER);
  assertShortened(d, `${LONGER_DOMAIN}${restOf(d, LONGER)}`);
  console.log(`# 1400×820: "${s.text}" and "${d.text}"`);
  await page.screenshot({ path: artifact('e2e-remote-names-light-1400x820.png') });

  // Widen the Remote column from the keyboard until the longest name fits: it is then shown whole.
  const edge = page.getByRole('separator', { name: 'Resize Remote' });
  await edge.focus();
  for (let i = 0; i < 8; i++) await page.keyboard.press('Shift+ArrowRight');
  const wide = await remoteCell(page, LONGER);
  assert.equal(wide.text, wide.title, `whole in a wide column: ${wide.text}`);
  assert.equal(wide.label, null);
  assert.equal(wide.overflows, false);
  // Its default width back, and a narrower window: shortened again, with no reload (the column's width is followed).
  await edge.dblclick();
  await page.setViewportSize({ width: 1024, height: 640 });
  const end = Date.now() + 5000;
  let narrow = await remoteCell(page, LONG);
  while (!narrow.text.includes('…') && Date.now() < end) {
    await page.waitForTimeout(100);
    narrow = await remoteCell(page, LONG);
  }
  assertShortened(narrow, `${LONG_DOMAIN}${restOf(narrow, LONG)}`);
  assert.deepEqual(problemsOf(page), []);
  await page.close();
});
