/**
 * The engine host's dispatcher: turns a call from Electron's main process (wire format in
 * src/shared/engine-host-protocol.ts) into a EngineHost action. Main forwards only calls it has already validated;
 * the dispatcher validates again because it is the boundary of the process that owns the engine.
 */
import type { InterfaceInfo, Result } from '../shared/ipc.ts';
import { isHostCall, type HostMessage, type HostMethod } from '../shared/engine-host-protocol.ts';
import { actionFor, appError } from './app-errors.ts';
import type { EngineHost } from './engine-host.ts';
import { checkBoolean, checkFilter, checkPath, checkStartCapture, checkViewRequest } from './validate.ts';

export { HOST_METHODS, isHostCall } from '../shared/engine-host-protocol.ts';
export type { HostCall, HostMessage, HostMethod } from '../shared/engine-host-protocol.ts';

export interface HostServices {
  session: EngineHost;
  listInterfaces(): InterfaceInfo[];
  validateFilter(filter: string): Result;
}

const rejected = (message: string): Result => ({ ok: false, error: appError('bad_arguments', message, actionFor('bad_arguments')) });

/** Runs one call; the value is what the matching SandpiperApi method resolves to. Never throws. */
export async function dispatchHostCall(s: HostServices, method: HostMethod, arg: unknown): Promise<unknown> {
  try {
    switch (method) {
      case 'listInterfaces':
        return s.listInterfaces();
      case 'validateFilter': {
        const f = checkFilter(arg);
        return f.ok ? s.validateFilter(f.value) : { ok: false, error: f.error };
      }
      case 'startCapture': {
        const r = checkStartCapture(arg);
        if (!r.ok) return { ok: false, error: r.error };
        const v = s.validateFilter(r.value.filter);
        if (!v.ok) return v;
        return await s.session.startCapture(r.value);
      }
      case 'stopCapture':
        await s.session.stopCapture();
        return undefined;
      case 'setPaused': {
        const b = checkBoolean(arg);
        if (b.ok) s.session.setPaused(b.value);
        return undefined;
      }
      case 'openFile': {
        const p = checkPath(arg);
        return p.ok ? await s.session.openFile(p.value) : { ok: false, error: p.error };
      }
      case 'saveCapture': {
        const p = checkPath(arg);
        return p.ok ? await s.session.saveCapture(p.value) : { ok: false, error: p.error };
      }
      case 'setView': {
        const v = checkViewRequest(arg);
        if (v.ok) s.session.setView(v.value);
        return undefined;
      }
      default:
        return rejected('Unknown request.');
    }
  } catch (e) {
    return { ok: false, error: appError('internal', `The engine host failed: ${e instanceof Error ? e.message : String(e)}.`, actionFor('internal')) };
  }
}

/** Wires a session's updates and status to a message sink (the host's parent port, or the test bridge). */
export function forwardSession(session: EngineHost, post: (m: HostMessage) => void): () => void {
  const a = session.onUpdate((update) => post({ type: 'update', update }));
  const b = session.onStatus((status) => post({ type: 'status', status }));
  return () => {
    a();
    b();
  };
}

/** The part of Electron's utility-process parentPort used by the host. */
export interface ParentPortLike {
  on(event: 'message', listener: (e: { data: unknown }) => void): unknown;
  postMessage(message: unknown): void;
}

/** Serves calls arriving on the port and forwards the session's updates and status to it. */
export function serveHost(port: ParentPortLike, services: HostServices): void {
  forwardSession(services.session, (m) => port.postMessage(m));
  port.on('message', (e) => {
    const m = e.data;
    if (!isHostCall(m)) return;
    void dispatchHostCall(services, m.method, m.arg).then((value) => port.postMessage({ type: 'result', id: m.id, value } satisfies HostMessage));
  });
}
