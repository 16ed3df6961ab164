/**
 * DHCP's client host name and vendor class against tshark on the corpus files holding DHCP/DHCPv6: per
 * conversation, the values a flow reports must be ones tshark reads in that conversation, and the values of the
 * conversation's first DHCP message (the one a flow's DPI reads) must all be recovered. Prints its totals.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createEngine, CaptureFormatError } from '../../src/engine/index.ts';
import { CORPUS_DIR } from './cli-bundle.ts';
import { tsharkSkip } from './dpi/tshark-fixture.ts';

const skip = !existsSync(CORPUS_DIR) ? `tcpdump corpus not found at ${CORPUS_DIR}` : tsharkSkip;

const ep = (addr: string, port: string | number) => `${addr} ${port}`;
const convKey = (a: string, b: string) => (a < b ? `${a}|${b}` : `${b}|${a}`);
/** tshark writes a fully qualified DHCPv6 FQDN with its root dot; the flow's name has none. */
const bare = (v: string) => (v.endsWith('.') ? v.slice(0, -1) : v);

interface Conv {
  /** The first DHCP message's host name and vendor class ('' when absent). */
  first: [string, string];
  hostnames: Set<string>;
  vendors: Set<string>;
}

function theirs(file: string): Map<string, Conv> {
  const fields = ['ip.src', 'ip.dst', 'ipv6.src', 'ipv6.dst', 'udp.srcport', 'udp.dstport', 'dhcp.option.hostname', 'dhcp.option.vendor_class_id', 'dhcpv6.client_domain', 'dhcpv6.vendorclass.enterprise'];
  const out = execFileSync('tshark', ['-n', '-r', file, '-Y', 'dhcp || dhcpv6', '-T', 'fields', '-E', 'separator=\t', '-E', 'occurrence=l', ...fields.flatMap((f) => ['-e', f])],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 1 << 26 });
  const m = new Map<string, Conv>();
  for (const line of out.split('\n')) {
    if (!line) continue;
    const [s4, d4, s6, d6, sp, dp, h4, v4, h6, v6] = line.split('\t');
    const k = convKey(ep(s6 || s4, sp), ep(d6 || d4, dp));
    const host = h4 || bare(h6 ?? '').toLowerCase();
    const vendor = v4 || v6 || '';
    let c = m.get(k);
    if (!c) {
      c = { first: [host, vendor], hostnames: new Set(), vendors: new Set() };
      m.set(k, c);
    }
    if (host) c.hostnames.add(host);
    if (vendor) c.vendors.add(vendor);
  }
  return m;
}

function ours(file: string): { key: string; host: string; vendor: string }[] {
  const e = createEngine({ detail: false, retainEnded: true, geo: null });
  try {
    e.push(new Uint8Array(readFileSync(file)));
    e.end();
  } catch (err) {
    if (!(err instanceof CaptureFormatError)) throw err;
  }
  const out: { key: string; host: string; vendor: string }[] = [];
  for (const f of e.flows()) {
    const r = e.toRecord(f);
    if (r.app !== 'dhcp' && r.app !== 'dhcpv6') continue;
    out.push({ key: convKey(ep(r.src, r.sport), ep(r.dst, r.dport)), host: r.dhcp_hostname ?? '', vendor: r.dhcp_vendor_class ?? '' });
  }
  return out;
}

test('DHCP host names and vendor classes agree with tshark on the corpus', { skip }, () => {
  const wrong: string[] = [];
  const missed: string[] = [];
  let files = 0, withValue = 0, recovered = 0, laterOnly = 0;
  for (const name of readdirSync(CORPUS_DIR).filter((n) => /dhcp/i.test(n)).sort()) {
    const file = path.join(CORPUS_DIR, name);
    const t = theirs(file);
    if (t.size === 0) continue;
    files++;
    const mine = ours(file);
    for (const o of mine) {
      const c = t.get(o.key);
      if (o.host && !c?.hostnames.has(o.host)) wrong.push(`${name} ${o.key}: host name ${o.host}, tshark: ${[...(c?.hostnames ?? [])].join(',') || 'none'}`);
      if (o.vendor && !c?.vendors.has(o.vendor)) wrong.push(`${name} ${o.key}: vendor ${o.vendor}, tshark: ${[...(c?.vendors ?? [])].join(',') || 'none'}`);
    }
    for (const [k, c] of t) {
      for (const [i, kind] of [[0, 'host name'], [1, 'vendor']] as const) {
        const any = i === 0 ? c.hostnames : c.vendors;
        if (any.size === 0) continue;
        withValue++;
        const got = mine.filter((o) => o.key === k).map((o) => (i === 0 ? o.host : o.vendor));
        if (got.some((v) => v !== '' && any.has(v))) recovered++;
        else if (c.first[i] === '') laterOnly++;
        else missed.push(`${name} ${k}: ${kind} ${c.first[i]} not reported`);
      }
    }
  }
  console.log(`DHCP corpus: ${files} files, ${withValue} host names/vendor classes in tshark's conversations, ${recovered} recovered, ${laterOnly} only in a later message, ${missed.length} missed, ${wrong.length} wrong`);
  assert.deepEqual(wrong, []);
  assert.deepEqual(missed, []);
  assert.ok(recovered > 0, 'the corpus has DHCP host names to recover');
});
