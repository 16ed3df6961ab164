/**
 * A flow split into its counters (the numbers that change with nearly every packet) and its text (everything else:
 * addresses, state, names, process). A live capture changes the counters of most flows every update while their text
 * rarely changes, so the engine host's flow table (src/engine-host/view/row-table.ts) keeps counters column-wise in
 * one Float64Array and replaces a flow's text only when it changed: applying 50 k counters-only changes allocates
 * nothing per flow, and the filter (which reads texts only, src/shared/flows/filter-query.ts) is not re-run for them.
 * Nothing here crosses a process boundary (IPC version 3 sends whole rows of the visible window only).
 */
import type { FlowRow } from './flow.ts';

/** The FlowRow fields that change with nearly every packet, in the order a flow's run of counters holds them. */
export const COUNTER_FIELDS = [
  'packets_fwd',
  'bytes_fwd',
  'packets_rev',
  'bytes_rev',
  'first_seen',
  'last_seen',
  'rate_fwd_1s',
  'rate_rev_1s',
  'rate_fwd_10s',
  'rate_rev_10s',
] as const;
export type CounterField = (typeof COUNTER_FIELDS)[number];
/** Numbers per flow in a run of counters. */
export const COUNTER_COUNT = COUNTER_FIELDS.length;

/** Offsets of each counter within a flow's run of COUNTER_COUNT numbers. */
export const C = {
  packets_fwd: 0,
  bytes_fwd: 1,
  packets_rev: 2,
  bytes_rev: 3,
  first_seen: 4,
  last_seen: 5,
  rate_fwd_1s: 6,
  rate_rev_1s: 7,
  rate_fwd_10s: 8,
  rate_rev_10s: 9,
} as const satisfies Record<CounterField, number>;

/** Everything of a flow but its counters: identity, endpoints, state, DPI and process. */
export type FlowText = Omit<FlowRow, CounterField>;

/** The text part of a row (a new object; the row's arrays are shared). */
export function textOf(r: FlowRow): FlowText {
  const {
    packets_fwd: _pf,
    bytes_fwd: _bf,
    packets_rev: _pr,
    bytes_rev: _br,
    first_seen: _fs,
    last_seen: _ls,
    rate_fwd_1s: _rf1,
    rate_rev_1s: _rr1,
    rate_fwd_10s: _rf10,
    rate_rev_10s: _rr10,
    ...text
  } = r;
  return text;
}

/** Writes r's counters at out[offset, offset + COUNTER_COUNT). */
export function writeCounters(r: FlowRow, out: Float64Array, offset: number): void {
  out[offset + C.packets_fwd] = r.packets_fwd;
  out[offset + C.bytes_fwd] = r.bytes_fwd;
  out[offset + C.packets_rev] = r.packets_rev;
  out[offset + C.bytes_rev] = r.bytes_rev;
  out[offset + C.first_seen] = r.first_seen;
  out[offset + C.last_seen] = r.last_seen;
  out[offset + C.rate_fwd_1s] = r.rate_fwd_1s;
  out[offset + C.rate_rev_1s] = r.rate_rev_1s;
  out[offset + C.rate_fwd_10s] = r.rate_fwd_10s;
  out[offset + C.rate_rev_10s] = r.rate_rev_10s;
}

/** A whole row from a text and the counters at src[offset, offset + COUNTER_COUNT). */
export function rowOf(text: FlowText, src: Float64Array, offset: number): FlowRow {
  return {
    ...text,
    packets_fwd: src[offset + C.packets_fwd],
    bytes_fwd: src[offset + C.bytes_fwd],
    packets_rev: src[offset + C.packets_rev],
    bytes_rev: src[offset + C.bytes_rev],
    first_seen: src[offset + C.first_seen],
    last_seen: src[offset + C.last_seen],
    rate_fwd_1s: src[offset + C.rate_fwd_1s],
    rate_rev_1s: src[offset + C.rate_rev_1s],
    rate_fwd_10s: src[offset + C.rate_fwd_10s],
    rate_rev_10s: src[offset + C.rate_rev_10s],
  };
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Whether row r has the text `t` (field by field; the lists element by element). */
export function sameText(t: FlowText, r: FlowText): boolean {
  return (
    t.id === r.id &&
    t.state === r.state &&
    t.host === r.host &&
    t.pid === r.pid &&
    t.process === r.process &&
    t.app === r.app &&
    t.sni === r.sni &&
    t.http_host === r.http_host &&
    t.ssh_client === r.ssh_client &&
    t.ssh_server === r.ssh_server &&
    t.dns_rcode === r.dns_rcode &&
    t.exe === r.exe &&
    t.user === r.user &&
    t.process_hidden === r.process_hidden &&
    t.local === r.local &&
    t.proto === r.proto &&
    t.src === r.src &&
    t.sport === r.sport &&
    t.dst === r.dst &&
    t.dport === r.dport &&
    t.type === r.type &&
    sameList(t.dns_queries, r.dns_queries) &&
    sameList(t.alpn, r.alpn) &&
    sameList(t.dns_answers, r.dns_answers)
  );
}
