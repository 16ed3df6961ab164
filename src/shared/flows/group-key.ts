/**
 * What the Overview and `sandpiper read --group-by` group flows by, read from a flow's text only (never its
 * counters), so a grouping is recomputed only when a flow's text changes. The registrable domain needs the Public
 * Suffix List and is applied by the engine side (src/engine/aggregate.ts); this module gives the name it is taken
 * from, and the flows-filter text that shows one group's flows.
 */
import type { FlowRecord } from '../flow.ts';
import { FLOW_APPS } from '../flow.ts';
import { localIsSrc } from './endpoints.ts';

export type GroupBy = 'process' | 'domain' | 'app' | 'country' | 'asn';
export const GROUP_BYS: readonly GroupBy[] = ['process', 'domain', 'app', 'country', 'asn'];

type Named = Pick<FlowRecord, 'host' | 'dns_queries' | 'src' | 'dst'> & { local?: 'src' | 'dst' | null };

/** A host name without a trailing dot or a `:port` (an HTTP Host header may carry one; a bare IPv6 address is left whole). */
export function bareName(name: string): string {
  let n = name.trim().toLowerCase();
  const port = /^(\[[^\]]*\]|[^:]*):\d+$/.exec(n);
  if (port) n = port[1];
  if (n.startsWith('[') && n.endsWith(']')) n = n.slice(1, -1);
  return n.endsWith('.') ? n.slice(0, -1) : n;
}

/**
 * The name a flow is about: the name it asked for (a DNS flow's query; SNI or HTTP Host, which the engine puts in
 * `host` before a name learnt from DNS), else the name that resolved to its remote address, else that address.
 */
export function flowName(r: Named): string {
  const asked = r.dns_queries.length > 0 ? r.dns_queries[0] : r.host;
  if (asked !== null && asked !== '') return bareName(asked);
  return localIsSrc({ local: r.local ?? null }) ? r.dst : r.src;
}

/** The process group of a flow; null when no process is known (a file, or a socket that could not be attributed). */
export function processKey(r: Pick<FlowRecord, 'process'>): string | null {
  return r.process === null || r.process === '' ? null : r.process;
}

/** The app protocol when DPI named one, else the transport. */
export function appKey(r: Pick<FlowRecord, 'app' | 'proto'>): string {
  return r.app ?? r.proto;
}

type Placed = Pick<FlowRecord, 'src_country' | 'dst_country' | 'src_asn' | 'dst_asn' | 'src_as_name' | 'dst_as_name'> & { local?: 'src' | 'dst' | null };

/**
 * Whether the remote endpoint's country and AS are the source's: the one that is not this host (the responder in a
 * file), unless only the other endpoint has any (a file captured on a server, whose initiators are the remote side).
 */
function remoteIsSrc(r: Placed): boolean {
  const src = !localIsSrc({ local: r.local ?? null });
  const has = (s: boolean) => (s ? r.src_country !== null || r.src_asn !== null : r.dst_country !== null || r.dst_asn !== null);
  return has(src) || !has(!src) ? src : !src;
}

/** The remote endpoint's country (ISO 3166-1 alpha-2); null: private, special or not in the database. */
export function countryKey(r: Placed): string | null {
  return remoteIsSrc(r) ? r.src_country : r.dst_country;
}

/** The remote endpoint's AS as "AS15169 Google LLC" (the asn: filter reads the number); null when none. */
export function asnKey(r: Placed): string | null {
  const src = remoteIsSrc(r);
  const asn = src ? r.src_asn : r.dst_asn;
  if (asn === null) return null;
  const name = src ? r.src_as_name : r.dst_as_name;
  return name === null || name === '' ? `AS${asn}` : `AS${asn} ${name}`;
}

const APP_NAMES = new Set<string>(FLOW_APPS);

function quoted(v: string): string {
  // The filter's tokenizer ends a quoted part at the next quote, so a value with a quote cannot be quoted whole.
  return /^[^\s",]+$/.test(v) ? v : `"${v.replace(/"/g, '')}"`;
}

/** Flows-filter text showing the flows of one group (src/shared/flows/filter-query.ts); null when none can say it. */
export function groupFilter(by: GroupBy, key: string | null): string | null {
  if (key === null) return null;
  switch (by) {
    case 'process':
      return `proc:${quoted(key)}`;
    case 'domain':
      return `domain:${quoted(key)}`;
    case 'app':
      return APP_NAMES.has(key) ? `app:${key}` : `app:none proto:${key}`;
    case 'country':
      return `country:${quoted(key)}`;
    case 'asn':
      // The number alone: the name may hold commas or quotes, which the filter cannot take whole.
      return `asn:${/^AS(\d+)/.exec(key)?.[1] ?? quoted(key)}`;
  }
}
