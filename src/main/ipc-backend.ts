/**
 * main's IpcBackend: native file dialogs run here (so the renderer never names a path); everything else is a call
 * to the engine host. Results from the host are passed through as the renderer expects them.
 */
import type { InterfaceInfo, Result, StartCaptureRequest, ViewRequest } from '../shared/ipc.ts';
import type { HostMethod } from '../engine-host/host-protocol.ts';
import type { IpcBackend } from './ipc-handlers.ts';

export interface HostCaller {
  call(method: HostMethod, arg?: unknown): Promise<unknown>;
}

export interface FileDialogs {
  /** An absolute path of a capture file to open, or null when cancelled. */
  chooseOpen(): Promise<string | null>;
  chooseSave(): Promise<string | null>;
}

export function createIpcBackend(host: HostCaller, dialogs: FileDialogs): IpcBackend {
  return {
    listInterfaces: async () => (await host.call('listInterfaces')) as InterfaceInfo[],
    validateFilter: async (filter) => (await host.call('validateFilter', filter)) as Result,
    startCapture: async (req: StartCaptureRequest) => (await host.call('startCapture', req)) as Result,
    stopCapture: async () => {
      await host.call('stopCapture');
    },
    setPaused: async (paused) => {
      await host.call('setPaused', paused);
    },
    openCaptureFile: async () => {
      const file = await dialogs.chooseOpen();
      if (file === null) return { ok: true, value: null };
      return (await host.call('openFile', file)) as Result<{ path: string }>;
    },
    saveCapture: async () => {
      const file = await dialogs.chooseSave();
      if (file === null) return { ok: true, value: null };
      return (await host.call('saveCapture', file)) as Result<{ path: string }>;
    },
    setView: async (req: ViewRequest) => {
      await host.call('setView', req);
    },
  };
}
