import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { ensureCliBundle, REPO_ROOT, SYSTEM_NODE } from '../engine/cli-bundle.ts';
import { eth, ipv4, ipv6, pcap, pcapng, tcp, udp, TCP } from '../engine/capture-fixtures.ts';

const RECORD_FIELDS = ['type', 'id', 'proto', 'src', 'sport', 'dst', 'dport', 'src_country', 'dst_country', 'src_asn', 'dst_asn', 'src_as_name', 'dst_as_name', 'packets_fwd', 'bytes_fwd', 'packets_rev', 'bytes_rev',
  'first_seen', 'last_seen', 'state', 'app', 'host', 'dns_queries', 'pid', 'process', 'tunnel'];
const SUMMARY_FIELDS = ['type', 'packets', 'bytes', 'flows', 'evicted_by_cap', 'arp', 'undecoded', 'ipv6_ext_chain_too_long', 'tunnel_too_deep', 'undecoded_link_types', 'dpi_refused', 'first_ts', 'last_ts'];

const A = '192.0.2.10';
const B = '198.51.100.20';
const capture = pcap([
  { ts: 1700000000.000001, data: eth(0x0800, ipv4(A, B, 6, tcp(40000, 80, TCP.SYN))) },
  { ts: 1700000000.1, data: eth(0x0800, ipv4(B, A, 6, tcp(80, 40000, TCP.SYN | TCP.ACK))) },
  { ts: 1700000000.2, data: eth(0x0800, ipv4(A, B, 6, tcp(40000, 80, TCP.ACK))) },
  { ts: 1700000000.3, data: eth(0x0806, Array(28).fill(0)) },
  { ts: 1700000000.4, data: eth(0x86dd, ipv6('2001:db8::1', '2001:db8::53', 17, udp(5353, 53, [1, 2, 3]))), wire: 200 },
  { ts: 1700000000.5, data: eth(0x88cc, Array(20).fill(0)) },
]);

function withDir(fn: (dir: string) => void): void {
  const dir = mkdtempSync(path.join(tmpdir(), 'sp-read-'));
  try {
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function cli(args: string[], input?: Uint8Array) {
  const r = spawnSync(SYSTEM_NODE, [ensureCliBundle(), 'read', ...args], { cwd: REPO_ROOT, encoding: 'utf8', input, timeout: 60_000, maxBuffer: 1 << 28 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('--json on the system Node (20): exactly the FlowRecord fields per flow, first-seen order, then the summary', () => {
  withDir((dir) => {
    const f = path.join(dir, 'a.pcap');
    writeFileSync(f, capture);
    const r = cli([f, '--json']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '');
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(lines.length, 3);
    for (const l of lines.slice(0, 2)) assert.deepEqual(Object.keys(l), RECORD_FIELDS);
    assert.deepEqual(lines[0], {
      type: 'flow', id: 1, proto: 'tcp', src: A, sport: 40000, dst: B, dport: 80, src_country: null, dst_country: null, src_asn: null, dst_asn: null,
      src_as_name: null, dst_as_name: null, packets_fwd: 2, bytes_fwd: 108, packets_rev: 1, bytes_rev: 54,
      first_seen: 1700000000.000001, last_seen: 1700000000.2, state: 'established', app: null, host: null, dns_queries: [], pid: null, process: null, tunnel: null,
    });
    assert.deepEqual([lines[1].proto, lines[1].src, lines[1].dst, lines[1].bytes_fwd], ['udp', '2001:db8::1', '2001:db8::53', 200]);
    assert.deepEqual(Object.keys(lines[2]), SUMMARY_FIELDS);
    assert.deepEqual(lines[2], { type: 'summary', packets: 6, bytes: 108 + 54 + 42 + 200 + 34, flows: 2, evicted_by_cap: 0, arp: 1, undecoded: 1, ipv6_ext_chain_too_long: 0, tunnel_too_deep: 0, undecoded_link_types: {},
      dpi_refused: { buffer_budget: 0, inspectors: 0, quic_derivations: 0, quic_other_dcid: 0 }, first_ts: 1700000000.000001, last_ts: 1700000000.5 });
  });
});

test('default output: a table with a header, one row per flow and a summary line', () => {
  withDir((dir) => {
    const f = path.join(dir, 'a.pcapng');
    writeFileSync(f, pcapng([{ interfaces: [{ linktype: 1 }], blocks: [{ kind: 'epb', iface: 0, ts: 5, data: eth(0x0800, ipv4(A, B, 17, udp(1234, 53))) }] }]));
    const r = cli([f]);
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    assert.match(lines[0], /^PROTO\s+SRC\s+DST\s+PKTS>\s+BYTES>\s+PKTS<\s+BYTES<\s+STATE\s+APP\s+HOST$/);
    assert.match(lines[1], new RegExp(`^udp\\s+${A}:1234\\s+${B}:53\\s+1\\s+42\\s+0\\s+0\\s+active\\s+-\\s+-$`));
    assert.match(lines[2], /^1 packets, 42 bytes, 1 flows, 0 ARP, 0 undecoded/);
  });
});

test('a truncated capture: one stderr line with the byte offset, the flows read so far, exit 65', () => {
  withDir((dir) => {
    const f = path.join(dir, 'cut.pcap');
    writeFileSync(f, capture.subarray(0, capture.length - 5));
    const r = cli(['--json', f]);
    assert.equal(r.status, 65);
    const lastRecordStart = capture.length - (16 + 14 + 20);
    assert.equal(r.stderr, `sandpiper: ${f}: truncated capture: incomplete record at byte ${lastRecordStart}\n`);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; packets?: number });
    assert.equal(lines.filter((l) => l.type === 'flow').length, 2);
    assert.equal(lines.at(-1)?.packets, 5);
  });
});

test('not a capture: exit 65 at byte 0; missing, directory, unreadable: exit 66; usage mistakes: exit 64; never a stack trace', () => {
  withDir((dir) => {
    const txt = path.join(dir, 'notes.txt');
    writeFileSync(txt, 'just some text\n');
    let r = cli([txt]);
    assert.equal(r.status, 65);
    assert.equal(r.stderr, `sandpiper: ${txt}: not a pcap or pcapng capture at byte 0\n`);
    const empty = path.join(dir, 'empty.pcap');
    writeFileSync(empty, '');
    r = cli([empty]);
    assert.equal(r.status, 65);
    assert.equal(r.stderr, `sandpiper: ${empty}: empty file, not a capture at byte 0\n`);
    r = cli([path.join(dir, 'nope.pcap')]);
    assert.equal(r.status, 66);
    assert.equal(r.stderr, `sandpiper: ${path.join(dir, 'nope.pcap')}: no such file\n`);
    r = cli([dir]);
    assert.equal(r.status, 66);
    assert.equal(r.stderr, `sandpiper: ${dir}: is a directory\n`);
    if (process.getuid?.() !== 0) {
      const locked = path.join(dir, 'locked.pcap');
      writeFileSync(locked, capture);
      chmodSync(locked, 0);
      r = cli([locked]);
      assert.equal(r.status, 66);
    }
    r = cli([]);
    assert.equal(r.status, 64);
    r = cli(['--bogus', txt]);
    assert.equal(r.status, 64);
    assert.match(r.stderr, /^sandpiper: read: unknown option '--bogus'\n/);
    r = cli([txt, txt]);
    assert.equal(r.status, 64);
  });
});

test('reads a pipe: `-` is standard input', () => {
  const r = cli(['--json', '-'], capture);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim().split('\n').length, 3);
});

test('reads a named pipe (FIFO) given as FILE', () => {
  withDir((dir) => {
    const fifo = path.join(dir, 'pipe');
    spawnSync('mkfifo', [fifo]);
    const src = path.join(dir, 'a.pcap');
    writeFileSync(src, capture);
    const writer = spawnSync('/bin/sh', ['-c', `cat ${src} > ${fifo} & ${SYSTEM_NODE} ${ensureCliBundle()} read --json ${fifo}; wait`], { encoding: 'utf8', cwd: REPO_ROOT, timeout: 60_000 });
    assert.equal(writer.status, 0, writer.stderr);
    assert.equal(writer.stdout.trim().split('\n').length, 3);
  });
});

test('output closed early (`| head`): exit 0, nothing on stderr', () => {
  withDir((dir) => {
    const f = path.join(dir, 'many.pcap');
    const recs = Array.from({ length: 30000 }, (_, i) => ({ ts: 1 + i * 1e-4, data: eth(0x0800, ipv4(`10.${i >> 14}.${(i >> 7) & 127}.${i & 127}`, B, 17, udp(1000 + (i % 50), 53))) }));
    writeFileSync(f, pcap(recs));
    const p = spawnSync('/bin/bash', ['-c', `set -o pipefail; ${SYSTEM_NODE} ${ensureCliBundle()} read --json ${f} | head -c 100 > /dev/null`], { encoding: 'utf8', cwd: REPO_ROOT, timeout: 60_000 });
    assert.equal(p.stderr, '');
    assert.equal(p.status, 0);
  });
});

/** A pcap of `flows` one-packet UDP flows (distinct source address and port), built straight into one buffer. */
function manyFlows(flows: number): Buffer {
  const rec = 16 + 14 + 20 + 8;
  const b = Buffer.alloc(24 + flows * rec);
  b.writeUInt32LE(0xa1b2c3d4, 0);
  b.writeUInt16LE(2, 4);
  b.writeUInt16LE(4, 6);
  b.writeUInt32LE(65535, 16);
  b.writeUInt32LE(1, 20);
  for (let i = 0; i < flows; i++) {
    let p = 24 + i * rec;
    // 400 µs apart: all within the UDP idle timeout, so only the flow cap evicts.
    b.writeUInt32LE(1700000000 + Math.floor((i * 400) / 1e6), p);
    b.writeUInt32LE((i * 400) % 1e6, p + 4);
    b.writeUInt32LE(rec - 16, p + 8);
    b.writeUInt32LE(rec - 16, p + 12);
    p += 16;
    b.writeUInt16BE(0x0800, p + 12);
    p += 14;
    b[p] = 0x45;
    b.writeUInt16BE(28, p + 2);
    b[p + 8] = 64;
    b[p + 9] = 17;
    b.writeUInt32BE((10 << 24) | i, p + 12);
    b.writeUInt32BE(0xc0000201, p + 16);
    b.writeUInt16BE(1024 + (i % 60000), p + 20);
    b.writeUInt16BE(9999, p + 22);
    b.writeUInt16BE(8, p + 24);
  }
  return b;
}

test('the table prints any number of flows: 210 000 flows (10 000 of them evicted by the cap) all listed, exit 0', () => {
  withDir((dir) => {
    const f = path.join(dir, 'many.pcap');
    const flows = 210_000;
    writeFileSync(f, manyFlows(flows));
    const r = spawnSync(SYSTEM_NODE, [ensureCliBundle(), 'read', f], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 120_000, maxBuffer: 1 << 30 });
    assert.equal(r.status, 0, r.stderr.slice(0, 2000));
    assert.equal(r.stderr, '');
    const lines = r.stdout.trimEnd().split('\n');
    assert.equal(lines.length, 1 + flows + 1);
    assert.match(lines[0], /^PROTO\s+SRC\s+DST\s+PKTS>/);
    assert.match(lines[1], /^udp\s+10\.0\.0\.0:1024\s+192\.0\.2\.1:9999\s+1\s+42\s+0\s+0\s+active\s+-\s+-$/);
    const srcs = new Set(lines.slice(1, -1).map((l) => l.split(/\s+/)[1]));
    assert.equal(srcs.size, flows, 'every flow once');
    assert.equal(lines[lines.length - 1], `${flows} packets, ${flows * 42} bytes, ${flows} flows (10000 evicted by the flow cap), 0 ARP, 0 undecoded, 84.000 s`);
  });
});

test('a file of several read chunks gives what the same bytes through a pipe give (records straddle the chunks)', () => {
  withDir((dir) => {
    const f = path.join(dir, 'big.pcap');
    // 1,201-byte frames (an odd size), 3,000 flows: about 11 MiB, so records straddle every chunk boundary.
    const recs = Array.from({ length: 9000 }, (_, i) => {
      const n = i % 3000;
      return { ts: 1 + i * 1e-3, data: eth(0x0800, ipv4(`10.1.${n >> 8}.${n & 255}`, B, 17, udp(2000 + (n % 7), 9, Array(1159).fill(i & 255)))) };
    });
    const bytes = pcap(recs);
    assert.ok(bytes.length > 10 << 20);
    writeFileSync(f, bytes);
    const fromFile = cli(['--json', f]);
    const fromPipe = cli(['--json', '-'], bytes);
    assert.equal(fromFile.status, 0, fromFile.stderr);
    assert.equal(fromFile.stdout, fromPipe.stdout);
    const summary = JSON.parse(fromFile.stdout.trim().split('\n').at(-1) ?? '{}') as { packets: number; flows: number };
    assert.equal(summary.packets, 9000);
    assert.equal(summary.flows, 3000);
  });
});

test('a capture out of time order still prints its flows by first seen, ties by id', () => {
  withDir((dir) => {
    const f = path.join(dir, 'late.pcap');
    // Flow 1 (port 1000) is seen first in the file, but flow 3's packet is the earliest; flows 2 and 4 tie.
    writeFileSync(f, pcap([
      { ts: 1700000005, data: eth(0x0800, ipv4(A, B, 17, udp(1000, 53, [1]))) },
      { ts: 1700000003, data: eth(0x0800, ipv4(A, B, 17, udp(2000, 53, [1]))) },
      { ts: 1700000001, data: eth(0x0800, ipv4(A, B, 17, udp(3000, 53, [1]))) },
      { ts: 1700000003, data: eth(0x0800, ipv4(A, B, 17, udp(4000, 53, [1]))) },
      // An earlier packet of flow 1 moves its first_seen before everything.
      { ts: 1700000000.5, data: eth(0x0800, ipv4(A, B, 17, udp(1000, 53, [2]))) },
    ]));
    const r = cli([f, '--json']);
    assert.equal(r.status, 0, r.stderr);
    const flows = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; id: number; sport: number; first_seen: number }).filter((l) => l.type === 'flow');
    assert.deepEqual(flows.map((l) => [l.sport, l.id]), [[1000, 1], [3000, 3], [2000, 2], [4000, 4]]);
    // In time order, ids are first-seen order.
    const g = path.join(dir, 'ordered.pcap');
    writeFileSync(g, pcap([3000, 1000, 2000].map((port, i) => ({ ts: 1700000000 + i, data: eth(0x0800, ipv4(A, B, 17, udp(port, 53, [1]))) }))));
    const o = cli([g, '--json']);
    assert.equal(o.status, 0, o.stderr);
    assert.deepEqual(o.stdout.trim().split('\n').slice(0, 3).map((l) => (JSON.parse(l) as { sport: number }).sport), [3000, 1000, 2000]);
  });
});
