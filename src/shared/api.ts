/**
 * The renderer ⇄ engine host API, written once (API_VERSION). Every other place derives from this table: the
 * preload's and the browser's `SandpiperApi` (createApiClient below), the host's dispatcher
 * (src/engine-host/host-protocol.ts), Electron main's few handlers (src/main/ipc-handlers.ts) and the `sandpiper ui`
 * server (src/engine-host/ui-server.ts).
 *
 * Transport: the page holds a message link straight to the engine host (Electron: a MessagePort main handed over;
 * `sandpiper ui`: a WebSocket carrying the same messages as JSON). Calls are `CallMessage`s, answered with the same
 * id by a `result`, or by an `error` that rejects the call (a refused argument of a `reject` method, or a failure);
 * the host says `hello` first and pushes `update`s (≤ 10 a second, plus one per turn of setView calls) and `status`.
 *
 * This module imports nothing outside src/shared: the sandboxed preload bundles it.
 */
import { FILTER_MAX_LENGTH, INTERFACE_NAME_RE } from './helper-protocol.ts';
import { isColumnId } from './flows/columns.ts';
import { isEngineUpdate } from './engine-host-protocol.ts';
import {
  IPC_PROTOCOL_VERSION,
  IPFIX_TIMEOUT_MAX_S,
  MAX_FILTER_LENGTH,
  MAX_VIEW_ROWS,
  type AppError,
  type CaptureStatusView,
  type ChartSeries,
  type EngineUpdate,
  type InterfaceInfo,
  type OverviewRequest,
  type IpfixExportRequest,
  type Result,
  type StartCaptureRequest,
  type FlowPacketsSave,
  type TableExport,
  type TableExportRequest,
  type ViewRequest,
} from './ipc.ts';
import { checkSettings, type Settings } from './settings.ts';
import { MAX_FAVOURITE_FLOWS, favouriteNames, type FavouritesRequest } from './flows/favourites.ts';
import { checkNotificationRules, isNoticeList, type Notice, type NotificationRules } from './notices.ts';

/** The version of this API and of the data types it carries (src/shared/ipc.ts says what each version changed). */
export const API_VERSION = IPC_PROTOCOL_VERSION;

/** A validator's answer: the value in its type (a fresh object for objects), or why it is refused. Nothing is coerced. */
export type Checked<T> = { ok: true; value: T } | { ok: false; reason: string };
export type Check<T> = (v: unknown) => Checked<T>;

const refuse = (reason: string): { ok: false; reason: string } => ({ ok: false, reason });

export function checkFilter(v: unknown): Checked<string> {
  if (typeof v !== 'string') return refuse('The capture filter must be text.');
  if (v.length > FILTER_MAX_LENGTH) return refuse(`The capture filter is longer than ${FILTER_MAX_LENGTH} characters.`);
  // libpcap takes a C string: a NUL would silently cut the filter short.
  if (v.includes('\0')) return refuse('The capture filter contains a NUL character.');
  return { ok: true, value: v };
}

export function checkInterfaceName(v: unknown): Checked<string> {
  // The helper's own rule, and no leading '-' so a name can never read as an option.
  if (typeof v !== 'string' || !INTERFACE_NAME_RE.test(v) || v.startsWith('-')) return refuse('That is not a valid interface name.');
  return { ok: true, value: v };
}

export function checkBoolean(v: unknown): Checked<boolean> {
  if (typeof v !== 'boolean') return refuse('Expected true or false.');
  return { ok: true, value: v };
}

function hasExactKeys(v: object, keys: readonly string[]): boolean {
  const own = Object.keys(v);
  return own.length === keys.length && own.every((k) => keys.includes(k));
}

export function checkStartCapture(v: unknown): Checked<StartCaptureRequest> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return refuse('The capture request is malformed.');
  if (Object.keys(v).some((k) => k !== 'interface' && k !== 'filter' && k !== 'promisc' && k !== 'ipfix')) return refuse('The capture request has unknown fields.');
  const r = v as Record<string, unknown>;
  const iface = checkInterfaceName(r.interface);
  if (!iface.ok) return iface;
  const filter = checkFilter(r.filter);
  if (!filter.ok) return filter;
  const promisc = checkBoolean(r.promisc);
  if (!promisc.ok) return promisc;
  const ipfix = checkIpfixExport(r.ipfix ?? null);
  if (!ipfix.ok) return ipfix;
  const value: StartCaptureRequest = { interface: iface.value, filter: filter.value, promisc: promisc.value };
  if (ipfix.value !== null) value.ipfix = ipfix.value;
  return { ok: true, value };
}

/**
 * An IPFIX collector as HOST:PORT (a name, an IPv4 address, or [IPv6]:PORT), udp or tcp, and optional active and
 * idle timeouts in seconds; null for none.
 */
export function checkIpfixExport(v: unknown): Checked<IpfixExportRequest | null> {
  if (v === null) return { ok: true, value: null };
  const allowed = ['collector', 'transport', 'activeTimeout', 'idleTimeout'];
  if (typeof v !== 'object' || Array.isArray(v) || Object.keys(v).some((k) => !allowed.includes(k))) {
    return refuse('The IPFIX export has only the fields collector, transport, activeTimeout and idleTimeout.');
  }
  const r = v as Record<string, unknown>;
  const c = r.collector;
  const m = typeof c === 'string' ? /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]{1,253})):(\d{1,5})$/.exec(c) : null;
  const port = m ? Number(m[3]) : 0;
  if (!m || port < 1 || port > 65535) return refuse('The IPFIX collector must be HOST:PORT (an IPv6 address as [ADDR]:PORT, a port from 1 to 65535).');
  if (r.transport !== 'udp' && r.transport !== 'tcp') return refuse('The IPFIX transport must be udp or tcp.');
  const value: IpfixExportRequest = { collector: c as string, transport: r.transport };
  for (const [key, name] of [['activeTimeout', 'active'], ['idleTimeout', 'idle']] as const) {
    const t = r[key];
    if (t === undefined) continue;
    if (typeof t !== 'number' || !Number.isFinite(t) || t <= 0 || t > IPFIX_TIMEOUT_MAX_S) {
      return refuse(`The IPFIX ${name} timeout must be seconds, more than 0 and at most ${IPFIX_TIMEOUT_MAX_S}.`);
    }
    value[key] = t;
  }
  return { ok: true, value };
}

/** A path chosen by the shell (a native dialog in main, an upload in `sandpiper ui`); the page never sends one. */
export function checkPath(v: unknown): Checked<string> {
  if (typeof v !== 'string' || v.length === 0 || v.length > 4096 || v.includes('\0') || !v.startsWith('/')) {
    return refuse('That is not an absolute file path.');
  }
  return { ok: true, value: v };
}

const VIEW_KEYS = ['seq', 'sortColumn', 'sortDir', 'filter', 'start', 'end', 'select', 'have'];
const isIndex = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

function checkSelect(v: unknown): Checked<ViewRequest['select']> {
  if (v === null) return { ok: true, value: null };
  if (typeof v !== 'object' || Array.isArray(v)) return refuse('The selection must be null, an id or an index.');
  const r = v as Record<string, unknown>;
  if (hasExactKeys(v, ['id']) && Number.isSafeInteger(r.id)) return { ok: true, value: { id: r.id as number } };
  if (hasExactKeys(v, ['index']) && isIndex(r.index)) return { ok: true, value: { index: r.index } };
  return refuse('The selection must be null, an id or an index.');
}

function checkHave(v: unknown): Checked<ViewRequest['have']> {
  if (v === null) return { ok: true, value: null };
  const bad = refuse(`The rows held must be null or whole positions start ≤ end (at most ${MAX_VIEW_ROWS} apart) and an order.`);
  if (typeof v !== 'object' || Array.isArray(v) || !hasExactKeys(v, ['start', 'end', 'order'])) return bad;
  const { start, end, order } = v as Record<string, unknown>;
  if (!isIndex(start) || !isIndex(end) || !isIndex(order) || end < start || end - start > MAX_VIEW_ROWS) return bad;
  return { ok: true, value: { start, end, order } };
}

/** What the flows table asks to see: exactly the ViewRequest fields, a window of at most MAX_VIEW_ROWS rows. */
export function checkViewRequest(v: unknown): Checked<ViewRequest> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return refuse('The view request is malformed.');
  if (!hasExactKeys(v, VIEW_KEYS)) return refuse('The view request must have exactly its known fields.');
  const r = v as Record<string, unknown>;
  if (!isIndex(r.seq)) return refuse('The view request number must be a whole number of at least 0.');
  const sortColumn = r.sortColumn;
  if (!isColumnId(sortColumn)) return refuse('The view request names an unknown column.');
  const sortDir = r.sortDir;
  if (sortDir !== 'asc' && sortDir !== 'desc') return refuse('The sort direction must be asc or desc.');
  if (typeof r.filter !== 'string') return refuse('The flows filter must be text.');
  if (r.filter.length > MAX_FILTER_LENGTH) return refuse(`The flows filter is longer than ${MAX_FILTER_LENGTH} characters.`);
  const { start, end } = r;
  if (!isIndex(start) || !isIndex(end) || end < start) return refuse('The view window must be whole positions with 0 ≤ start ≤ end.');
  if (end - start > MAX_VIEW_ROWS) return refuse(`The view window is larger than ${MAX_VIEW_ROWS} rows.`);
  const select = checkSelect(r.select);
  if (!select.ok) return select;
  const have = checkHave(r.have);
  if (!have.ok) return have;
  return { ok: true, value: { seq: r.seq, sortColumn, sortDir, filter: r.filter, start, end, select: select.value, have: have.value } };
}

/** Whether the Overview is shown and its order: exactly the OverviewRequest fields. */
export function checkOverviewRequest(v: unknown): Checked<OverviewRequest> {
  if (typeof v !== 'object' || v === null || Array.isArray(v) || !hasExactKeys(v, ['visible', 'order'])) return refuse('The overview request must have exactly the fields visible and order.');
  const r = v as Record<string, unknown>;
  if (typeof r.visible !== 'boolean') return refuse('The overview request says visible true or false.');
  if (r.order !== 'bytes' && r.order !== 'rate') return refuse('The overview order must be bytes or rate.');
  return { ok: true, value: { visible: r.visible, order: r.order } };
}

/** What to export of the flows table: exactly the TableExportRequest fields. */
export function checkTableExportRequest(v: unknown): Checked<TableExportRequest> {
  if (typeof v !== 'object' || v === null || Array.isArray(v) || !hasExactKeys(v, ['format', 'sortColumn', 'sortDir', 'filter'])) {
    return refuse('The table export request must have exactly the fields format, sortColumn, sortDir and filter.');
  }
  const r = v as Record<string, unknown>;
  if (r.format !== 'csv' && r.format !== 'json') return refuse('The table export format must be csv or json.');
  const sortColumn = r.sortColumn;
  if (!isColumnId(sortColumn)) return refuse('The table export names an unknown column.');
  if (r.sortDir !== 'asc' && r.sortDir !== 'desc') return refuse('The sort direction must be asc or desc.');
  if (typeof r.filter !== 'string') return refuse('The flows filter must be text.');
  if (r.filter.length > MAX_FILTER_LENGTH) return refuse(`The flows filter is longer than ${MAX_FILTER_LENGTH} characters.`);
  return { ok: true, value: { format: r.format, sortColumn, sortDir: r.sortDir, filter: r.filter } };
}

/** A flow's id as the table shows it (FlowRow.id): a whole number of at least 1. */
export function checkFlowId(v: unknown): Checked<number> {
  if (!Number.isSafeInteger(v) || (v as number) < 1) return refuse('That is not a flow id.');
  return { ok: true, value: v as number };
}

/** A flow and the path (chosen by the shell) to write its packets to: exactly the FlowPacketsSave fields. */
export function checkFlowPacketsSave(v: unknown): Checked<FlowPacketsSave> {
  if (typeof v !== 'object' || v === null || Array.isArray(v) || !hasExactKeys(v, ['id', 'path'])) return refuse('Saving a flow’s packets takes exactly a flow id and a path.');
  const r = v as Record<string, unknown>;
  const id = checkFlowId(r.id);
  if (!id.ok) return id;
  const p = checkPath(r.path);
  if (!p.ok) return p;
  return { ok: true, value: { id: id.value, path: p.value } };
}

/** The favourites the table puts first (src/shared/flows/favourites.ts): exactly the FavouritesRequest fields, bounded. */
export function checkFavouritesRequest(v: unknown): Checked<FavouritesRequest> {
  if (typeof v !== 'object' || v === null || Array.isArray(v) || !hasExactKeys(v, ['flows', 'hosts', 'programs', 'only'])) {
    return refuse('The favourites must have exactly the fields flows, hosts, programs and only.');
  }
  const r = v as Record<string, unknown>;
  const flows = r.flows;
  if (!Array.isArray(flows) || flows.length > MAX_FAVOURITE_FLOWS || !flows.every((id) => checkFlowId(id).ok)) return refuse(`The favourite flows must be at most ${MAX_FAVOURITE_FLOWS} flow ids.`);
  const hosts = favouriteNames(r.hosts, true);
  if (hosts === null) return refuse('The favourite hosts must be a short list of distinct lower-case names or addresses.');
  const programs = favouriteNames(r.programs, false);
  if (programs === null) return refuse('The favourite programs must be a short list of distinct names.');
  if (typeof r.only !== 'boolean') return refuse('Favourites only is true or false.');
  return { ok: true, value: { flows: [...(flows as number[])], hosts, programs, only: r.only } };
}

/** What the engine host does, method by method (at most one argument each). */
export interface HostApi {
  listInterfaces(): Promise<InterfaceInfo[]>;
  validateFilter(filter: string): Promise<Result>;
  startCapture(req: StartCaptureRequest): Promise<Result>;
  stopCapture(): Promise<void>;
  setPaused(paused: boolean): Promise<void>;
  /** Sets what the flows table shows; an update reflecting it follows promptly. */
  setView(req: ViewRequest): Promise<void>;
  /** Shows or hides the Overview (its totals come in updates only while shown); an update reflecting it follows promptly. */
  setOverview(req: OverviewRequest): Promise<void>;
  /** Puts these favourites first in the flows table (and, with `only`, shows nothing else); an update follows promptly. */
  setFavourites(req: FavouritesRequest): Promise<void>;
  /** Looks for what these rules ask for in the source from now on, and pushes a `notice` event when one fires. */
  setNotificationRules(rules: NotificationRules): Promise<void>;
  /** Reads a capture file at a path the shell chose. */
  openFile(path: string): Promise<Result<{ path: string }>>;
  /** Writes the current capture as pcap to a path the shell chose. */
  saveCapture(path: string): Promise<Result<{ path: string }>>;
  /** What the app remembers between runs (src/shared/settings.ts); defaults when nothing was saved. */
  getSettings(): Promise<Settings>;
  /** Remembers these settings (the whole object). */
  saveSettings(settings: Settings): Promise<void>;
  /** The flows table under the request's filter and sort (every matching flow, in the table's order) as CSV or JSON. */
  exportTable(req: TableExportRequest): Promise<Result<TableExport>>;
  /** Writes one flow's packets as pcap (from the file read, or the live recording) to a path the shell chose. */
  saveFlowPackets(req: FlowPacketsSave): Promise<Result<{ path: string; packets: number }>>;
  /** One flow's traffic over capture time, binned as the traffic chart is, from its packets' timestamps. */
  flowSeries(id: number): Promise<Result<ChartSeries>>;
}
export type HostMethod = keyof HostApi;
export type HostArg<M extends HostMethod> = Parameters<HostApi[M]> extends [infer A] ? A : undefined;
export type HostReturn<M extends HostMethod> = Awaited<ReturnType<HostApi[M]>>;

export interface MethodSpec<A> {
  /** The argument's validator, or null for a method that takes none (then the argument must be absent). */
  arg: Check<A> | null;
  /**
   * Who may call it. `page`: the renderer, over its link. `shell`: only Electron main or the `sandpiper ui` server,
   * which pass a path they chose themselves; a page asking for one is refused, so the page never names a path.
   */
  caller: 'page' | 'shell';
  /** How a refused argument is answered: `result` — the method's own `{ ok: false, error }`; `reject` — its promise rejects. */
  refusal: 'result' | 'reject';
}

/** The table. Every call crossing into the host is checked against it, wherever it comes from. */
const spec = <A, const C extends MethodSpec<A>['caller'], const R extends MethodSpec<A>['refusal']>(s: { arg: Check<A> | null; caller: C; refusal: R }) => Object.freeze(s);
export const HOST_API = Object.freeze({
  listInterfaces: spec({ arg: null, caller: 'page', refusal: 'reject' }),
  validateFilter: spec({ arg: checkFilter, caller: 'page', refusal: 'result' }),
  startCapture: spec({ arg: checkStartCapture, caller: 'page', refusal: 'result' }),
  stopCapture: spec({ arg: null, caller: 'page', refusal: 'reject' }),
  setPaused: spec({ arg: checkBoolean, caller: 'page', refusal: 'reject' }),
  setView: spec({ arg: checkViewRequest, caller: 'page', refusal: 'reject' }),
  setOverview: spec({ arg: checkOverviewRequest, caller: 'page', refusal: 'reject' }),
  setFavourites: spec({ arg: checkFavouritesRequest, caller: 'page', refusal: 'reject' }),
  setNotificationRules: spec({ arg: checkNotificationRules, caller: 'page', refusal: 'reject' }),
  openFile: spec({ arg: checkPath, caller: 'shell', refusal: 'result' }),
  saveCapture: spec({ arg: checkPath, caller: 'shell', refusal: 'result' }),
  getSettings: spec({ arg: null, caller: 'page', refusal: 'reject' }),
  saveSettings: spec({ arg: checkSettings, caller: 'page', refusal: 'reject' }),
  exportTable: spec({ arg: checkTableExportRequest, caller: 'page', refusal: 'result' }),
  saveFlowPackets: spec({ arg: checkFlowPacketsSave, caller: 'shell', refusal: 'result' }),
  flowSeries: spec({ arg: checkFlowId, caller: 'page', refusal: 'result' }),
} satisfies { readonly [M in HostMethod]: MethodSpec<HostArg<M>> });

export const HOST_METHODS: readonly HostMethod[] = Object.freeze(Object.keys(HOST_API) as HostMethod[]);
/** The methods the page may call on the host (`caller: 'page'`). */
export type PageMethod = { [M in HostMethod]: (typeof HOST_API)[M]['caller'] extends 'page' ? M : never }[HostMethod];
export const PAGE_METHODS: readonly PageMethod[] = Object.freeze(HOST_METHODS.filter((m): m is PageMethod => HOST_API[m].caller === 'page'));

export const isHostMethod = (m: unknown): m is HostMethod => typeof m === 'string' && Object.hasOwn(HOST_API, m);

/** Events the host pushes to every page link. */
export interface HostEvents {
  update: EngineUpdate;
  status: CaptureStatusView;
  /** Notifications that fired (coalesced by kind), at most one batch every NOTICE_INTERVAL_MS (src/shared/notices.ts). */
  notice: Notice[];
}
export const HOST_EVENTS = ['update', 'status', 'notice'] as const satisfies readonly (keyof HostEvents)[];

/**
 * What the shell answers for the page, not the host: Electron main (native dialogs, then openFile/saveCapture/
 * saveFlowPackets on the host with the chosen path, or exportTable and a write there) or the browser page itself
 * (a file picker and an upload; a download).
 */
export interface ShellApi {
  openCaptureFile(): Promise<Result<{ path: string } | null>>;
  saveCapture(): Promise<Result<{ path: string } | null>>;
  /** Saves the host's exportTable answer for `req`: a native save dialog in Electron, a download in the browser. */
  saveTableExport(req: TableExportRequest): Promise<Result<{ path: string; flows: number } | null>>;
  /** Saves flow `id`'s packets as pcap: a native save dialog in Electron, a download in the browser. */
  saveFlowPackets(id: number): Promise<Result<{ path: string; packets: number } | null>>;
}
export const SHELL_METHODS = ['openCaptureFile', 'saveCapture', 'saveTableExport', 'saveFlowPackets'] as const satisfies readonly (keyof ShellApi)[];

/** The renderer's whole API (window.sandpiper, or the browser's WebSocket client). */
export interface SandpiperApi extends Pick<HostApi, PageMethod>, ShellApi {
  readonly version: number;
  onUpdate(listener: (u: EngineUpdate) => void): () => void;
  onStatus(listener: (s: CaptureStatusView) => void): () => void;
  onNotice(listener: (n: Notice[]) => void): () => void;
}

// ---- Messages on a link (MessagePort: structured clones; WebSocket: JSON text) ----

export interface CallMessage {
  type: 'call';
  id: number;
  method: HostMethod;
  arg?: unknown;
}

export type HostToPage =
  | { type: 'hello'; version: number }
  | { type: 'result'; id: number; value: unknown }
  | { type: 'error'; id: number; message: string }
  | { type: 'update'; update: EngineUpdate }
  | { type: 'status'; status: CaptureStatusView }
  | { type: 'notice'; notices: Notice[] };

export function isCallMessage(v: unknown): v is CallMessage {
  if (typeof v !== 'object' || v === null) return false;
  const m = v as Record<string, unknown>;
  return m.type === 'call' && Number.isSafeInteger(m.id) && isHostMethod(m.method);
}

/** The status a page shows once its link to the host is gone. */
export function linkLostStatus(error: AppError): CaptureStatusView {
  return { state: 'error', source: null, sandbox: null, error, devWarning: null, recordingFullAt: null };
}

export interface ApiClient {
  /** The frozen API for the page. */
  api: SandpiperApi;
  /** A message from the host. */
  receive(m: unknown): void;
  /** The link is gone: pending calls end (with `error` or a rejection, per the table) and listeners see an error status. */
  fail(error: AppError): void;
}

/**
 * Builds the page's API over a link: each page method of the table is a call message, the shell's methods come
 * from `shell`. Listeners get payloads only. Calls made before the link is up are the transport's to queue.
 */
export function createApiClient(post: (m: CallMessage) => void, shell: ShellApi): ApiClient {
  let nextId = 1;
  const pending = new Map<number, { method: HostMethod; resolve(v: unknown): void; reject(e: Error): void }>();
  const listeners = { update: new Set<(u: EngineUpdate) => void>(), status: new Set<(s: CaptureStatusView) => void>(), notice: new Set<(n: Notice[]) => void>() };
  let lost: AppError | null = null;

  const call = (method: PageMethod, args: unknown[]): Promise<unknown> => {
    const takes = HOST_API[method].arg === null ? 0 : 1;
    if (args.length > takes) return Promise.reject(new TypeError(`${method} takes ${takes} argument(s), got ${args.length}`));
    if (lost) return HOST_API[method].refusal === 'result' ? Promise.resolve({ ok: false, error: lost }) : Promise.reject(new Error(lost.message));
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, { method, resolve, reject });
      post(takes === 1 ? { type: 'call', id, method, arg: args[0] } : { type: 'call', id, method });
    });
  };
  const subscribe = <K extends keyof HostEvents>(name: K, l: (v: HostEvents[K]) => void): (() => void) => {
    if (typeof l !== 'function') throw new TypeError('listener must be a function');
    const set = listeners[name] as Set<(v: HostEvents[K]) => void>;
    // Wrapped, so a listener registered twice is two subscriptions, each removed by its own function.
    const wrapped = (v: HostEvents[K]) => l(v);
    set.add(wrapped);
    return () => void set.delete(wrapped);
  };
  const methods = Object.fromEntries(PAGE_METHODS.map((m) => [m, (...args: unknown[]) => call(m, args)])) as unknown as Pick<HostApi, PageMethod>;
  const api: SandpiperApi = Object.freeze({
    version: API_VERSION,
    ...methods,
    openCaptureFile: () => shell.openCaptureFile(),
    saveCapture: () => shell.saveCapture(),
    saveTableExport: (req: TableExportRequest) => shell.saveTableExport(req),
    saveFlowPackets: (id: number) => shell.saveFlowPackets(id),
    onUpdate: (l: (u: EngineUpdate) => void) => subscribe('update', l),
    onStatus: (l: (s: CaptureStatusView) => void) => subscribe('status', l),
    onNotice: (l: (n: Notice[]) => void) => subscribe('notice', l),
  });

  const emitStatus = (s: CaptureStatusView) => {
    for (const l of listeners.status) l(s);
  };
  return {
    api,
    receive(raw) {
      if (typeof raw !== 'object' || raw === null) return;
      const m = raw as HostToPage;
      if (m.type === 'result' || m.type === 'error') {
        const p = pending.get(m.id);
        if (!p) return;
        pending.delete(m.id);
        if (m.type === 'result') p.resolve(m.value);
        else p.reject(new Error(String(m.message)));
      } else if (m.type === 'update') {
        // Cheap and bounded by the window: a malformed update (a bug) never reaches the renderer's stores.
        if (!isEngineUpdate(m.update)) return;
        for (const l of listeners.update) l(m.update);
      } else if (m.type === 'status') emitStatus(m.status);
      else if (m.type === 'notice') {
        if (!isNoticeList(m.notices)) return;
        for (const l of listeners.notice) l(m.notices);
      }
      else if (m.type === 'hello' && m.version !== API_VERSION) {
        // A host from another build: nothing it says can be trusted to mean what this page thinks.
        this.fail({ code: 'internal', message: `The engine speaks API version ${String(m.version)}, this page ${API_VERSION}.`, action: 'Restart Sandpiper.' });
      }
    },
    fail(error) {
      if (lost) return;
      lost = error;
      for (const p of pending.values()) {
        if (HOST_API[p.method].refusal === 'result') p.resolve({ ok: false, error });
        else p.reject(new Error(error.message));
      }
      pending.clear();
      emitStatus(linkLostStatus(error));
    },
  };
}
