/**
 * The desktop app's boundaries, version 2 (IPC_PROTOCOL_VERSION): renderer ⇄ preload ⇄ main ⇄ engine host (utility process).
 * The renderer sees only `SandpiperApi` (exposed by the preload through contextBridge). Updates reach it at most
 * 10 times a second, never per packet.
 */
import type { FlowBatch } from './flow-update.ts';
import type { SandboxMessage } from './helper-protocol.ts';

/** 2: rows travel as a compact FlowBatch (flow-update.ts) instead of FlowRow objects. */
export const IPC_PROTOCOL_VERSION = 2;

export interface InterfaceInfo {
  name: string;
  addresses: string[];
  up: boolean;
  loopback: boolean;
}

export interface StartCaptureRequest {
  interface: string;
  filter: string;
  promisc: boolean;
}

export type AppErrorCode =
  | 'auth_dismissed'
  | 'not_authorised'
  | 'interface_gone'
  | 'helper_exited'
  | 'sandbox_strict'
  | 'bad_filter'
  | 'bad_arguments'
  | 'capture_open_failed'
  | 'unreadable_file'
  | 'internal';

export interface AppError {
  code: AppErrorCode;
  /** What happened, in a sentence. */
  message: string;
  /** What the user can do about it. */
  action: string;
}

export type CaptureState = 'idle' | 'starting' | 'capturing' | 'paused' | 'reading' | 'stopped' | 'error';

export interface CaptureStatusView {
  state: CaptureState;
  source: { kind: 'live'; interface: string } | { kind: 'file'; path: string } | null;
  /** The helper's own report; null until it arrives (and always for files). */
  sandbox: SandboxMessage | null;
  error: AppError | null;
  /** Set when the helper runs from a source checkout instead of an installed, root-owned copy. */
  devWarning: string | null;
}

export interface StatsView {
  packets: number;
  bytes: number;
  packetsPerSecond: number;
  bytesPerSecond: number;
  /** Bytes per second towards / from this host (live), or rev / fwd totals (files). */
  inBytesPerSecond: number;
  outBytesPerSecond: number;
  kernelDrops: number;
  ifaceDrops: number;
  /** Packets lost between the helper and the engine. */
  pipeDrops: number;
  flows: number;
  elapsedSeconds: number;
}

export interface EngineUpdate {
  /** Increases by one per update; a gap means the renderer must ask for a full snapshot. */
  seq: number;
  /** True when `rows` holds every live flow (and every text) and the renderer should replace its table. */
  full: boolean;
  /** Flows new or changed since the previous update. */
  rows: FlowBatch;
  /** Ids of flows gone since the previous update. */
  removed: number[];
  stats: StatsView;
  /** Capture time of this update, seconds since the epoch. */
  ts: number;
}

export type Result<T = void> = { ok: true; value: T } | { ok: false; error: AppError };

export interface SandpiperApi {
  readonly version: number;
  listInterfaces(): Promise<InterfaceInfo[]>;
  validateFilter(filter: string): Promise<Result>;
  startCapture(req: StartCaptureRequest): Promise<Result>;
  stopCapture(): Promise<void>;
  setPaused(paused: boolean): Promise<void>;
  /** Shows an open dialog in main; reads the chosen pcap/pcapng file through the engine. */
  openCaptureFile(): Promise<Result<{ path: string } | null>>;
  /** Shows a save dialog in main; writes the current capture as pcap. */
  saveCapture(): Promise<Result<{ path: string } | null>>;
  requestSnapshot(): Promise<void>;
  onUpdate(listener: (u: EngineUpdate) => void): () => void;
  onStatus(listener: (s: CaptureStatusView) => void): () => void;
}

/**
 * IPC channel names between the preload and main (both import them from here; the preload never imports from
 * src/main). Invoke channels are the only ones main handles; event channels only flow main → renderer.
 */
export const INVOKE_CHANNELS = {
  listInterfaces: 'sandpiper:list-interfaces',
  validateFilter: 'sandpiper:validate-filter',
  startCapture: 'sandpiper:start-capture',
  stopCapture: 'sandpiper:stop-capture',
  setPaused: 'sandpiper:set-paused',
  openCaptureFile: 'sandpiper:open-capture-file',
  saveCapture: 'sandpiper:save-capture',
  requestSnapshot: 'sandpiper:request-snapshot',
} as const;

export type InvokeName = keyof typeof INVOKE_CHANNELS;
export type InvokeChannel = (typeof INVOKE_CHANNELS)[InvokeName];

export const EVENT_CHANNELS = {
  update: 'sandpiper:update',
  status: 'sandpiper:status',
} as const;

export const ALL_INVOKE_CHANNELS: readonly InvokeChannel[] = Object.values(INVOKE_CHANNELS);
