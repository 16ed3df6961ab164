import type { SandpiperApi } from '../shared/ipc.ts';

/** The API injected by the preload (or a test bridge); null when the page runs without it. */
export function getApi(): SandpiperApi | null {
  const api = typeof window === 'undefined' ? undefined : window.sandpiper;
  if (!api || typeof api !== 'object' || typeof api.onUpdate !== 'function') return null;
  return api;
}
