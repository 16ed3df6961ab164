/**
 * The test bridge's `window.sandpiper` (runs in the page, injected before the app bundle): SandpiperApi over
 * fetch (calls) and EventSource (updates and status) to the bridge server, where src/engine-host drives the real
 * engine. Updates arrive as JSON (an EngineUpdate is plain data), so the app gets the EngineUpdate it gets over
 * Electron IPC. Bundled by esbuild at bridge start; it imports src/shared only.
 */
import { IPC_PROTOCOL_VERSION, type CaptureStatusView, type EngineUpdate, type SandpiperApi, type StartCaptureRequest, type ViewRequest } from '../../../src/shared/ipc.ts';

interface PageGlobals {
  sandpiper?: SandpiperApi;
  EventSource: new (url: string) => { addEventListener(type: string, l: (e: { data: string }) => void): void };
  fetch(url: string, init: { method: string; headers: Record<string, string>; body: string }): Promise<{ json(): Promise<unknown> }>;
}

const g = globalThis as unknown as PageGlobals;

async function call(method: string, arg?: unknown): Promise<unknown> {
  const r = await g.fetch('/__bridge/call', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ method, arg }) });
  const body = (await r.json()) as { value?: unknown };
  return body.value;
}

const updateListeners = new Set<(u: EngineUpdate) => void>();
const statusListeners = new Set<(s: CaptureStatusView) => void>();
const events = new g.EventSource('/__bridge/events');
events.addEventListener('update', (e) => {
  const u = JSON.parse(e.data) as EngineUpdate;
  for (const l of updateListeners) l(u);
});
events.addEventListener('status', (e) => {
  const s = JSON.parse(e.data) as CaptureStatusView;
  for (const l of statusListeners) l(s);
});

const api: SandpiperApi = {
  version: IPC_PROTOCOL_VERSION,
  listInterfaces: () => call('listInterfaces') as ReturnType<SandpiperApi['listInterfaces']>,
  validateFilter: (filter: string) => call('validateFilter', filter) as ReturnType<SandpiperApi['validateFilter']>,
  startCapture: (req: StartCaptureRequest) => call('startCapture', req) as ReturnType<SandpiperApi['startCapture']>,
  stopCapture: async () => void (await call('stopCapture')),
  setPaused: async (paused: boolean) => void (await call('setPaused', paused)),
  openCaptureFile: () => call('openCaptureFile') as ReturnType<SandpiperApi['openCaptureFile']>,
  saveCapture: () => call('saveCapture') as ReturnType<SandpiperApi['saveCapture']>,
  setView: async (req: ViewRequest) => void (await call('setView', req)),
  onUpdate: (l) => {
    updateListeners.add(l);
    return () => void updateListeners.delete(l);
  },
  onStatus: (l) => {
    statusListeners.add(l);
    return () => void statusListeners.delete(l);
  },
};
g.sandpiper = Object.freeze(api);
