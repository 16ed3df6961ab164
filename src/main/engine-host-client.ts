/**
 * main's side of the engine host (a utility process): numbered calls with promised results (main is the shell: it
 * calls openFile/saveCapture with its dialogs' paths) and the hand-over of the page's MessagePort. Updates never
 * come here: the host sends them to the page on that port. If the host dies, pending calls resolve with an
 * `internal` error and `gone` is told, so main can tell the window.
 */
import type { HostArg, HostMethod } from '../shared/api.ts';
import type { MainToHost } from '../shared/engine-host-protocol.ts';
import type { AppError } from '../shared/ipc.ts';
import { actionFor, appError } from '../engine-host/app-errors.ts';

/** The part of Electron's UtilityProcess used here (the transfer list holds MessagePortMain objects). */
export interface HostProcessLike {
  postMessage(message: MainToHost, transfer?: unknown[]): void;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  on(event: 'exit', listener: (code: number) => void): unknown;
  kill(): boolean;
}

export class EngineHostClient {
  private readonly proc: HostProcessLike;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  private exited: AppError | null = null;

  constructor(proc: HostProcessLike, gone: (error: AppError) => void) {
    this.proc = proc;
    proc.on('message', (m: unknown) => {
      if (typeof m !== 'object' || m === null) return;
      const msg = m as { type?: unknown; id?: unknown; value?: unknown; message?: unknown };
      if ((msg.type !== 'result' && msg.type !== 'error') || typeof msg.id !== 'number') return;
      const p = this.pending.get(msg.id);
      this.pending.delete(msg.id);
      if (msg.type === 'result') p?.resolve(msg.value);
      else p?.reject(new Error(String(msg.message)));
    });
    proc.on('exit', (code: number) => {
      const error = appError('internal', `The engine process stopped (exit status ${code}).`, 'Restart Sandpiper.');
      this.exited = error;
      for (const p of this.pending.values()) p.resolve({ ok: false, error });
      this.pending.clear();
      gone(error);
    });
  }

  call<M extends HostMethod>(method: M, ...arg: HostArg<M> extends undefined ? [] : [HostArg<M>]): Promise<unknown> {
    if (this.exited) return Promise.resolve({ ok: false, error: appError('internal', 'The engine process is not running.', actionFor('internal')) });
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.proc.postMessage(arg.length === 0 ? { type: 'call', id, method } : { type: 'call', id, method, arg: arg[0] });
    });
  }

  /** Hands a page's port to the host, which serves it as a page link (page methods only). */
  connect(port: unknown): boolean {
    if (this.exited) return false;
    this.proc.postMessage({ type: 'connect' }, [port]);
    return true;
  }

  stop(): void {
    if (!this.exited) this.proc.kill();
  }
}
