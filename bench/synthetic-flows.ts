/**
 * The UI benchmark's synthetic flows: what a busy live capture's engine drains each tick. Shared by the benchmark's
 * Node host (bench/ui.bench.ts) and the host it runs in a page worker (test/e2e/bridge/bench-host-worker.ts), so both
 * serve the same table. Pure data, no Node APIs.
 */
import type { StatsView } from '../src/shared/ipc.ts';
import type { FlowRow, FlowState } from '../src/shared/flow.ts';

const PROTOS = ['tcp', 'udp', 'tcp', 'tcp', 'udp', 'icmp'] as const;
const APPS = ['tls', 'dns', 'http', 'quic', 'ssh', null] as const;
const STATES = ['established', 'active', 'closing', 'closed', 'syn_sent', 'reset'] as const;
/** One flow in this many gets a new text per tick. */
export const TEXT_CHANGE_EVERY = 100;
/** Engine updates (ticks) per second of capture time: the engine host's live rate in the benchmark. */
export const TICKS_PER_SECOND = 4;

/** The capture time of tick `tick` (the update's `ts`): ticks are a quarter of a second apart, as live. */
export function captureTimeAt(tick: number): number {
  return 1_700_000_100 + tick / TICKS_PER_SECOND;
}

function initialState(id: number): FlowState {
  const k = id % 6;
  return k === 1 || k === 5 ? 'active' : STATES[id % 6];
}

/** Flow `id` at tick `tick`: every counter moves each tick; the state changes for ~1% of flows per tick. */
export function flowAt(id: number, tick: number, full: boolean): FlowRow {
  const k = id % 6;
  const grow = (id % 13) + tick;
  const state = full || id % TEXT_CHANGE_EVERY !== tick % TEXT_CHANGE_EVERY ? initialState(id) : STATES[(id + tick) % STATES.length];
  const host = `host-${id % 5000}.example.test`;
  return {
    type: 'flow', id, proto: PROTOS[k], src: `10.${(id >> 16) & 255}.${(id >> 8) & 255}.${id & 255}`, sport: 1024 + (id % 60000),
    dst: `192.0.2.${id % 250}`, dport: [443, 53, 80, 443, 22, 0][k],
    src_country: null, dst_country: ['US', 'DE', 'FR', 'JP', 'NL', 'GB'][k], src_asn: null, dst_asn: 64496 + k, src_as_name: null, dst_as_name: `AS ${k}`,
    packets_fwd: grow * 3, bytes_fwd: grow * 1400 + id, packets_rev: grow * 2, bytes_rev: grow * 900 + (id % 977),
    first_seen: 1_700_000_000 + id / 1000, last_seen: captureTimeAt(tick) - (id % 250) / 1000,
    state, app: APPS[k], host: id % 3 === 0 ? null : host,
    dns_queries: k === 1 ? [`q${id % 300}.example.test`] : [], pid: id % 4 === 0 ? null : 1000 + (id % 300), process: id % 4 === 0 ? null : `proc${id % 40}`,
    sni: k === 0 ? host : null, alpn: k === 0 ? ['h2'] : [], http_host: k === 2 ? host : null,
    ssh_client: null, ssh_server: null, dns_answers: [], dns_rcode: k === 1 ? 0 : null,
    rate_fwd_1s: (id * 7 + tick * 13) % 100000, rate_rev_1s: (id * 3 + tick * 17) % 90000, rate_fwd_10s: (id * 5 + tick) % 80000, rate_rev_10s: (id * 11 + tick) % 70000,
    exe: null, cmdline: null, process_hidden: false, local: 'src', ended: false,
  };
}

/** Flows 1..count at `tick`; `full`: the initial table (no text changes). */
export function flowsAt(count: number, tick: number, full: boolean): FlowRow[] {
  const out = new Array<FlowRow>(count);
  for (let i = 0; i < count; i++) out[i] = flowAt(i + 1, tick, full);
  return out;
}

export function statsAt(count: number, tick: number): StatsView {
  return { packets: count * tick, bytes: count * tick * 1000, packetsPerSecond: count, bytesPerSecond: count * 1000, inBytesPerSecond: count * 400, outBytesPerSecond: count * 600, kernelDrops: 0, ifaceDrops: 0, pipeDrops: 0, flows: count, expiredFlows: 0, dpiRefused: 0, elapsedSeconds: tick / TICKS_PER_SECOND, ipfix: null };
}
