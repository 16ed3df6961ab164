/**
 * The app:// protocol: serves the built renderer (dist/renderer) at app://sandpiper/ with the security headers.
 * Only GET, only host `sandpiper`, only regular files inside the root (after resolving symlinks), a fixed set of
 * content types; everything else is a 403/404. The handler uses web Request/Response only, so it is tested in Node.
 */
import { realpath, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { SECURITY_HEADERS } from '../shared/csp.ts';

export const APP_SCHEME = 'app';
export const APP_HOST = 'sandpiper';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_INDEX_URL = `${APP_ORIGIN}/index.html`;

/** For protocol.registerSchemesAsPrivileged (before app ready): a standard, secure origin; no CSP bypass. */
export const APP_SCHEME_PRIVILEGES = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: false, corsEnabled: false, bypassCSP: false, allowServiceWorkers: false, stream: false, codeCache: false },
} as const;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

function plain(status: number, text: string): Response {
  return new Response(text, { status, headers: { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' } });
}

/** Returns the protocol handler for a renderer root directory. */
export function createAppProtocolHandler(rootDir: string): (req: Request) => Promise<Response> {
  const rootReal = realpath(rootDir).catch(() => path.resolve(rootDir));
  return async (req) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return plain(405, 'method not allowed');
    let url: URL;
    try {
      url = new URL(req.url);
    } catch {
      return plain(400, 'bad request');
    }
    if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return plain(403, 'forbidden');
    let rel: string;
    try {
      rel = decodeURIComponent(url.pathname);
    } catch {
      return plain(400, 'bad request');
    }
    if (rel.includes('\0')) return plain(400, 'bad request');
    if (rel === '/' || rel === '') rel = '/index.html';
    const root = await rootReal;
    const wanted = path.resolve(root, `.${path.posix.normalize(rel)}`);
    const type = TYPES[path.extname(wanted).toLowerCase()];
    if (!type) return plain(404, 'not found');
    let real: string;
    try {
      real = await realpath(wanted);
      if (!(await stat(real)).isFile()) return plain(404, 'not found');
    } catch {
      return plain(404, 'not found');
    }
    // After symlinks are resolved the file must still live under the root.
    if (real !== root && !real.startsWith(root + path.sep)) return plain(403, 'forbidden');
    const body = req.method === 'HEAD' ? null : await readFile(real);
    return new Response(body, { status: 200, headers: { ...SECURITY_HEADERS, 'Content-Type': type } });
  };
}
