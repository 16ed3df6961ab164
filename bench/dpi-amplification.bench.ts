/**
 * Memory amplification: peak RSS of DPI inspecting 200 k TCP flows whose only payload is a 6-byte TLS record header
 * claiming 16 KB, against the same flows carrying 6 random bytes. Each variant runs in its own process so peak RSS
 * is its own. Target: crafted ≤ 1.5 × random. Writes bench/results/dpi-amplification.json.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { createFlowDpi, createNameCache } from '../src/engine/dpi/index.ts';
import type { FlowDpi, PayloadContext } from '../src/engine/dpi/types.ts';
import { dpiBufferStats } from '../src/engine/dpi/stream-prefix.ts';

const FLOWS = 200_000;
const here = fileURLToPath(import.meta.url);
const root = path.resolve(path.dirname(here), '..');

function runVariant(kind: string): void {
  const names = createNameCache();
  const flows: FlowDpi[] = [];
  const payload = new Uint8Array(6);
  let seed = 12345;
  for (let i = 0; i < FLOWS; i++) {
    if (kind === 'crafted') payload.set([0x16, 0x03, 0x01, 0x40, 0x00, 0x01]);
    else for (let j = 0; j < 6; j++) { seed = (seed * 1103515245 + 12345) >>> 0; payload[j] = seed >>> 24; }
    const d = createFlowDpi(names);
    const ctx: PayloadContext = { proto: 6, fromInitiator: true, srcPort: 1024 + (i % 60000), dstPort: 443, seq: 1, ts: 1 };
    d.inspect(ctx, payload, 0, 6);
    flows.push(d); // the flow table keeps young flows' inspectors alive
  }
  const out = { kind, flows: flows.length, maxRssKiB: process.resourceUsage().maxRSS, dpiHeld: dpiBufferStats().held };
  process.stdout.write(JSON.stringify(out) + '\n');
}

if (process.argv[2]) {
  runVariant(process.argv[2]);
} else {
  const res: Record<string, { maxRssKiB: number; dpiHeld: number }> = {};
  for (const kind of ['random', 'crafted']) {
    const r = spawnSync(process.execPath, [here, kind], { encoding: 'utf8' });
    if (r.status !== 0) { console.error(r.stderr); process.exit(1); }
    res[kind] = JSON.parse(r.stdout.trim().split('\n').pop() as string);
  }
  const ratio = res.crafted.maxRssKiB / res.random.maxRssKiB;
  console.log(`${FLOWS} flows: peak RSS random ${(res.random.maxRssKiB / 1024).toFixed(1)} MiB, crafted ${(res.crafted.maxRssKiB / 1024).toFixed(1)} MiB, ratio ${ratio.toFixed(2)} (target ≤ 1.5); DPI buffers held ${res.random.dpiHeld} / ${res.crafted.dpiHeld} bytes`);
  mkdirSync(path.join(root, 'bench/results'), { recursive: true });
  writeFileSync(path.join(root, 'bench/results/dpi-amplification.json'), JSON.stringify({ flows: FLOWS, ...res, ratio }, null, 2));
  if (ratio > 1.5) process.exit(1);
}
