/**
 * `sandpiper capture --json --attribute-processes` with the real helper, as root, inside a network namespace: a
 * process running as nobody makes 100 short TCP connections and 100 fresh-socket UDP sends, and at least 98 % of
 * those flows carry its pid, name and user; short connections of the invoking user are named; both ends of a
 * loopback connection are named; a root daemon (its own session, not the capture's child) serving TCP and an
 * unconnected wildcard-bound UDP socket and making connections and sends of its own is named on every one of those
 * flows. With --no-ebpf the report says proc and /proc still names a connection that lives.
 * Run under `flock /tmp/sandpiper-system.lock`.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { canMakeNetns } from '../support/netns.ts';
import { clientScript, nodeInNetns, netnsPairForTests, serverScript, socketEventsSkipReason, type ClientPorts } from '../support/socket-traffic.ts';
import { CLI, NODE24, REAL_HELPER, realHelperSkipReason } from '../capture-client/fixtures/system-support.ts';

const skip = canMakeNetns() ?? realHelperSkipReason() ?? socketEventsSkipReason();
const NOBODY = 65534;
const N = 100;
const P = netnsPairForTests(skip);
const nodeIn = (ns: string, script: string, uid?: number) => nodeInNetns(P(), NODE24, ns, script, uid);

type Line = Record<string, unknown>;

/** `sandpiper capture` in namespace A on every interface (the veth and loopback), its JSON lines as they come. */
function startCapture(extra: string[]): { lines: Line[]; stop: () => Promise<{ code: number | null; err: string }> } {
  const child = spawn('ip', ['netns', 'exec', P().a, 'env', `SANDPIPER_HELPER=${REAL_HELPER}`, NODE24, CLI, 'capture', '--interface', 'any', '--json',
    '--duration', '120', '--attribute-processes', ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: Line[] = [];
  let rest = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => {
    const parts = (rest + d.toString()).split('\n');
    rest = parts.pop() ?? '';
    for (const l of parts) if (l.trim() !== '') lines.push(JSON.parse(l) as Line);
  });
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const done = new Promise<{ code: number | null; err: string }>((r) => child.on('close', (code) => r({ code, err })));
  return {
    lines,
    stop: () => {
      child.kill('SIGINT');
      return done;
    },
  };
}

async function waitFor<T>(what: string, f: () => T | undefined, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The last line of each flow (flows are printed again as they change). */
function finalFlows(lines: Line[]): Line[] {
  const byId = new Map<unknown, Line>();
  for (const l of lines) if (l.type === 'flow') byId.set(l.id, l);
  return [...byId.values()];
}

describe('sandpiper capture --attribute-processes', { skip: skip ?? false }, () => {
  test('eBPF: another user\'s short connections and fresh-socket UDP sends, the invoking user\'s, and both loopback ends carry their process', { timeout: 180_000 }, async () => {
    const tcpPort = 20000 + Math.floor(Math.random() * 20000);
    const loopPort = tcpPort + 1;
    const server = nodeIn(P().b, serverScript(P().ipB, tcpPort));
    const earlyServer = nodeIn(P().a, serverScript('127.0.0.1', loopPort + 3));
    const cap = startCapture([]);
    let loopServer: ReturnType<typeof nodeIn> | null = null;
    try {
      const attribution = await waitFor('the attribution line', () => cap.lines.find((l) => l.type === 'attribution'));
      assert.deepEqual(attribution, { type: 'attribution', method: 'ebpf', reason: null });
      await waitFor('the sandbox line', () => cap.lines.find((l) => l.type === 'sandbox'));
      // Listening after the helper attached, so its accept carries its pid.
      loopServer = nodeIn(P().a, serverScript('127.0.0.1', loopPort));
      await new Promise((r) => setTimeout(r, 300)); // the servers listening
      const client = nodeIn(P().a, clientScript(P().ipB, tcpPort, tcpPort + 2, N, loopPort), NOBODY);
      const ports = (await client.result) as ClientPorts;
      // The invoking user's (root's) short connections.
      const mine = nodeIn(P().a, clientScript(P().ipB, tcpPort, tcpPort + 2, 10, loopPort));
      const minePorts = (await mine.result) as ClientPorts;
      // Flow lines come once a second; the last UDP send's flow must be in before stopping.
      await waitFor('the last flows', () => finalFlows(cap.lines).find((f) => f.sport === minePorts.udp.at(-1) && f.pid !== null), 10_000).catch(() => null);
      const { code, err } = await cap.stop();
      assert.equal(code, 0, err);
      const flows = finalFlows(cap.lines);
      const flowOf = (proto: string, sport: number, dport: number) => flows.find((f) => f.proto === proto && f.sport === sport && f.dport === dport && f.dst === P().ipB);
      const named = (f: Line | undefined) => f !== undefined && f.pid === client.child.pid && f.process === ports.comm && f.user === 'nobody';
      const tcpNamed = ports.tcp.filter((lp) => named(flowOf('tcp', lp, tcpPort))).length;
      const udpNamed = ports.udp.filter((lp) => named(flowOf('udp', lp, tcpPort + 2))).length;
      const sample = JSON.stringify(flows.filter((f) => f.dst === P().ipB).slice(0, 3));
      assert.ok(tcpNamed >= 0.98 * N, `TCP: ${tcpNamed} of ${N} flows named; ${sample}`);
      assert.ok(udpNamed >= 0.98 * N, `UDP: ${udpNamed} of ${N} flows named; ${sample}`);
      // The invoking user's: read from /proc while it lives (the program's name), else the kernel's comm.
      const mineNamed = minePorts.tcp.filter((lp) => {
        const f = flowOf('tcp', lp, tcpPort);
        return f !== undefined && f.pid === mine.child.pid && (f.process === 'node' || f.process === minePorts.comm) && f.user === 'root';
      }).length;
      assert.ok(mineNamed >= 9, `the invoking user's connections: ${mineNamed} of 10 named`);
      // Both ends of the loopback connection: the client (nobody) owns it, the server (root) is its peer.
      const loop = flows.find((f) => f.proto === 'tcp' && f.sport === ports.loop && f.dport === loopPort);
      assert.ok(loop, 'the loopback flow');
      assert.deepEqual([loop.pid, loop.process, loop.user], [client.child.pid, ports.comm, 'nobody']);
      assert.equal(loop.peer_pid, loopServer.child.pid);
      assert.equal(loop.peer_process, 'node', 'the invoking user\'s server, read from /proc');
      assert.equal(loop.peer_user, 'root');
      const summary = cap.lines.at(-1) as Line;
      assert.equal(summary.type, 'summary');
      const a = summary.attribution as Record<string, unknown>;
      assert.equal(a.method, 'ebpf');
      assert.ok(Number(a.socket_events) >= 2 * N, JSON.stringify(a));
      assert.equal(a.socket_events_lost, 0);
      assert.equal(a.socket_events_error, null);
    } finally {
      await cap.stop().catch(() => {});
      server.child.kill('SIGKILL');
      loopServer?.child.kill('SIGKILL');
      earlyServer.child.kill('SIGKILL');
    }
  });

  test('a root daemon: the TCP it serves and makes, the UDP its wildcard-bound socket answers and sends, all carry its pid, name and user', { timeout: 180_000 }, async () => {
    const n = 50;
    const base = 20000 + Math.floor(Math.random() * 20000);
    const [tcpIn, udpIn, tcpOut, udpOut] = [base, base + 1, base + 2, base + 3];
    const remoteServer = nodeIn(P().b, serverScript(P().ipB, tcpOut));
    const cap = startCapture([]);
    let daemon: ReturnType<typeof spawn> | null = null;
    try {
      const attribution = await waitFor('the attribution line', () => cap.lines.find((l) => l.type === 'attribution'));
      assert.equal(attribution.method, 'ebpf');
      await waitFor('the sandbox line', () => cap.lines.find((l) => l.type === 'sandbox'));
      // As a daemon runs: root, a session of its own (setsid), no terminal, started by neither the capture nor its
      // user's shell. It listens on every address (TCP) and answers from an unconnected socket bound to 0.0.0.0
      // (UDP, sendto to each sender); then it makes n connections and n fresh-socket sends of its own.
      daemon = P().spawn(P().a, 'setsid', [NODE24, '-e', `
const net=require('node:net'),dgram=require('node:dgram');
const say=(o)=>process.stdout.write(JSON.stringify(o)+'\\n');
net.createServer((s)=>{s.on('error',()=>{});s.end('ok');}).listen(${tcpIn},'0.0.0.0');
const u=dgram.createSocket('udp4');u.on('message',(m,r)=>u.send(m,r.port,r.address));
u.bind(${udpIn},'0.0.0.0',()=>say({ready:true,pid:process.pid,sid:require('node:fs').readFileSync('/proc/self/stat','utf8').split(') ')[1].split(' ')[3]}));
process.stdin.once('data',async()=>{
const conn=()=>new Promise((res,rej)=>{const s=net.connect(${tcpOut},${JSON.stringify(P().ipB)},()=>{const lp=s.localPort;s.destroy();res(lp);});s.on('error',rej);});
const send=()=>new Promise((res,rej)=>{const s=dgram.createSocket('udp4');s.send('d',${udpOut},${JSON.stringify(P().ipB)},(e)=>{if(e)return rej(e);const lp=s.address().port;s.close();res(lp);});});
const tcp=[],udp=[];for(let i=0;i<${n};i++)tcp.push(await conn());for(let i=0;i<${n};i++)udp.push(await send());
say({tcp,udp,comm:require('node:fs').readFileSync('/proc/self/comm','utf8').trim()});});`], { stdio: ['pipe', 'pipe', 'inherit'] });
      const out = createInterface({ input: daemon.stdout as NodeJS.ReadableStream })[Symbol.asyncIterator]();
      const next = async () => JSON.parse(String((await out.next()).value)) as Record<string, unknown>;
      const ready = await next();
      const pid = Number(ready.pid);
      assert.equal(pid, daemon.pid, 'setsid ran the daemon in place');
      assert.equal(Number(ready.sid), pid, 'the daemon leads a session of its own');
      assert.equal(readFileSync(`/proc/${pid}/status`, 'utf8').match(/^Uid:\s+(\d+)/m)?.[1], '0');
      // Its clients, on the other host (namespace B) as nobody: short connections, and datagrams from fresh sockets
      // each waiting for the answer.
      const clients = nodeIn(P().b, `
const net=require('node:net'),dgram=require('node:dgram');
const conn=()=>new Promise((res,rej)=>{const s=net.connect(${tcpIn},${JSON.stringify(P().ipA)},()=>{const lp=s.localPort;s.on('data',()=>{});s.on('end',()=>{s.destroy();res(lp);});});s.on('error',rej);});
const ask=()=>new Promise((res,rej)=>{const s=dgram.createSocket('udp4');const t=setTimeout(()=>rej(new Error('no answer')),5000);s.on('message',()=>{clearTimeout(t);const lp=s.address().port;s.close();res(lp);});s.send('q',${udpIn},${JSON.stringify(P().ipA)},(e)=>e&&rej(e));});
(async()=>{const tcp=[],udp=[];for(let i=0;i<${n};i++)tcp.push(await conn());for(let i=0;i<${n};i++)udp.push(await ask());console.log(JSON.stringify({tcp,udp}));})().catch((e)=>{console.error(e);process.exit(1);});`, NOBODY);
      const served = (await clients.result) as { tcp: number[]; udp: number[] };
      daemon.stdin?.write('go\n');
      const made = (await next()) as unknown as { tcp: number[]; udp: number[]; comm: string };
      await waitFor('the last flows', () => finalFlows(cap.lines).find((f) => f.sport === made.udp.at(-1) && f.pid !== null), 10_000).catch(() => null);
      const { code, err } = await cap.stop();
      assert.equal(code, 0, err);
      const flows = finalFlows(cap.lines);
      // Root is the invoking user here: its processes are read from /proc (the program's name), else the kernel's comm.
      const isDaemon = (f: Line | undefined) => f !== undefined && f.pid === pid && (f.process === 'node' || f.process === made.comm) && f.user === 'root';
      const find = (proto: string, src: string, sport: number, dst: string, dport: number) =>
        flows.find((f) => f.proto === proto && f.src === src && f.sport === sport && f.dst === dst && f.dport === dport);
      const counts = {
        tcpServed: served.tcp.filter((cp) => isDaemon(find('tcp', P().ipB, cp, P().ipA, tcpIn))).length,
        udpAnswered: served.udp.filter((cp) => isDaemon(find('udp', P().ipB, cp, P().ipA, udpIn))).length,
        tcpMade: made.tcp.filter((lp) => isDaemon(find('tcp', P().ipA, lp, P().ipB, tcpOut))).length,
        udpSent: made.udp.filter((lp) => isDaemon(find('udp', P().ipA, lp, P().ipB, udpOut))).length,
      };
      const sample = JSON.stringify(flows.filter((f) => f.dport === udpIn || f.dport === tcpIn).slice(0, 3));
      for (const [what, c] of Object.entries(counts)) assert.ok(c >= 0.98 * n, `${what}: ${c} of ${n} flows carry the daemon; ${sample}`);
      // Served flows: the daemon is the responder's end (the local one), nobody on the other host is not local.
      const one = find('udp', P().ipB, served.udp[0], P().ipA, udpIn);
      assert.equal(one?.peer_pid ?? null, null);
    } finally {
      await cap.stop().catch(() => {});
      daemon?.kill('SIGKILL');
      remoteServer.child.kill('SIGKILL');
    }
  });

  test('--no-ebpf: the report and the summary say proc, and /proc names a connection that lives', { timeout: 120_000 }, async () => {
    const port = 20000 + Math.floor(Math.random() * 20000);
    const server = nodeIn(P().b, `require('node:net').createServer((s)=>{s.on('error',()=>{});s.on('data',()=>{});}).listen(${port},${JSON.stringify(P().ipB)});`);
    const cap = startCapture(['--no-ebpf']);
    try {
      const attribution = await waitFor('the attribution line', () => cap.lines.find((l) => l.type === 'attribution'));
      assert.equal(attribution.method, 'proc');
      assert.match(String(attribution.reason), /--no-ebpf/);
      const sandbox = await waitFor('the sandbox line', () => cap.lines.find((l) => l.type === 'sandbox'));
      assert.equal(sandbox.attribution, 'proc');
      await new Promise((r) => setTimeout(r, 300));
      // A connection that stays open for two seconds, sending now and then: /proc polling sees it.
      const holder = nodeIn(P().a, `const s=require('node:net').connect(${port},${JSON.stringify(P().ipB)},()=>{const t=setInterval(()=>s.write('x'),100);setTimeout(()=>{clearInterval(t);const lp=s.localPort;s.destroy();console.log(JSON.stringify({lp}));},2000);});`);
      const { lp } = (await holder.result) as { lp: number };
      await new Promise((r) => setTimeout(r, 1500));
      const { code, err } = await cap.stop();
      assert.equal(code, 0, err);
      const flow = finalFlows(cap.lines).find((f) => f.proto === 'tcp' && f.sport === lp && f.dport === port);
      assert.ok(flow, 'the held connection\'s flow');
      assert.equal(flow.pid, holder.child.pid, JSON.stringify(flow));
      assert.equal(flow.user, 'root');
      const summary = cap.lines.at(-1) as Line;
      assert.equal((summary.attribution as Record<string, unknown>).method, 'proc');
    } finally {
      await cap.stop().catch(() => {});
      server.child.kill('SIGKILL');
    }
  });
});
