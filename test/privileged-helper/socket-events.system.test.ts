/**
 * The helper with --attribute-processes (dist/helper, as root) inside a network namespace: a process running as
 * nobody makes short TCP connections and fresh-socket UDP sends, and the socket-event stream on fd 3 names it (pid,
 * uid, comm) with each flow's 5-tuple; both ends of a loopback connection are named; the sandbox still holds (every
 * thread audited, no CAP_BPF/CAP_PERFMON anywhere); with eBPF turned off, or no fd 3, the report says "proc".
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { canMakeNetns } from '../support/netns.ts';
import { clientScript, nodeInNetns, netnsPairForTests, serverScript, socketEventsSkipReason } from '../support/socket-traffic.ts';
import { SocketEventKind, SocketEventsReader, type SocketEvent } from '../../src/shared/socket-events.ts';
import { CAP } from '../../src/privileged-helper/privileges.ts';
import { HELPER, NODE24, helperSkipReason, isType, pollUntil, startHelper, type HelperRun } from './support/helper-run.ts';

const skip = helperSkipReason() ?? canMakeNetns() ?? socketEventsSkipReason();
const P = netnsPairForTests(skip);
const NOBODY = 65534;
const N = 100;

interface Run {
  run: HelperRun;
  events: Buffer[];
}

/** The helper in namespace A on A's veth, with a fourth pipe for the events unless `noFd3`. */
function startAttributing(extra: string[] = [], noFd3 = false): Run {
  const run = startHelper(['ip', 'netns', 'exec', P().a, HELPER, '--interface', P().ifA, '--duration', '60', '--attribute-processes', ...extra], {
    stdio: noFd3 ? ['pipe', 'pipe', 'pipe'] : ['pipe', 'pipe', 'pipe', 'pipe'],
  });
  const events: Buffer[] = [];
  (run.child.stdio[3] as Readable | undefined)?.on('data', (d: Buffer) => events.push(d));
  return { run, events };
}

async function stop(r: Run): Promise<void> {
  r.run.child.kill('SIGTERM');
  const { code } = await r.run.done;
  assert.equal(code, 0, JSON.stringify(r.run.messages.slice(-3)));
}

function decode(chunks: Buffer[]): SocketEvent[] {
  const out: SocketEvent[] = [];
  const reader = new SocketEventsReader((e) => out.push({ ...e, localAddress: Uint8Array.from(e.localAddress), remoteAddress: Uint8Array.from(e.remoteAddress) }));
  for (const c of chunks) reader.push(c);
  assert.equal(reader.pendingBytes, 0, 'the stream ends on a record boundary');
  assert.ok(reader.clock, 'the stream starts with a header');
  return out;
}

const ip4 = (a: Uint8Array) => Array.from(a).join('.');

const nodeIn = (ns: string, script: string, uid?: number) => nodeInNetns(P(), NODE24, ns, script, uid);

describe('socket events', { skip: skip ?? false }, () => {
  test('a process of another user: its TCP connections and UDP sends carry its pid, uid and name; both loopback ends are named', { timeout: 120_000 }, async () => {
    const tcpPort = 20000 + Math.floor(Math.random() * 20000);
    const loopPort = tcpPort + 1;
    const server = nodeIn(P().b, serverScript(P().ipB, tcpPort));
    // Listening since before the helper: its accepts carry its uid but no pid.
    const earlyServer = nodeIn(P().a, serverScript('127.0.0.1', loopPort + 3));
    const r = startAttributing();
    let loopServer: ReturnType<typeof nodeIn> | null = null;
    try {
      const attribution = await r.run.waitFor(isType('attribution'), 30_000);
      assert.deepEqual(attribution, { type: 'attribution', method: 'ebpf', reason: null });
      const sandbox = await r.run.waitFor(isType('sandbox'));
      assert.equal(sandbox.status, 'fully_enforced', sandbox.details);
      assert.equal(sandbox.all_threads, true);
      assert.equal(sandbox.attribution, 'ebpf');
      // The capturing process (the helper, pid of the `ip netns exec` child): no capability anywhere, BPF and PERFMON
      // not even in the bounding set, on every thread.
      const pid = r.run.child.pid ?? -1;
      for (const tid of readdirSync(`/proc/${pid}/task`)) {
        const status = readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8');
        const hex = (name: string) => new RegExp(`^${name}:\\s*([0-9a-f]+)$`, 'm').exec(status)?.[1];
        const cap = (name: string) => {
          const v = hex(name);
          assert.ok(v, `thread ${tid} has no ${name}`);
          return BigInt(`0x${v}`);
        };
        assert.equal(cap('CapEff'), 0n, `thread ${tid} CapEff`);
        assert.equal(cap('CapPrm'), 0n, `thread ${tid} CapPrm`);
        for (const c of [CAP.bpf, CAP.perfmon]) assert.equal((cap('CapBnd') >> BigInt(c)) & 1n, 0n, `thread ${tid} CapBnd has capability ${c}`);
      }
      loopServer = nodeIn(P().a, serverScript('127.0.0.1', loopPort));
      await new Promise((res) => setTimeout(res, 300)); // the servers listening
      const client = nodeIn(P().a, clientScript(P().ipB, tcpPort, tcpPort + 2, N, loopPort), NOBODY);
      const ports = (await client.result) as { tcp: number[]; udp: number[]; loop: number; early: number; refused: boolean; comm: string };
      // The ring is polled: give the last records a moment to reach fd 3.
      await pollUntil(() => {
        const all = decode(r.events);
        return all.some((e) => e.kind === SocketEventKind.tcpAccept && e.remotePort === ports.loop) && all.some((e) => e.kind === SocketEventKind.udpSend && e.localPort === ports.udp.at(-1));
      }, 5000);
      await stop(r);
      const events = decode(r.events);
      const clientPid = client.child.pid;
      // The name the kernel keeps for the sending thread (what /proc/PID/comm shows; Node calls its main thread MainThread).
      const named = (e: SocketEvent) => e.pid === clientPid && e.uid === NOBODY && e.comm === ports.comm && e.comm.length > 0;
      const tcpHits = ports.tcp.filter((lp) =>
        events.some((e) => e.kind === SocketEventKind.tcpConnect && e.protocol === 6 && e.family === 4 && named(e) && e.localPort === lp && e.remotePort === tcpPort && ip4(e.localAddress) === P().ipA && ip4(e.remoteAddress) === P().ipB),
      );
      const udpHits = ports.udp.filter((lp) =>
        events.some((e) => e.kind === SocketEventKind.udpSend && e.protocol === 17 && e.family === 4 && named(e) && e.localPort === lp && e.remotePort === tcpPort + 2 && ip4(e.localAddress) === P().ipA && ip4(e.remoteAddress) === P().ipB),
      );
      const sample = () => JSON.stringify({ clientPid, ports: ports.tcp.slice(0, 3), events: events.slice(0, 5).map((e) => ({ ...e, localAddress: ip4(e.localAddress), remoteAddress: ip4(e.remoteAddress) })) });
      assert.ok(tcpHits.length >= 0.98 * N, `TCP: ${tcpHits.length} of ${N} connections named; ${sample()}`);
      assert.ok(udpHits.length >= 0.98 * N, `UDP: ${udpHits.length} of ${N} sends named`);
      // Both ends of the loopback connection: the client as nobody, the server (root) by its accept.
      const connect = events.find((e) => e.kind === SocketEventKind.tcpConnect && e.localPort === ports.loop);
      const accept = events.find((e) => e.kind === SocketEventKind.tcpAccept && e.remotePort === ports.loop);
      assert.ok(connect && named(connect), JSON.stringify(connect));
      assert.ok(accept, 'the accepting end has an event');
      assert.equal(accept.pid, loopServer.child.pid);
      assert.equal(accept.uid, 0);
      assert.equal(accept.localPort, loopPort);
      assert.equal(ip4(accept.localAddress), '127.0.0.1');
      const early = events.find((e) => e.kind === SocketEventKind.tcpAccept && e.remotePort === ports.early);
      assert.ok(early, 'an accept on a socket listening since before the helper started has an event');
      assert.deepEqual([early.pid, early.uid, early.comm, early.localPort], [0, 0, '', loopPort + 3]);
      // A refused connect still made a flow (SYN, RST): it is named, with the port it had.
      assert.equal(ports.refused, true);
      const refused = events.find((e) => e.kind === SocketEventKind.tcpConnect && e.remotePort === tcpPort + 5);
      assert.ok(refused && named(refused) && refused.localPort !== 0, JSON.stringify(refused));
      // Only this namespace: nothing from B's server, nor from elsewhere on the machine.
      assert.equal(events.some((e) => e.pid === server.child.pid), false);
      assert.equal(events.every((e) => e.family !== 4 || ['127.0.0.1', P().ipA].includes(ip4(e.localAddress)) || e.localAddress.every((b) => b === 0)), true);
    } finally {
      r.run.child.kill('SIGKILL');
      server.child.kill('SIGKILL');
      loopServer?.child.kill('SIGKILL');
      earlyServer.child.kill('SIGKILL');
    }
  });

  test('--no-ebpf: the /proc method is reported, nothing is loaded and fd 3 stays silent', { timeout: 60_000 }, async () => {
    const r = startAttributing(['--no-ebpf']);
    const attribution = await r.run.waitFor(isType('attribution'), 30_000);
    assert.equal(attribution.method, 'proc');
    assert.match(attribution.reason ?? '', /--no-ebpf/);
    const sandbox = await r.run.waitFor(isType('sandbox'));
    assert.equal(sandbox.status, 'fully_enforced', sandbox.details);
    assert.equal(sandbox.attribution, 'proc');
    assert.match(sandbox.details, /process attribution: \/proc/);
    await stop(r);
    assert.equal(Buffer.concat(r.events).length, 0);
  });

  test('without a fourth pipe the helper does not load eBPF and says why', { timeout: 60_000 }, async () => {
    const r = startAttributing([], true);
    const attribution = await r.run.waitFor(isType('attribution'), 30_000);
    assert.equal(attribution.method, 'proc');
    assert.match(attribution.reason ?? '', /file descriptor 3/);
    await stop(r);
  });
});
