/**
 * `sandpiper capture --ipfix` with the real helper in a network namespace, exporting to nfcapd on that namespace's
 * loopback: a flow that lasts several active timeouts arrives as several records, which add up to the packets the
 * capture counted and their IP-layer bytes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { canMakeNetns, createNetnsPair } from '../support/netns.ts';
import { CLI, NODE24, UDP_SENDER, realHelperSkipReason, REAL_HELPER } from '../capture-client/fixtures/system-support.ts';

const NFCAPD = '/usr/bin/nfcapd';
const NFDUMP = '/usr/bin/nfdump';

function run(argv: string[]): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  return new Promise((r) => child.on('close', (code) => r({ code, out, err })));
}

test('a live capture exports a long flow as active-timeout records that add up to what it counted', async (t) => {
  const skip = canMakeNetns() ?? realHelperSkipReason() ?? (existsSync(NFCAPD) && existsSync(NFDUMP) ? null : 'needs nfcapd and nfdump (apt-get install nfdump)');
  if (skip) return t.skip(skip);
  const pair = createNetnsPair();
  const dir = mkdtempSync(path.join(tmpdir(), 'sp-ipfix-live-'));
  let sender: ChildProcess | null = null;
  let collector: ChildProcess | null = null;
  try {
    const store = path.join(dir, 'nf');
    mkdirSync(store);
    let log = '';
    collector = pair.spawn(pair.a, NFCAPD, ['-w', store, '-p', '47390', '-b', '127.0.0.1', '-t', '3600'], { stdio: ['ignore', 'pipe', 'pipe'] });
    collector.stdout!.on('data', (d: Buffer) => (log += d.toString()));
    collector.stderr!.on('data', (d: Buffer) => (log += d.toString()));
    for (let i = 0; i < 100 && !log.includes('Startup nfcapd'); i++) await sleep(50);
    assert.match(log, /Startup nfcapd/);
    sender = pair.spawn(pair.b, NODE24, [UDP_SENDER, pair.ipA, '40406', '20'], { stdio: 'ignore' });
    const r = await run([
      'ip', 'netns', 'exec', pair.a, 'env', `SANDPIPER_HELPER=${REAL_HELPER}`,
      NODE24, CLI, 'capture', '--interface', pair.ifA, '--filter', 'udp port 40406', '--duration', '7', '--json',
      '--ipfix', '127.0.0.1:47390', '--ipfix-active', '2', '--ipfix-idle', '30',
    ]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /ipfix: \d+ records in \d+ messages to 127\.0\.0\.1:47390\/udp, 0 send errors, 0 dropped/);
    const lines = r.out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const flows = lines.filter((l) => l.type === 'flow' && l.dport === 40406);
    const last = flows.at(-1)!;
    assert.ok(last, r.out.slice(0, 2000));
    await sleep(300);
    collector.kill('SIGTERM');
    await new Promise<void>((res) => collector!.once('exit', () => res()));
    const d = spawnSync(NFDUMP, ['-R', store, '-o', 'json'], { encoding: 'utf8' });
    assert.equal(d.status, 0, d.stderr);
    const recs = (JSON.parse(d.stdout) as Record<string, unknown>[]).filter((f) => f.dst_port === 40406);
    assert.ok(recs.length >= 3, `a 7 s flow with a 2 s active timeout comes in several records: ${recs.length}`);
    const packets = recs.reduce((n, f) => n + Number(f.in_packets), 0);
    const bytes = recs.reduce((n, f) => n + Number(f.in_bytes), 0);
    assert.equal(packets, last.packets_fwd);
    assert.equal(bytes, Number(last.bytes_fwd) - 14 * packets);
    assert.ok(recs.every((f) => f.src4_addr === pair.ipB && f.dst4_addr === pair.ipA));
  } finally {
    sender?.kill('SIGTERM');
    collector?.kill('SIGTERM');
    pair.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a collector that is absent or never reads: the capture keeps every packet, and the exporter counts its failures', async (t) => {
  const skip = canMakeNetns() ?? realHelperSkipReason();
  if (skip) return t.skip(skip);
  const pair = createNetnsPair();
  let sender: ChildProcess | null = null;
  let stalled: ChildProcess | null = null;
  try {
    // Accepts the exporter's connection and never reads from it.
    stalled = pair.spawn(pair.a, NODE24, ['-e', "require('net').createServer((s) => s.pause()).listen(47392, '127.0.0.1', () => console.log('up'))"], { stdio: ['ignore', 'pipe', 'ignore'] });
    await new Promise<void>((res) => stalled!.stdout!.once('data', () => res()));
    sender = pair.spawn(pair.b, NODE24, [UDP_SENDER, pair.ipA, '40407', '2'], { stdio: 'ignore' });
    for (const [target, absent] of [['127.0.0.1:47391', true], ['127.0.0.1:47392', false]] as const) {
      const r = await run([
        'ip', 'netns', 'exec', pair.a, 'env', `SANDPIPER_HELPER=${REAL_HELPER}`,
        NODE24, CLI, 'capture', '--interface', pair.ifA, '--filter', 'udp port 40407', '--duration', '4', '--json',
        '--ipfix', target, '--ipfix-transport', 'tcp', '--ipfix-active', '1', '--ipfix-idle', '1',
      ]);
      assert.equal(r.code, 0, r.err);
      const lines = r.out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      const summary = lines.find((l) => l.type === 'summary')!;
      const flow = lines.filter((l) => l.type === 'flow' && l.dport === 40407).at(-1)!;
      assert.ok(flow, r.out.slice(0, 2000));
      assert.ok(Number(flow.packets_fwd) > 500, `the sender's datagrams were captured: ${String(flow.packets_fwd)}`);
      assert.equal(summary.dropped_kernel, 0, `${target}: no packet dropped by the kernel`);
      assert.equal(summary.pipe_drops, 0);
      assert.equal(summary.packets, flow.packets_fwd, 'every captured packet reached its flow');
      const exporter = lines.filter((l) => l.type === 'ipfix').at(-1)!;
      assert.ok(exporter, 'the exporter reports with each stats line');
      if (absent) assert.ok(Number(exporter.send_errors) + Number(exporter.dropped) > 0, `the absent collector is counted: ${JSON.stringify(exporter)}`);
      assert.match(r.err, new RegExp(`ipfix: \\d+ records in \\d+ messages to ${target.replace(/\./g, '\\.')}/tcp`));
    }
  } finally {
    sender?.kill('SIGTERM');
    stalled?.kill('SIGTERM');
    pair.destroy();
  }
});
