/**
 * Country and AS are offline: `sandpiper read --json` in a network namespace that has only a loopback interface
 * and no route still labels public addresses, and sends nothing at all (the namespace's loopback counters do not
 * move; nothing else exists there), so no lookup can have reached the network.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ensureCliBundle, REPO_ROOT, SYSTEM_NODE } from '../engine/cli-bundle.ts';
import { eth, ipv4, ipv6, pcap, udp } from '../engine/capture-fixtures.ts';
import { canMakeNetns } from '../support/netns.ts';

const skip = canMakeNetns() ?? false;

function txPackets(ns: string): number[] {
  const out = execFileSync('ip', ['-n', ns, '-s', '-j', 'link', 'show'], { encoding: 'utf8' });
  return (JSON.parse(out) as Array<{ ifname: string; stats64: { tx: { packets: number }; rx: { packets: number } } }>).map((l) => l.stats64.tx.packets + l.stats64.rx.packets);
}

test('read labels public addresses with country and AS inside a namespace with no route, sending nothing', { skip }, () => {
  const ns = `spgeo-${randomBytes(3).toString('hex')}`;
  const dir = mkdtempSync(path.join(tmpdir(), 'sp-geo-offline-'));
  execFileSync('ip', ['netns', 'add', ns]);
  try {
    execFileSync('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    // Nothing but loopback, and no route off it.
    assert.equal(execFileSync('ip', ['-n', ns, 'route', 'show'], { encoding: 'utf8' }).trim(), '');
    assert.equal(execFileSync('ip', ['-n', ns, '-6', 'route', 'show'], { encoding: 'utf8' }).includes('default'), false);
    const f = path.join(dir, 'public.pcap');
    writeFileSync(f, pcap([
      { ts: 1, data: eth(0x0800, ipv4('10.0.0.2', '8.8.8.8', 17, udp(40000, 53, [1]))) },
      { ts: 2, data: eth(0x0800, ipv4('193.0.6.139', '10.0.0.2', 17, udp(123, 40001, [1]))) },
      { ts: 3, data: eth(0x86dd, ipv6('fd00::2', '2606:4700:4700::1111', 17, udp(40002, 443, [1]))) },
    ]));
    const bundle = ensureCliBundle();
    const before = txPackets(ns);
    const r = spawnSync('ip', ['netns', 'exec', ns, SYSTEM_NODE, bundle, 'read', '--json', f], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(txPackets(ns), before, 'nothing was sent or received in the namespace');
    const flows = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.type === 'flow');
    assert.deepEqual(flows.map((l) => [l.src_country, l.src_asn, l.dst_country, l.dst_asn]), [
      [null, null, 'US', 15169],
      ['NL', 3333, null, null],
      [null, null, 'US', 13335],
    ]);
  } finally {
    execFileSync('ip', ['netns', 'del', ns]);
    rmSync(dir, { recursive: true, force: true });
  }
});
