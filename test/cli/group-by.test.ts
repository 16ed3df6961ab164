import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { ensureCliBundle, REPO_ROOT, SYSTEM_NODE } from '../engine/cli-bundle.ts';
import { dnsQuery, dnsResponse, eth, ipv4, pcap, tcp, tlsClientHello, udp, TCP, type Rec } from '../engine/capture-fixtures.ts';
import { parseGroupBy } from '../../src/cli/group-by-args.ts';

const C = '192.0.2.10';
const S1 = '198.51.100.20';
const S2 = '198.51.100.30';
const DNS = '192.0.2.53';

/** Two TLS connections under example.co.uk (SNI), one to an address nobody named, and a DNS lookup of shop.example.com. */
function capture(): Uint8Array {
  const recs: Rec[] = [];
  let ts = 1_700_000_000;
  const at = (data: number[]) => recs.push({ ts: (ts += 0.01), data: eth(0x0800, data) });
  for (const [port, sni] of [[40001, 'www.example.co.uk'], [40002, 'api.example.co.uk']] as const) {
    at(ipv4(C, S1, 6, tcp(port, 443, TCP.SYN)));
    at(ipv4(S1, C, 6, tcp(443, port, TCP.SYN | TCP.ACK)));
    at(ipv4(C, S1, 6, tcp(port, 443, TCP.ACK | TCP.PSH, tlsClientHello(sni))));
    at(ipv4(S1, C, 6, tcp(443, port, TCP.ACK | TCP.PSH, Array(300).fill(7))));
  }
  at(ipv4(C, S2, 6, tcp(40003, 8080, TCP.SYN)));
  at(ipv4(S2, C, 6, tcp(8080, 40003, TCP.RST | TCP.ACK)));
  at(ipv4(C, DNS, 17, udp(5353, 53, dnsQuery(7, 'shop.example.com'))));
  at(ipv4(DNS, C, 17, udp(53, 5353, dnsResponse(7, 'shop.example.com', '203.0.113.5'))));
  return pcap(recs);
}

function cli(args: string[]) {
  const r = spawnSync(SYSTEM_NODE, [ensureCliBundle(), 'read', ...args], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function withCapture(fn: (file: string) => void): void {
  const dir = mkdtempSync(path.join(tmpdir(), 'sp-group-by-'));
  try {
    const f = path.join(dir, 'a.pcap');
    writeFileSync(f, capture());
    fn(f);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const GROUP_FIELDS = ['type', 'key', 'flows', 'packets_fwd', 'bytes_fwd', 'packets_rev', 'bytes_rev'];
const COUNTS = ['flows', 'packets_fwd', 'bytes_fwd', 'packets_rev', 'bytes_rev'] as const;

function sums(lines: Record<string, unknown>[]): number[] {
  return COUNTS.map((k) => lines.reduce((a, l) => a + (k === 'flows' ? 1 : (l[k] as number)), 0));
}

test('read --group-by … --json: one group line per group, largest first, whose counts add up to the flows\'', () => {
  withCapture((f) => {
    const flows = cli([f, '--json']).stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.type === 'flow');
    assert.equal(flows.length, 4);
    const want = sums(flows);
    for (const by of ['process', 'domain', 'app', 'country', 'asn']) {
      const r = cli([f, '--group-by', by, '--json']);
      assert.equal(r.status, 0, r.stderr);
      const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      const summary = lines.pop() as Record<string, unknown>;
      assert.equal(summary.type, 'summary');
      for (const l of lines) assert.deepEqual(Object.keys(l), GROUP_FIELDS);
      const got = COUNTS.map((k) => lines.reduce((a, l) => a + (l[k] as number), 0));
      assert.deepEqual(got, want, `${by}: groups add up to the flows`);
      const bytes = lines.map((l) => (l.bytes_fwd as number) + (l.bytes_rev as number));
      assert.deepEqual(bytes, bytes.slice().sort((a, b) => b - a), `${by}: largest first`);
    }
    const domains = cli([f, '--group-by=domain', '--json']).stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    // The registrable domain under a two-label public suffix; a DNS flow by its query; an unnamed peer by its address.
    assert.deepEqual(domains.slice(0, -1).map((l) => [l.key, l.flows]), [['example.co.uk', 2], ['example.com', 1], [S2, 1]]);
    const procs = cli([f, '--group-by', 'process', '--json']).stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual(procs.slice(0, -1).map((l) => [l.key, l.flows]), [[null, 4]]);
    const apps = cli([f, '--group-by', 'app', '--json']).stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual(apps.slice(0, -1).map((l) => l.key), ['tls', 'dns', 'tcp']);
  });
});

/** Flows from a private address to public ones (two Google, one Cloudflare) and one between private addresses. */
function publicCapture(): Uint8Array {
  const recs: Rec[] = [];
  let ts = 1_700_000_000;
  const at = (data: number[]) => recs.push({ ts: (ts += 0.01), data: eth(0x0800, data) });
  for (const [dst, port, size] of [['8.8.8.8', 53, 40], ['8.8.4.4', 53, 60], ['1.1.1.1', 53, 80], ['192.168.1.1', 53, 100]] as const) {
    at(ipv4('192.168.1.5', dst, 17, udp(40000 + port + size, port, Array(size).fill(1))));
    at(ipv4(dst, '192.168.1.5', 17, udp(port, 40000 + port + size, Array(size * 2).fill(2))));
  }
  return pcap(recs);
}

test('read --group-by country|asn: the remote address\'s country and AS from the offline databases; sums equal the flows\'', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'sp-group-geo-'));
  try {
    const f = path.join(dir, 'geo.pcap');
    writeFileSync(f, publicCapture());
    const flows = cli([f, '--json']).stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.type === 'flow');
    assert.deepEqual(flows.map((l) => [l.dst, l.dst_country, l.dst_asn, l.src_country]), [
      ['8.8.8.8', 'US', 15169, null], ['8.8.4.4', 'US', 15169, null], ['1.1.1.1', 'AU', 13335, null], ['192.168.1.1', null, null, null],
    ]);
    const groups = (by: string) => cli([f, '--group-by', by, '--json']).stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>).slice(0, -1);
    const want = sums(flows);
    for (const by of ['country', 'asn']) {
      const lines = groups(by);
      assert.deepEqual(COUNTS.map((k) => lines.reduce((a, l) => a + (l[k] as number), 0)), want, by);
    }
    const bytes = (dsts: string[]) => flows.filter((l) => dsts.includes(l.dst as string)).reduce((a, l) => a + (l.bytes_fwd as number) + (l.bytes_rev as number), 0);
    assert.deepEqual(groups('country').map((l) => [l.key, l.flows, (l.bytes_fwd as number) + (l.bytes_rev as number)]), [
      ['US', 2, bytes(['8.8.8.8', '8.8.4.4'])], [null, 1, bytes(['192.168.1.1'])], ['AU', 1, bytes(['1.1.1.1'])],
    ]);
    assert.deepEqual(groups('asn').map((l) => [l.key, l.flows]), [['AS15169 Google LLC', 2], [null, 1], ['AS13335 Cloudflare, Inc.', 1]]);
    const table = cli([f, '--group-by', 'country']).stdout.split('\n');
    assert.match(table[0], /^COUNTRY\s+FLOWS/);
    assert.match(table[1], /^US\s+2\s/);
    assert.match(table[2], /^\(unknown\)\s+1\s/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('read --group-by without --json: an aligned table, then the summary line', () => {
  withCapture((f) => {
    const r = cli([f, '--group-by', 'domain']);
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    assert.match(lines[0], /^DOMAIN\s+FLOWS\s+PKTS>\s+BYTES>\s+PKTS<\s+BYTES<$/);
    assert.match(lines[1], /^example\.co\.uk\s+2\s+/);
    // Numbers end where their header does.
    const end = (line: string, word: string) => line.indexOf(word) + word.length;
    const flowsEnd = end(lines[0], 'FLOWS');
    for (const l of lines.slice(1, 4)) assert.equal(l[flowsEnd - 1] !== ' ' && l[flowsEnd] === ' ', true, l);
    assert.match(lines[4], /^\d+ packets, /);
  });
});

test('read --group-by: a missing or unknown dimension is a usage error (64) with a clear message', () => {
  withCapture((f) => {
    for (const [args, msg] of [
      [[f, '--group-by'], /--group-by needs one of process, domain, app/],
      [[f, '--group-by', 'colour'], /cannot group by 'colour': use one of process, domain, app/],
      [[f, '--group-by', 'app', '--group-by', 'domain'], /given twice/],
    ] as const) {
      const r = cli([...args]);
      assert.equal(r.status, 64);
      assert.match(r.stderr, msg);
      assert.doesNotMatch(r.stderr, /at .*\.js/, 'no stack trace');
      assert.equal(r.stdout, '');
    }
  });
  assert.deepEqual(parseGroupBy(['a.pcap', '--json']), { ok: true, by: null, rest: ['a.pcap', '--json'] });
  assert.deepEqual(parseGroupBy(['--group-by=app', 'a.pcap']), { ok: true, by: 'app', rest: ['a.pcap'] });
});
