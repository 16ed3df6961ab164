/**
 * The UI benchmark's page server (bench/ui.bench.ts): a Node HTTP server on 127.0.0.1 (random port) that serves the
 * built renderer through the app:// protocol handler (so with the app's CSP and path checks) with a page-side API
 * script injected before the app bundle (the benchmark's synthetic `window.sandpiper`, synthetic-client.ts), and
 * optionally a worker for it. There is no engine behind it: the end-to-end tests drive the product path instead
 * (`sandpiper ui`'s server, src/engine-host/ui-server.ts).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { createAppProtocolHandler } from '../../../src/engine-host/renderer-files.ts';
import { CONTENT_SECURITY_POLICY, SECURITY_HEADERS } from '../../../src/shared/csp.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = path.resolve(here, '../../..');
export const RENDERER_DIR = path.join(REPO_ROOT, 'dist/renderer');

export interface BridgeOptions {
  /** Not used: the benchmark's page has no engine behind it (accepted so bench/ui.bench.ts's call stays as it is). */
  session?: unknown;
  /** The page-side API to inject (bundled): the benchmark's synthetic client. */
  clientEntry: string;
  rendererDir?: string;
  /**
   * A worker script to bundle and serve at /__bridge/bench-host.js (the UI benchmark's engine host in a page worker).
   * The app's CSP forbids workers (worker-src 'none'), so with this option, and only then, the page is served with
   * that one directive relaxed to worker-src 'self' (header and meta tag); the rest of the policy is the app's.
   */
  benchHostWorker?: string;
}

export interface Bridge {
  url: string;
  close(): Promise<void>;
}

const WORKERS_FORBIDDEN = "worker-src 'none'";
const SAME_ORIGIN_WORKERS = "worker-src 'self'";

async function bundleClient(entry: string): Promise<string> {
  const r = await build({ entryPoints: [entry], bundle: true, format: 'iife', platform: 'browser', target: 'chrome120', write: false, logLevel: 'silent' });
  return r.outputFiles[0].text;
}

export async function startBridge(o: BridgeOptions): Promise<Bridge> {
  const builtDir = o.rendererDir ?? RENDERER_DIR;
  if (!existsSync(path.join(builtDir, 'index.html'))) throw new Error(`${builtDir}/index.html is missing: run npm run build first`);
  // Serve a private copy: a rebuild of dist/renderer during a run must not swap assets under a loaded page.
  const snapshotDir = mkdtempSync(path.join(tmpdir(), 'sp-bridge-renderer-'));
  cpSync(builtDir, snapshotDir, { recursive: true });
  const rendererDir = snapshotDir;
  const indexHtml = await readFile(path.join(rendererDir, 'index.html'), 'utf8');
  const client = await bundleClient(o.clientEntry);
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
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      rmSync(snapshotDir, { recursive: true, force: true });
    },
  };
}
