/**
 * The data the renderer and the engine host exchange (IPC_PROTOCOL_VERSION). The API that carries it is defined
 * once in ./api.ts; the renderer sees only `SandpiperApi` (the preload's through contextBridge in Electron, a
 * WebSocket client under `sandpiper ui`). Updates reach it at most 10 times a second, never per packet.
 */
import type { FlowRow } from './flow.ts';
import type { ColumnId, SortDir } from './flows/columns.ts';
import type { AttributionMessage, SandboxMessage } from './helper-protocol.ts';

/**
 * 13: a reply to setView may send `null` for a row the renderer holds (ViewRequest.have, EngineUpdate.order).
 * 12: favourites first in the flows table (setFavourites), and notifications the user sets (setNotificationRules;
 * `notice` events, src/shared/notices.ts).
 * 11: flowSeries (one flow's traffic over capture time, for the details drawer's chart).
 * 10: exportTable (the flows table under a filter and sort, every matching flow, as CSV or JSON) and
 * saveFlowPackets (one flow's packets as pcap, to a path the shell chose).
 * 9: the app's settings persist (getSettings, saveSettings; src/shared/settings.ts).
 * 8: a live capture may export its flows to an IPFIX collector (StartCaptureRequest.ipfix, StatsView.ipfix).
 * 7: the Overview: setOverview, and EngineUpdate.overview (totals by process, domain, app, country and AS) while it is shown.
 * 6: the status says when the live recording reached its bound (recordingFullAt).
 * 5: the API is one table (./api.ts) and the page talks to the engine host over its own link (Electron: a
 * MessagePort; `sandpiper ui`: a WebSocket); main relays nothing. 4: the traffic chart, expired flows.
 * 3: the engine host keeps the flow table and sends only the rows the table shows (ViewRequest/EngineUpdate).
 * (2 sent every changed flow as a compact batch; 1 as objects.)
 */
export const IPC_PROTOCOL_VERSION = 13;

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
  /** Export the capture's flows to an IPFIX collector while it runs (docs/fleet.md); absent or null: no export. */
  ipfix?: IpfixExportRequest | null;
}

export interface IpfixExportRequest {
  /** HOST:PORT, an IPv6 address as [ADDR]:PORT. */
  collector: string;
  transport: 'udp' | 'tcp';
  /** Seconds a long flow waits between exports (a router's active timeout); absent: 60, as `capture --ipfix`. */
  activeTimeout?: number;
  /** Seconds of silence that end a flow (idle timeout); absent: 15. */
  idleTimeout?: number;
}

/** The longest active or idle timeout a request may ask for, in seconds (a day, as `--ipfix-active`). */
export const IPFIX_TIMEOUT_MAX_S = 86400;

/** What the capture's IPFIX exporter has sent so far, and what it could not. */
export interface IpfixStatsView {
  collector: string;
  transport: 'udp' | 'tcp';
  recordsSent: number;
  messagesSent: number;
  sendErrors: number;
  dropped: number;
  lastError: string | null;
}

export type AppErrorCode =
  | 'auth_dismissed'
  | 'not_authorised'
  | 'interface_gone'
  | 'helper_exited'
  | 'sandbox_strict'
  | 'sandbox_failed'
  | 'privilege_drop_failed'
  | 'capture_failed'
  | 'helper_internal'
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
  /** The live recording's bound in bytes once it was reached (it then stops growing; the capture goes on), else null. */
  recordingFullAt: number | null;
  /** How processes are named: the helper's `attribution` line, once it arrived (absent or null before, and for files). */
  attribution?: AttributionMessage | null;
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
  /** Flows held now. */
  flows: number;
  /** Flows no longer held: expired after going idle in a live capture, or evicted by the flow cap. */
  expiredFlows: number;
  /** Work deep packet inspection declined under its limits (all reasons of the engine's dpiRefused together). */
  dpiRefused: number;
  elapsedSeconds: number;
  /** The IPFIX export of a live capture, when one was asked for. */
  ipfix: IpfixStatsView | null;
}

/** Statistics before anything was counted. */
export const EMPTY_STATS: Readonly<StatsView> = Object.freeze({
  packets: 0,
  bytes: 0,
  packetsPerSecond: 0,
  bytesPerSecond: 0,
  inBytesPerSecond: 0,
  outBytesPerSecond: 0,
  kernelDrops: 0,
  ifaceDrops: 0,
  pipeDrops: 0,
  flows: 0,
  expiredFlows: 0,
  dpiRefused: 0,
  elapsedSeconds: 0,
  ipfix: null,
});

/**
 * What the flows table shows, as the renderer asks for it. The engine host keeps every flow, filters and sorts them,
 * and sends back only the rows in [start, end): the renderer's cost per update does not grow with the number of
 * flows (50 k changing flows as data cost tens of milliseconds to deserialise on the renderer's main thread).
 */
export interface ViewRequest {
  /** Increases with each request; an update names the newest request it reflects (`viewSeq`). */
  seq: number;
  sortColumn: ColumnId;
  sortDir: SortDir;
  /** Flows filter (src/shared/flows/filter-query.ts). Text that does not parse leaves the previous filter in force. */
  filter: string;
  /** Positions [start, end) of the filtered, sorted order: the visible rows and some overscan. */
  start: number;
  end: number;
  /** The flow to select: by id (a click), by position in the order (keyboard: Home, End, a row not in the window), or none. */
  select: { id: number } | { index: number } | null;
  /** The rows the renderer holds (its last window and the `order` of the update they came from), or null for none. */
  have: HeldRows | null;
}

/**
 * Positions [start, end) of the order whose rows the renderer holds, as of the update whose `order` this is. A reply
 * to setView sends `null` for those of its positions whose rows are still the ones held (same order).
 */
export interface HeldRows {
  start: number;
  end: number;
  order: number;
}

/** What to export of the flows table: as the table shows it (filter and sort), every matching flow, not a window. */
export interface TableExportRequest {
  format: 'csv' | 'json';
  sortColumn: ColumnId;
  sortDir: SortDir;
  /** Flows filter (src/shared/flows/filter-query.ts); text that does not parse is refused, not replaced. */
  filter: string;
}

/** The exported table: its text (CSV per RFC 4180, or JSON whose flows are `read --json` flow lines) and its flow count. */
export interface TableExport {
  format: 'csv' | 'json';
  text: string;
  flows: number;
}

/** Where to write one flow's packets as pcap: a path the shell chose, never the page. */
export interface FlowPacketsSave {
  /** The flow's id (FlowRow.id) in the current source. */
  id: number;
  path: string;
}

/** At most this many rows per update (end - start of a ViewRequest). */
export const MAX_VIEW_ROWS = 1000;
/** Longest filter text accepted. */
export const MAX_FILTER_LENGTH = 4096;
/** Points kept of the selected flow's rate history. */
export const RATE_HISTORY_LENGTH = 120;

export interface SelectedFlow {
  id: number;
  /** Its position in the filtered, sorted order; -1 when the filter hides it. */
  index: number;
  /** Null once the flow is gone (evicted, or the source changed). */
  row: FlowRow | null;
  /** ↓ and ↑ bytes per second at each update since it was selected, oldest first (RATE_HISTORY_LENGTH at most). */
  down: number[];
  up: number[];
}

/**
 * Traffic over capture time, from packet timestamps: bin i covers [start + i * step, start + (i + 1) * step) seconds
 * since the epoch, and holds the mean bytes per second towards this host (down) and from it (up) over that bin (for
 * files with no known local side: rev and fwd). Only whole bins; a long capture has coarser bins (step doubles).
 */
export interface ChartSeries {
  start: number;
  step: number;
  down: number[];
  up: number[];
}

/** What the Overview sorts its lists by: bytes so far, or the rate now (both directions). */
export type OverviewOrder = 'bytes' | 'rate';
/** The dimensions of the Overview, one list each. */
export type OverviewDimension = 'process' | 'domain' | 'app' | 'country' | 'asn';
export const OVERVIEW_DIMENSIONS: readonly OverviewDimension[] = ['process', 'domain', 'app', 'country', 'asn'];
/** Entries sent per dimension, at most. */
export const OVERVIEW_TOP = 20;

/** Whether the Overview is shown (the host computes it only then) and how its lists are sorted. */
export interface OverviewRequest {
  visible: boolean;
  order: OverviewOrder;
}

/**
 * One group's totals since the source began: flows that left (expired, evicted) still count. In = towards this
 * host (for files, with no known local side: rev), out = from it (fwd). Rates: bytes per second over the last second.
 */
export interface OverviewTotals {
  flows: number;
  bytesIn: number;
  bytesOut: number;
  rateIn: number;
  rateOut: number;
}
export interface OverviewEntry extends OverviewTotals {
  /** The process name, registrable domain (or address) or app protocol; null: no process known. */
  key: string | null;
}
export interface OverviewList {
  /** The largest groups in the requested order, at most OVERVIEW_TOP. */
  entries: OverviewEntry[];
  /** How many groups there are in all. */
  groups: number;
}
export interface OverviewView {
  order: OverviewOrder;
  /** Every flow's totals (what the share bars are relative to). */
  total: OverviewTotals;
  lists: Record<OverviewDimension, OverviewList>;
}

export interface EngineUpdate {
  /** Increases by one per update. */
  seq: number;
  /** The ViewRequest.seq this update reflects (0: none received yet, the default view). */
  viewSeq: number;
  /** Flows held, and flows that pass the filter (the table's row count). */
  total: number;
  count: number;
  start: number;
  /**
   * rows[i] is at position start + i of the order; rows covers the requested window clamped to [0, count). In a reply
   * to setView, null at a position of ViewRequest.have when `order` is the one held: keep the row held there. An
   * engine update (a tick) sends every row, so a row kept is never older than the last tick.
   */
  rows: (FlowRow | null)[];
  /**
   * The order's token: two updates with the same `order` have the same flow at every position (it changes with the
   * membership, a key, the sort, filter or favourites, the source, and whether rates are live). Unique per engine host view.
   */
  order: number;
  selected: SelectedFlow | null;
  /** Why the requested filter text does not parse (the previous filter still applies), or null. */
  filterError: string | null;
  stats: StatsView;
  /** The traffic chart; null when it did not change since the previous update. */
  chart: ChartSeries | null;
  /** Capture time of this update, seconds since the epoch. */
  ts: number;
  /** The Overview's totals; present only while the page says it is shown (setOverview). */
  overview?: OverviewView;
}

export type Result<T = void> = { ok: true; value: T } | { ok: false; error: AppError };

/** The renderer's API, defined with the method table in ./api.ts. */
export type { SandpiperApi } from './api.ts';

/**
 * The Electron IPC channels left between the preload and main: the shell's save and open dialogs (each then calls
 * the engine host, with the chosen path where the host writes) and the request for the page's MessagePort to the
 * engine host. saveTableExport takes the export request and saveFlowPackets a flow id; the others take nothing. Both sides
 * import them from here (the preload never imports from src/main).
 */
export const INVOKE_CHANNELS = {
  openCaptureFile: 'sandpiper:open-capture-file',
  saveCapture: 'sandpiper:save-capture',
  saveTableExport: 'sandpiper:save-table-export',
  saveFlowPackets: 'sandpiper:save-flow-packets',
  connect: 'sandpiper:connect',
} as const;

export type InvokeName = keyof typeof INVOKE_CHANNELS;
export type InvokeChannel = (typeof INVOKE_CHANNELS)[InvokeName];

/** main → preload: the page's port to the engine host (answering `connect`), and the host process's end. */
export const EVENT_CHANNELS = {
  hostPort: 'sandpiper:host-port',
  hostGone: 'sandpiper:host-gone',
} as const;

export const ALL_INVOKE_CHANNELS: readonly InvokeChannel[] = Object.values(INVOKE_CHANNELS);
