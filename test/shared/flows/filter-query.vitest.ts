// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { parseFilterQuery } from '../../../src/shared/flows/filter-query.ts';
import type { FlowRow } from '../../../src/shared/flow.ts';
import { row } from '../fixtures.ts';

const rows: FlowRow[] = [
  row({ id: 1, process: 'firefox', pid: 100, host: 'example.com', dport: 443, proto: 'tcp', app: 'tls', state: 'established' }),
  row({ id: 2, process: 'systemd-resolved', pid: 200, host: null, dst: '1.1.1.1', dport: 53, proto: 'udp', app: 'dns', state: 'active', dns_queries: ['github.com'],
    dst_country: 'AU', dst_asn: 13335, dst_as_name: 'Cloudflare, Inc.' }),
  row({ id: 3, process: 'sshd', pid: 300, host: null, src: '10.0.0.5', sport: 22, dst: '10.0.0.9', dport: 51000, app: 'ssh', state: 'closed',
    dst_country: null, dst_asn: null, dst_as_name: null }),
  row({ id: 4, process: null, pid: null, host: null, dst: 'fe80::1', dport: 8080, app: null, state: 'reset',
    dst_country: null, dst_asn: null, dst_as_name: null }),
  row({ id: 5, process: 'curl', pid: 400, host: 'Example.ORG', dport: 80, app: 'http', state: 'syn_sent' }),
];

function match(q: string): number[] {
  const r = parseFilterQuery(q);
  if (!r.ok) throw new Error(`unexpected parse error: ${r.error}`);
  return rows.filter((x) => r.predicate === null || r.predicate(x)).map((x) => x.id);
}

function error(q: string): string {
  const r = parseFilterQuery(q);
  if (r.ok) throw new Error(`expected "${q}" to be rejected`);
  return r.error;
}

describe('filter query', () => {
  it('matches everything when empty or blank', () => {
    const empty = parseFilterQuery('');
    expect(empty.ok && empty.predicate).toBe(null);
    expect(match('   ')).toEqual([1, 2, 3, 4, 5]);
  });

  it('host: matches addresses, host names (case-insensitively) and DNS queries', () => {
    expect(match('host:example')).toEqual([1, 5]);
    expect(match('host:1.1.1.1')).toEqual([2]);
    expect(match('host:github')).toEqual([2]);
    expect(match('host:fe80::1')).toEqual([4]);
  });

  it('domain: matches the name a flow is about (DNS query, else host, else remote address) and the names under it', () => {
    expect(match('domain:example.com')).toEqual([1]);
    expect(match('domain:example.org')).toEqual([5]);
    expect(match('domain:github.com')).toEqual([2]);
    // Not a suffix of the text but of its labels.
    expect(match('domain:ample.com')).toEqual([]);
    expect(match('domain:com')).toEqual([1, 2]);
    expect(match('domain:10.0.0.9')).toEqual([3]);
    expect(match('domain:fe80::1')).toEqual([4]);
    expect(match('-domain:example.com,example.org')).toEqual([2, 3, 4]);
  });

  it('domain: takes a name under the domain, and a DNS row by its query rather than the server', () => {
    const sub = [row({ id: 9, host: 'www.Example.com.', dns_queries: [] }), row({ id: 10, host: null, dst: '1.1.1.1', dns_queries: ['a.b.example.com'] })];
    const r = parseFilterQuery('domain:example.com');
    expect(r.ok && sub.filter((x) => r.predicate?.(x)).map((x) => x.id)).toEqual([9, 10]);
    const host = parseFilterQuery('domain:example.com:8080');
    expect(host.ok && sub.filter((x) => host.predicate?.(x)).map((x) => x.id)).toEqual([9, 10]);
  });

  it('port: matches either end, lists and ranges', () => {
    expect(match('port:443')).toEqual([1]);
    expect(match('port:22')).toEqual([3]);
    expect(match('port:53,80')).toEqual([2, 5]);
    expect(match('port:8000-8100')).toEqual([4]);
  });

  it('proc: matches process names, or a pid when numeric', () => {
    expect(match('proc:fire')).toEqual([1]);
    expect(match('proc:200')).toEqual([2]);
    expect(match('proc:SSHD')).toEqual([3]);
  });

  it('proto:, app: and state: match exact values, with app:none and state:open', () => {
    expect(match('proto:udp')).toEqual([2]);
    expect(match('app:dns,http')).toEqual([2, 5]);
    expect(match('app:none')).toEqual([4]);
    expect(match('state:closed')).toEqual([3]);
    expect(match('state:open')).toEqual([1, 2, 5]);
  });

  it('free text searches process, addresses, host, protocol and ports', () => {
    expect(match('curl')).toEqual([5]);
    expect(match('10.0.0.9')).toEqual([3]);
    expect(match('EXAMPLE.org')).toEqual([5]);
    expect(match('"fe80::1"')).toEqual([4]);
    expect(match('"systemd resolved"')).toEqual([]);
  });

  it('combines terms with AND and negates with a leading -', () => {
    expect(match('proto:tcp state:open')).toEqual([1, 5]);
    expect(match('host:example -port:80')).toEqual([1]);
    expect(match('-state:open')).toEqual([3, 4]);
    expect(match('tcp -app:tls -app:none')).toEqual([3, 5]);
  });

  it('keyword keys are case-insensitive and values may be quoted', () => {
    expect(match('PROTO:UDP')).toEqual([2]);
    expect(match('host:"example.com"')).toEqual([1]);
  });

  it('country: and asn: match either address by country code, AS number (with or without AS) or AS name', () => {
    expect(match('country:us')).toEqual([1, 5]);
    expect(match('country:AU,us')).toEqual([1, 2, 5]);
    expect(match('-country:us')).toEqual([2, 3, 4]);
    expect(match('asn:13335')).toEqual([2]);
    expect(match('asn:AS15133')).toEqual([1, 5]);
    expect(match('asn:cloudflare')).toEqual([2]);
    expect(match('asn:"edgecast inc"')).toEqual([1, 5]);
    expect(match('asn:google')).toEqual([]);
    expect(match('asn:edgecast,13335')).toEqual([1, 2, 5]);
    // A source address counts too.
    expect(match('country:au proc:sshd')).toEqual([]);
    expect(error('country:usa')).toMatch(/Bad country "usa": use a two-letter country code/);
    expect(error('asn:99999999999')).toMatch(/Bad AS number/);
  });

  it('rejects bad input with a one-line message naming the fix', () => {
    expect(error('foo:bar')).toMatch(/Unknown keyword "foo:".*host:.*port:/);
    expect(error('port:http')).toMatch(/Bad port "http"/);
    expect(error('port:70000')).toMatch(/Bad port/);
    expect(error('port:90-80')).toMatch(/Bad port/);
    expect(error('proto:tcpx')).toMatch(/Unknown protocol "tcpx": use one of tcp, udp/);
    expect(error('app:gopher')).toMatch(/Unknown app "gopher"/);
    expect(error('state:open,zzz')).toMatch(/Unknown state "zzz"/);
    expect(error('host:')).toMatch(/host: needs a value/);
    expect(error('port:80,')).toMatch(/port: needs a value/);
    expect(error('"unclosed')).toMatch(/Unclosed quote/);
    for (const q of ['foo:bar', 'port:x', '"a']) expect(error(q)).not.toContain('\n');
  });

  it('seen: is a capture-time range kept apart from the text predicate', () => {
    const r = parseFilterQuery('proto:udp seen:1764500000.5-1764500060');
    if (!r.ok) throw new Error(r.error);
    expect(r.seen).toEqual([1764500000.5, 1764500060]);
    // The predicate is the other terms only: it reads text, never counters.
    expect(r.predicate?.(row({ id: 1, proto: 'udp', first_seen: 1, last_seen: 2 }))).toBe(true);
    const only = parseFilterQuery('seen:1-2');
    expect(only.ok && only.predicate === null && only.seen).toEqual([1, 2]);
    const none = parseFilterQuery('proto:udp');
    expect(none.ok && none.seen).toBeNull();
    expect(error('seen:5-1')).toMatch(/START not after END/);
    expect(error('seen:yesterday')).toMatch(/Bad seen: range "yesterday"/);
    expect(error('-seen:1-2')).toBe('seen: cannot be negated.');
    expect(error('seen:1-2 seen:3-4')).toBe('Only one seen: range.');
  });
});
