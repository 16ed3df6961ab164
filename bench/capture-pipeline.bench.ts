/**
 * What the live pipeline after the helper's stdout can take: `sandpiper capture --write /dev/null` run with a stand-in
 * helper (test/capture-client/fixtures/fake-helper.ts, replayPcap) that writes a recorded flood to its stdout as fast
 * as the pipe takes it, each chunk stamped with the wall clock as a live capture is. No namespace, no root: it
 * measures the unprivileged side alone, which the live flood (helper-capture.bench.ts) shares two cores with the
 * sender, the kernel and the helper. Compare its packets per second with the flood's rate there.
 *
 * The engine host as the app runs it is measured the same way (bench/support/engine-host-capture.ts: its live pipeline,
 * recording and updates), to its capture's end.
 * Reports packets per second from the first byte written to the CLI's exit, the CLI's CPU time, and the longest
 * time the stand-in waited for the pipe to take a chunk: the longest the real helper would have had to leave packets
 * in the kernel ring. Writes bench/results/capture-pipeline.json.
 * Env: BENCH_PCAP (a recorded flood, microsecond pcap; default: one generated like helper-capture's trafgen flood,
 * 60-byte UDP frames from random source ports), BENCH_PACKETS (generated packets, default 1 000 000), BENCH_ROUNDS
 * (default 3), BENCH_FLOOD_PPS (the live flood's rate to compare with, default 400 000), BENCH_MODES (default
 * "capture,engine host"; also "capture --json"), BENCH_NODE_FLAGS (extra Node flags, e.g. --cpu-prof).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpuSeconds } from './support/cpu-seconds.ts';
import { makeFakeDir, NODE24 } from '../test/capture-client/fixtures/fake-helper.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(root, 'src/cli/sandpiper.ts');
const HOST = path.join(root, 'bench/support/engine-host-capture.ts');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const PACKETS = Number(process.env.BENCH_PACKETS ?? 1_000_000);
const NODE_FLAGS = (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter((f) => f !== '');
/** The live flood's rate to compare with (issue 10's flood: about 0.4 Mpps). */
const FLOOD_PPS = Number(process.env.BENCH_FLOOD_PPS ?? 400_000);

/** PACKETS 60-byte Ethernet/IPv4/UDP frames 10.77.0.2:random → 10.77.0.1:9999 (so about 65 k flows), as trafgen's drnd(2). */
function floodPcap(file: string): void {
  const frameLen = 60;
  const buf = Buffer.alloc(24 + PACKETS * (16 + frameLen));
  const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  v.setUint32(0, 0xa1b2c3d4, true);
  v.setUint16(4, 2, true);
  v.setUint16(6, 4, true);
  v.setUint32(16, 65535, true);
  v.setUint32(20, 1, true);
  let seed = 0x9e3779b9;
  for (let i = 0, off = 24; i < PACKETS; i++, off += 16 + frameLen) {
    v.setUint32(off + 8, frameLen, true);
    v.setUint32(off + 12, frameLen, true);
    const f = off + 16;
    buf.fill(0x02, f, f + 12);
    v.setUint16(f + 12, 0x0800);
    v.setUint32(f + 14, 0x4500002e);
    v.setUint32(f + 22, 0x40110000);
    v.setUint32(f + 26, 0x0a4d0002);
    v.setUint32(f + 30, 0x0a4d0001);
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    v.setUint16(f + 34, seed & 0xffff);
    v.setUint16(f + 36, 9999);
    v.setUint16(f + 38, 26);
  }
  writeFileSync(file, buf);
}

interface Run {
  mode: Mode;
  packets: number;
  kernelDrops: number;
  seconds: number;
  pps: number;
  /** CPU time from the first byte to the exit. */
  cpuSeconds: number;
  /** Packets per CPU second: what one core of its own would take. */
  ppsPerCpu: number;
  longestPipeWaitMs: number;
  /** When that wait began, after the first byte. */
  longestPipeWaitAtMs: number;
}

type Mode = 'capture' | 'capture --json' | 'engine host';

async function run(helper: string, times: string, mode: Mode): Promise<Run> {
  const argv =
    mode === 'engine host'
      ? [...NODE_FLAGS, HOST, 'flood0']
      : [...NODE_FLAGS, CLI, 'capture', '--interface', 'flood0', '--write', '/dev/null', ...(mode === 'capture --json' ? ['--json'] : [])];
  const child = spawn(NODE24, argv, { env: { ...process.env, SANDPIPER_HELPER: helper }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  // Only the last lines matter (the summary); --json prints many more.
  child.stdout.on('data', (d: Buffer) => (out = (out + d.toString('latin1')).slice(-65536)));
  child.stderr.on('data', (d: Buffer) => (err += d));
  // CPU time sampled with the wall clock, so the part spent streaming can be told from start-up.
  const cpuAt: Array<[number, number]> = [];
  const poll = setInterval(() => {
    const c = cpuSeconds(child.pid ?? 0);
    if (!Number.isNaN(c)) cpuAt.push([Date.now(), c]);
  }, 10);
  const code = await new Promise<number | null>((r) => child.on('close', r));
  const exited = Date.now();
  clearInterval(poll);
  if (code !== 0) throw new Error(`${mode} failed (${code}): ${err}`);
  const t = JSON.parse(readFileSync(times, 'utf8')) as { start: number; end: number; longestWaitMs: number; longestAt: number };
  let packets: number;
  let drops: number;
  let ended = exited;
  if (mode !== 'capture') {
    const s = JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as { packets: number; dropped_kernel: number; ended_at?: number };
    packets = s.packets;
    drops = s.dropped_kernel;
    ended = s.ended_at ?? exited;
  } else {
    const m = /^summary: (\d+) packets.*?(\d+) dropped by kernel/m.exec(out);
    if (m === null) throw new Error(`no summary in: ${out.slice(-500)}`);
    packets = Number(m[1]);
    drops = Number(m[2]);
  }
  const seconds = (ended - t.start) / 1000;
  const cpuStart = cpuAt.findLast(([at]) => at <= t.start)?.[1] ?? 0;
  const cpu = (cpuAt.at(-1)?.[1] ?? NaN) - cpuStart;
  return {
    mode,
    packets,
    kernelDrops: drops,
    seconds,
    pps: Math.round(packets / seconds),
    cpuSeconds: cpu,
    ppsPerCpu: Math.round(packets / cpu),
    longestPipeWaitMs: t.longestWaitMs,
    longestPipeWaitAtMs: t.longestAt,
  };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'sp-bench-pipeline-'));
  const fake = makeFakeDir();
  try {
    const pcap = process.env.BENCH_PCAP ?? path.join(dir, 'flood.pcap');
    if (process.env.BENCH_PCAP === undefined) floodPcap(pcap);
    const times = path.join(dir, 'times.json');
    const helper = fake.helper({ replayPcap: pcap, timesFile: times });
    const modes = (process.env.BENCH_MODES ?? 'capture,engine host').split(',') as Mode[];
    const runs: Run[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      for (const mode of modes) {
        const r = await run(helper, times, mode);
        runs.push(r);
        console.log(
          `round ${i + 1} ${r.mode.padEnd(15)} ${r.packets} packets in ${r.seconds.toFixed(2)} s: ${r.pps} pps; CPU ${r.cpuSeconds.toFixed(2)} s: ${r.ppsPerCpu} pps per CPU second; longest pipe wait ${r.longestPipeWaitMs} ms (at ${r.longestPipeWaitAtMs} ms)`,
        );
      }
    }
    const best = (mode: string, k: 'pps' | 'ppsPerCpu') => Math.max(...runs.filter((r) => r.mode === mode).map((r) => r[k]));
    const names = modes;
    const out = {
      benchmark: 'capture-pipeline',
      date: new Date().toISOString(),
      pcap: process.env.BENCH_PCAP ?? `generated, ${PACKETS} packets`,
      best_pps: Object.fromEntries(names.map((n) => [n, best(n, 'pps')])),
      best_pps_per_cpu_second: Object.fromEntries(names.map((n) => [n, best(n, 'ppsPerCpu')])),
      flood_pps: FLOOD_PPS,
      runs,
    };
    mkdirSync(path.join(root, 'bench/results'), { recursive: true });
    writeFileSync(path.join(root, 'bench/results/capture-pipeline.json'), JSON.stringify(out, null, 2) + '\n');
    console.log(`best: ${JSON.stringify(out.best_pps)} per CPU second: ${JSON.stringify(out.best_pps_per_cpu_second)}`);
    for (const n of names) console.log(`${n}: ${(best(n, 'ppsPerCpu') / FLOOD_PPS).toFixed(2)}x a ${FLOOD_PPS} pps flood with a core of its own`);
  } finally {
    fake.cleanup();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
