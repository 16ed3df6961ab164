/**
 * The renderer's whole API (SandpiperApi), built over ipcRenderer. One function per action; listeners get the
 * payload only (never the IPC event, which would expose the sender object); nothing else is exposed.
 */
import type { CaptureStatusView, EngineUpdate, InterfaceInfo, Result, SandpiperApi, StartCaptureRequest, ViewRequest } from '../shared/ipc.ts';
import { EVENT_CHANNELS, INVOKE_CHANNELS, IPC_PROTOCOL_VERSION } from '../shared/ipc.ts';

/** The part of ipcRenderer used here. */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, payload: unknown) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, payload: unknown) => void): unknown;
}

// Copy only the known fields (main validates their values): whatever else the page put on the objects stays in the page.
function copyView(req: ViewRequest): ViewRequest {
  const sel: unknown = req.select;
  let select: unknown = sel;
  if (typeof sel === 'object' && sel !== null) select = 'id' in sel ? { id: sel.id } : { index: (sel as { index?: unknown }).index };
  return { seq: req.seq, sortColumn: req.sortColumn, sortDir: req.sortDir, filter: req.filter, start: req.start, end: req.end, select } as ViewRequest;
}

export function createSandpiperApi(ipc: IpcRendererLike): SandpiperApi {
  const subscribe = <T>(channel: string, listener: (v: T) => void): (() => void) => {
    if (typeof listener !== 'function') throw new TypeError('listener must be a function');
    const wrapped = (_event: unknown, payload: unknown) => listener(payload as T);
    ipc.on(channel, wrapped);
    return () => {
      ipc.removeListener(channel, wrapped);
    };
  };
  const api: SandpiperApi = {
    version: IPC_PROTOCOL_VERSION,
    listInterfaces: () => ipc.invoke(INVOKE_CHANNELS.listInterfaces) as Promise<InterfaceInfo[]>,
    validateFilter: (filter: string) => ipc.invoke(INVOKE_CHANNELS.validateFilter, filter) as Promise<Result>,
    startCapture: (req: StartCaptureRequest) =>
      // Copy only the known fields: whatever else the page put on the object stays in the page.
      ipc.invoke(INVOKE_CHANNELS.startCapture, { interface: req.interface, filter: req.filter, promisc: req.promisc }) as Promise<Result>,
    stopCapture: async () => {
      await ipc.invoke(INVOKE_CHANNELS.stopCapture);
    },
    setPaused: async (paused: boolean) => {
      await ipc.invoke(INVOKE_CHANNELS.setPaused, paused);
    },
    openCaptureFile: () => ipc.invoke(INVOKE_CHANNELS.openCaptureFile) as Promise<Result<{ path: string } | null>>,
    saveCapture: () => ipc.invoke(INVOKE_CHANNELS.saveCapture) as Promise<Result<{ path: string } | null>>,
    setView: async (req: ViewRequest) => {
      await ipc.invoke(INVOKE_CHANNELS.setView, copyView(req));
    },
    onUpdate: (listener: (u: EngineUpdate) => void) => subscribe(EVENT_CHANNELS.update, listener),
    onStatus: (listener: (s: CaptureStatusView) => void) => subscribe(EVENT_CHANNELS.status, listener),
  };
  return Object.freeze(api);
}
