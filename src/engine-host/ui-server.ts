/**
 * `sandpiper ui`: the engine host serving the app's renderer (dist/renderer) to a browser on 127.0.0.1, over the same
 * API as Electron (src/shared/api.ts) on a WebSocket (src/shared/ui-protocol.ts). Safe on a multi-user machine:
 * - loopback only, and every page, asset, download and the socket sit under a random token in the URL path (other
 *   users on the machine can reach the port, not the token);
 * - the Host header must name loopback (127.0.0.1, localhost, [::1]: a DNS-rebinding page has its own name there),
 *   and an Origin, required on the socket, must be that same origin;
 * - the app's CSP and headers on every response, with only `connect-src ws://HOST` added for the socket;
 * - the page never names a path: an opened file is uploaded (bounded) into a private directory (0700) and removed
 *   once it is no longer the source; a save is a one-time download of a private copy.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { finished } from 'node:stream/promises';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync, writeFileSync, type WriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { InterfaceInfo, Result } from '../shared/ipc.ts';
import { UI_CHUNK_BYTES, UI_MAX_UPLOAD_BYTES, UI_SOCKET_PATH, UI_TOKEN_BYTES, type UiShellReply, type UiShellRequest } from '../shared/ui-protocol.ts';
import { createAppProtocolHandler } from './renderer-files.ts';
import { CONTENT_SECURITY_POLICY, SECURITY_HEADERS } from '../shared/csp.ts';
import { appError } from './app-errors.ts';
import { EngineHost, type EngineHostOptions } from './engine-host.ts';
import { validateFilter } from './filter-check.ts';
import { dispatchHostCall, servePage, type HostServices, type PageLink } from './host-protocol.ts';
import { listInterfaces } from './interfaces.ts';
import { defaultSettingsPath, SettingsFile } from './settings-file.ts';

export interface UiServerOptions {
  /** The built renderer (dist/renderer). */
  rendererDir: string;
  /** The engine host's options (the engine, and live capture where wired). */
  host: EngineHostOptions;
  /** TCP port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
  /** Replaces the interface list (tests capture inside a network namespace). */
  listInterfaces?: () => InterfaceInfo[];
  /** Largest upload accepted; default (and at most) UI_MAX_UPLOAD_BYTES. */
  maxUploadBytes?: number;
  /** The settings file; default the user's (settings-file.ts), null for settings kept in memory only. */
  settingsPath?: string | null;
}

export interface UiServer {
  /** The page's URL, token included. */
  url: string;
  /**
   * A private file (0600, in the server's 0700 directory) that redirects to `url`: what to hand a browser, so the
   * token never appears in a process's command line, which every local user can read.
   */
  launchFile: string;
  port: number;
  engineHost: EngineHost;
  /** Opens a capture file named by the shell (FILE on the command line); resolves when it is read. */
  openPath(file: string): Promise<Result<{ path: string }>>;
  close(): Promise<void>;
}

const CONNECT_SELF = "connect-src 'self'";
const HOST_RE = /^(127\.0\.0\.1|localhost|\[::1\])(:\d{1,5})?$/;
/** How long a prepared download waits to be fetched. */
const DOWNLOAD_TTL_MS = 5 * 60_000;

/** The Host header, lower-cased, if it names loopback; null otherwise (DNS rebinding, a proxy, anything else). */
export function loopbackHost(h: string | undefined): string | null {
  const v = (h ?? '').toLowerCase();
  return HOST_RE.test(v) ? v : null;
}

/** The app's CSP for a page served at `host`, with the one connect-src the socket needs. */
export function uiContentSecurityPolicy(host: string): string {
  return CONTENT_SECURITY_POLICY.replace(CONNECT_SELF, `${CONNECT_SELF} ws://${host}`);
}

/** A name for an uploaded file inside its private directory: the base name, tame characters only. */
export function safeUploadName(name: unknown): string {
  const base = typeof name === 'string' ? (name.split(/[\\/]/).pop() ?? '') : '';
  const tame = base.replace(/[^A-Za-z0-9._ -]/g, '_').slice(0, 200);
  return tame === '' || /^\.+$/.test(tame) ? 'capture.pcap' : tame;
}

const sizeText = (n: number): string => (n >= 2 ** 20 ? `${Math.floor(n / 2 ** 20)} MiB` : `${n} bytes`);

function isShellRequest(v: unknown): v is UiShellRequest {
  if (typeof v !== 'object' || v === null) return false;
  const m = v as Record<string, unknown>;
  return (
    m.type === 'shell' &&
    Number.isSafeInteger(m.id) &&
    (m.op === 'save' || (m.op === 'saveFlow' && Number.isSafeInteger(m.flow)) || (m.op === 'upload' && typeof m.name === 'string' && typeof m.size === 'number'))
  );
}

interface Upload {
  id: number;
  name: string;
  size: number;
  received: number;
  dir: string;
  file: string;
  stream: WriteStream;
}

export async function startUiServer(o: UiServerOptions): Promise<UiServer> {
  if (!CONTENT_SECURITY_POLICY.includes(CONNECT_SELF)) throw new Error(`the app's CSP has no ${CONNECT_SELF}: update the ui server`);
  statSync(path.join(o.rendererDir, 'index.html'));
  const maxUpload = Math.min(o.maxUploadBytes ?? UI_MAX_UPLOAD_BYTES, UI_MAX_UPLOAD_BYTES);
  const token = randomBytes(UI_TOKEN_BYTES).toString('base64url');
  const tokenBytes = Buffer.from(token);
  // mkdtemp makes the directory 0700: uploads and saved copies are this user's alone.
  const privateDir = mkdtempSync(path.join(tmpdir(), 'sandpiper-ui-'));
  const appHandler = createAppProtocolHandler(o.rendererDir);
  const engineHost = new EngineHost(o.host);
  const services: HostServices = {
    engineHost,
    listInterfaces: o.listInterfaces ?? (() => listInterfaces()),
    validateFilter,
    settings: new SettingsFile(o.settingsPath === undefined ? defaultSettingsPath() : o.settingsPath),
  };

  /** Uploaded files read into the engine host; each is removed once it is no longer the source. */
  const uploads = new Set<string>();
  const dropStaleUploads = () => {
    const src = engineHost.getStatus().source;
    for (const file of uploads) {
      if (src?.kind === 'file' && src.path === file) continue;
      uploads.delete(file);
      rmSync(path.dirname(file), { recursive: true, force: true });
    }
  };
  const offStatus = engineHost.onStatus(dropStaleUploads);
  const downloads = new Map<string, { dir: string; file: string; name: string; timer: ReturnType<typeof setTimeout> }>();
  const dropDownload = (id: string) => {
    const d = downloads.get(id);
    if (!d) return null;
    downloads.delete(id);
    clearTimeout(d.timer);
    return d;
  };

  const tokenOk = (candidate: string) => {
    const b = Buffer.from(candidate);
    return b.length === tokenBytes.length && timingSafeEqual(b, tokenBytes);
  };

  /** The request's path after the token, or null when the token is wrong or the target odd. */
  const pathAfterToken = (reqUrl: string | undefined): string | null => {
    // Only origin-form targets: "//host/..." would parse as another authority.
    if (!reqUrl || !reqUrl.startsWith('/') || reqUrl.startsWith('//')) return null;
    const pathname = new URL(reqUrl, 'http://127.0.0.1').pathname;
    const slash = pathname.indexOf('/', 1);
    const first = slash < 0 ? pathname.slice(1) : pathname.slice(1, slash);
    if (!tokenOk(first)) return null;
    return slash < 0 ? '' : pathname.slice(slash + 1);
  };

  const plain = (res: ServerResponse, status: number, text: string, csp: string) => {
    res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Security-Policy': csp, 'Content-Type': 'text/plain; charset=utf-8' });
    res.end(text);
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const host = loopbackHost(req.headers.host);
    const csp = uiContentSecurityPolicy(host ?? '127.0.0.1');
    const origin = req.headers.origin;
    if (host === null || (origin !== undefined && origin !== `http://${host}`)) return plain(res, 403, 'forbidden', csp);
    const rest = pathAfterToken(req.url);
    if (rest === null) return plain(res, 404, 'not found', csp);
    if (req.method !== 'GET' && req.method !== 'HEAD') return plain(res, 405, 'method not allowed', csp);
    // The page's assets are relative to it: /TOKEN must become /TOKEN/.
    if (rest === '' && !req.url!.split('?')[0].endsWith('/')) {
      res.writeHead(308, { ...SECURITY_HEADERS, 'Content-Security-Policy': csp, Location: `/${token}/` });
      res.end();
      return;
    }
    const download = /^download\/([A-Za-z0-9_-]{16,64})$/.exec(rest);
    if (download) {
      const d = dropDownload(download[1]);
      if (!d) return plain(res, 404, 'not found', csp);
      const size = statSync(d.file).size;
      res.writeHead(200, {
        ...SECURITY_HEADERS,
        'Content-Security-Policy': csp,
        'Content-Type': 'application/vnd.tcpdump.pcap',
        'Content-Disposition': `attachment; filename="${d.name}"`,
        'Content-Length': String(size),
      });
      if (req.method === 'HEAD') {
        res.end();
        rmSync(d.dir, { recursive: true, force: true });
        return;
      }
      const stream = createReadStream(d.file);
      stream.pipe(res);
      await finished(res).catch(() => {});
      stream.destroy();
      rmSync(d.dir, { recursive: true, force: true });
      return;
    }
    const r = await appHandler(new Request(`app://sandpiper/${rest}`, { method: req.method }));
    res.writeHead(r.status, { ...Object.fromEntries(r.headers), 'content-security-policy': csp });
    res.end(Buffer.from(await r.arrayBuffer()));
  }

  const server = createServer((req, res) => {
    void handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500, { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('internal error');
    });
  });

  // Uploads arrive in frames of UI_CHUNK_BYTES; any API message is far smaller.
  const wss = new WebSocketServer({ noServer: true, maxPayload: UI_CHUNK_BYTES, perMessageDeflate: false });
  const sockets = new Set<WebSocket>();

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const host = loopbackHost(req.headers.host);
    // A browser always sends Origin on a WebSocket; it must be the page's own.
    const ok = host !== null && req.headers.origin === `http://${host}` && pathAfterToken(req.url) === UI_SOCKET_PATH;
    if (!ok) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => serveSocket(ws));
  });

  function serveSocket(ws: WebSocket): void {
    sockets.add(ws);
    let pageListener: ((data: unknown) => void) | null = null;
    const closeListeners: (() => void)[] = [];
    const send = (m: unknown) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(m));
    };
    const link: PageLink = {
      post: send,
      onMessage: (l) => void (pageListener = l),
      onClose: (l) => void closeListeners.push(l),
      close: () => ws.close(),
    };
    servePage(link, services);
    let upload: Upload | null = null;
    const reply = (id: number, value: UiShellReply['value']) => send({ type: 'shell', id, value } satisfies UiShellReply);
    const abortUpload = () => {
      const u = upload;
      upload = null;
      if (!u) return;
      u.stream.destroy();
      rmSync(u.dir, { recursive: true, force: true });
    };

    const startUpload = (m: Extract<UiShellRequest, { op: 'upload' }>) => {
      const name = safeUploadName(m.name);
      if (upload) return reply(m.id, { ok: false, error: appError('bad_arguments', 'Another file is still being uploaded.', 'Wait for it to open, then try again.') });
      if (!Number.isSafeInteger(m.size) || m.size <= 0 || m.size > maxUpload) {
        return reply(m.id, {
          ok: false,
          error: appError('unreadable_file', `Cannot open ${name}: it is ${m.size > 0 ? `larger than ${sizeText(maxUpload)}` : 'empty'}.`, 'Run `sandpiper read FILE` or `sandpiper ui FILE` on the machine that has the file.'),
        });
      }
      const dir = mkdtempSync(path.join(privateDir, 'upload-'));
      const file = path.join(dir, name);
      const stream = createWriteStream(file, { flags: 'wx', mode: 0o600 });
      stream.on('error', () => {});
      upload = { id: m.id, name, size: m.size, received: 0, dir, file, stream };
    };

    const chunk = (data: Buffer) => {
      const u = upload;
      // The tail of a refused upload (the page stops sending once it reads the refusal): dropped.
      if (!u) return;
      u.received += data.length;
      if (u.received > u.size) {
        abortUpload();
        return ws.close(1009, 'more bytes than announced');
      }
      // Backpressure: stop reading the socket while the disk catches up.
      if (!u.stream.write(data)) {
        ws.pause();
        u.stream.once('drain', () => ws.resume());
      }
      if (u.received === u.size) void finishUpload(u);
    };

    const finishUpload = async (u: Upload) => {
      upload = null;
      u.stream.end();
      try {
        await finished(u.stream);
        // The last chunk may have paused the socket for a 'drain' that an ended stream never emits.
        ws.resume();
      } catch (e) {
        ws.resume();
        rmSync(u.dir, { recursive: true, force: true });
        return reply(u.id, { ok: false, error: appError('internal', `Cannot store ${u.name}: ${e instanceof Error ? e.message : String(e)}.`, 'Free some space in the temporary directory and try again.') });
      }
      uploads.add(u.file);
      const r = await dispatchHostCall(services, 'openFile', u.file, 'shell');
      dropStaleUploads();
      const value = (r.type === 'result' ? r.value : { ok: false, error: appError('internal', r.message, 'Try again.') }) as Result<{ path: string }>;
      // The user knows the file by its own name, not by where it was stored.
      reply(u.id, value.ok ? { ok: true, value: { path: u.name } } : value);
    };

    /** The whole capture (`flow` null) or one flow's packets, as a one-time download. */
    const save = async (id: number, flow: number | null) => {
      const dir = mkdtempSync(path.join(privateDir, 'save-'));
      const name = flow === null ? 'capture.pcap' : `flow-${flow}.pcap`;
      const r =
        flow === null
          ? await dispatchHostCall(services, 'saveCapture', path.join(dir, name), 'shell')
          : await dispatchHostCall(services, 'saveFlowPackets', { id: flow, path: path.join(dir, name) }, 'shell');
      const value = (r.type === 'result' ? r.value : { ok: false, error: appError('internal', r.message, 'Try again.') }) as Result<{ path: string; packets?: number }>;
      if (!value.ok) {
        rmSync(dir, { recursive: true, force: true });
        return reply(id, value);
      }
      // One prepared download at a time: each is a whole copy of the capture, so a newer save replaces an unfetched one.
      for (const old of [...downloads.keys()]) {
        const d = dropDownload(old);
        if (d) rmSync(d.dir, { recursive: true, force: true });
      }
      const key = randomBytes(18).toString('base64url');
      const timer = setTimeout(() => {
        if (dropDownload(key)) rmSync(dir, { recursive: true, force: true });
      }, DOWNLOAD_TTL_MS);
      timer.unref();
      downloads.set(key, { dir, file: value.value.path, name, timer });
      reply(id, { ok: true, value: { path: name, url: `download/${key}`, ...(value.value.packets !== undefined ? { packets: value.value.packets } : {}) } });
    };

    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (isBinary) return chunk(Buffer.isBuffer(data) ? data : Buffer.from(data as ArrayBuffer));
      let m: unknown;
      try {
        m = JSON.parse(data.toString());
      } catch {
        return;
      }
      if (isShellRequest(m)) {
        if (m.op === 'upload') startUpload(m);
        else void save(m.id, m.op === 'saveFlow' ? m.flow : null);
        return;
      }
      pageListener?.(m);
    });
    ws.on('close', () => {
      sockets.delete(ws);
      abortUpload();
      for (const l of closeListeners) l();
    });
    ws.on('error', () => ws.terminate());
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  const url = `http://127.0.0.1:${port}/${token}/`;
  const launchFile = path.join(privateDir, 'open-sandpiper.html');
  writeFileSync(launchFile, `<!doctype html><meta charset="utf-8"><meta http-equiv="refresh" content="0;url=${url}"><title>Sandpiper</title><a href="${url}">Open Sandpiper</a>\n`, { mode: 0o600 });
  let closed: Promise<void> | null = null;
  return {
    url,
    launchFile,
    port,
    engineHost,
    openPath: async (file) => {
      const r = await dispatchHostCall(services, 'openFile', path.resolve(file), 'shell');
      return (r.type === 'result' ? r.value : { ok: false, error: appError('internal', r.message, 'Try again.') }) as Result<{ path: string }>;
    },
    close: () => {
      closed ??= (async () => {
        offStatus();
        for (const ws of sockets) ws.terminate();
        wss.close();
        const done = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        await engineHost.dispose();
        await done;
        for (const id of [...downloads.keys()]) dropDownload(id);
        // The private directory holds every upload, copy and the launch file: removing it removes them all.
        rmSync(privateDir, { recursive: true, force: true });
      })();
      return closed;
    },
  };
}
