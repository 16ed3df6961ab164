/**
 * The flows filter bar's language. Space-separated terms, all of which must match:
 *   host:example.com  port:443  port:8000-8100  proc:firefox  proc:1234 (pid)  proto:udp  app:tls  app:none
 *   state:established  state:open (not closed/reset)  domain:example.com (the name the flow is about is
 *   example.com or under it: the Overview's domain groups, src/shared/flows/group-key.ts)
 *   country:de (either address is in that country, ISO 3166 alpha-2)  asn:15169 or asn:AS15169 (either address is
 *   in that AS)  asn:google (an AS whose name contains the text)
 *   free text (searched in process, addresses, host, names)
 *   seen:1764500000-1764500060 (seen in that range of capture time, seconds since the epoch: first packet before its
 *   end, last packet after its start; what dragging across the chart writes; at most one, not negated)
 * A value may list alternatives with commas (port:80,443). A leading "-" negates a term. "Quoted text" is always
 * free text, so IPv6 addresses can be searched as "fe80::1" (or host:fe80::1).
 */
import type { FlowApp, FlowProto, FlowState } from '../flow.ts';
import type { FlowRow } from '../flow.ts';
import { FLOW_APPS } from '../flow.ts';
import { protoLabel } from './endpoints.ts';
import { bareName, flowName } from './group-key.ts';

export type FilterKey = 'host' | 'domain' | 'port' | 'proc' | 'proto' | 'app' | 'state' | 'country' | 'asn';
export const FILTER_KEYS: readonly FilterKey[] = ['host', 'domain', 'port', 'proc', 'proto', 'app', 'state', 'country', 'asn'];

const PROTOS: readonly FlowProto[] = ['tcp', 'udp', 'icmp', 'icmpv6', 'sctp', 'gre', 'esp', 'other'];
const APPS: readonly (FlowApp | 'none')[] = [...FLOW_APPS, 'none'];
const STATES: readonly (FlowState | 'open')[] = ['syn_sent', 'established', 'mid-flow', 'closing', 'closed', 'reset', 'active', 'open'];

export type FilterTerm =
  | { kind: 'text'; negate: boolean; text: string }
  | { kind: 'host'; negate: boolean; values: string[] }
  | { kind: 'domain'; negate: boolean; values: string[] }
  | { kind: 'proc'; negate: boolean; values: string[] }
  | { kind: 'port'; negate: boolean; ranges: Array<[number, number]> }
  | { kind: 'proto'; negate: boolean; values: FlowProto[] }
  | { kind: 'app'; negate: boolean; values: Array<FlowApp | 'none'> }
  | { kind: 'state'; negate: boolean; values: Array<FlowState | 'open'> }
  | { kind: 'country'; negate: boolean; values: string[] }
  | { kind: 'asn'; negate: boolean; numbers: number[]; names: string[] };

/**
 * Every term reads only a flow's text (never its counters), so the table re-runs the predicate only when a flow's
 * text changes, not on every update of its counters. A whole FlowRow is a FlowRow too.
 */
export type FlowPredicate = (t: FlowRow) => boolean;

export type ParseResult =
  /** `seen` is kept apart from the predicate: it reads counters (the view checks it on every change of a flow). */
  | { ok: true; terms: FilterTerm[]; predicate: FlowPredicate | null; seen: readonly [number, number] | null }
  | { ok: false; error: string };

interface Token {
  text: string;
  quoted: boolean;
  negate: boolean;
}

function tokenize(input: string): Token[] | string {
  const out: Token[] = [];
  let i = 0;
  const n = input.length;
  while (i < n) {
    while (i < n && /\s/.test(input[i])) i++;
    if (i >= n) break;
    let negate = false;
    if (input[i] === '-' && i + 1 < n && !/\s/.test(input[i + 1])) {
      negate = true;
      i++;
    }
    let text = '';
    const quoted = input[i] === '"';
    // A token is a run of non-space characters; a quoted part may contain spaces (key:"a b" or "a b").
    while (i < n && !/\s/.test(input[i])) {
      if (input[i] === '"') {
        const end = input.indexOf('"', i + 1);
        if (end < 0) return `Unclosed quote at character ${i + 1}.`;
        text += input.slice(i + 1, end);
        i = end + 1;
      } else {
        text += input[i++];
      }
    }
    out.push({ text, quoted, negate });
  }
  return out;
}

function listValues(key: string, raw: string): string[] | string {
  const values = raw.split(',').map((v) => v.trim().toLowerCase());
  if (values.some((v) => v === '')) return `${key}: needs a value, e.g. ${example(key)}.`;
  return values;
}

function example(key: string): string {
  switch (key) {
    case 'host': return 'host:example.com';
    case 'domain': return 'domain:example.com';
    case 'port': return 'port:443 or port:8000-8100';
    case 'proc': return 'proc:firefox or proc:1234';
    case 'proto': return `proto:udp (one of ${PROTOS.join(', ')})`;
    case 'app': return `app:tls (one of ${APPS.join(', ')})`;
    case 'country': return 'country:de (a two-letter country code)';
    case 'asn': return 'asn:15169, asn:AS15169 or asn:google';
    default: return `state:established (one of ${STATES.join(', ')})`;
  }
}

function parsePort(v: string): [number, number] | null {
  const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(v);
  if (!m) return null;
  const lo = Number(m[1]);
  const hi = m[2] === undefined ? lo : Number(m[2]);
  if (lo > 65535 || hi > 65535 || hi < lo) return null;
  return [lo, hi];
}

function oneOf<T extends string>(key: string, values: string[], allowed: readonly T[]): T[] | string {
  for (const v of values) {
    if (!(allowed as readonly string[]).includes(v)) return `Unknown ${key} "${v}": use one of ${allowed.join(', ')}.`;
  }
  return values as T[];
}

function parseTerm(t: Token): FilterTerm | string {
  const colon = t.quoted ? -1 : t.text.indexOf(':');
  const prefix = colon > 0 ? t.text.slice(0, colon) : '';
  // Only an all-letter prefix is a keyword, so "10.0.0.1:443"-style and "fe80::1" stay free text.
  if (colon <= 0 || !/^[a-z]+$/i.test(prefix)) {
    return { kind: 'text', negate: t.negate, text: t.text.toLowerCase() };
  }
  const key = prefix.toLowerCase();
  const raw = t.text.slice(colon + 1);
  if (!(FILTER_KEYS as readonly string[]).includes(key)) {
    return `Unknown keyword "${prefix}:": use ${FILTER_KEYS.map((k) => `${k}:`).join(' ')} or plain text (quote text that contains ":").`;
  }
  const values = listValues(key, raw);
  if (typeof values === 'string') return values;
  switch (key as FilterKey) {
    case 'host':
      return { kind: 'host', negate: t.negate, values };
    case 'domain':
      return { kind: 'domain', negate: t.negate, values: values.map(bareName) };
    case 'proc':
      return { kind: 'proc', negate: t.negate, values };
    case 'port': {
      const ranges: Array<[number, number]> = [];
      for (const v of values) {
        const r = parsePort(v);
        if (!r) return `Bad port "${v}": use a number 0–65535 or a range like 8000-8100.`;
        ranges.push(r);
      }
      return { kind: 'port', negate: t.negate, ranges };
    }
    case 'proto': {
      const v = oneOf('protocol', values, PROTOS);
      return typeof v === 'string' ? v : { kind: 'proto', negate: t.negate, values: v };
    }
    case 'app': {
      const v = oneOf('app', values, APPS);
      return typeof v === 'string' ? v : { kind: 'app', negate: t.negate, values: v };
    }
    case 'state': {
      const v = oneOf('state', values, STATES);
      return typeof v === 'string' ? v : { kind: 'state', negate: t.negate, values: v };
    }
    case 'country': {
      const bad = values.find((v) => !/^[a-z]{2}$/.test(v));
      if (bad !== undefined) return `Bad country "${bad}": use a two-letter country code, e.g. ${example('country')}.`;
      return { kind: 'country', negate: t.negate, values: values.map((v) => v.toUpperCase()) };
    }
    case 'asn': {
      const numbers: number[] = [];
      const names: string[] = [];
      for (const v of values) {
        const m = /^(?:as)?(\d+)$/.exec(v);
        if (m && Number(m[1]) <= 0xffffffff) numbers.push(Number(m[1]));
        else if (m) return `Bad AS number "${v}": AS numbers go up to 4294967295.`;
        else names.push(v);
      }
      return { kind: 'asn', negate: t.negate, numbers, names };
    }
  }
}

function includesCi(hay: string | null, needle: string): boolean {
  return hay !== null && hay.toLowerCase().includes(needle);
}

function hostMatches(r: FlowRow, v: string): boolean {
  if (includesCi(r.src, v) || includesCi(r.dst, v) || includesCi(r.host, v)) return true;
  for (const q of r.dns_queries) if (includesCi(q, v)) return true;
  return false;
}

function textMatches(r: FlowRow, v: string): boolean {
  return (
    hostMatches(r, v) ||
    includesCi(r.process, v) ||
    (r.pid !== null && String(r.pid) === v) ||
    protoLabel(r).includes(v) ||
    r.state.includes(v) ||
    String(r.sport) === v ||
    String(r.dport) === v
  );
}

function termMatches(t: FilterTerm, r: FlowRow): boolean {
  switch (t.kind) {
    case 'text':
      return textMatches(r, t.text);
    case 'host':
      return t.values.some((v) => hostMatches(r, v));
    case 'domain': {
      const name = flowName(r);
      return t.values.some((v) => name === v || (name.endsWith(v) && name.charCodeAt(name.length - v.length - 1) === 46));
    }
    case 'proc':
      return t.values.some((v) => (/^\d+$/.test(v) ? r.pid === Number(v) : includesCi(r.process, v)));
    case 'port':
      return t.ranges.some(([lo, hi]) => (r.sport >= lo && r.sport <= hi) || (r.dport >= lo && r.dport <= hi));
    case 'proto':
      return t.values.includes(r.proto);
    case 'app':
      return t.values.some((v) => (v === 'none' ? r.app === null : r.app === v));
    case 'state':
      return t.values.some((v) => (v === 'open' ? r.state !== 'closed' && r.state !== 'reset' : r.state === v));
    case 'country':
      return t.values.some((v) => r.src_country === v || r.dst_country === v);
    case 'asn':
      return (
        t.numbers.some((n) => r.src_asn === n || r.dst_asn === n) ||
        t.names.some((v) => (r.src_asn !== null && includesCi(r.src_as_name, v)) || (r.dst_asn !== null && includesCi(r.dst_as_name, v)))
      );
  }
}

/** Parses the filter bar; the predicate is null for an empty query (everything matches). */
export function parseFilterQuery(input: string): ParseResult {
  const tokens = tokenize(input);
  if (typeof tokens === 'string') return { ok: false, error: tokens };
  const terms: FilterTerm[] = [];
  let seen: readonly [number, number] | null = null;
  for (const tok of tokens) {
    if (!tok.quoted && /^seen:/i.test(tok.text)) {
      const r = parseSeen(tok, seen);
      if (typeof r === 'string') return { ok: false, error: r };
      seen = r;
      continue;
    }
    const t = parseTerm(tok);
    if (typeof t === 'string') return { ok: false, error: t };
    if (t.kind === 'text' && t.text === '') continue;
    terms.push(t);
  }
  if (terms.length === 0) return { ok: true, terms, predicate: null, seen };
  const predicate: FlowPredicate = (r) => {
    for (const t of terms) if (termMatches(t, r) === t.negate) return false;
    return true;
  };
  return { ok: true, terms, predicate, seen };
}

function parseSeen(t: Token, prev: readonly [number, number] | null): readonly [number, number] | string {
  if (t.negate) return 'seen: cannot be negated.';
  if (prev !== null) return 'Only one seen: range.';
  const m = /^seen:(\d+(?:\.\d+)?)-(\d+(?:\.\d+)?)$/i.exec(t.text);
  const from = m ? Number(m[1]) : NaN;
  const to = m ? Number(m[2]) : NaN;
  if (!(from <= to)) return `Bad seen: range "${t.text.slice(5)}": use START-END in seconds since the epoch, START not after END (drag across the chart to set one).`;
  return [from, to];
}
