/**
 * main's IPC surface: exactly the invoke channels of src/shared/ipc.ts, each checking that the sender is the app's own
 * top-level page (app://sandpiper) and validating its arguments before anything reaches the engine host.
 */
import type { IpcMainInvokeEvent } from 'electron';
import type { InvokeName, SandpiperApi } from '../shared/ipc.ts';
import { INVOKE_CHANNELS } from '../shared/ipc.ts';
import { checkBoolean, checkFilter, checkStartCapture, checkViewRequest } from '../engine-host/validate.ts';
import { APP_ORIGIN } from './app-protocol.ts';

/** What main does for each renderer request (dialogs in main, the rest in the engine host). */
export type IpcBackend = Omit<SandpiperApi, 'version' | 'onUpdate' | 'onStatus'>;

/** The part of an invoke event the check reads. */
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

type Handler = (args: unknown[]) => Promise<unknown>;

function expectArgs(args: unknown[], n: number): void {
  if (args.length !== n) throw new TypeError(`expected ${n} argument(s), got ${args.length}`);
}

function unwrap<T>(c: { ok: true; value: T } | { ok: false; error: { message: string } }): T {
  if (!c.ok) throw new TypeError(c.error.message);
  return c.value;
}

export function buildHandlers(b: IpcBackend): Record<InvokeName, Handler> {
  return {
    listInterfaces: async (a) => (expectArgs(a, 0), b.listInterfaces()),
    validateFilter: async (a) => {
      expectArgs(a, 1);
      const f = checkFilter(a[0]);
      return f.ok ? b.validateFilter(f.value) : { ok: false, error: f.error };
    },
    startCapture: async (a) => {
      expectArgs(a, 1);
      const r = checkStartCapture(a[0]);
      return r.ok ? b.startCapture(r.value) : { ok: false, error: r.error };
    },
    stopCapture: async (a) => (expectArgs(a, 0), b.stopCapture()),
    setPaused: async (a) => (expectArgs(a, 1), b.setPaused(unwrap(checkBoolean(a[0])))),
    openCaptureFile: async (a) => (expectArgs(a, 0), b.openCaptureFile()),
    saveCapture: async (a) => (expectArgs(a, 0), b.saveCapture()),
    setView: async (a) => (expectArgs(a, 1), b.setView(unwrap(checkViewRequest(a[0])))),
  };
}

/** Registers every invoke channel (and only those). */
export function registerIpcHandlers(ipcMain: IpcMainLike, backend: IpcBackend, trusted: (e: SenderInfo) => boolean = isTrustedSender): void {
  const handlers = buildHandlers(backend);
  for (const name of Object.keys(INVOKE_CHANNELS) as InvokeName[]) {
    const handler = handlers[name];
    ipcMain.handle(INVOKE_CHANNELS[name], (event, ...args) => {
      if (!trusted(event)) throw new UntrustedSenderError();
      return handler(args);
    });
  }
}
