/** `sandpiper read` on a capture that starts mid-connection: the state mid-flow in the JSON lines and the table. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { ensureCliBundle, REPO_ROOT, SYSTEM_NODE } from '../engine/cli-bundle.ts';
import { eth, ipv4, pcap, tcp, TCP } from '../engine/capture-fixtures.ts';

const C = '192.0.2.10';
const S = '198.51.100.20';
// The server's segment first, then the client's; no handshake in the file.
const capture = pcap([
  { ts: 1700000000, data: eth(0x0800, ipv4(S, C, 6, tcp(443, 50500, TCP.ACK | TCP.PSH, [1, 2, 3, 4]))) },
  { ts: 1700000000.1, data: eth(0x0800, ipv4(C, S, 6, tcp(50500, 443, TCP.ACK))) },
]);

test('read: a connection seen without its SYN is mid-flow, the client (by ports) its src, in --json and in the table', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'sp-midflow-'));
  try {
    const f = path.join(dir, 'mid.pcap');
    writeFileSync(f, capture);
    const run = (args: string[]) => spawnSync(SYSTEM_NODE, [ensureCliBundle(), 'read', f, ...args], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 60_000 });
    const j = run(['--json']);
    assert.equal(j.status, 0, j.stderr);
    const flow = JSON.parse(j.stdout.split('\n')[0]) as Record<string, unknown>;
    assert.deepEqual([flow.src, flow.sport, flow.dst, flow.dport, flow.state, flow.packets_fwd, flow.packets_rev], [C, 50500, S, 443, 'mid-flow', 1, 1]);
    const t = run([]);
    assert.equal(t.status, 0, t.stderr);
    const line = t.stdout.split('\n').find((l) => l.startsWith('tcp'));
    assert.ok(line, t.stdout);
    assert.match(line, new RegExp(`^tcp\\s+${C.replace(/\./g, '\\.')}:50500\\s+${S.replace(/\./g, '\\.')}:443\\s+1\\s+\\d+\\s+1\\s+\\d+\\s+mid-flow\\s`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
