/**
 * main's IPC surface: exactly the invoke channels of src/shared/ipc.ts (the two file dialogs and the page's request
 * for its port to the engine host), each checking that the sender is the app's own top-level page (app://sandpiper)
 * and that it passed no arguments. Everything else the page asks goes straight to the engine host, which validates
 * it against the API table (src/shared/api.ts).
 */
import type { IpcMainInvokeEvent, MessagePortMain } from 'electron';
import type { InvokeName, SandpiperApi } from '../shared/ipc.ts';
import { EVENT_CHANNELS, INVOKE_CHANNELS } from '../shared/ipc.ts';
import { APP_ORIGIN } from '../engine-host/renderer-files.ts';

/** What main does for the page: the shell's dialogs, and making the page's port. */
export interface IpcBackend extends Pick<SandpiperApi, 'openCaptureFile' | 'saveCapture'> {
  /** Makes a port pair, gives one end to the engine host and the other to `toPage`. */
  connect(toPage: (port: unknown) => void): Promise<void>;
}

/** The part of an invoke event the handlers read. */
export type SenderInfo = Pick<IpcMainInvokeEvent, 'senderFrame'>;

export class UntrustedSenderError extends Error {
  constructor() {
    super('IPC request refused: it did not come from the Sandpiper page');
    this.name = 'UntrustedSenderError';
  }
}

export function isTrustedSender(e: SenderInfo): boolean {
  const frame = e.senderFrame;
  if (!frame || frame.parent !== null) return false;
  try {
    // WHATWG URL gives custom schemes an opaque ("null") origin, so compare scheme and host explicitly.
    const u = new URL(frame.url);
    return `${u.protocol}//${u.host}` === APP_ORIGIN && u.username === '' && u.password === '';
  } catch {
    return false;
  }
}

export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcMainInvokeEvent, ...args: unknown[]) => unknown): void;
}

type Handler = (event: SenderInfo) => Promise<unknown>;

export function buildHandlers(b: IpcBackend): Record<InvokeName, Handler> {
  return {
    openCaptureFile: () => b.openCaptureFile(),
    saveCapture: () => b.saveCapture(),
    // The port goes to the frame that asked, which the sender check has just shown to be the app's top frame.
    connect: (e) => b.connect((port) => e.senderFrame?.postMessage(EVENT_CHANNELS.hostPort, null, [port as MessagePortMain])),
  };
}

/** Registers every invoke channel (and only those). */
export function registerIpcHandlers(ipcMain: IpcMainLike, backend: IpcBackend, trusted: (e: SenderInfo) => boolean = isTrustedSender): void {
  const handlers = buildHandlers(backend);
  for (const name of Object.keys(INVOKE_CHANNELS) as InvokeName[]) {
    const handler = handlers[name];
    ipcMain.handle(INVOKE_CHANNELS[name], (event, ...args) => {
      if (!trusted(event)) throw new UntrustedSenderError();
      if (args.length !== 0) throw new TypeError(`expected no arguments, got ${args.length}`);
      return handler(event);
    });
  }
}
