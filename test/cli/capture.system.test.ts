/**
 * `sandpiper capture` with the real helper, as root, inside a network namespace while the other end of a veth pair
 * sends UDP: packets arrive, the saved file passes capinfos, and every JSON line parses.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { canMakeNetns, createNetnsPair } from '../support/netns.ts';
import { CLI, NODE24, UDP_SENDER, capinfosCount, capinfosSkipReason, realHelperSkipReason, REAL_HELPER } from '../capture-client/fixtures/system-support.ts';

function run(argv: string[]): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  return new Promise((r) => child.on('close', (code) => r({ code, out, err })));
}

test('captures from a namespace with the real helper: --count, --write, --json', async (t) => {
  const skip = canMakeNetns() ?? realHelperSkipReason() ?? capinfosSkipReason();
  if (skip) return t.skip(skip);
  const pair = createNetnsPair();
  const dir = mkdtempSync(path.join(tmpdir(), 'sp-capture-sys-'));
  let sender: ChildProcess | null = null;
  try {
    sender = pair.spawn(pair.b, NODE24, [UDP_SENDER, pair.ipA, '40405', '5'], { stdio: 'ignore' });
    const file = path.join(dir, 'cap.pcap');
    const r = await run([
      'ip', 'netns', 'exec', pair.a, 'env', `SANDPIPER_HELPER=${REAL_HELPER}`,
      NODE24, CLI, 'capture', '--interface', pair.ifA, '--filter', 'udp port 40405', '--count', '25', '--write', file, '--json',
    ]);
    assert.equal(r.code, 0, r.err);
    const lines = r.out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const sandbox = lines.find((l) => l.type === 'sandbox');
    assert.ok(sandbox, 'the sandbox line is passed through');
    assert.ok(['fully_enforced', 'partially_enforced', 'not_available'].includes(String(sandbox.status)));
    const summary = lines.at(-1) as Record<string, unknown>;
    assert.equal(summary.type, 'summary');
    assert.equal(summary.packets, 25);
    assert.equal(summary.pipe_drops, 0);
    assert.equal(summary.exit_reason, 'count_reached');
    const flows = lines.filter((l) => l.type === 'flow');
    const flow = flows.find((f) => f.src === pair.ipB && f.dst === pair.ipA && f.dport === 40405);
    assert.ok(flow, `a flow from ${pair.ipB} to ${pair.ipA}:40405 in ${JSON.stringify(flows)}`);
    assert.equal(flows.filter((f) => f.id === flow.id).at(-1)?.packets_fwd, 25);
    assert.equal(capinfosCount(file), 25);
  } finally {
    sender?.kill('SIGTERM');
    pair.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a missing interface is one line naming it, with the helper\'s exit status', async (t) => {
  const skip = canMakeNetns() ?? realHelperSkipReason();
  if (skip) return t.skip(skip);
  const pair = createNetnsPair();
  try {
    const r = await run(['ip', 'netns', 'exec', pair.a, 'env', `SANDPIPER_HELPER=${REAL_HELPER}`, NODE24, CLI, 'capture', '--interface', 'nosuch0', '--count', '1']);
    // The helper treats an unknown interface as a bad argument (2); a capture it cannot open is 3.
    assert.ok(r.code === 2 || r.code === 3, `exit ${r.code}: ${r.err}`);
    const lines = r.err.trim().split('\n').filter((l) => !/: warning: .*source checkout|SANDPIPER_HELPER/.test(l));
    assert.equal(lines.length, 1, r.err);
    assert.match(lines[0], /^sandpiper capture: (cannot open the capture|the capture helper rejected its arguments): .*nosuch0/);
  } finally {
    pair.destroy();
  }
});
