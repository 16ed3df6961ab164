/**
 * The engine host's dispatcher, derived from the API table (src/shared/api.ts): every call, from a page link or
 * from the shell (Electron main, the `sandpiper ui` server), is checked against the table here — the method's
 * caller, its argument — before it becomes an EngineHost action. This process owns the engine, so this is the
 * boundary, whatever was checked before.
 */
import type { InterfaceInfo, Result } from '../shared/ipc.ts';
import { API_VERSION, HOST_API, isCallMessage, type HostArg, type HostMethod, type HostReturn, type HostToPage } from '../shared/api.ts';
import { isConnectMessage, type HostToMain } from '../shared/engine-host-protocol.ts';
import { actionFor, appError } from './app-errors.ts';
import type { EngineHost } from './engine-host.ts';
import type { SettingsFile } from './settings-file.ts';
import { badArguments } from './validate.ts';

export { HOST_METHODS } from '../shared/api.ts';
export type { HostMethod } from '../shared/api.ts';

export interface HostServices {
  engineHost: EngineHost;
  listInterfaces(): InterfaceInfo[];
  validateFilter(filter: string): Result;
  settings: SettingsFile;
}

export type Caller = 'page' | 'shell';
/** The answer to one call, before its id is put on it. */
export type Reply = { type: 'result'; value: unknown } | { type: 'error'; message: string };

type Impl = { [M in HostMethod]: (s: HostServices, arg: HostArg<M>) => Promise<HostReturn<M>> | HostReturn<M> };

const IMPL: Impl = {
  listInterfaces: (s) => s.listInterfaces(),
  validateFilter: (s, filter) => s.validateFilter(filter),
  startCapture: (s, req) => {
    // libpcap's compiler first: a bad filter is answered before the helper (and its password prompt) runs.
    const v = s.validateFilter(req.filter);
    return v.ok ? s.engineHost.startCapture(req) : v;
  },
  stopCapture: (s) => s.engineHost.stopCapture(),
  setPaused: (s, paused) => s.engineHost.setPaused(paused),
  setView: (s, req) => s.engineHost.setView(req),
  setOverview: (s, req) => s.engineHost.setOverview(req),
  openFile: (s, file) => s.engineHost.openFile(file),
  saveCapture: (s, dest) => s.engineHost.saveCapture(dest),
  getSettings: (s) => s.settings.load(),
  saveSettings: (s, settings) => s.settings.save(settings),
  exportTable: (s, req) => s.engineHost.exportTable(req),
  saveFlowPackets: (s, req) => s.engineHost.saveFlowPackets(req),
  flowSeries: (s, id) => s.engineHost.flowSeries(id),
};

function refusal(method: HostMethod, reason: string): Reply {
  return HOST_API[method].refusal === 'result' ? { type: 'result', value: { ok: false, error: badArguments(reason) } } : { type: 'error', message: reason };
}

/** Runs one call as the table says. Never throws. */
export async function dispatchHostCall(s: HostServices, method: HostMethod, arg: unknown, caller: Caller): Promise<Reply> {
  const spec = HOST_API[method];
  if (spec.caller === 'shell' && caller !== 'shell') return refusal(method, 'The page cannot ask for that.');
  const checked = spec.arg === null ? (arg === undefined ? { ok: true as const, value: undefined } : { ok: false as const, reason: `${method} takes no argument.` }) : spec.arg(arg);
  if (!checked.ok) return refusal(method, checked.reason);
  try {
    const value = await (IMPL[method] as (s: HostServices, a: unknown) => unknown)(s, checked.value);
    return { type: 'result', value };
  } catch (e) {
    const message = `The engine host failed: ${e instanceof Error ? e.message : String(e)}.`;
    return spec.refusal === 'result' ? { type: 'result', value: { ok: false, error: appError('internal', message, actionFor('internal')) } } : { type: 'error', message };
  }
}

/** A page's link to the host: an Electron MessagePort, or a `sandpiper ui` WebSocket. */
export interface PageLink {
  post(m: HostToPage): void;
  onMessage(listener: (data: unknown) => void): void;
  onClose(listener: () => void): void;
  close(): void;
}

/**
 * Serves one page on its link: hello and the current status first, then every update and status change; page
 * calls only (a shell method from a page is refused). Returns the function that stops it (also run on close).
 */
export function servePage(link: PageLink, s: HostServices): () => void {
  let open = true;
  link.post({ type: 'hello', version: API_VERSION });
  link.post({ type: 'status', status: s.engineHost.getStatus() });
  const offUpdate = s.engineHost.onUpdate((update) => link.post({ type: 'update', update }));
  const offStatus = s.engineHost.onStatus((status) => link.post({ type: 'status', status }));
  const stop = () => {
    if (!open) return;
    open = false;
    offUpdate();
    offStatus();
  };
  link.onClose(stop);
  link.onMessage((data) => {
    if (!open || !isCallMessage(data)) return;
    void dispatchHostCall(s, data.method, data.arg, 'page').then((r) => {
      if (open) link.post({ ...r, id: data.id });
    });
  });
  return stop;
}

/** The part of Electron's MessagePortMain used here. */
export interface MessagePortLike {
  on(event: 'message', listener: (e: { data: unknown }) => void): unknown;
  on(event: 'close', listener: () => void): unknown;
  postMessage(message: unknown): void;
  start(): void;
  close(): void;
}

export function portLink(port: MessagePortLike): PageLink {
  return {
    post: (m) => port.postMessage(m),
    onMessage: (l) => void port.on('message', (e) => l(e.data)),
    onClose: (l) => void port.on('close', l),
    close: () => port.close(),
  };
}

/** The part of Electron's utility-process parentPort used by the host. */
export interface ParentPortLike {
  on(event: 'message', listener: (e: { data: unknown; ports?: readonly MessagePortLike[] }) => void): unknown;
  postMessage(message: unknown): void;
}

/**
 * Serves the shell (Electron main) on the parent port: its calls (any method of the table, paths from its dialogs),
 * and `connect` messages, each carrying a page's port. Electron has one window, so a new page port (a reload)
 * replaces the previous one, which is closed.
 */
export function serveHost(parent: ParentPortLike, services: HostServices): void {
  let current: { link: PageLink; stop: () => void } | null = null;
  parent.on('message', (e) => {
    const m = e.data;
    if (isConnectMessage(m)) {
      const port = e.ports?.[0];
      if (!port) return;
      if (current) {
        current.stop();
        current.link.close();
      }
      const link = portLink(port);
      current = { link, stop: servePage(link, services) };
      port.start();
      return;
    }
    if (!isCallMessage(m)) return;
    void dispatchHostCall(services, m.method, m.arg, 'shell').then((r) => parent.postMessage({ ...r, id: m.id } satisfies HostToMain));
  });
}
