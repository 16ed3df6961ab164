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
import { finalFlows, startCaptureLines, waitFor, type CaptureRun, type Line } from '../support/capture-lines.ts';
import { canMakeNetns } from '../support/netns.ts';
import { daemonClientsScript, daemonFlowCounts, startRootDaemon, type DaemonPorts, type RootDaemon } from '../support/root-daemon.ts';
import { clientScript, nodeInNetns, netnsPairForTests, serverScript, socketEventsSkipReason, type ClientPorts } from '../support/socket-traffic.ts';
import { CLI, NODE24, REAL_HELPER, realHelperSkipReason } from '../capture-client/fixtures/system-support.ts';

const skip = canMakeNetns() ?? realHelperSkipReason() ?? socketEventsSkipReason();
const NOBODY = 65534;
const N = 100;
const P = netnsPairForTests(skip);
const nodeIn = (ns: string, script: string, uid?: number) => nodeInNetns(P(), NODE24, ns, script, uid);

/** `sandpiper capture` in namespace A on every interface (the veth and loopback), its JSON lines as they come. */
function startCapture(extra: string[]): CaptureRun {
  return startCaptureLines(['ip', 'netns', 'exec', P().a, 'env', `SANDPIPER_HELPER=${REAL_HELPER}`, NODE24, CLI, 'capture', '--interface', 'any', '--json',
    '--duration', '120', '--attribute-processes', ...extra]);
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
    const ports: DaemonPorts = { tcpIn: base, udpIn: base + 1, tcpOut: base + 2, udpOut: base + 3 };
    const remoteServer = nodeIn(P().b, serverScript(P().ipB, ports.tcpOut));
    const cap = startCapture([]);
    let daemon: RootDaemon | null = null;
    try {
      const attribution = await waitFor('the attribution line', () => cap.lines.find((l) => l.type === 'attribution'));
      assert.equal(attribution.method, 'ebpf');
      await waitFor('the sandbox line', () => cap.lines.find((l) => l.type === 'sandbox'));
      daemon = await startRootDaemon(P(), NODE24, ports, n);
      const served = (await nodeIn(P().b, daemonClientsScript(P(), ports, n), NOBODY).result) as { tcp: number[]; udp: number[] };
      const made = await daemon.makeTraffic();
      await waitFor('the last flows', () => finalFlows(cap.lines).find((f) => f.sport === made.udp.at(-1) && f.pid !== null), 10_000).catch(() => null);
      const { code, err } = await cap.stop();
      assert.equal(code, 0, err);
      const flows = finalFlows(cap.lines);
      const pid = daemon.pid;
      // Root is the invoking user here: its processes are read from /proc (the program's name), else the kernel's comm.
      const counts = daemonFlowCounts(flows, P(), ports, served, made, (f) => f !== undefined && f.pid === pid && (f.process === 'node' || f.process === made.comm) && f.user === 'root');
      const sample = JSON.stringify(flows.filter((f) => f.dport === ports.udpIn || f.dport === ports.tcpIn).slice(0, 3));
      for (const [what, c] of Object.entries(counts)) assert.ok(c >= 0.98 * n, `${what}: ${c} of ${n} flows carry the daemon (comm ${made.comm}; ${JSON.stringify(counts)}); ${sample}`);
    } finally {
      await cap.stop().catch(() => {});
      daemon?.child.kill('SIGKILL');
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
