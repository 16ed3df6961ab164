/**
 * What relaying socket events costs the helper: a UDP sender in the helper's namespace sends from 64 sockets to
 * 1024 ports of the peer (65,536 flows, each sent to again and again), while dist/helper captures the veth with and
 * without --attribute-processes. Prints the helper's CPU seconds (utime + stime from /proc) of each run, the events
 * it relayed, and the extra CPU per event. Needs root and a built dist/helper. Writes
 * bench/results/socket-events-relay.json. `BENCH_ROUNDS=N node bench/socket-events-relay.bench.ts [datagrams]`.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { createNetnsPair, canMakeNetns } from '../test/support/netns.ts';
import { HEADER_SIZE, RECORD_SIZE } from '../src/shared/socket-events.ts';
import { cpuSeconds } from './support/cpu-seconds.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const HELPER = path.join(ROOT, 'dist/helper/sandpiper-helper');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const DATAGRAMS = Number(process.argv[2] ?? 1_048_576);

const SENDER = `
import socket, sys
n, host = int(sys.argv[1]), sys.argv[2]
socks = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(64)]
msg = b'x' * 18
sent = 0
while sent < n:
    for p in range(1024):
        a = (host, 40000 + p)
        for s in socks:
            s.sendto(msg, a)
    sent += 65536
`;

interface Run {
  attribution: boolean;
  cpuSeconds: number;
  events: number;
  captureBytes: number;
}

async function once(pair: ReturnType<typeof createNetnsPair>, attribution: boolean): Promise<Run> {
  const args = ['netns', 'exec', pair.a, HELPER, '--interface', pair.ifA, '--duration', '120', ...(attribution ? ['--attribute-processes'] : [])];
  const child = spawn('ip', args, { stdio: ['pipe', 'pipe', 'pipe', 'pipe'] });
  let captureBytes = 0;
  let eventBytes = 0;
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (captureBytes += d.length));
  (child.stdio[3] as Readable).on('data', (d: Buffer) => (eventBytes += d.length));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const ready = attribution ? '"type":"attribution"' : '"type":"sandbox"';
  for (let i = 0; i < 200 && !stderr.includes(ready); i++) await sleep(50);
  if (!stderr.includes(ready)) throw new Error(`the helper did not start: ${stderr}`);
  if (attribution && !stderr.includes('"method":"ebpf"')) throw new Error(`eBPF attribution is not active: ${stderr}`);
  await sleep(300);
  const pid = child.pid as number;
  const before = cpuSeconds(pid);
  const sender = pair.spawn(pair.a, '/usr/bin/python3', ['-c', SENDER, String(DATAGRAMS), pair.ipB], { stdio: 'ignore' });
  await new Promise((resolve) => sender.on('close', resolve));
  await sleep(500);
  const cpu = cpuSeconds(pid) - before;
  child.kill('SIGTERM');
  const code = await done;
  if (code !== 0) throw new Error(`the helper exited ${code}: ${stderr.slice(-500)}`);
  return { attribution, cpuSeconds: cpu, events: Math.max(0, (eventBytes - HEADER_SIZE) / RECORD_SIZE), captureBytes };
}

async function main(): Promise<void> {
  const why = canMakeNetns() ?? (existsSync(HELPER) ? null : 'dist/helper is not built (node build/build.mjs)');
  if (why) {
    console.log(`skipped: ${why}`);
    return;
  }
  const pair = createNetnsPair();
  const runs: Run[] = [];
  try {
    for (let r = 0; r < ROUNDS; r++) {
      for (const attribution of [false, true]) {
        const run = await once(pair, attribution);
        runs.push(run);
        console.log(`${attribution ? 'with   ' : 'without'} attribution: helper CPU ${run.cpuSeconds.toFixed(2)} s, ${run.events} events`);
      }
    }
  } finally {
    pair.destroy();
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const off = median(runs.filter((r) => !r.attribution).map((r) => r.cpuSeconds));
  const onRuns = runs.filter((r) => r.attribution);
  const on = median(onRuns.map((r) => r.cpuSeconds));
  const events = median(onRuns.map((r) => r.events));
  const perEventUs = events > 0 ? ((on - off) / events) * 1e6 : NaN;
  console.log(`${DATAGRAMS} datagrams: median helper CPU ${off.toFixed(2)} s without, ${on.toFixed(2)} s with attribution; ${events} events; ${perEventUs.toFixed(2)} µs extra per event`);
  mkdirSync(path.join(ROOT, 'bench/results'), { recursive: true });
  writeFileSync(path.join(ROOT, 'bench/results/socket-events-relay.json'), JSON.stringify({ datagrams: DATAGRAMS, flows: 65536, rounds: runs, medianCpuWithout: off, medianCpuWith: on, medianEvents: events, perEventUs }, null, 2));
}

await main();
