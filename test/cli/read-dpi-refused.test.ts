import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { ensureCliBundle, REPO_ROOT, SYSTEM_NODE } from '../engine/cli-bundle.ts';
import { eth, ipv4, ipv6, pcap, udp, type Rec } from '../engine/capture-fixtures.ts';
import { concat, hex, protectInitial, u16be } from '../engine/dpi/builders.ts';

const dcid = (n: number) => hex(`5a5a0000${n.toString(16).padStart(8, '0')}`);

function garbageInitial(id: Uint8Array): Uint8Array {
  const head = concat(new Uint8Array([0xc3, 0, 0, 0, 1, id.length]), id, new Uint8Array([0, 0]));
  const body = new Uint8Array(280).map((_, i) => (i * 97 + id[id.length - 1]) & 255);
  return concat(head, u16be(0x4000 | body.length), body);
}

const TS = 1700000000;
const FLOOD = 600;
/** The engine's default burst of QUIC key derivations (dpi/guard.ts) at a single capture time. */
const BURST = 512;

/**
 * One readable Initial coalesced with an Initial under another DCID (ignored), FLOOD fresh flows of unreadable
 * Initials with new DCIDs at the same instant (past the derivation burst), and an IPv6 packet with 40 extension headers.
 */
function hostileCapture(): Uint8Array {
  const ping = new Uint8Array(200);
  ping[0] = 1;
  const readable = protectInitial({ dcid: dcid(1), frames: ping, pad: false });
  const recs: Rec[] = [{ ts: TS, data: eth(0x0800, ipv4('10.0.0.1', '192.0.2.1', 17, udp(40000, 443, Array.from(concat(readable, garbageInitial(dcid(2))))))) }];
  for (let i = 0; i < FLOOD; i++) {
    recs.push({ ts: TS, data: eth(0x0800, ipv4(`10.0.${1 + (i >> 8)}.${i & 255}`, '192.0.2.1', 17, udp(30000 + i, 443, Array.from(garbageInitial(dcid(1000 + i)))))) });
  }
  const ext = Array.from({ length: 40 }, () => ({ type: 60 }));
  recs.push({ ts: TS, data: eth(0x86dd, ipv6('2001:db8::1', '2001:db8::2', 17, udp(1, 2), ext)) });
  return pcap(recs);
}

test('read --json: the summary carries the DPI refusals and the IPv6 extension-chain count; the table summary names them', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'sp-read-dpi-'));
  try {
    const f = path.join(dir, 'hostile.pcap');
    writeFileSync(f, hostileCapture());
    const run = (args: string[]) => spawnSync(SYSTEM_NODE, [ensureCliBundle(), 'read', ...args], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 60_000 });
    const json = run(['--json', f]);
    assert.equal(json.status, 0, json.stderr);
    const summary = JSON.parse(json.stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, unknown>;
    assert.equal(summary.type, 'summary');
    assert.equal(summary.flows, FLOOD + 1);
    assert.equal(summary.undecoded, 1);
    assert.equal(summary.ipv6_ext_chain_too_long, 1);
    // The readable Initial takes one derivation from the burst; the flood gets the rest of it.
    assert.deepEqual(summary.dpi_refused, { buffer_budget: 0, inspectors: 0, quic_derivations: FLOOD - (BURST - 1), quic_other_dcid: 1 });
    const text = run([f]);
    assert.equal(text.status, 0, text.stderr);
    const last = text.stdout.trimEnd().split('\n').at(-1) ?? '';
    assert.match(last, /1 undecoded \(1 with too long IPv6 extension chains\)/);
    assert.match(last, new RegExp(`DPI refused: ${FLOOD - (BURST - 1)} QUIC key derivations over the rate bound, 1 coalesced QUIC packets with another DCID$`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
