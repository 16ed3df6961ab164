/**
 * main's IPC surface: exactly the invoke channels of src/shared/ipc.ts (the file dialogs and the page's request for
 * its port to the engine host), each checking that the sender is the app's own top-level page (app://sandpiper) and
 * its arguments: none, except the table export's request and a flow id, each checked by the API table's own
 * validator (never a path). Everything else the page asks goes straight to the engine host, which validates it
 * against the API table (src/shared/api.ts).
 */
import type { IpcMainInvokeEvent, MessagePortMain } from 'electron';
import type { InvokeName, SandpiperApi } from '../shared/ipc.ts';
import { checkFlowId, checkTableExportRequest, type Check } from '../shared/api.ts';
import { EVENT_CHANNELS, INVOKE_CHANNELS } from '../shared/ipc.ts';
import { APP_ORIGIN } from '../engine-host/renderer-files.ts';

/** What main does for the page: the shell's dialogs, and making the page's port. */
export interface IpcBackend extends Pick<SandpiperApi, 'openCaptureFile' | 'saveCapture' | 'saveTableExport' | 'saveFlowPackets'> {
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

type Handler = (event: SenderInfo, arg: never) => Promise<unknown>;

/** The one argument a channel takes, by its validator; channels not listed take none. */
const CHANNEL_ARGS: Partial<Record<InvokeName, Check<unknown>>> = {
  saveTableExport: checkTableExportRequest,
  saveFlowPackets: checkFlowId,
};

export function buildHandlers(b: IpcBackend): Record<InvokeName, Handler> {
  return {
    openCaptureFile: () => b.openCaptureFile(),
    saveCapture: () => b.saveCapture(),
    saveTableExport: (_e, req: Parameters<IpcBackend['saveTableExport']>[0]) => b.saveTableExport(req),
    saveFlowPackets: (_e, id: number) => b.saveFlowPackets(id),
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
      const check = CHANNEL_ARGS[name];
      if (check === undefined) {
        if (args.length !== 0) throw new TypeError(`expected no arguments, got ${args.length}`);
        return handler(event, undefined as never);
      }
      if (args.length !== 1) throw new TypeError(`expected one argument, got ${args.length}`);
      const arg = check(args[0]);
      if (!arg.ok) throw new TypeError(arg.reason);
      return handler(event, arg.value as never);
    });
  }
}
