/**
 * The end-to-end test bridge: a Node HTTP server on 127.0.0.1 (random port) that serves the built renderer
 * (through the app:// protocol handler, so with the app's CSP and path checks) with a client script injected
 * before the app bundle, and answers that client's SandpiperApi calls with src/engine-host driving the real
 * engine. File dialogs are replaced by paths the test sets (setNextOpenPath / setNextSavePath). Updates (plain
 * objects since IPC version 3) travel as JSON over SSE.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { createAppProtocolHandler } from '../../../src/main/app-protocol.ts';
import { CONTENT_SECURITY_POLICY, SECURITY_HEADERS } from '../../../src/main/csp.ts';
import { EngineHost, type EngineHostOptions } from '../../../src/engine-host/engine-host.ts';
import { dispatchHostCall, forwardSession, type HostMessage, type HostServices } from '../../../src/engine-host/host-protocol.ts';
import { listInterfaces } from '../../../src/engine-host/interfaces.ts';
import { validateFilter } from '../../../src/engine-host/filter-check.ts';
import type { InterfaceInfo } from '../../../src/shared/ipc.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = path.resolve(here, '../../..');
export const RENDERER_DIR = path.join(REPO_ROOT, 'dist/renderer');

export interface BridgeOptions {
  session?: Omit<EngineHostOptions, 'createEngine'> & Partial<Pick<EngineHostOptions, 'createEngine'>>;
  /** Which page-side API to inject: the session client (default) or another bundled script (benchmarks). */
  clientEntry?: string;
  rendererDir?: string;
  /**
   * A worker script to bundle and serve at /__bridge/bench-host.js (the UI benchmark's engine host in a page worker).
   * The app's CSP forbids workers (worker-src 'none'), so with this option, and only then, the page is served with
   * that one directive relaxed to worker-src 'self' (header and meta tag); the rest of the policy is the app's.
   */
  benchHostWorker?: string;
  /** Replaces the host's interface list (live tests capture inside a netns the bridge is not in). */
  listInterfaces?: () => InterfaceInfo[];
}

export interface Bridge {
  url: string;
  session: EngineHost;
  setNextOpenPath(p: string | null): void;
  setNextSavePath(p: string | null): void;
  /** Calls the page made, in order (method names). */
  calls: string[];
  close(): Promise<void>;
}

const WORKERS_FORBIDDEN = "worker-src 'none'";
const SAME_ORIGIN_WORKERS = "worker-src 'self'";

async function bundleClient(entry: string): Promise<string> {
  const r = await build({ entryPoints: [entry], bundle: true, format: 'iife', platform: 'browser', target: 'chrome120', write: false, logLevel: 'silent' });
  return r.outputFiles[0].text;
}

function readBody(req: IncomingMessage, limit = 1 << 20): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) reject(new Error('body too large'));
      else parts.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', reject);
  });
}

export async function startBridge(o: BridgeOptions = {}): Promise<Bridge> {
  const builtDir = o.rendererDir ?? RENDERER_DIR;
  if (!existsSync(path.join(builtDir, 'index.html'))) throw new Error(`${builtDir}/index.html is missing: run npm run build first`);
  // Serve a private copy: a rebuild of dist/renderer during a run must not swap assets under a loaded page.
  const snapshotDir = mkdtempSync(path.join(tmpdir(), 'sp-bridge-renderer-'));
  cpSync(builtDir, snapshotDir, { recursive: true });
  const rendererDir = snapshotDir;
  const indexHtml = await readFile(path.join(rendererDir, 'index.html'), 'utf8');
  const client = await bundleClient(o.clientEntry ?? path.join(here, 'client.ts'));
  // A classic script before the module bundle runs first: window.sandpiper exists when the app starts.
  const marker = indexHtml.search(/<script\b[^>]*type="module"/);
  if (marker < 0) throw new Error('dist/renderer/index.html has no module script');
  let page = `${indexHtml.slice(0, marker)}<script src="/__bridge/client.js"></script>\n    ${indexHtml.slice(marker)}`;
  let pageHeaders = SECURITY_HEADERS;
  const worker = o.benchHostWorker === undefined ? null : await bundleClient(o.benchHostWorker);
  if (worker !== null) {
    // Both policies (header and meta) apply, so both must allow the worker; fail loudly if the app's policy changed.
    if (!CONTENT_SECURITY_POLICY.includes(WORKERS_FORBIDDEN) || !page.includes(WORKERS_FORBIDDEN)) throw new Error(`the app's CSP no longer has ${WORKERS_FORBIDDEN}: update the bridge`);
    page = page.replace(WORKERS_FORBIDDEN, SAME_ORIGIN_WORKERS);
    pageHeaders = { ...SECURITY_HEADERS, 'Content-Security-Policy': CONTENT_SECURITY_POLICY.replace(WORKERS_FORBIDDEN, SAME_ORIGIN_WORKERS) };
  }
  const appHandler = createAppProtocolHandler(rendererDir);

  const createEngine = o.session?.createEngine ?? (await import('../../../src/engine-host/engine-adapter.ts')).createSessionEngine;
  const session = new EngineHost({ ...o.session, createEngine });
  const services: HostServices = { session, listInterfaces: o.listInterfaces ?? (() => listInterfaces()), validateFilter };
  const sinks = new Set<ServerResponse>();
  const send = (res: ServerResponse, m: HostMessage) => {
    if (m.type === 'result') return;
    res.write(`event: ${m.type}\ndata: ${JSON.stringify(m.type === 'update' ? m.update : m.status)}\n\n`);
  };
  const unforward = forwardSession(session, (m) => {
    for (const res of sinks) send(res, m);
  });
  let nextOpen: string | null = null;
  let nextSave: string | null = null;
  const calls: string[] = [];

  const server = createServer((req, res) => {
    void handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(e));
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://bridge');
    if (url.pathname === '/' || url.pathname === '/index.html') {
      res.writeHead(200, { ...pageHeaders, 'content-type': 'text/html; charset=utf-8' });
      res.end(page);
      return;
    }
    if (url.pathname === '/__bridge/bench-host.js' && worker !== null) {
      res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'text/javascript; charset=utf-8' });
      res.end(worker);
      return;
    }
    if (url.pathname === '/__bridge/client.js') {
      res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'text/javascript; charset=utf-8' });
      res.end(client);
      return;
    }
    if (url.pathname === '/__bridge/events') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
      sinks.add(res);
      send(res, { type: 'status', status: session.getStatus() });
      req.on('close', () => sinks.delete(res));
      return;
    }
    if (url.pathname === '/__bridge/call' && req.method === 'POST') {
      const { method, arg } = JSON.parse(await readBody(req)) as { method: string; arg?: unknown };
      calls.push(method);
      let value: unknown;
      if (method === 'openCaptureFile') {
        const p = nextOpen;
        value = p === null ? { ok: true, value: null } : await dispatchHostCall(services, 'openFile', p);
      } else if (method === 'saveCapture') {
        const p = nextSave;
        value = p === null ? { ok: true, value: null } : await dispatchHostCall(services, 'saveCapture', p);
      } else if (['listInterfaces', 'validateFilter', 'startCapture', 'stopCapture', 'setPaused', 'setView'].includes(method)) {
        value = await dispatchHostCall(services, method as 'listInterfaces', arg);
      } else {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ value }));
      return;
    }
    // Everything else is the renderer's own files, served exactly as app:// serves them.
    const r = await appHandler(new Request(`app://sandpiper${url.pathname}`, { method: req.method }));
    res.writeHead(r.status, Object.fromEntries(r.headers));
    res.end(Buffer.from(await r.arrayBuffer()));
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    url: `http://127.0.0.1:${port}/`,
    session,
    calls,
    setNextOpenPath: (p) => void (nextOpen = p),
    setNextSavePath: (p) => void (nextSave = p),
    close: async () => {
      unforward();
      for (const res of sinks) res.end();
      sinks.clear();
      await session.dispose();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      rmSync(snapshotDir, { recursive: true, force: true });
    },
  };
}
