/**
 * `sandpiper ui`: the page talks to the engine host over a WebSocket at `api` beside the page
 * (`http://127.0.0.1:PORT/TOKEN/api`). Text frames carry the API's messages as JSON (src/shared/api.ts) plus the
 * browser shell's requests below; binary frames carry only the bytes of an announced upload, in order, each at
 * most UI_CHUNK_BYTES.
 */
import type { Result } from './ipc.ts';

/** The WebSocket's path, relative to the page's URL (which carries the token). */
export const UI_SOCKET_PATH = 'api';
/** The token's length in the URL path: 24 random bytes, base64url. */
export const UI_TOKEN_BYTES = 24;
const PAGE_PATH_RE = /^\/[A-Za-z0-9_-]{32}\/(index\.html)?$/;
const LOOPBACK_RE = /^(127\.0\.0\.1|localhost|\[::1\])$/;

/**
 * The socket beside a page served by `sandpiper ui` (plain http on a loopback name, under a token), or null for any
 * other page: the renderer uses the WebSocket API only there.
 */
export function uiSocketUrl(pageHref: string): URL | null {
  let page: URL;
  try {
    page = new URL(pageHref);
  } catch {
    return null;
  }
  if (page.protocol !== 'http:' || !LOOPBACK_RE.test(page.hostname) || !PAGE_PATH_RE.test(page.pathname)) return null;
  const socket = new URL(UI_SOCKET_PATH, page);
  socket.protocol = 'ws:';
  socket.search = '';
  socket.hash = '';
  return socket;
}
/** Largest binary frame of an upload. */
export const UI_CHUNK_BYTES = 1 << 20;
/** Largest capture file a page may upload (the server may be started with a smaller bound). */
export const UI_MAX_UPLOAD_BYTES = 2 ** 30;

/**
 * `upload`: `size` bytes follow as binary frames; the server writes them to a private file and opens it.
 * `save`: the server writes the capture to a private file and answers with a one-time download URL.
 * `saveFlow`: the same for the packets of flow `flow`. (A table export needs no request: the page has its text.)
 */
export type UiShellRequest =
  | { type: 'shell'; id: number; op: 'upload'; name: string; size: number }
  | { type: 'shell'; id: number; op: 'save' }
  | { type: 'shell'; id: number; op: 'saveFlow'; flow: number };

/**
 * The answer to a shell request: `path` is the file's name as the user knows it; `url` the download's, for the
 * saves; `packets` how many a saved flow had.
 */
export interface UiShellReply {
  type: 'shell';
  id: number;
  value: Result<{ path: string; url?: string; packets?: number }>;
}
