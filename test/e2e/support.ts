/**
 * End-to-end support: Debian's Chromium through playwright-core (never a downloaded browser), a capture file of
 * real traffic made in a netns pair, and a wrapper that runs the real capture helper inside a namespace.
 */
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { once } from 'node:events';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startUiServer, type UiServer } from '../../src/engine-host/ui-server.ts';
import { createSourceEngine } from '../../src/engine-host/engine-adapter.ts';
import { createLiveCaptureStarter } from '../../src/engine-host/live-capture-adapter.ts';
import { canMakeNetns, createNetnsPair, type NetnsPair } from '../support/netns.ts';
import { DEFAULT_PORTS, makeSelfSignedCert, runTrafficClient, startTcpdump, startTrafficServers, type ClientPlan, type Running } from '../support/traffic.ts';
import { REPO_ROOT, RENDERER_DIR } from './bridge/server.ts';
import type { InterfaceInfo } from '../../src/shared/ipc.ts';

export const CHROMIUM = '/usr/bin/chromium';
export const ARTIFACTS = path.join(REPO_ROOT, 'test-artifacts');
export const HELPER = path.join(REPO_ROOT, 'dist/helper/sandpiper-helper');

/** Why the e2e tests cannot run here, or null. */
export function e2eSkipReason(opts: { netns?: boolean; helper?: boolean } = {}): string | null {
  if (!existsSync(CHROMIUM)) return `${CHROMIUM} is not installed (Debian package chromium)`;
  if (!existsSync(path.join(RENDERER_DIR, 'index.html'))) return 'dist/renderer is not built (npm run build)';
  if (opts.netns) {
    const r = canMakeNetns();
    if (r) return r;
  }
  if (opts.helper && !existsSync(HELPER)) return 'dist/helper/sandpiper-helper is not built (npm run build)';
  return null;
}

const NO_BUS = 'unix:path=/nonexistent/sandpiper-e2e-no-bus';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    // Other test files start and stop a system D-Bus; Chromium aborts when a bus it joined goes away, so keep it off.
    env: { ...process.env, DBUS_SYSTEM_BUS_ADDRESS: NO_BUS, DBUS_SESSION_BUS_ADDRESS: NO_BUS },
  });
}

/** Collects the page's uncaught errors and console errors (problemsOf), which a test expects to stay empty. */
export function watchProblems(page: Page): void {
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text());
  });
  (page as Page & { problems?: string[] }).problems = problems;
}

export const problemsOf = (page: Page): string[] => (page as Page & { problems?: string[] }).problems ?? [];

export interface FileUi {
  dir: string;
  /** Where the server's engine host keeps the settings (nothing there until the page saves). */
  settingsPath: string;
  server: UiServer;
  browser: Browser;
  close(): Promise<void>;
}

/** `sandpiper ui`'s server with `bytes` written to a capture file and opened, its settings in a temporary folder, and Chromium. */
export async function fileUi(bytes: Uint8Array, prefix: string): Promise<FileUi> {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  const file = path.join(dir, 'capture.pcap');
  const settingsPath = path.join(dir, 'config', 'settings.json');
  writeFileSync(file, bytes);
  const server = await startUiServer({ rendererDir: RENDERER_DIR, settingsPath, host: { createEngine: createSourceEngine } });
  const opened = await server.openPath(file);
  if (!opened.ok) throw new Error(opened.error.message);
  const browser = await launchChromium();
  return {
    dir, settingsPath, server, browser,
    async close() {
      await browser.close();
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A child's exit code, or a failure naming `what` if it has not exited within `ms`. A child that exited already (while
 * the test did other things) gives its code at once: its 'exit' event has passed and would never come again.
 */
export async function exited(child: ChildProcess, what: string, ms = 20_000): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not exit within ${ms} ms`)), ms);
  });
  try {
    const [code] = (await Promise.race([once(child, 'exit'), late])) as [number | null];
    return code;
  } finally {
    clearTimeout(timer);
  }
}

export function artifact(name: string): string {
  mkdirSync(ARTIFACTS, { recursive: true });
  return path.join(ARTIFACTS, name);
}

export const PLAN_NAMES = {
  dnsUdpNames: ['alpha.e2e.sandpiper.test'],
  dnsTcpNames: ['beta.e2e.sandpiper.test'],
  tlsNames: ['secure.e2e.sandpiper.test', 'other.e2e.sandpiper.test'],
  httpHosts: ['web.e2e.sandpiper.test'],
};

export function clientPlan(pair: NetnsPair): ClientPlan {
  return { servers: [pair.ipB], ports: DEFAULT_PORTS, ...PLAN_NAMES, alpn: ['h2', 'http/1.1'], ssh: true, udpDatagrams: 3 };
}

/** Traffic servers in namespace b, with a certificate in dir. */
export async function startServers(pair: NetnsPair, dir: string): Promise<Running> {
  const { cert, key } = makeSelfSignedCert(dir);
  return startTrafficServers(pair, pair.b, { cert, key, answer4: pair.ipB, answer6: pair.ip6B, ports: DEFAULT_PORTS });
}

/** Captures one run of the traffic plan with tcpdump on a's veth into FILE. */
export async function makeTrafficCapture(pair: NetnsPair, dir: string, file: string): Promise<void> {
  const servers = await startServers(pair, dir);
  try {
    const dump = await startTcpdump(pair, pair.a, pair.ifA, file, pair.ipB);
    try {
      runTrafficClient(pair, pair.a, clientPlan(pair));
    } finally {
      await dump.stop();
    }
  } finally {
    await servers.stop();
  }
}

/** A helper launcher that runs the real helper inside namespace ns (the ui server itself runs outside it). */
export function helperInNetns(dir: string, ns: string, extraArgs: string[] = []): string {
  const p = path.join(dir, `sandpiper-helper-in-netns${extraArgs.length ? '-' + extraArgs.join('').replace(/[^a-z0-9]/gi, '') : ''}`);
  writeFileSync(p, `#!/bin/sh\nexec ip netns exec ${ns} ${HELPER} "$@" ${extraArgs.join(' ')}\n`);
  chmodSync(p, 0o755);
  return p;
}

export { createNetnsPair };

/** The interfaces of a namespace as the picker shows them (`ip -j addr` inside it). */
export function netnsInterfaces(pair: NetnsPair, ns: string): InterfaceInfo[] {
  const list = JSON.parse(pair.exec(ns, 'ip', ['-j', 'addr', 'show'])) as { ifname: string; flags: string[]; operstate: string; addr_info: { local: string }[] }[];
  return [
    ...list.map((i) => ({ name: i.ifname, addresses: i.addr_info.map((a) => a.local), up: i.flags.includes('UP'), loopback: i.flags.includes('LOOPBACK') })),
    { name: 'any', addresses: [], up: true, loopback: false },
  ];
}

/** `sandpiper ui` capturing with the real helper in namespace a of a new netns pair (traffic servers in b), and Chromium. */
export interface LiveUi {
  dir: string;
  pair: NetnsPair;
  servers: Running;
  server: UiServer;
  browser: Browser;
  close(): Promise<void>;
}

export async function startLiveUi(prefix: string, o: { settingsPath?: string | null } = {}): Promise<LiveUi> {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  const pair = createNetnsPair();
  let servers: Running | null = null;
  let server: UiServer | null = null;
  let browser: Browser | null = null;
  const close = async () => {
    await browser?.close();
    await server?.close();
    await servers?.stop();
    pair.destroy();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    servers = await startServers(pair, dir);
    server = await startUiServer({
      rendererDir: RENDERER_DIR,
      host: { createEngine: createSourceEngine, startLive: createLiveCaptureStarter({ helperPath: helperInNetns(dir, pair.a), launch: 'direct' }) },
      listInterfaces: () => netnsInterfaces(pair, pair.a),
      ...(o.settingsPath !== undefined ? { settingsPath: o.settingsPath } : {}),
    });
    browser = await launchChromium();
    return { dir, pair, servers, server, browser, close };
  } catch (e) {
    await close();
    throw e;
  }
}

/** Polls a locator's text until it matches (what a person would wait to see); returns the text. */
export async function waitText(locator: Locator, re: RegExp, timeoutMs = 15_000): Promise<string> {
  const end = Date.now() + timeoutMs;
  let text = '';
  for (;;) {
    text = (await locator.first().textContent().catch(() => null)) ?? '';
    if (re.test(text)) return text;
    if (Date.now() > end) throw new Error(`timed out waiting for ${re} in: ${text.slice(0, 500)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * A data row's cells as a screen reader names them: a cell's aria-label where it has one (a remote name shortened
 * to fit its column is labelled with its full text), else its text; joined by " | ".
 */
export async function rowNames(row: Locator): Promise<string> {
  await row.waitFor();
  return (await namesOfRows(row))[0] ?? '';
}

/** The rows `rows` matches, each named as rowNames names it, read at one instant (rows come and go meanwhile). */
function namesOfRows(rows: Locator): Promise<string[]> {
  return rows.evaluateAll((rs) => rs.map((r) => [...r.querySelectorAll('[role="gridcell"]')].map((c) => c.getAttribute('aria-label') ?? c.textContent ?? '').join(' | ')));
}

/** Every data row of the flows grid, named as rowNames names them. */
export function gridRowNames(page: Page): Promise<string[]> {
  return namesOfRows(page.getByRole('grid', { name: 'Flows' }).locator('[data-flow-id]'));
}

/** Polls the flows grid's rows, named as rowNames names them (one line a row), until they match; returns them. */
export async function waitGridNames(page: Page, re: RegExp, timeoutMs = 15_000): Promise<string> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const names = (await gridRowNames(page)).join('\n');
    if (re.test(names)) return names;
    if (Date.now() > end) throw new Error(`timed out waiting for ${re} in: ${names.slice(0, 500)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
