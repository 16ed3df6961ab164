/**
 * main's side of the engine host (a utility process): numbered calls with promised results, and the host's
 * update/status messages handed to a listener (which relays them to the window as they are). An update of the wrong
 * shape is dropped. If the host dies, pending calls resolve with an
 * `internal` error and the window is told.
 */
import { isEngineUpdate } from '../shared/engine-host-protocol.ts';
import type { CaptureStatusView, EngineUpdate } from '../shared/ipc.ts';
import { actionFor, appError } from '../engine-host/app-errors.ts';
import type { HostMethod } from '../engine-host/host-protocol.ts';

/** The part of Electron's UtilityProcess used here. */
export interface HostProcessLike {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  on(event: 'exit', listener: (code: number) => void): unknown;
  kill(): boolean;
}

export interface HostEvents {
  update(u: EngineUpdate): void;
  status(s: CaptureStatusView): void;
}

export class EngineHostClient {
  private readonly proc: HostProcessLike;
  private nextId = 1;
  private readonly pending = new Map<number, (v: unknown) => void>();
  private exited = false;

  constructor(proc: HostProcessLike, events: HostEvents) {
    this.proc = proc;
    proc.on('message', (m: unknown) => {
      if (typeof m !== 'object' || m === null) return;
      const msg = m as { type?: unknown; id?: unknown; value?: unknown; update?: unknown; status?: CaptureStatusView };
      if (msg.type === 'result' && typeof msg.id === 'number') {
        const done = this.pending.get(msg.id);
        this.pending.delete(msg.id);
        done?.(msg.value);
      } else if (msg.type === 'update' && isEngineUpdate(msg.update)) events.update(msg.update);
      else if (msg.type === 'status' && msg.status) events.status(msg.status);
    });
    proc.on('exit', (code: number) => {
      this.exited = true;
      const error = appError('internal', `The engine process stopped (exit status ${code}).`, 'Restart Sandpiper.');
      for (const done of this.pending.values()) done({ ok: false, error });
      this.pending.clear();
      events.status({ state: 'error', source: null, sandbox: null, error, devWarning: null });
    });
  }

  call(method: HostMethod, arg?: unknown): Promise<unknown> {
    if (this.exited) return Promise.resolve({ ok: false, error: appError('internal', 'The engine process is not running.', actionFor('internal')) });
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.proc.postMessage({ type: 'call', id, method, arg });
    });
  }

  stop(): void {
    if (!this.exited) this.proc.kill();
  }
}
