/**
 * `sandpiper read` throughput against ndpiReader and tshark on the same generated capture: 1 M packets over 50 k
 * flows (TLS with SNI, HTTP, DNS, plain UDP), interleaved 500 flows at a time. Reports packets/s, peak RSS
 * (/usr/bin/time -v; best of BENCH_ROUNDS (or SP_BENCH_REPEAT) = 5 rounds), and the engine's bytes per live flow (heap + typed arrays delta / flows, measured in-process).
 * Writes bench/results/engine-read.json.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, mkdtempSync, openSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { cpus, loadavg, tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const FLOWS = Number(process.env.SP_BENCH_FLOWS ?? 50_000);
const WINDOW = 500;
const BASE_TS = 1_700_000_000;
const STEP_US = 20;
const REPEAT = Number(process.env.BENCH_ROUNDS ?? process.env.SP_BENCH_REPEAT ?? 5);

// ---- capture generator -------------------------------------------------------------------------------------------

type Kind = 'tls' | 'http' | 'dns' | 'udp';
/** [fromClient, tcpFlags (0 = UDP), payload bytes, payload kind] */
type Step = [boolean, number, number, 'ch' | 'get' | 'dnsq' | 'dnsr' | 'zero'];
const SYN = 2, ACK = 16, FIN = 1, PSH = 8;

function script(kind: Kind): Step[] {
  const s: Step[] = [];
  if (kind === 'tls' || kind === 'http') {
    s.push([true, SYN, 0, 'zero'], [false, SYN | ACK, 0, 'zero'], [true, ACK, 0, 'zero']);
    if (kind === 'tls') {
      s.push([true, ACK | PSH, 0, 'ch'], [false, ACK | PSH, 1400, 'zero'], [true, ACK, 0, 'zero']);
      for (let i = 0; i < 10; i++) s.push([true, ACK | PSH, 300, 'zero'], [false, ACK | PSH, 1200, 'zero']);
    } else {
      s.push([true, ACK | PSH, 0, 'get']);
      for (let i = 0; i < 5; i++) s.push([false, ACK | PSH, 1400, 'zero'], [true, ACK, 0, 'zero']);
    }
    s.push([true, FIN | ACK, 0, 'zero'], [false, FIN | ACK, 0, 'zero'], [true, ACK, 0, 'zero']);
  } else if (kind === 'dns') {
    s.push([true, 0, 0, 'dnsq'], [false, 0, 0, 'dnsr']);
  } else {
    for (let i = 0; i < 23; i++) s.push([i % 2 === 0, 0, 200, 'zero']);
  }
  return s;
}
const SCRIPTS: Record<Kind, Step[]> = { tls: script('tls'), http: script('http'), dns: script('dns'), udp: script('udp') };
const kindOf = (i: number): Kind => (['tls', 'tls', 'http', 'dns', 'udp'] as const)[i % 5];

function clientHello(sni: string): number[] {
  const name = [...Buffer.from(sni)];
  const sniExt = [0, 0, ...u16(name.length + 5), ...u16(name.length + 3), 0, ...u16(name.length), ...name];
  const alpn = [0, 16, 0, 5, 0, 3, 2, 104, 50];
  const exts = [...sniExt, ...alpn];
  const body = [3, 3, ...Array(32).fill(7), 0, 0, 4, 0x13, 1, 0x13, 2, 1, 0, ...u16(exts.length), ...exts];
  const hs = [1, 0, ...u16(body.length), ...body];
  return [0x16, 3, 1, ...u16(hs.length), ...hs];
}
function dnsName(n: string): number[] {
  return [...n.split('.').flatMap((l) => [l.length, ...Buffer.from(l)]), 0];
}
function dnsQuery(id: number, n: string): number[] {
  return [...u16(id), 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, ...dnsName(n), 0, 1, 0, 1];
}
function dnsResponse(id: number, n: string, ip: number[]): number[] {
  return [...u16(id), 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0, ...dnsName(n), 0, 1, 0, 1, 0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, ...ip];
}
function u16(v: number): number[] {
  return [(v >> 8) & 255, v & 255];
}

function generate(file: string): { packets: number; flows: number; bytes: number } {
  const fd = openSync(file, 'w');
  const buf = Buffer.alloc(8 << 20);
  let pos = 0;
  const flush = () => {
    writeSync(fd, buf, 0, pos);
    pos = 0;
  };
  buf.writeUInt32LE(0xa1b2c3d4, 0);
  buf.writeUInt16LE(2, 4);
  buf.writeUInt16LE(4, 6);
  buf.writeUInt32LE(262144, 16);
  buf.writeUInt32LE(1, 20);
  pos = 24;
  let packets = 0;
  let wireBytes = 0;
  const clientIp = (i: number) => [10, (i >> 16) & 255, (i >> 8) & 255, (i & 255) | 1];
  const serverIp = (i: number) => [172, 16, (i >> 8) & 15, i & 255];
  // Active window: flow index and step.
  const active: { flow: number; step: number; seqC: number; seqS: number }[] = [];
  let nextFlow = 0;
  const start = () => {
    if (nextFlow < FLOWS) active.push({ flow: nextFlow++, step: 0, seqC: 1000, seqS: 5000 });
  };
  for (let i = 0; i < WINDOW; i++) start();
  while (active.length) {
    for (let a = 0; a < active.length; a++) {
      const st = active[a];
      const kind = kindOf(st.flow);
      const steps = SCRIPTS[kind];
      const [fromClient, flags, plen, pkind] = steps[st.step];
      const host = `host${st.flow % 5000}.example${st.flow % 7}.test`;
      let payload: number[] | null = null;
      if (pkind === 'ch') payload = clientHello(host);
      else if (pkind === 'get') payload = [...Buffer.from(`GET /x HTTP/1.1\r\nHost: ${host}\r\nUser-Agent: bench\r\n\r\n`)];
      else if (pkind === 'dnsq') payload = dnsQuery(st.flow & 0xffff, host);
      else if (pkind === 'dnsr') payload = dnsResponse(st.flow & 0xffff, host, serverIp(st.flow + 1));
      const payLen = payload ? payload.length : plen;
      const tcp = flags !== 0;
      const l4 = tcp ? 20 : 8;
      const frameLen = 14 + 20 + l4 + payLen;
      if (pos + 16 + frameLen > buf.length) flush();
      const ts = packets * STEP_US;
      buf.writeUInt32LE(BASE_TS + Math.floor(ts / 1e6), pos);
      buf.writeUInt32LE(ts % 1e6, pos + 4);
      buf.writeUInt32LE(frameLen, pos + 8);
      buf.writeUInt32LE(frameLen, pos + 12);
      let p = pos + 16;
      buf.fill(0, p, p + frameLen);
      buf[p] = 2; buf[p + 5] = fromClient ? 1 : 2; buf[p + 6] = 2; buf[p + 11] = fromClient ? 2 : 1;
      buf.writeUInt16BE(0x0800, p + 12);
      p += 14;
      buf[p] = 0x45;
      buf.writeUInt16BE(20 + l4 + payLen, p + 2);
      buf.writeUInt16BE(st.step, p + 4);
      buf[p + 6] = 0x40;
      buf[p + 8] = 64;
      buf[p + 9] = tcp ? 6 : 17;
      const c = clientIp(st.flow);
      const s = serverIp(st.flow);
      buf.set(fromClient ? c : s, p + 12);
      buf.set(fromClient ? s : c, p + 16);
      p += 20;
      const cport = 20000 + (st.flow % 40000);
      const sport = kind === 'tls' ? 443 : kind === 'http' ? 80 : kind === 'dns' ? 53 : 9000;
      buf.writeUInt16BE(fromClient ? cport : sport, p);
      buf.writeUInt16BE(fromClient ? sport : cport, p + 2);
      if (tcp) {
        buf.writeUInt32BE((fromClient ? st.seqC : st.seqS) >>> 0, p + 4);
        buf.writeUInt32BE((fromClient ? st.seqS : st.seqC) >>> 0, p + 8);
        buf[p + 12] = 0x50;
        buf[p + 13] = flags;
        buf.writeUInt16BE(65535, p + 14);
        const adv = payLen + (flags & (SYN | FIN) ? 1 : 0);
        if (fromClient) st.seqC += adv;
        else st.seqS += adv;
      } else {
        buf.writeUInt16BE(8 + payLen, p + 4);
      }
      p += l4;
      if (payload) buf.set(payload, p);
      // Plain UDP carries opaque bytes (all-zero payload would look like an empty DNS message to DPI).
      else if (!tcp) for (let i = 0; i < payLen; i++) buf[p + i] = (i * 131 + st.flow * 7 + st.step) & 255 | 0x80;
      pos += 16 + frameLen;
      packets++;
      wireBytes += frameLen;
      st.step++;
      if (st.step === steps.length) {
        active[a] = active[active.length - 1];
        active.pop();
        a--;
        start();
      }
    }
  }
  flush();
  // On disk before anything is timed, so the kernel's write-back of half a gigabyte does not run during the first tools.
  fsyncSync(fd);
  closeSync(fd);
  return { packets, flows: FLOWS, bytes: wireBytes };
}

// ---- measurement -------------------------------------------------------------------------------------------------

interface Run {
  tool: string;
  command: string;
  seconds: number;
  packetsPerSecond: number;
  /** User + system CPU seconds: steadier than wall time on a shared machine. */
  cpuSeconds: number;
  packetsPerCpuSecond: number;
  peakRssMiB: number;
  exit: number | null;
}

function timed(tool: string, cmd: string, args: string[], packets: number): Run {
  const t0 = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-v', cmd, ...args], { encoding: 'utf8', maxBuffer: 1 << 30, stdio: ['ignore', 'ignore', 'pipe'] });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const field = (re: RegExp) => Number((r.stderr.match(re) ?? [])[1] ?? 0);
  const rss = field(/Maximum resident set size \(kbytes\): (\d+)/) / 1024;
  const cpuSeconds = field(/User time \(seconds\): ([\d.]+)/) + field(/System time \(seconds\): ([\d.]+)/);
  if (r.status !== 0) process.stderr.write(`${tool} exited ${r.status}: ${r.stderr.split('\n').slice(-25).join('\n')}\n`);
  return { tool, command: [cmd, ...args].join(' '), seconds, packetsPerSecond: packets / seconds, cpuSeconds, packetsPerCpuSecond: packets / cpuSeconds, peakRssMiB: rss, exit: r.status };
}

/**
 * In-process on Node 24: engine heap + array-buffer growth per live flow with every flow kept (no idle eviction),
 * configured as the CLI configures it, and ingest speed with and without DPI (where the time goes).
 */
function inProcess(file: string): { flows: number; bytesPerFlow: number; withDpiPps: number; withoutDpiPps: number } {
  const script = `
    import { createEngine } from ${JSON.stringify(path.join(root, 'src/engine/index.ts'))};
    import { openSync, readSync, closeSync } from 'node:fs';
    const mem = () => { globalThis.gc(); globalThis.gc(); const m = process.memoryUsage(); return m.heapUsed + m.arrayBuffers; };
    const buf = new Uint8Array(1 << 20);
    const keep = { tcpClosed: 1e9, tcpOpen: 1e9, udp: 1e9, other: 1e9 };
    const ingest = (e) => {
      const fd = openSync(${JSON.stringify(file)}, 'r');
      for (;;) { const n = readSync(fd, buf, 0, buf.length, null); if (!n) break; e.push(buf.subarray(0, n)); }
      closeSync(fd);
      e.end();
    };
    const before = mem();
    const e = createEngine({ detail: false, idleTimeouts: keep });
    ingest(e);
    const after = mem();
    const out = { flows: e.stats.liveFlows, delta: after - before };
    const speed = (dpi) => {
      const x = createEngine({ detail: false, dpi });
      const t0 = performance.now();
      ingest(x);
      return x.stats.packets / ((performance.now() - t0) / 1000);
    };
    out.withDpiPps = speed(true);
    out.withoutDpiPps = speed(false);
    console.log(JSON.stringify(out));`;
  const r = spawnSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  const o = JSON.parse(r.stdout.trim()) as { flows: number; delta: number; withDpiPps: number; withoutDpiPps: number };
  return { flows: o.flows, bytesPerFlow: o.delta / o.flows, withDpiPps: o.withDpiPps, withoutDpiPps: o.withoutDpiPps };
}

const dir = mkdtempSync(path.join(tmpdir(), 'sp-bench-read-'));
try {
  // SP_BENCH_FILE keeps the generated capture there (for profiling); by default it lives in a temp dir.
  const file = process.env.SP_BENCH_FILE ?? path.join(dir, 'bench.pcap');
  const g0 = Date.now();
  const gen = generate(file);
  console.log(`generated ${gen.packets} packets, ${gen.flows} flows, ${(statSync(file).size / 2 ** 20).toFixed(0)} MiB in ${((Date.now() - g0) / 1000).toFixed(1)} s`);
  const cli = path.join(root, 'dist/cli/sandpiper.js');
  if (!existsSync(cli)) spawnSync(process.execPath, [path.join(root, 'build/build.mjs'), '--only', 'cli'], { stdio: 'inherit' });
  const sh = (c: string) => ['-c', c];
  // The machine is shared: run the tools in turn, REPEAT rounds, and keep each tool's fastest run (wall and CPU).
  // The first row is what users run: bin/sandpiper (the pinned Node 24 when installed, else `node`).
  const tools: [string, string][] = [
    ['sandpiper (bin)', `${path.join(root, 'bin/sandpiper')} read --json ${file} > /dev/null`],
    ['sandpiper (node 20)', `node ${cli} read --json ${file} > /dev/null`],
    ['sandpiper (node 24)', `${process.execPath} ${cli} read --json ${file} > /dev/null`],
    ['ndpiReader', `ndpiReader -q -i ${file} > /dev/null`],
    ['tshark conv', `tshark -q -z conv,tcp -z conv,udp -r ${file} > /dev/null`],
  ];
  const best = new Map<string, Run>();
  /** Per round: ndpiReader's wall time over sandpiper's (bin), both from the same round. */
  const roundRatios: number[] = [];
  for (let round = 0; round < REPEAT; round++) {
    const wall = new Map<string, number>();
    for (const [tool, cmd] of tools) {
      if (round > 0 && tool.startsWith('tshark')) continue; // ten times slower; once is enough for a reference
      const r = timed(tool, '/bin/sh', sh(cmd), gen.packets);
      wall.set(tool, r.seconds);
      const b = best.get(tool);
      if (!b) best.set(tool, r);
      else best.set(tool, { ...b, seconds: Math.min(b.seconds, r.seconds), packetsPerSecond: Math.max(b.packetsPerSecond, r.packetsPerSecond),
        cpuSeconds: Math.min(b.cpuSeconds, r.cpuSeconds), packetsPerCpuSecond: Math.max(b.packetsPerCpuSecond, r.packetsPerCpuSecond),
        peakRssMiB: Math.max(b.peakRssMiB, r.peakRssMiB), exit: r.exit ?? b.exit });
    }
    roundRatios.push((wall.get('ndpiReader') ?? NaN) / (wall.get(tools[0][0]) ?? NaN));
  }
  const runs = tools.map(([tool]) => best.get(tool)).filter((r): r is Run => r !== undefined);
  const mem = inProcess(file);
  const ndpi = runs.find((r) => r.tool === 'ndpiReader');
  console.log(`\nmachine: ${cpus().length} CPUs, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  console.log('tool                  wall s   packets/s   CPU s   packets/CPU-s   peak RSS MiB');
  for (const r of runs) {
    console.log(`${r.tool.padEnd(20)} ${r.seconds.toFixed(2).padStart(7)} ${Math.round(r.packetsPerSecond).toString().padStart(11)} ${r.cpuSeconds.toFixed(2).padStart(7)} ${Math.round(r.packetsPerCpuSecond).toString().padStart(15)} ${r.peakRssMiB.toFixed(0).padStart(14)}${r.exit === 0 ? '' : `  (exit ${r.exit})`}`);
  }
  const ours = runs[0];
  console.log(`\nsandpiper (bin) vs ndpiReader: ${(ours.packetsPerSecond / (ndpi?.packetsPerSecond ?? NaN)).toFixed(2)}x wall (target >= 4x), ${(ours.packetsPerCpuSecond / (ndpi?.packetsPerCpuSecond ?? NaN)).toFixed(2)}x per CPU-second`);
  console.log(`same-round ratios (bin vs ndpiReader): ${roundRatios.map((x) => x.toFixed(2)).join(' ')}`);
  for (const r of runs.slice(1)) if (r.tool.startsWith('sandpiper')) console.log(`${r.tool} vs ndpiReader: ${(r.packetsPerSecond / (ndpi?.packetsPerSecond ?? NaN)).toFixed(2)}x wall`);
  console.log(`engine bytes per live flow: ${mem.bytesPerFlow.toFixed(0)} B over ${mem.flows} flows (target <= 300 B)`);
  console.log(`in-process ingest (node 24): ${Math.round(mem.withDpiPps)} pkt/s with DPI, ${Math.round(mem.withoutDpiPps)} pkt/s without`);
  mkdirSync(path.join(root, 'bench/results'), { recursive: true });
  writeFileSync(path.join(root, 'bench/results/engine-read.json'), JSON.stringify({
    date: new Date().toISOString(), capture: { ...gen, fileBytes: statSync(file).size }, runs,
    machine: { cpus: cpus().length, loadavg: loadavg() },
    speedupVsNdpiReader: ours.packetsPerSecond / (ndpi?.packetsPerSecond ?? NaN), sameRoundSpeedups: roundRatios,
    speedupVsNdpiReaderPerCpuSecond: ours.packetsPerCpuSecond / (ndpi?.packetsPerCpuSecond ?? NaN), engineBytesPerFlow: mem.bytesPerFlow, measuredFlows: mem.flows,
    inProcessPacketsPerSecond: { withDpi: mem.withDpiPps, withoutDpi: mem.withoutDpiPps },
  }, null, 2) + '\n');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
