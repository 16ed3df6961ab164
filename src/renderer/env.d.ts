// The renderer's whole view of the world: the API the preload (or a test bridge) puts on window.
import type { SandpiperApi } from '../shared/ipc.ts';

declare global {
  interface Window {
    /** Absent when the page is opened without the preload; the app then shows a message instead of crashing. */
    sandpiper?: SandpiperApi;
  }
}

declare module '*.css';
