/**
 * `sandpiper ui [FILE] [--port N] [--no-open] [--json]`: the app's renderer in a browser, served by the engine host on
 * 127.0.0.1 (src/engine-host/ui-server.ts), for machines without Electron (a server over an SSH tunnel). Prints the
 * URL (with --json exactly one line, {"type":"ui","url":…}) and opens it with xdg-open unless --no-open (through a
 * private file that redirects to it, so the token is never on a command line); runs until
 * Ctrl-C (SIGINT) or SIGTERM, then stops the capture and removes its temporary files.
 * Exit: 0 stopped, 64 usage, 66 FILE unreadable, 69 the renderer is not built or the port cannot be used.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startUiServer, type UiServer, type UiServerOptions } from '../engine-host/ui-server.ts';
import { createSourceEngine } from '../engine-host/engine-adapter.ts';
import { createLiveCaptureStarter } from '../engine-host/live-capture-adapter.ts';

export const UI_USAGE = 'usage: sandpiper ui [FILE] [--port N] [--no-open] [--json]\n';

export interface UiArgs {
  file: string | null;
  port: number;
  open: boolean;
  json: boolean;
}

export function parseUiArgs(args: string[]): UiArgs | 'help' | string {
  if (args.includes('--help') || args.includes('-h')) return 'help';
  const out: UiArgs = { file: null, port: 0, open: true, json: false };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--json') out.json = true;
    else if (a === '--no-open') out.open = false;
    else if (a === '--port') {
      const v = args[++i];
      if (v === undefined || !/^\d{1,5}$/.test(v) || Number(v) > 65535) return `--port needs a port number (0-65535), not ${v === undefined ? 'nothing' : `'${v}'`}`;
      out.port = Number(v);
    } else if (a.startsWith('-') && a !== '-') return `unknown option '${a}'`;
    else if (out.file !== null) return 'only one FILE can be opened';
    else out.file = a;
  }
  return out;
}

/** The checkout or package root: the nearest directory above this module with Sandpiper's package.json. */
function findRendererDir(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'dist'))) return path.join(dir, 'dist', 'renderer');
    const up = path.dirname(dir);
    if (up === dir) return path.resolve('dist/renderer');
    dir = up;
  }
}

export interface UiDeps {
  out: (s: string) => void;
  err: (s: string) => void;
  /** Resolves when the user asks to stop (Ctrl-C). */
  stopped: () => Promise<void>;
  /** Opens the browser on `target` (a private file redirecting to `url`). */
  openUrl: (target: string, url: string) => void;
  rendererDir?: string;
  server?: Partial<UiServerOptions>;
  /** Called once serving, with the server (tests). */
  started?: (s: UiServer) => void;
}

/** Opens `target` (the server's private redirect file, not the URL: a command line is readable by every local user). */
function xdgOpen(target: string, url: string, err: (s: string) => void): void {
  const child = spawn('xdg-open', [target], { stdio: 'ignore', detached: true });
  child.on('error', () => err(`sandpiper ui: could not start xdg-open; open ${url} in a browser\n`));
  child.unref();
}

function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve();
    };
    process.on('SIGINT', done);
    process.on('SIGTERM', done);
  });
}

export async function runUi(args: string[], deps: Partial<UiDeps> = {}): Promise<number> {
  const out = deps.out ?? ((s: string) => void process.stdout.write(s));
  const err = deps.err ?? ((s: string) => void process.stderr.write(s));
  const parsed = parseUiArgs(args);
  if (parsed === 'help') {
    out(UI_USAGE);
    return 0;
  }
  if (typeof parsed === 'string') {
    err(`sandpiper ui: ${parsed}\n${UI_USAGE}`);
    return 64;
  }
  const rendererDir = deps.rendererDir ?? findRendererDir();
  if (!existsSync(path.join(rendererDir, 'index.html'))) {
    err(`sandpiper ui: the renderer is not built (${rendererDir}); run \`npm run build\` in the checkout first\n`);
    return 69;
  }
  // Listen for Ctrl-C before anything starts, so it always stops cleanly.
  const stopped = (deps.stopped ?? untilSignal)();
  let server: UiServer;
  try {
    server = await startUiServer({ rendererDir, host: { createEngine: createSourceEngine, startLive: createLiveCaptureStarter() }, port: parsed.port, ...deps.server });
  } catch (e) {
    err(`sandpiper ui: cannot listen on 127.0.0.1:${parsed.port}: ${e instanceof Error ? e.message : String(e)}\n`);
    return 69;
  }
  try {
    if (parsed.file !== null) {
      const file = path.resolve(parsed.file);
      const r = await server.openPath(file);
      if (!r.ok) {
        const src = server.engineHost.getStatus().source;
        // A file corrupt part-way still shows the flows read up to the damage; one that cannot be read shows nothing.
        const shown = src?.kind === 'file' && src.path === file;
        err(`sandpiper ui: ${r.error.message}${shown ? ' The flows read before it are shown.' : ''}\n`);
        if (!shown) return 66;
      }
    }
    out(parsed.json ? `${JSON.stringify({ type: 'ui', url: server.url })}\n` : `Sandpiper is at ${server.url}\nPress Ctrl-C to stop.\n`);
    deps.started?.(server);
    if (parsed.open) (deps.openUrl ?? ((t: string, u: string) => xdgOpen(t, u, err)))(server.launchFile, server.url);
    await stopped;
    return 0;
  } finally {
    await server.close();
  }
}
