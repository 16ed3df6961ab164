/**
 * The renderer's whole API (SandpiperApi), derived from the API table (src/shared/api.ts) by createApiClient: the
 * page's calls go over a MessagePort straight to the engine host (main hands it over on `connect`), and the two file
 * dialogs are invoke calls to main. The port stays here, in the isolated world: the page gets only the frozen API,
 * its listeners get payloads only (never an IPC event or a port), and there is no ipcRenderer passthrough.
 */
import { createApiClient, type CallMessage, type SandpiperApi } from '../shared/api.ts';
import { EVENT_CHANNELS, INVOKE_CHANNELS, type AppError, type Result } from '../shared/ipc.ts';

/** The part of the renderer's MessagePort used here. */
export interface PortLike {
  onmessage: ((e: { data: unknown }) => void) | null;
  postMessage(message: unknown): void;
}

/** The part of ipcRenderer used here. */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: { ports?: readonly PortLike[] }, payload: unknown) => void): unknown;
}

export function createSandpiperApi(ipc: IpcRendererLike): SandpiperApi {
  let port: PortLike | null = null;
  // Calls made before the port arrives (the app starts at once) wait for it, in order.
  const queued: CallMessage[] = [];
  const client = createApiClient(
    (m) => {
      if (port) port.postMessage(m);
      else queued.push(m);
    },
    {
      openCaptureFile: () => ipc.invoke(INVOKE_CHANNELS.openCaptureFile) as Promise<Result<{ path: string } | null>>,
      saveCapture: () => ipc.invoke(INVOKE_CHANNELS.saveCapture) as Promise<Result<{ path: string } | null>>,
      saveTableExport: (req) => ipc.invoke(INVOKE_CHANNELS.saveTableExport, req) as Promise<Result<{ path: string; flows: number } | null>>,
      saveFlowPackets: (id) => ipc.invoke(INVOKE_CHANNELS.saveFlowPackets, id) as Promise<Result<{ path: string; packets: number } | null>>,
    },
  );
  ipc.on(EVENT_CHANNELS.hostPort, (event) => {
    const p = event.ports?.[0];
    // One port per page load: a second one is not expected and is not used.
    if (!p || port) return;
    port = p;
    p.onmessage = (e) => client.receive(e.data);
    for (const m of queued.splice(0)) p.postMessage(m);
  });
  ipc.on(EVENT_CHANNELS.hostGone, (_event, error) => client.fail(error as AppError));
  void ipc.invoke(INVOKE_CHANNELS.connect).catch((e: unknown) =>
    client.fail({ code: 'internal', message: `Sandpiper could not connect to its engine: ${e instanceof Error ? e.message : String(e)}.`, action: 'Restart Sandpiper.' }),
  );
  return client.api;
}
