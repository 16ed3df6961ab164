// A real Chromium QUIC ClientHello (post-quantum key share: it spans two Initial packets, CRYPTO frames shuffled
// between PING and PADDING) captured between two netns test hosts, read by the DPI and checked against tshark.
// Host B only swallows UDP (no QUIC server), so Chromium keeps retransmitting its Initials; nothing leaves the pair.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { canMakeNetns, createNetnsPair } from '../../support/netns.ts';
import { startTcpdump } from '../../support/traffic.ts';
import { inspectCapture, pcapPackets } from './pcap-fixture.ts';

const CHROMIUM = '/usr/bin/chromium';
const HOST = 'quic.sandpiper.test';
const PORT = 4433;

function skipReason(): string | false {
  const n = canMakeNetns();
  if (n) return n;
  for (const [bin, arg] of [[CHROMIUM, '--version'], ['tcpdump', '--version']]) {
    if (spawnSync(bin, [arg], { stdio: 'ignore' }).status !== 0) return `${bin} not available`;
  }
  return false;
}

function quicDatagrams(file: string): number {
  let n = 0;
  try {
    for (const p of pcapPackets(file)) if (p.proto === 17 && p.dport === PORT) n++;
  } catch { /* file still being written */ }
  return n;
}

function sniSeen(file: string): boolean {
  try {
    return inspectCapture(file).some((f) => f.facts.sni !== null);
  } catch {
    return false; // file still being written
  }
}

/** Kills a spawned process group (the chromium wrapper script starts the browser and its helpers as children). */
function killGroup(child: ChildProcess): void {
  try {
    if (child.pid) process.kill(-child.pid, 'SIGKILL');
  } catch { /* already gone */ }
}

test('Chromium\'s QUIC Initial: SNI and ALPN recovered across packets, same as tshark', { skip: skipReason(), timeout: 120_000 }, async () => {
  const pair = createNetnsPair();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sandpiper-chq-'));
  const file = path.join(dir, 'quic.pcap');
  const kids: ChildProcess[] = [];
  try {
    const tcpdump = await startTcpdump(pair, pair.a, pair.ifA, file, pair.ipB);
    kids.push(pair.spawn(pair.b, process.execPath, ['-e', `require('node:dgram').createSocket('udp4').bind(${PORT}); setInterval(() => {}, 1e6)`], { stdio: 'ignore', detached: true }));
    kids.push(pair.spawn(pair.a, CHROMIUM, [
      '--headless=new', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-default-apps', '--disable-breakpad', '--disable-crash-reporter', `--user-data-dir=${path.join(dir, 'profile')}`,
      '--enable-quic', `--origin-to-force-quic-on=${HOST}:${PORT}`, `--host-resolver-rules=MAP ${HOST} ${pair.ipB}`,
      `https://${HOST}:${PORT}/`,
    ], { stdio: 'ignore', detached: true }));
    // Chromium takes a few seconds to start; wait until its ClientHello is complete in the capture (or give up).
    for (let i = 0; i < 120 && !sniSeen(file); i++) await new Promise((r) => setTimeout(r, 500));
    for (const k of kids.splice(0)) killGroup(k);
    await tcpdump.stop();
    assert.ok(quicDatagrams(file) >= 2, 'Chromium sent QUIC Initials');

    const flows = inspectCapture(file).filter((f) => f.dport === PORT);
    assert.ok(flows.length >= 1);
    for (const f of flows) {
      assert.equal(f.facts.app, 'quic');
      assert.equal(f.facts.sni, HOST);
      assert.ok(f.facts.alpn.includes('h3'), `ALPN ${f.facts.alpn.join(',')}`);
    }
    if (spawnSync('tshark', ['--version'], { stdio: 'ignore' }).status === 0) {
      const out = execFileSync('tshark', ['-n', '-r', file, '-Y', 'quic', '-T', 'fields', '-e', 'tls.handshake.extensions_server_name'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
      const names = new Set(out.split('\n').map((l) => l.trim()).filter(Boolean));
      assert.deepEqual([...names], [HOST], 'tshark sees the same SNI');
    }
  } finally {
    for (const k of kids) killGroup(k);
    pair.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
});
