/**
 * The engine for one source of the app: live captures get process attribution and evict flows that ended; files
 * keep every flow they hold (their sockets are long gone, so no attribution).
 */
import { createEngine, type Engine } from '../engine/engine.ts';
import { ProcessAttributor } from '../engine/process-attribution.ts';

export function createSourceEngine(mode: { live: boolean }): Engine {
  return createEngine({ detail: true, attributor: mode.live ? new ProcessAttributor() : undefined, retainEnded: !mode.live });
}
