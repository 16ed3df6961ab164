// Test doubles for the renderer: flow rows, sandbox reports, a controllable SandpiperApi and a fake engine host
// (the real FlowViewModel from src/engine-host/view answering setView, as the engine host process does).
import { vi } from 'vitest';
import type { FlowRow } from '../../src/shared/flow.ts';
import type { SandboxMessage } from '../../src/shared/helper-protocol.ts';
import { EMPTY_STATS, IPC_PROTOCOL_VERSION, type CaptureStatusView, type EngineUpdate, type SandpiperApi, type StatsView, type ViewRequest } from '../../src/shared/ipc.ts';
import { FlowViewModel } from '../../src/engine-host/view/flow-view-model.ts';
import { RowStore } from '../support/row-store.ts';
import { row } from '../shared/fixtures.ts';
import { settingsFromFile } from '../../src/shared/settings.ts';
import type { Notice } from '../../src/shared/notices.ts';

export { row };

export function stats(p: Partial<StatsView> = {}): StatsView {
  return { ...EMPTY_STATS, ...p };
}

/** An update of the given view part (and defaults), as the host would send it. */
export function update(seq: number, p: Partial<EngineUpdate> = {}): EngineUpdate {
  const rows = p.rows ?? [];
  return {
    seq,
    viewSeq: 0,
    total: rows.length,
    count: rows.length,
    start: 0,
    rows,
    order: 1,
    selected: null,
    filterError: null,
    stats: stats(),
    chart: null,
    ts: 1_700_000_000 + seq,
    ...p,
  };
}

export function sandbox(p: Partial<SandboxMessage> = {}): SandboxMessage {
  return {
    type: 'sandbox',
    status: 'fully_enforced',
    landlock_abi: 7,
    landlock_abi_kernel: 7,
    fs_restricted: true,
    net_restricted: true,
    scoped: true,
    no_new_privs: true,
    cap_net_raw_dropped: true,
    uid: 1000,
    gid: 1000,
    all_threads: true,
    threads: 7,
    seccomp: { installed: true, policy: 'deny_list', threads: [{ tid: 1, mode: 2, filters: 2 }], all_threads: true },
    probes: { raw_socket: 'denied', file_open: 'denied', tcp_connect: 'denied', udp_send: 'denied', unix_connect: 'denied' },
    details: 'landlock abi 7; 7 threads checked',
    ...p,
  };
}

export function status(p: Partial<CaptureStatusView> = {}): CaptureStatusView {
  return { state: 'idle', source: null, sandbox: null, error: null, devWarning: null, recordingFullAt: null, ...p };
}

export interface MockApi extends SandpiperApi {
  emitUpdate(u: EngineUpdate): void;
  emitStatus(s: CaptureStatusView): void;
  emitNotice(n: Notice[]): void;
  listInterfaces: ReturnType<typeof vi.fn<SandpiperApi['listInterfaces']>>;
  validateFilter: ReturnType<typeof vi.fn<SandpiperApi['validateFilter']>>;
  startCapture: ReturnType<typeof vi.fn<SandpiperApi['startCapture']>>;
  stopCapture: ReturnType<typeof vi.fn<SandpiperApi['stopCapture']>>;
  setPaused: ReturnType<typeof vi.fn<SandpiperApi['setPaused']>>;
  openCaptureFile: ReturnType<typeof vi.fn<SandpiperApi['openCaptureFile']>>;
  saveCapture: ReturnType<typeof vi.fn<SandpiperApi['saveCapture']>>;
  exportTable: ReturnType<typeof vi.fn<SandpiperApi['exportTable']>>;
  saveTableExport: ReturnType<typeof vi.fn<SandpiperApi['saveTableExport']>>;
  saveFlowPackets: ReturnType<typeof vi.fn<SandpiperApi['saveFlowPackets']>>;
  flowSeries: ReturnType<typeof vi.fn<SandpiperApi['flowSeries']>>;
  setView: ReturnType<typeof vi.fn<SandpiperApi['setView']>>;
  setOverview: ReturnType<typeof vi.fn<SandpiperApi['setOverview']>>;
  getSettings: ReturnType<typeof vi.fn<SandpiperApi['getSettings']>>;
  saveSettings: ReturnType<typeof vi.fn<SandpiperApi['saveSettings']>>;
  setFavourites: ReturnType<typeof vi.fn<SandpiperApi['setFavourites']>>;
  setNotificationRules: ReturnType<typeof vi.fn<SandpiperApi['setNotificationRules']>>;
}

/** An API whose setView does nothing: updates are whatever the test emits. */
export function mockApi(): MockApi {
  const updates = new Set<(u: EngineUpdate) => void>();
  const statuses = new Set<(s: CaptureStatusView) => void>();
  const notices = new Set<(n: Notice[]) => void>();
  return {
    version: IPC_PROTOCOL_VERSION,
    listInterfaces: vi.fn(async () => [
      { name: 'lo', addresses: ['127.0.0.1', '::1'], up: true, loopback: true },
      { name: 'eth0', addresses: ['192.168.1.10'], up: true, loopback: false },
      { name: 'wlan0', addresses: [], up: false, loopback: false },
    ]),
    validateFilter: vi.fn(async () => ({ ok: true as const, value: undefined })),
    startCapture: vi.fn(async () => ({ ok: true as const, value: undefined })),
    stopCapture: vi.fn(async () => undefined),
    setPaused: vi.fn(async () => undefined),
    openCaptureFile: vi.fn(async () => ({ ok: true as const, value: { path: '/tmp/x.pcap' } })),
    saveCapture: vi.fn(async () => ({ ok: true as const, value: { path: '/tmp/saved.pcap' } })),
    exportTable: vi.fn(async (req) => ({ ok: true as const, value: { format: req.format, text: '', flows: 0 } })),
    saveTableExport: vi.fn(async () => ({ ok: true as const, value: { path: '/tmp/flows.csv', flows: 3 } })),
    saveFlowPackets: vi.fn(async () => ({ ok: true as const, value: { path: '/tmp/flow-1.pcap', packets: 4 } })),
    flowSeries: vi.fn(async () => ({ ok: true as const, value: { start: 0, step: 1, down: [], up: [] } })),
    setView: vi.fn(async () => undefined),
    setOverview: vi.fn(async () => undefined),
    getSettings: vi.fn(async () => settingsFromFile(null)),
    saveSettings: vi.fn(async () => undefined),
    setFavourites: vi.fn(async () => undefined),
    setNotificationRules: vi.fn(async () => undefined),
    onUpdate(l) {
      updates.add(l);
      return () => updates.delete(l);
    },
    onStatus(l) {
      statuses.add(l);
      return () => statuses.delete(l);
    },
    emitUpdate(u) {
      for (const l of updates) l(u);
    },
    onNotice(l) {
      notices.add(l);
      return () => notices.delete(l);
    },
    emitStatus(s) {
      for (const l of statuses) l(s);
    },
    emitNotice(n) {
      for (const l of notices) l(n);
    },
  };
}

export interface FakeHost extends MockApi {
  /** The engine host's view model (the real one, src/engine-host/view): it holds the flows. */
  vm: FlowViewModel;
  /** Every ViewRequest the page sent, in order. */
  views: ViewRequest[];
  /** The engine drained these changes: the host applies them and sends an engine update. */
  push(changed: readonly FlowRow[], removed?: readonly number[], st?: Partial<StatsView>): void;
  /** While held, answers to setView wait (a window still loading); release() sends the one answer they coalesce to. */
  hold(): void;
  release(): void;
  /** Lets frames and answers run until the page asks for nothing more (inside act). */
  settle(): Promise<void>;
}

/**
 * A SandpiperApi backed by the real FlowViewModel, as the engine host serves the renderer: setView is answered with
 * an update (one per turn of the event loop, however many requests came), and push() sends engine updates. Updates
 * are structured-cloned on the way, as IPC does, so the page never shares objects with the host.
 */
export function fakeHost(): FakeHost {
  const api = mockApi();
  const vm = new FlowViewModel();
  const store = new RowStore();
  vm.show(store);
  const views: ViewRequest[] = [];
  let seq = 0;
  let held = false;
  let replyDue = false;
  let replyTimer: ReturnType<typeof setTimeout> | null = null;
  let activity = 0;
  const send = (tick: boolean, st: Partial<StatsView> = {}) => {
    activity++;
    api.emitUpdate(structuredClone({ seq: ++seq, ...vm.view(tick), stats: stats(st), chart: null, ts: 1_700_000_000 + seq }));
  };
  const reply = () => {
    replyTimer = null;
    if (held || !replyDue) return;
    replyDue = false;
    send(false);
  };
  api.setView.mockImplementation(async (req) => {
    activity++;
    views.push(req);
    vm.setView(req);
    replyDue = true;
    if (!held && replyTimer === null) replyTimer = setTimeout(reply, 0);
  });
  // As the host does: new favourites are a new order, answered like a setView.
  api.setFavourites.mockImplementation(async (req) => {
    activity++;
    vm.setFavourites(req);
    replyDue = true;
    if (!held && replyTimer === null) replyTimer = setTimeout(reply, 0);
  });
  return Object.assign(api, {
    vm,
    views,
    push(changed: readonly FlowRow[], removed: readonly number[] = [], st: Partial<StatsView> = {}) {
      store.apply(changed, removed);
      send(true, st);
    },
    hold() {
      held = true;
    },
    release() {
      held = false;
      reply();
    },
    async settle() {
      const { act } = await import('@testing-library/react');
      // A round: a frame (the page's coalesced setView) and a turn of the event loop (the host's answer).
      for (let quiet = 0, rounds = 0; quiet < 2 && rounds < 50; rounds++) {
        const before = activity;
        await act(async () => {
          await new Promise<void>((r) => requestAnimationFrame(() => setTimeout(r, 0)));
        });
        quiet = activity === before && replyTimer === null ? quiet + 1 : 0;
      }
    },
  });
}
