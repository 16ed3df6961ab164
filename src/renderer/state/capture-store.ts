/**
 * Capture controls and status: what the user picked (interface, BPF filter, promiscuous), the helper's filter
 * verdict, the status the main process reports, and the error banner. Every call to the API goes through here.
 */
import { createStore } from 'zustand/vanilla';
import type { AppError, CaptureStatusView, InterfaceInfo, IpfixExportRequest, SandpiperApi, TableExportRequest } from '../../shared/ipc.ts';

export type FilterCheck = { state: 'idle' | 'checking' | 'ok' } | { state: 'error'; error: string };

export interface CaptureState {
  status: CaptureStatusView;
  interfaces: InterfaceInfo[];
  iface: string;
  bpf: string;
  promisc: boolean;
  /** Where the next live capture exports its flows as IPFIX; kept for the session, null for no export. */
  ipfix: IpfixExportRequest | null;
  filterCheck: FilterCheck;
  /** The error shown in the banner; null when none or dismissed. */
  error: AppError | null;
  /** A request is in flight (buttons are disabled meanwhile). */
  busy: boolean;
  /** Last saved or opened file, for the confirmation line. */
  notice: string | null;
  loadInterfaces(): Promise<void>;
  setIface(name: string): void;
  setBpf(text: string): void;
  setPromisc(on: boolean): void;
  setIpfix(x: IpfixExportRequest | null): void;
  checkFilter(text: string): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
  toggleStartStop(): Promise<void>;
  togglePause(): Promise<void>;
  openFile(): Promise<void>;
  save(): Promise<void>;
  /** Saves one flow's packets as pcap (the row menu, the details drawer). */
  saveFlowPackets(id: number): Promise<void>;
  /** Saves the flows table (every flow under the request's filter and sort) as CSV or JSON. */
  exportTable(req: TableExportRequest): Promise<void>;
  setStatus(s: CaptureStatusView): void;
  showError(e: AppError | null): void;
}

export const IDLE_STATUS: CaptureStatusView = { state: 'idle', source: null, sandbox: null, error: null, devWarning: null, recordingFullAt: null };

/** Capture states in which Start makes no sense and Stop does. */
export function isRunning(s: CaptureStatusView['state']): boolean {
  return s === 'starting' || s === 'capturing' || s === 'paused' || s === 'reading';
}

function internalError(e: unknown): AppError {
  return {
    code: 'internal',
    message: `The app could not reach the capture engine (${e instanceof Error ? e.message : String(e)}).`,
    action: 'Restart Sandpiper; if it happens again, report it with the steps that led here.',
  };
}

export function createCaptureStore(api: SandpiperApi) {
  return createStore<CaptureState>()((set, get) => {
    // Runs an API call with the busy flag and turns a thrown error into the banner.
    async function guarded<T>(f: () => Promise<T>): Promise<T | undefined> {
      set({ busy: true });
      try {
        return await f();
      } catch (e) {
        set({ error: internalError(e) });
        return undefined;
      } finally {
        set({ busy: false });
      }
    }

    return {
      status: IDLE_STATUS,
      interfaces: [],
      iface: 'any',
      bpf: '',
      promisc: false,
      ipfix: null,
      filterCheck: { state: 'idle' },
      error: null,
      busy: false,
      notice: null,

      async loadInterfaces() {
        try {
          const list = await api.listInterfaces();
          const withAny = list.some((i) => i.name === 'any')
            ? list
            : [{ name: 'any', addresses: [], up: true, loopback: false }, ...list];
          const cur = get().iface;
          set({ interfaces: withAny, iface: withAny.some((i) => i.name === cur) ? cur : withAny[0].name });
        } catch (e) {
          set({ error: internalError(e) });
        }
      },
      setIface(name) {
        set({ iface: name });
      },
      setBpf(text) {
        set({ bpf: text, filterCheck: text.trim() === '' ? { state: 'ok' } : { state: 'checking' } });
      },
      setPromisc(on) {
        set({ promisc: on });
      },
      setIpfix(x) {
        set({ ipfix: x });
      },
      async checkFilter(text) {
        if (text.trim() === '') {
          set({ filterCheck: { state: 'ok' } });
          return;
        }
        try {
          const r = await api.validateFilter(text);
          if (get().bpf !== text) return; // a newer edit is being checked
          set({ filterCheck: r.ok ? { state: 'ok' } : { state: 'error', error: r.error.message } });
        } catch (e) {
          if (get().bpf === text) set({ filterCheck: { state: 'error', error: internalError(e).message } });
        }
      },
      async start() {
        const s = get();
        if (s.busy || isRunning(s.status.state) || s.filterCheck.state === 'error') return;
        set({ error: null, notice: null });
        const r = await guarded(() => api.startCapture({ interface: s.iface, filter: s.bpf.trim(), promisc: s.promisc, ...(s.ipfix ? { ipfix: s.ipfix } : {}) }));
        if (r && !r.ok) set({ error: r.error });
      },
      async stop() {
        await guarded(() => api.stopCapture());
      },
      async toggleStartStop() {
        if (isRunning(get().status.state)) await get().stop();
        else await get().start();
      },
      async togglePause() {
        const st = get().status.state;
        if (st !== 'capturing' && st !== 'paused') return;
        await guarded(() => api.setPaused(st === 'capturing'));
      },
      async openFile() {
        // Same rules as the buttons, which keyboard shortcuts bypass.
        if (get().busy || isRunning(get().status.state)) return;
        set({ notice: null });
        const r = await guarded(() => api.openCaptureFile());
        if (!r) return;
        if (!r.ok) set({ error: r.error });
        else if (r.value) set({ error: null, notice: `Opened ${r.value.path}` });
      },
      async save() {
        if (get().busy || get().status.source === null) return;
        set({ notice: null });
        const r = await guarded(() => api.saveCapture());
        if (!r) return;
        if (!r.ok) set({ error: r.error });
        else if (r.value) set({ notice: `Saved ${r.value.path}` });
      },
      async saveFlowPackets(id) {
        if (get().busy || get().status.source === null) return;
        set({ notice: null });
        const r = await guarded(() => api.saveFlowPackets(id));
        if (!r) return;
        if (!r.ok) set({ error: r.error });
        else if (r.value) set({ error: null, notice: `Saved ${r.value.packets === 1 ? '1 packet' : `${r.value.packets.toLocaleString('en-US')} packets`} of flow ${id} to ${r.value.path}` });
      },
      async exportTable(req) {
        if (get().busy) return;
        set({ notice: null });
        const r = await guarded(() => api.saveTableExport(req));
        if (!r) return;
        if (!r.ok) set({ error: r.error });
        else if (r.value) set({ error: null, notice: `Exported ${r.value.flows === 1 ? '1 flow' : `${r.value.flows.toLocaleString('en-US')} flows`} to ${r.value.path}` });
      },
      setStatus(status) {
        const prev = get().status;
        // A new error from main replaces the banner; the same one (after a dismiss) does not come back.
        const fresh = status.error !== null && (prev.error === null || prev.error.code !== status.error.code || prev.error.message !== status.error.message);
        set(fresh ? { status, error: status.error } : { status });
      },
      showError(e) {
        set({ error: e });
      },
    };
  });
}

export type CaptureStore = ReturnType<typeof createCaptureStore>;
