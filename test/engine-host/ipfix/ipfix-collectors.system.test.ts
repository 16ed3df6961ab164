/**
 * `sandpiper read --ipfix` against real collectors from Debian: nfcapd (nfdump) and nfacctd (pmacct), started here
 * on 127.0.0.1 on free ports, in temp dirs, stopped by pid. What they store must be what `sandpiper read --json`
 * says: the same TCP/UDP uniflows, packets, and IP-layer bytes (frame bytes less the Ethernet header).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, readFileSync, writeFileSync, openSync, writeSync, closeSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ensureCliBundle, REPO_ROOT, SYSTEM_NODE } from '../../engine/cli-bundle.ts';
import { TCP, eth, ipv4, ipv6, pcap, tcp, udp, type Rec } from '../../engine/capture-fixtures.ts';
import { inTempDir } from '../../support/temp-dir.ts';
import type { FlowRecord } from '../../../src/shared/flow.ts';

const NFCAPD = '/usr/bin/nfcapd';
const NFDUMP = '/usr/bin/nfdump';
const NFACCTD = '/usr/sbin/nfacctd';
const missing = [NFCAPD, NFDUMP, NFACCTD].filter((p) => !existsSync(p));
const skip = missing.length ? `needs ${missing.join(', ')} (apt-get install nfdump pmacct)` : false;

async function freeUdpPort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function stop(p: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (p.exitCode !== null || p.pid === undefined) return;
  const exited = new Promise<void>((r) => p.once('exit', () => r()));
  process.kill(-p.pid, signal);
  await Promise.race([exited, sleep(10_000).then(() => p.pid !== undefined && process.kill(-p.pid, 'SIGKILL'))]);
  await exited;
}

/** Waits until `log()` contains `text`. */
async function waitFor(log: () => string, text: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!log().includes(text)) {
    if (Date.now() > end) throw new Error(`timed out waiting for '${text}' in:\n${log()}`);
    await sleep(50);
  }
}

function startLogged(cmd: string, args: string[]): { proc: ChildProcess; log: () => string } {
  let out = '';
  // A process group of its own: nfacctd forks plugin processes, all stopped with it.
  const proc = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  return { proc, log: () => out };
}

async function nfcapd(dir: string, port: number) {
  const c = startLogged(NFCAPD, ['-w', dir, '-p', String(port), '-b', '127.0.0.1', '-t', '3600']);
  await waitFor(c.log, 'Startup nfcapd');
  return c;
}

interface Uniflow {
  key: string;
  packets: number;
  bytes: number;
}

function keyOf(proto: string, sa: string, sp: number, da: string, dp: number): string {
  return `${proto.toLowerCase()} ${sa}:${sp} > ${da}:${dp}`;
}

function sorted(u: Uniflow[]): Uniflow[] {
  return [...u].sort((a, b) => a.key.localeCompare(b.key));
}

/** Sums a collector's records by 5-tuple (a flow may come in several records). */
function summed(u: Uniflow[]): Uniflow[] {
  const m = new Map<string, Uniflow>();
  for (const x of u) {
    const y = m.get(x.key) ?? { key: x.key, packets: 0, bytes: 0 };
    y.packets += x.packets;
    y.bytes += x.bytes;
    m.set(x.key, y);
  }
  return sorted([...m.values()]);
}

function nfdumpFlows(dir: string): Uniflow[] {
  const r = spawnSync(NFDUMP, ['-R', dir, '-o', 'json'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const text = r.stdout.trim();
  if (!text.startsWith('[')) return [];
  const rows = JSON.parse(text) as Record<string, unknown>[];
  return summed(rows.map((f) => ({
    key: keyOf(f.proto === 6 ? 'tcp' : f.proto === 17 ? 'udp' : String(f.proto), String(f.src4_addr ?? f.src6_addr), Number(f.src_port), String(f.dst4_addr ?? f.dst6_addr), Number(f.dst_port)),
    packets: Number(f.in_packets),
    bytes: Number(f.in_bytes),
  })));
}

/** The uniflows `sandpiper read --json` reports, with IP-layer bytes (Ethernet: 14 octets of header per frame). */
function expectedFlows(file: string): Uniflow[] {
  const r = spawnSync(SYSTEM_NODE, [ensureCliBundle(), 'read', '--json', file], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  const out: Uniflow[] = [];
  for (const line of r.stdout.trim().split('\n')) {
    const f = JSON.parse(line) as FlowRecord | { type: 'summary' };
    if (f.type !== 'flow' || (f.proto !== 'tcp' && f.proto !== 'udp')) continue;
    if (f.packets_fwd) out.push({ key: keyOf(f.proto, f.src, f.sport, f.dst, f.dport), packets: f.packets_fwd, bytes: f.bytes_fwd - 14 * f.packets_fwd });
    if (f.packets_rev) out.push({ key: keyOf(f.proto, f.dst, f.dport, f.src, f.sport), packets: f.packets_rev, bytes: f.bytes_rev - 14 * f.packets_rev });
  }
  return sorted(out);
}

function readIpfix(file: string, port: number, extra: string[] = []) {
  const r = spawnSync(SYSTEM_NODE, [ensureCliBundle(), 'read', file, '--ipfix', `127.0.0.1:${port}`, ...extra], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 60_000, maxBuffer: 1 << 30 });
  assert.equal(r.status, 0, r.stderr);
  return r;
}

const A = '192.0.2.10';
const B = '198.51.100.20';
const C = '203.0.113.5';
const e4 = (s: string, d: string, p: number, l4: number[]) => eth(0x0800, ipv4(s, d, p, l4));

function sessions(t0: number, n: number): Rec[] {
  const recs: Rec[] = [];
  for (let i = 0; i < n; i++) {
    const t = t0 + i * 0.5;
    const sp = 41000 + i;
    recs.push(
      { ts: t, data: e4(A, B, 6, tcp(sp, 443, TCP.SYN)) },
      { ts: t + 0.01, data: e4(B, A, 6, tcp(443, sp, TCP.SYN | TCP.ACK)) },
      { ts: t + 0.02, data: e4(A, B, 6, tcp(sp, 443, TCP.ACK, Array(50 + i).fill(7))) },
      { ts: t + 0.03, data: e4(B, A, 6, tcp(443, sp, TCP.ACK, Array(1200 - i).fill(8))) },
      { ts: t + 0.04, data: e4(A, B, 6, tcp(sp, 443, TCP.FIN | TCP.ACK)) },
      { ts: t + 0.05, data: e4(B, A, 6, tcp(443, sp, TCP.FIN | TCP.ACK)) },
      { ts: t + 0.06, data: e4(A, B, 6, tcp(sp, 443, TCP.ACK)) },
      { ts: t + 0.1, data: e4(A, C, 17, udp(5000 + i, 53, Array(20 + i).fill(1))) },
      { ts: t + 0.2, data: e4(C, A, 17, udp(53, 5000 + i, Array(60 + i).fill(2))) },
    );
  }
  // ICMP and IPv6 traffic are exported too; the comparison is over TCP/UDP over IPv4 as nfdump's json names them.
  recs.push({ ts: t0 + n, data: eth(0x86dd, ipv6('2001:db8::1', '2001:db8::2', 17, udp(7000, 7001, [1, 2, 3]))) });
  return recs;
}

test('nfcapd and nfdump list the flows, packets and IP-layer bytes that read --json reports', { skip }, async () => {
  await inTempDir('sp-ipfix-', async (dir) => {
    const file = path.join(dir, 'a.pcap');
    writeFileSync(file, pcap(sessions(1_700_000_000, 40)));
    const want = expectedFlows(file);
    assert.equal(want.length, 160 + 1);
    {
      const port = await freeUdpPort();
      const store = path.join(dir, 'nf');
      spawnSync('mkdir', [store]);
      const c = await nfcapd(store, port);
      try {
        const r = readIpfix(file, port);
        assert.match(r.stderr, /ipfix: 161 records in \d+ messages to 127\.0\.0\.1:\d+\/udp, 0 send errors, 0 dropped/);
        await sleep(300);
      } finally {
        await stop(c.proc);
      }
      const got = nfdumpFlows(store);
      const v6 = got.filter((f) => f.key.includes('2001:db8'));
      assert.equal(v6.length, 1, `the IPv6 flow: ${JSON.stringify(got.slice(0, 3))}`);
      assert.deepEqual(got, want);
      assert.match(c.log(), /Sequence Errors: 0/);
    }
  });
});

// nfcapd 1.7 and nfacctd 1.7 take IPFIX over UDP only; the TCP transport is tested against a listener in transport.test.ts.
test('nfacctd (pmacct) stores the same flows', { skip }, async () => {
  await inTempDir('sp-ipfix-', async (dir) => {
    const file = path.join(dir, 'a.pcap');
    writeFileSync(file, pcap(sessions(1_700_000_000, 20)));
    const want = expectedFlows(file).filter((f) => !f.key.includes(':7000'));
    for (const transport of ['udp'] as const) {
      const port = await freeUdpPort();
      const out = path.join(dir, `pm-${transport}.csv`);
      const conf = path.join(dir, `pm-${transport}.conf`);
      writeFileSync(conf, [
        'daemonize: false',
        'nfacctd_ip: 127.0.0.1',
        `nfacctd_port: ${port}`,
        'plugins: print[p]',
        'aggregate[p]: src_host, dst_host, src_port, dst_port, proto',
        'print_output[p]: csv',
        `print_output_file[p]: ${out}`,
        'print_refresh_time[p]: 1',
        'print_output_file_append[p]: true',
        '',
      ].join('\n'));
      const c = startLogged(NFACCTD, ['-f', conf]);
      const failed = (e: unknown) => stop(c.proc, 'SIGKILL').then(() => Promise.reject(e));
      await waitFor(c.log, 'waiting for').catch(failed);
      try {
        readIpfix(file, port, ['--ipfix-transport', transport]);
      } catch (e) {
        await failed(e);
      }
      // The print plugin writes its cache once a second.
      const end = Date.now() + 10_000;
      let got: Uniflow[] = [];
      while (Date.now() < end) {
        await sleep(500);
        if (!existsSync(out)) continue;
        const lines = readFileSync(out, 'utf8').trim().split('\n').filter((l) => !l.startsWith('SRC_IP'));
        got = summed(lines.map((l) => {
          const [sa, da, sp, dp, proto, pk, by] = l.split(',');
          return { key: keyOf(proto, sa, Number(sp), da, Number(dp)), packets: Number(pk), bytes: Number(by) };
        })).filter((f) => !f.key.includes(':7000'));
        if (got.length >= want.length) break;
      }
      await stop(c.proc, 'SIGKILL');
      assert.deepEqual(got, want, `${transport}: ${c.log().slice(-2000)}`);
    }
  });
});

test('UDP template refresh: a collector started after the exporter decodes what comes after the next refresh', { skip }, async () => {
  await inTempDir('sp-ipfix-', async (dir) => {
    const fifo = path.join(dir, 'in.pcap');
    assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
    const port = await freeUdpPort();
    const store = path.join(dir, 'nf');
    spawnSync('mkdir', [store]);
    // UDP flows 200 s apart in packet time: each packet ends the flow before it (idle), so flows are exported
    // while the file is still being read.
    const frame = (i: number) => pcap([{ ts: 1_700_000_000 + 200 * i, data: e4(A, C, 17, udp(6000 + i, 53, [i])) }]).subarray(24);
    const reader = spawn(SYSTEM_NODE, [ensureCliBundle(), 'read', fifo, '--ipfix', `127.0.0.1:${port}`, '--ipfix-template-refresh', '1'], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    reader.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    reader.stdout!.resume();
    const w = openSync(fifo, 'w');
    let stopLater: ChildProcess | null = null;
    try {
      writeSync(w, pcap([]));
      for (let i = 0; i < 3; i++) writeSync(w, frame(i));
      // Past the exporter's flush delay: the part-filled message with flows 0 and 1 has gone.
      await sleep(1500);
      // Templates and flows 0 and 1 went to nobody. Now the collector starts and knows no template.
      const c = await nfcapd(store, port);
      stopLater = c.proc;
      await sleep(1200);
      for (let i = 3; i < 6; i++) writeSync(w, frame(i));
      await sleep(500);
      closeSync(w);
      await new Promise<void>((r) => reader.once('exit', () => r()));
      await sleep(300);
      await stop(c.proc);
      assert.match(err, /ipfix: 6 records/);
      const got = nfdumpFlows(store).map((f) => f.key);
      // Flow 2 was exported after the collector started, in the message that carried the refreshed templates.
      assert.deepEqual(got, [2, 3, 4, 5].map((i) => keyOf('udp', A, 6000 + i, C, 53)).sort());
    } finally {
      if (stopLater) await stop(stopLater);
      try {
        closeSync(w);
      } catch {
        // closed above
      }
    }
  });
});

test('a file of 100 000 flows to a collector that is there: the exporter waits for room and drops nothing', { skip }, async () => {
  await inTempDir('sp-ipfix-', async (dir) => {
    const file = path.join(dir, 'big.pcap');
    const recs: Rec[] = [];
    for (let i = 0; i < 100_000; i++) {
      recs.push({ ts: 1_700_000_000 + i / 1000, data: e4(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, C, 17, udp(1024 + (i % 60000), 53, [1, 2, 3, 4])) });
    }
    writeFileSync(file, pcap(recs));
    const port = await freeUdpPort();
    const store = path.join(dir, 'nf');
    spawnSync('mkdir', [store]);
    const c = startLogged(NFCAPD, ['-w', store, '-p', String(port), '-b', '127.0.0.1', '-t', '3600', '-B', '16000000']);
    await waitFor(c.log, 'Startup nfcapd');
    try {
      // The exporter waits for room in its queue instead of dropping: 4168 messages are more than the queue holds.
      const r = readIpfix(file, port);
      assert.match(r.stderr, /ipfix: 100000 records in 4168 messages to [^,]+, 0 send errors, 0 dropped/);
      await sleep(500);
    } finally {
      await stop(c.proc);
    }
    // What nfcapd's socket buffer (net.core.rmem_max) could not hold of the burst is lost there: it shows as
    // sequence errors on its side, not as anything the exporter could see.
    assert.match(c.log(), /Flows: [1-9]\d*, /);
  });
});

test('an absent collector: read completes, the send errors are counted, nothing waits', { skip }, async () => {
  await inTempDir('sp-ipfix-', async (dir) => {
    const file = path.join(dir, 'a.pcap');
    writeFileSync(file, pcap(sessions(1_700_000_000, 200)));
    const port = await freeUdpPort();
    const t0 = Date.now();
    const r = readIpfix(file, port);
    const m = /ipfix: (\d+) records in (\d+) messages to [^,]+, (\d+) send errors/.exec(r.stderr);
    assert.ok(m, r.stderr);
    assert.equal(Number(m[1]), 801);
    assert.ok(Number(m[3]) > 0, `ICMP port unreachable comes back as send errors: ${r.stderr}`);
    const tcp = spawnSync(SYSTEM_NODE, [ensureCliBundle(), 'read', file, '--ipfix', `127.0.0.1:${port}`, '--ipfix-transport', 'tcp'], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 60_000 });
    assert.equal(tcp.status, 0, tcp.stderr);
    assert.match(tcp.stderr, /ipfix: 801 records in \d+ messages to [^,]+\/tcp, [1-9]\d* send errors \(ECONNREFUSED\), [1-9]\d* dropped/);
    assert.ok(Date.now() - t0 < 30_000);
  });
});
