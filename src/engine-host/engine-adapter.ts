/**
 * The engine for one source of the app: live captures get process attribution (the helper's socket events, which
 * the live capture feeds in, and /proc for what they do not name) and evict flows that ended; files keep every flow
 * they hold (their sockets are long gone, so no attribution).
 */
import { createEngine, type Engine } from '../engine/engine.ts';
import { ProcessAttributor } from '../engine/process-attribution.ts';
import { SocketAttribution } from '../engine/socket-attribution.ts';

export function createSourceEngine(mode: { live: boolean }): Engine {
  return createEngine({
    detail: true,
    attributor: mode.live ? new ProcessAttributor() : undefined,
    socketAttribution: mode.live ? new SocketAttribution() : undefined,
    retainEnded: !mode.live,
  });
}
