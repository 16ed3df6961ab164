import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { canMakeNetns, createNetnsPair } from '../support/netns.ts';
import { DEFAULT_PORTS, makeSelfSignedCert, runTrafficClient, startTcpdump, startTrafficServers, type ClientPlan } from '../support/traffic.ts';
import { ensureCliBundle, REPO_ROOT, SYSTEM_NODE } from './cli-bundle.ts';
import type { FlowRecord } from '../../src/shared/flow.ts';

function missingTools(): string | null {
  for (const t of ['tcpdump', 'tshark', 'openssl']) {
    try {
      execFileSync('which', [t], { stdio: 'ignore' });
    } catch {
      return `${t} is not installed`;
    }
  }
  return null;
}
const skip = canMakeNetns() ?? missingTools();

interface Conv {
  proto: 'tcp' | 'udp';
  a: string;
  aPort: number;
  b: string;
  bPort: number;
  /** tshark's "->" columns are A → B, "<-" are B → A. */
  framesAB: number;
  bytesAB: [number, string];
  framesBA: number;
  bytesBA: [number, string];
}

/** Parses `tshark -q -z conv,tcp -z conv,udp`: one line per conversation, A:port <-> B:port, then <- and -> columns. */
function tsharkConversations(file: string): Conv[] {
  const r = spawnSync('tshark', ['-q', '-n', '-z', 'conv,tcp', '-z', 'conv,udp', '-r', file], { encoding: 'utf8' });
  assert.equal(r.status, 0, `tshark: ${r.stderr}`);
  const out = r.stdout;
  const convs: Conv[] = [];
  let proto: 'tcp' | 'udp' | null = null;
  for (const line of out.split('\n')) {
    if (/^TCP Conversations/.test(line)) proto = 'tcp';
    else if (/^UDP Conversations/.test(line)) proto = 'udp';
    const m = line.match(/^(\S+):(\d+)\s+<->\s+(\S+):(\d+)\s+(\d+)\s+(\d+)\s+(bytes|kB|MB)\s+(\d+)\s+(\d+)\s+(bytes|kB|MB)\s/);
    if (m && proto) {
      convs.push({
        proto, a: m[1], aPort: Number(m[2]), b: m[3], bPort: Number(m[4]),
        framesBA: Number(m[5]), bytesBA: [Number(m[6]), m[7]], framesAB: Number(m[8]), bytesAB: [Number(m[9]), m[10]],
      });
    }
  }
  return convs;
}

/** tshark prints sizes of 10 000 bytes and more in kB/MB; compare at that precision. */
function sameBytes(ours: number, [n, unit]: [number, string]): boolean {
  if (unit === 'bytes') return ours === n;
  const scale = unit === 'kB' ? 1e3 : 1e6;
  return Math.abs(ours / scale - n) < 1;
}

function tsharkNames(file: string): Set<string> {
  const out = execFileSync('tshark', ['-n', '-r', file, '-T', 'fields', '-E', 'separator=/t', '-e', 'tls.handshake.extensions_server_name', '-e', 'http.host', '-e', 'dns.qry.name'],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const names = new Set<string>();
  for (const line of out.split('\n')) for (const field of line.split('\t')) for (const n of field.split(',')) if (n.trim()) names.add(n.trim());
  return names;
}

function sandpiperRead(file: string): { flows: FlowRecord[]; stderr: string; status: number | null } {
  // The built bundle on the system Node (20): the engine runs on plain Node, not only the pinned 24.
  const r = spawnSync(SYSTEM_NODE, [ensureCliBundle(), 'read', '--json', file], { cwd: REPO_ROOT, encoding: 'utf8', maxBuffer: 1 << 28 });
  const lines = r.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as FlowRecord | { type: 'summary' });
  return { flows: lines.filter((l): l is FlowRecord => l.type === 'flow'), stderr: r.stderr, status: r.status };
}

/** RFC 5952 form of an IPv6 address (netns.ts may write leading zeros). */
function norm6(a: string): string {
  return new URL(`http://[${a}]/`).hostname.slice(1, -1);
}

interface Scenario {
  mtu?: number;
  ipv6: boolean;
  captureOn: 'veth' | 'any';
}

const longLabel = (c: string) => c.repeat(60);

async function scenario(s: Scenario): Promise<void> {
  // createNetnsPair({ mtu }) cannot go below IPv6's 1280 (it adds IPv6 addresses after setting the MTU), so a tiny
  // MTU is set here afterwards; the kernel then drops IPv6 on those links, which the IPv4-only scenario does not use.
  const pair = createNetnsPair();
  const dir = mkdtempSync(path.join(tmpdir(), 'sp-tshark-'));
  const stops: (() => Promise<void>)[] = [];
  try {
    if (s.mtu) {
      // veth hands GSO super-packets to its peer unsegmented, so the capture would show one big frame per write;
      // one segment per packet makes the capture hold what a real link of this MTU carries.
      for (const [ns, dev] of [[pair.a, pair.ifA], [pair.b, pair.ifB]]) {
        execFileSync('ip', ['-n', ns, 'link', 'set', dev, 'mtu', String(s.mtu), 'gso_max_segs', '1']);
      }
    }
    const { cert, key } = makeSelfSignedCert(dir);
    const file = path.join(dir, 'capture.pcap');
    const servers = await startTrafficServers(pair, pair.b, { cert, key, answer4: pair.ipB, answer6: pair.ip6B, ports: DEFAULT_PORTS });
    stops.push(() => servers.stop());
    const dump = await startTcpdump(pair, pair.a, s.captureOn === 'any' ? 'any' : pair.ifA, file, pair.ipB);
    stops.push(() => dump.stop());
    const plan: ClientPlan = {
      servers: s.ipv6 ? [pair.ipB, pair.ip6B] : [pair.ipB],
      ports: DEFAULT_PORTS,
      dnsUdpNames: ['alpha.sandpiper.test', 'beta.sandpiper.test'],
      dnsTcpNames: ['tcp-query.sandpiper.test'],
      tlsNames: ['one.sandpiper.test', 'two.sandpiper.test', `${longLabel('x')}.${longLabel('y')}.${longLabel('z')}.long.sandpiper.test`],
      alpn: ['h2', 'http/1.1', ...Array.from({ length: 12 }, (_, i) => `sandpiper-proto-${i}-padding`)],
      httpHosts: ['web.sandpiper.test', 'other-web.sandpiper.test'],
      ssh: true,
      udpDatagrams: 5,
    };
    runTrafficClient(pair, pair.a, plan);
    // The client waited for every connection to close; stopping tcpdump flushes its file.
    await dump.stop();

    if (process.env.SP_KEEP_CAPTURE) execFileSync('cp', [file, `${process.env.SP_KEEP_CAPTURE}.${s.captureOn}.pcap`]);
    const convs = tsharkConversations(file);
    const { flows, stderr, status } = sandpiperRead(file);
    assert.equal(status, 0, stderr);
    const ours = flows.filter((f) => f.proto === 'tcp' || f.proto === 'udp');
    const expected = plan.servers.length * (plan.dnsUdpNames.length + plan.dnsTcpNames.length + plan.tlsNames.length + plan.httpHosts.length + 2);
    assert.equal(convs.length, expected, `tshark saw ${convs.length} conversations in ${statSync(file).size} bytes`);
    assert.equal(ours.length, convs.length, 'one flow per tshark conversation');
    for (const c of convs) {
      const f = ours.find((x) => x.proto === c.proto && ((x.src === c.a && x.sport === c.aPort && x.dst === c.b && x.dport === c.bPort) ||
        (x.src === c.b && x.sport === c.bPort && x.dst === c.a && x.dport === c.aPort)));
      assert.ok(f, `no flow for ${c.proto} ${c.a}:${c.aPort} <-> ${c.b}:${c.bPort}`);
      const aIsSrc = f.src === c.a && f.sport === c.aPort;
      const [pAB, bAB, pBA, bBA] = aIsSrc ? [f.packets_fwd, f.bytes_fwd, f.packets_rev, f.bytes_rev] : [f.packets_rev, f.bytes_rev, f.packets_fwd, f.bytes_fwd];
      const where = `${c.proto} ${c.a}:${c.aPort} <-> ${c.b}:${c.bPort}`;
      assert.equal(pAB, c.framesAB, `${where}: frames A→B`);
      assert.equal(pBA, c.framesBA, `${where}: frames B→A`);
      assert.ok(sameBytes(bAB, c.bytesAB), `${where}: bytes A→B ${bAB} vs tshark ${c.bytesAB.join(' ')}`);
      assert.ok(sameBytes(bBA, c.bytesBA), `${where}: bytes B→A ${bBA} vs tshark ${c.bytesBA.join(' ')}`);
      if (f.proto === 'tcp') {
        assert.ok([pair.ipB, norm6(pair.ip6B)].includes(f.dst) && [pair.ipA, norm6(pair.ip6A)].includes(f.src), `${where}: the client (ns a) initiates`);
        // Both sides closed, but on a loaded machine the capture itself can miss a packet (tshark then misses it
        // too, so the counts above still agree): the client's FIN alone makes it `closing`.
        assert.ok(f.state === 'closed' || f.state === 'closing', `${where}: state ${f.state}`);
      }
    }

    if (s.mtu) {
      const splits = execFileSync('tshark', ['-n', '-r', file, '-Y', 'tls.handshake.type == 1 && tcp.reassembled.length', '-T', 'fields', '-e', 'frame.number'],
        { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
      assert.ok(splits.length > 0, 'at this MTU some ClientHello spans several segments');
    }

    // Every name tshark shows must be recovered (needs the DPI modules).
    const names = tsharkNames(file);
    for (const n of [...plan.tlsNames, ...plan.httpHosts, ...plan.dnsUdpNames, ...plan.dnsTcpNames]) assert.ok(names.has(n), `tshark did not see ${n}`);
    const recovered = new Set<string>();
    for (const f of flows) {
      if (f.host) recovered.add(f.host);
      for (const q of f.dns_queries) recovered.add(q);
    }
    const missing = [...names].filter((n) => !recovered.has(n));
    assert.deepEqual(missing, [], 'names tshark shows that sandpiper read --json does not');
    const tlsApps = flows.filter((f) => f.dport === DEFAULT_PORTS.tls).map((f) => f.app);
    assert.ok(tlsApps.length > 0 && tlsApps.every((a) => a === 'tls'), `TLS flows: ${tlsApps.join(',')}`);
    const sshApps = flows.filter((f) => f.dport === DEFAULT_PORTS.ssh).map((f) => f.app);
    assert.ok(sshApps.length > 0 && sshApps.every((a) => a === 'ssh'), `SSH flows: ${sshApps.join(',')}`);
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => {});
    pair.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

test('tiny MTU (576), IPv4, capture on the veth: per-direction counts equal tshark, split ClientHellos still give their SNI', { skip: skip ?? false }, () =>
  scenario({ mtu: 576, ipv6: false, captureOn: 'veth' }));

test('IPv4 and IPv6, capture on the any interface (Linux cooked): per-direction counts equal tshark, names recovered', { skip: skip ?? false }, () =>
  scenario({ ipv6: true, captureOn: 'any' }));
