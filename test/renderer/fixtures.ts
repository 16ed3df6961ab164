// Test doubles for the renderer: flow rows, sandbox reports and a controllable SandpiperApi.
import { vi } from 'vitest';
import type { FlowRow } from '../../src/shared/flow.ts';
import { COUNTER_COUNT, sameText, textOf, writeCounters, type FlowBatch, type FlowText } from '../../src/shared/flow-update.ts';
import type { SandboxMessage } from '../../src/shared/helper-protocol.ts';
import { IPC_PROTOCOL_VERSION, type CaptureStatusView, type EngineUpdate, type SandpiperApi, type StatsView } from '../../src/shared/ipc.ts';

export function row(p: Partial<FlowRow> & { id: number }): FlowRow {
  return {
    type: 'flow',
    proto: 'tcp',
    src: '192.168.1.10',
    sport: 40000 + (p.id % 20000),
    dst: '93.184.216.34',
    dport: 443,
    packets_fwd: 10,
    bytes_fwd: 1000,
    packets_rev: 12,
    bytes_rev: 9000,
    first_seen: 1_700_000_000 + p.id,
    last_seen: 1_700_000_100 + p.id,
    state: 'established',
    app: 'tls',
    host: 'example.com',
    dns_queries: [],
    pid: 1234,
    process: 'firefox',
    sni: 'example.com',
    alpn: ['h2'],
    http_host: null,
    ssh_client: null,
    ssh_server: null,
    dns_answers: [],
    dns_rcode: null,
    rate_fwd_1s: 100,
    rate_rev_1s: 2000,
    rate_fwd_10s: 50,
    rate_rev_10s: 1500,
    exe: '/usr/lib/firefox/firefox',
    user: 'alice',
    process_hidden: false,
    local: 'src',
    ...p,
  };
}

export function stats(p: Partial<StatsView> = {}): StatsView {
  return {
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
    elapsedSeconds: 0,
    ...p,
  };
}

/** The texts a receiver holds, as the sender tracks them (flow id → text last sent). */
export type KnownTexts = Map<number, FlowText>;

/**
 * A FlowBatch of whole rows. Without `known` every row's text is sent; with it, like the engine, only texts the
 * receiver does not have yet (new flows, changed texts), which are then recorded in `known`.
 */
export function batch(rows: readonly FlowRow[], known?: KnownTexts): FlowBatch {
  const ids = new Float64Array(rows.length);
  const counters = new Float64Array(rows.length * COUNTER_COUNT);
  const texts: FlowText[] = [];
  rows.forEach((r, i) => {
    ids[i] = r.id;
    writeCounters(r, counters, i * COUNTER_COUNT);
    const prev = known?.get(r.id);
    if (prev !== undefined && sameText(prev, r)) return;
    const t = textOf(r);
    texts.push(t);
    known?.set(r.id, t);
  });
  return { ids, counters, texts };
}

export interface UpdateParts extends Partial<Omit<EngineUpdate, 'rows'>> {
  /** Whole rows, turned into `rows` by batch(upserts, known). */
  upserts?: FlowRow[];
  rows?: FlowBatch;
  /** The receiver's texts as the sender sees them: updated for the full flag, the batch and `removed`. */
  known?: KnownTexts;
}

export function update(seq: number, p: UpdateParts = {}): EngineUpdate {
  const { upserts = [], rows, known, ...rest } = p;
  if (rest.full) known?.clear();
  const b = rows ?? batch(upserts, known);
  for (const id of rest.removed ?? []) known?.delete(id);
  return { seq, full: false, removed: [], stats: stats(), ts: 1_700_000_000 + seq, ...rest, rows: b };
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
    probes: { raw_socket: 'denied', file_open: 'denied', tcp_connect: 'denied' },
    details: 'landlock abi 7; 7 threads checked',
    ...p,
  };
}

export function status(p: Partial<CaptureStatusView> = {}): CaptureStatusView {
  return { state: 'idle', source: null, sandbox: null, error: null, devWarning: null, ...p };
}

export interface MockApi extends SandpiperApi {
  emitUpdate(u: EngineUpdate): void;
  emitStatus(s: CaptureStatusView): void;
  listInterfaces: ReturnType<typeof vi.fn<SandpiperApi['listInterfaces']>>;
  validateFilter: ReturnType<typeof vi.fn<SandpiperApi['validateFilter']>>;
  startCapture: ReturnType<typeof vi.fn<SandpiperApi['startCapture']>>;
  stopCapture: ReturnType<typeof vi.fn<SandpiperApi['stopCapture']>>;
  setPaused: ReturnType<typeof vi.fn<SandpiperApi['setPaused']>>;
  openCaptureFile: ReturnType<typeof vi.fn<SandpiperApi['openCaptureFile']>>;
  saveCapture: ReturnType<typeof vi.fn<SandpiperApi['saveCapture']>>;
  requestSnapshot: ReturnType<typeof vi.fn<SandpiperApi['requestSnapshot']>>;
}

export function mockApi(): MockApi {
  const updates = new Set<(u: EngineUpdate) => void>();
  const statuses = new Set<(s: CaptureStatusView) => void>();
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
    requestSnapshot: vi.fn(async () => undefined),
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
    emitStatus(s) {
      for (const l of statuses) l(s);
    },
  };
}
