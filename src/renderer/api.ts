/**
 * The page's API. In Electron it is the preload's `window.sandpiper`. Served by `sandpiper ui` (a plain http page on
 * 127.0.0.1, no preload) it is built here over a WebSocket to the engine host beside the page, from the same API
 * table (createApiClient, src/shared/api.ts), with the browser as the shell: opening a file picks it and uploads
 * it, saving is a download (of a one-time URL the server prepared; a table export is the host's text as a Blob).
 */
import { createApiClient, type CallMessage } from '../shared/api.ts';
import type { AppError, Result, SandpiperApi, TableExportRequest } from '../shared/ipc.ts';
import { UI_CHUNK_BYTES, UI_MAX_UPLOAD_BYTES, uiSocketUrl, type UiShellReply, type UiShellRequest } from '../shared/ui-protocol.ts';

/** The API injected by the preload, or the WebSocket one when served by `sandpiper ui`; null otherwise. */
export function getApi(): SandpiperApi | null {
  if (typeof window === 'undefined') return null;
  const api = window.sandpiper;
  if (api && typeof api === 'object' && typeof api.onUpdate === 'function') return api;
  const socket = uiSocketUrl(window.location.href);
  return socket === null ? null : createWebSocketApi(socket);
}

const CAPTURE_TYPES = '.pcap,.pcapng,.cap,.dmp';
/** Upload bytes in flight before the next chunk waits (the socket's send buffer). */
const UPLOAD_WINDOW = 8 * UI_CHUNK_BYTES;

function lostError(message: string): AppError {
  return { code: 'internal', message, action: 'Start `sandpiper ui` again and reload this page.' };
}

/** Lets the user pick one capture file; null when the picker is cancelled. */
function pickFile(): Promise<File | null> {
  return new Promise((resolve) => {
    const input = document.createElement('input');
    input.type = 'file';
    input.accept = CAPTURE_TYPES;
    input.addEventListener('change', () => resolve(input.files?.[0] ?? null), { once: true });
    input.addEventListener('cancel', () => resolve(null), { once: true });
    input.click();
  });
}

/** Has the browser save `href` (same origin, or a Blob) as `name`. */
function download(href: string, name: string): void {
  const a = document.createElement('a');
  a.href = href;
  a.download = name;
  a.click();
}

const EXPORT_TYPES = { csv: 'text/csv;charset=utf-8', json: 'application/json' } as const;

export function createWebSocketApi(socketUrl: URL): SandpiperApi {
  const ws = new WebSocket(socketUrl);
  ws.binaryType = 'arraybuffer';
  const queued: string[] = [];
  const send = (m: CallMessage | UiShellRequest) => {
    const text = JSON.stringify(m);
    if (ws.readyState === WebSocket.OPEN) ws.send(text);
    else if (ws.readyState === WebSocket.CONNECTING) queued.push(text);
  };
  let shellId = 1;
  const shellPending = new Map<number, (v: UiShellReply['value']) => void>();
  let lost: AppError | null = null;
  const shellCall = (m: UiShellRequest, after?: () => Promise<void>): Promise<UiShellReply['value']> => {
    if (lost) return Promise.resolve({ ok: false, error: lost });
    return new Promise((resolve) => {
      shellPending.set(m.id, resolve);
      send(m);
      void after?.().catch((e: unknown) => {
        shellPending.delete(m.id);
        resolve({ ok: false, error: { code: 'unreadable_file', message: `Cannot read the file: ${e instanceof Error ? e.message : String(e)}.`, action: 'Choose a pcap or pcapng file that you can read.' } });
      });
    });
  };

  async function uploadBytes(file: File, id: number): Promise<void> {
    // Stops as soon as the answer is in (a refusal comes before the bytes are through).
    for (let at = 0; at < file.size && shellPending.has(id); at += UI_CHUNK_BYTES) {
      while (ws.bufferedAmount > UPLOAD_WINDOW) await new Promise((r) => setTimeout(r, 10));
      if (ws.readyState !== WebSocket.OPEN) throw new Error('the connection to Sandpiper closed');
      ws.send(await file.slice(at, at + UI_CHUNK_BYTES).arrayBuffer());
    }
  }

  const client = createApiClient(send, {
    async openCaptureFile(): Promise<Result<{ path: string } | null>> {
      const file = await pickFile();
      if (file === null) return { ok: true, value: null };
      const id = shellId++;
      const r = await shellCall({ type: 'shell', id, op: 'upload', name: file.name, size: file.size }, file.size > 0 && file.size <= UI_MAX_UPLOAD_BYTES ? () => uploadBytes(file, id) : undefined);
      return r.ok ? { ok: true, value: { path: r.value.path } } : r;
    },
    async saveCapture(): Promise<Result<{ path: string } | null>> {
      const r = await shellCall({ type: 'shell', id: shellId++, op: 'save' });
      if (!r.ok) return r;
      // A one-time URL beside the page (same origin, under the token); the browser saves what it serves.
      if (r.value.url !== undefined) download(new URL(r.value.url, window.location.href).href, r.value.path);
      return { ok: true, value: { path: r.value.path } };
    },
    async saveTableExport(req: TableExportRequest): Promise<Result<{ path: string; flows: number } | null>> {
      const r = await client.api.exportTable(req);
      if (!r.ok) return r;
      const name = `flows.${req.format}`;
      const url = URL.createObjectURL(new Blob([r.value.text], { type: EXPORT_TYPES[req.format] }));
      download(url, name);
      // The download has started from the Blob by then; its URL is not needed afterwards.
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      return { ok: true, value: { path: name, flows: r.value.flows } };
    },
    async saveFlowPackets(flow: number): Promise<Result<{ path: string; packets: number } | null>> {
      const r = await shellCall({ type: 'shell', id: shellId++, op: 'saveFlow', flow });
      if (!r.ok) return r;
      if (r.value.url !== undefined) download(new URL(r.value.url, window.location.href).href, r.value.path);
      return { ok: true, value: { path: r.value.path, packets: r.value.packets ?? 0 } };
    },
  });

  const fail = (error: AppError) => {
    if (lost) return;
    lost = error;
    for (const resolve of shellPending.values()) resolve({ ok: false, error });
    shellPending.clear();
    client.fail(error);
  };
  ws.addEventListener('open', () => {
    for (const text of queued.splice(0)) ws.send(text);
  });
  ws.addEventListener('message', (e: MessageEvent) => {
    if (typeof e.data !== 'string') return;
    let m: unknown;
    try {
      m = JSON.parse(e.data);
    } catch {
      return;
    }
    const s = m as Partial<UiShellReply>;
    if (s.type === 'shell' && typeof s.id === 'number') {
      const resolve = shellPending.get(s.id);
      shellPending.delete(s.id);
      if (resolve && s.value) resolve(s.value);
      return;
    }
    client.receive(m);
  });
  ws.addEventListener('close', () => fail(lostError('The connection to Sandpiper closed (was `sandpiper ui` stopped?).')));
  return client.api;
}
