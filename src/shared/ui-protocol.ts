/**
 * `sandpiper ui`: the page talks to the engine host over a WebSocket at `api` beside the page
 * (`http://127.0.0.1:PORT/TOKEN/api`). Text frames carry the API's messages as JSON (src/shared/api.ts) plus the
 * browser shell's two requests below; binary frames carry only the bytes of an announced upload, in order, each at
 * most UI_CHUNK_BYTES.
 */
import type { Result } from './ipc.ts';

/** The WebSocket's path, relative to the page's URL (which carries the token). */
export const UI_SOCKET_PATH = 'api';
/** Largest binary frame of an upload. */
export const UI_CHUNK_BYTES = 1 << 20;
/** Largest capture file a page may upload (the server may be started with a smaller bound). */
export const UI_MAX_UPLOAD_BYTES = 2 ** 30;

/**
 * `upload`: `size` bytes follow as binary frames; the server writes them to a private file and opens it.
 * `save`: the server writes the capture to a private file and answers with a one-time download URL.
 */
export type UiShellRequest = { type: 'shell'; id: number; op: 'upload'; name: string; size: number } | { type: 'shell'; id: number; op: 'save' };

/** The answer to a shell request: `path` is the file's name as the user knows it; `url` the download's, for save. */
export interface UiShellReply {
  type: 'shell';
  id: number;
  value: Result<{ path: string; url?: string }>;
}
