/**
 * `sandpiper capture --json --attribute-processes` run by a non-root user, as a desktop user runs it: the helper
 * through real pkexec and polkitd (the rig's own, with a rule for that user), the events on the FIFO. A root daemon
 * (its own session, not the capture's child) serving TCP and a wildcard-bound UDP socket and making connections and
 * sends of its own is named on those flows by the kernel's comm and "root" (another user's /proc is not read); the
 * invoking user's own short connections are named from /proc (the program's name). Runs under
 * `flock /tmp/sandpiper-system.lock` (it owns the system bus).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { finalFlows, startCaptureLines, waitFor } from '../support/capture-lines.ts';
import { canMakeNetns, createNetnsPair } from '../support/netns.ts';
import { polkitRule, withPolkitRig } from '../support/polkit.ts';
import { daemonClientsScript, daemonFlowCounts, startRootDaemon, type DaemonPorts, type RootDaemon } from '../support/root-daemon.ts';
import { clientScript, nodeInNetns, serverScript, socketEventsSkipReason, type ClientPorts } from '../support/socket-traffic.ts';
import { CLI, NODE24, REAL_HELPER, realHelperSkipReason } from '../capture-client/fixtures/system-support.ts';

const USER = 'sp-attrib-test';
const NOBODY = 65534;

test('through pkexec as a non-root user: a root daemon\'s flows carry its pid, comm and "root"; the user\'s short connections are named from /proc', { timeout: 240_000 }, async (t) => {
  const skip = realHelperSkipReason() ?? canMakeNetns() ?? socketEventsSkipReason();
  if (skip) return t.skip(skip);
  await withPolkitRig(t, USER, (u) => polkitRule({ user: u.name, result: 'YES' }), async (_rig, user) => {
    const pair = createNetnsPair();
    const n = 50;
    const base = 20000 + Math.floor(Math.random() * 20000);
    const ports: DaemonPorts = { tcpIn: base, udpIn: base + 1, tcpOut: base + 2, udpOut: base + 3 };
    const remote = nodeInNetns(pair, NODE24, pair.b, serverScript(pair.ipB, ports.tcpOut));
    // clientScript also connects to 127.0.0.1 at its loopback port (the daemon's) and that port + 3.
    const early = nodeInNetns(pair, NODE24, pair.a, serverScript('127.0.0.1', ports.tcpIn + 3));
    const cap = startCaptureLines(['ip', 'netns', 'exec', pair.a, 'setpriv', '--reuid', String(user.uid), '--regid', String(user.gid), '--init-groups', '--',
      'env', '-i', `HOME=${user.home}`, 'PATH=/usr/local/bin:/usr/bin:/bin', `SANDPIPER_HELPER=${REAL_HELPER}`,
      NODE24, CLI, 'capture', '--interface', 'any', '--json', '--duration', '180', '--attribute-processes']);
    let daemon: RootDaemon | null = null;
    try {
      const attribution = await waitFor('the attribution line', () => cap.lines.find((l) => l.type === 'attribution'));
      assert.deepEqual(attribution, { type: 'attribution', method: 'ebpf', reason: null });
      const sandbox = await waitFor('the sandbox line', () => cap.lines.find((l) => l.type === 'sandbox'));
      assert.equal(sandbox.status, 'fully_enforced', String(sandbox.details));
      assert.equal(sandbox.uid, user.uid, 'the helper dropped to the invoking user');
      daemon = await startRootDaemon(pair, NODE24, ports, n);
      const served = (await nodeInNetns(pair, NODE24, pair.b, daemonClientsScript(pair, ports, n), NOBODY).result) as { tcp: number[]; udp: number[] };
      const made = await daemon.makeTraffic();
      // The invoking user's own short connections (to the daemon's TCP port, and its UDP port for the sends).
      const mine = nodeInNetns(pair, NODE24, pair.a, clientScript(pair.ipA, ports.tcpIn, ports.udpIn, 10, ports.tcpIn), user.uid);
      const minePorts = (await mine.result) as ClientPorts;
      await waitFor('the last flows', () => finalFlows(cap.lines).find((f) => f.sport === minePorts.udp.at(-1) && f.pid !== null), 10_000).catch(() => null);
      const { code, err } = await cap.stop();
      assert.equal(code, 0, err);
      const flows = finalFlows(cap.lines);
      const pid = daemon.pid;
      // Another user's process: the kernel's comm and the uid's name, nothing read from /proc.
      const counts = daemonFlowCounts(flows, pair, ports, served, made, (f) => f !== undefined && f.pid === pid && f.process === made.comm && f.user === 'root');
      const sample = JSON.stringify(flows.filter((f) => f.dport === ports.udpIn || f.dport === ports.tcpIn).slice(0, 3));
      for (const [what, c] of Object.entries(counts)) assert.ok(c >= 0.98 * n, `${what}: ${c} of ${n} flows carry the daemon (comm ${made.comm}; ${JSON.stringify(counts)}); ${sample}`);
      // The user's own: read from /proc while the process lives (the program's name and path), else the comm.
      const mineNamed = minePorts.tcp.filter((lp) => {
        const f = flows.find((x) => x.proto === 'tcp' && x.sport === lp && x.dport === ports.tcpIn && x.src === pair.ipA);
        return f !== undefined && f.pid === mine.child.pid && (f.process === 'node' || f.process === minePorts.comm) && f.user === user.name;
      }).length;
      assert.ok(mineNamed >= 9, `the invoking user's connections: ${mineNamed} of 10 named; ${JSON.stringify(flows.filter((f) => f.sport === minePorts.tcp[0]))}`);
      // Each of those connections is to the daemon on this host: the daemon is named as the peer end.
      const peerNamed = minePorts.tcp.filter((lp) => flows.some((x) => x.proto === 'tcp' && x.sport === lp && x.dport === ports.tcpIn && x.peer_pid === pid && x.peer_user === 'root')).length;
      assert.ok(peerNamed >= 9, `the daemon as the peer of the user's connections: ${peerNamed} of 10`);
    } finally {
      await cap.stop().catch(() => {});
      daemon?.child.kill('SIGKILL');
      remote.child.kill('SIGKILL');
      early.child.kill('SIGKILL');
      pair.destroy();
    }
  });
});
