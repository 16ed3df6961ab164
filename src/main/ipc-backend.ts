/**
 * main's IpcBackend: what main still does for the page. Native file dialogs run here (so the page never names a
 * path), then the engine host is called with the chosen path; and `connect` makes the page's MessagePort pair, one
 * end for the host, the other for the page, after which main is out of the way.
 */
import type { Result } from '../shared/ipc.ts';
import type { IpcBackend } from './ipc-handlers.ts';

export interface HostCaller {
  call(method: 'openFile' | 'saveCapture', path: string): Promise<unknown>;
  /** Hands a port to the host; false when the host is gone. */
  connect(port: unknown): boolean;
}

export interface FileDialogs {
  /** An absolute path of a capture file to open, or null when cancelled. */
  chooseOpen(): Promise<string | null>;
  chooseSave(): Promise<string | null>;
}

/** Electron's MessageChannelMain, as a function (tests pass fakes). */
export type NewChannel = () => { port1: unknown; port2: unknown };

export function createIpcBackend(host: HostCaller, dialogs: FileDialogs, newChannel: NewChannel): IpcBackend {
  return {
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
    connect: async (toPage) => {
      const { port1, port2 } = newChannel();
      if (host.connect(port1)) toPage(port2);
    },
  };
}
