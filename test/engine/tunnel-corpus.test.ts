/**
 * The innermost TCP/UDP conversations of the corpus captures that hold tunnels, against tshark's: per conversation
 * and direction, frames and bytes. tshark's per-frame innermost layers are read from `-T fields` (the last TCP/UDP
 * layer and the IP header right before it), since `-z conv,udp` also lists a UDP tunnel's outer conversation.
 * Frames inside ICMP errors are left out, as the engine counts those to the ICMP flow.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createEngine, CaptureFormatError } from '../../src/engine/index.ts';
import { CORPUS_DIR } from './cli-bundle.ts';

/** Corpus files whose frames tshark dissects through a tunnel (found with `tshark -T fields -e frame.protocols`). */
const TUNNEL_FILES: string[] = [
  'NHRP-responder-address.pcap',
  'NHRP_registration.pcap',
  'arista_ether.pcap',
  'bad-ipv4-version-pgm-heapoverflow.pcap',
  'bigtcp-ipv4-geneve-ipv4.pcap',
  'bigtcp-ipv4-geneve-ipv6.pcap',
  'bigtcp-ipv4-vxlan-ipv4.pcap',
  'bigtcp-ipv4-vxlan-ipv6.pcap',
  'bigtcp-ipv6-geneve-ipv4.pcap',
  'bigtcp-ipv6-geneve-ipv6.pcap',
  'bigtcp-ipv6-vxlan-ipv4.pcap',
  'bigtcp-ipv6-vxlan-ipv6.pcap',
  'erspan-type-i-1.pcap',
  'erspan-type-i-2.pcap',
  'erspan-type-i-3.pcap',
  'erspan-type-i-4.pcap',
  'erspan-type-ii-1.pcap',
  'erspan-type-ii-2.pcap',
  'erspan-type-ii-3.pcap',
  'erspan-type-iii-ft-0.pcap',
  'erspan-type-iii-ft-7.pcap',
  'erspan-type-iii-pb-1.pcap',
  'geneve-gcp.pcap',
  'geneve.pcap',
  'gre-heapoverflow-1.pcap',
  'gre-heapoverflow-2.pcap',
  'gso-ipv4-geneve-ipv4.pcap',
  'gso-ipv4-geneve-ipv6.pcap',
  'gso-ipv4-vxlan-ipv4.pcap',
  'gso-ipv4-vxlan-ipv6.pcap',
  'gso-ipv6-geneve-ipv4.pcap',
  'gso-ipv6-geneve-ipv6.pcap',
  'gso-ipv6-vxlan-ipv4.pcap',
  'gso-ipv6-vxlan-ipv6.pcap',
  'ios_nhrp.pcap',
  'isis-infinite-loop.pcap',
  'kday1.pcap',
  'kday3.pcap',
  'lspping-fec-ldp.pcap',
  'lspping-fec-rsvp.pcap',
  'mpls-label-heapoverflow.pcap',
  'mpls-ldp-hello.pcap',
  'mpls-over-udp.pcap',
  'mpls-traceroute.pcap',
  'nhrp-trace.pcap',
  'nhrp.pcapng',
  'nsh-over-vxlan-gpe.pcap',
  'ospf-gmpls.pcap',
  'pppoe.pcap',
  'pppoes.pcap',
  'pptp.pcap',
  'tok2str-oobr-2.pcap',
  'various_gre.pcap',
  'vxlan.pcap',
  'vxlan_port_8472.pcap',
  'wb-oobr.pcap',
  'wccp_redirect_gre.pcap',
];

/** Files where a flow tool and tshark are expected to differ, and why. */
const BIG_TCP = 'BIG TCP: an outer UDP datagram over 64 KiB has UDP length 0; tshark stops at the outer UDP, the engine decodes the tunnel within the IP length';
const EXCEPTIONS: Record<string, string> = {
  'bigtcp-ipv4-geneve-ipv4.pcap': BIG_TCP,
  'bigtcp-ipv4-geneve-ipv6.pcap': BIG_TCP,
  'bigtcp-ipv4-vxlan-ipv4.pcap': BIG_TCP,
  'bigtcp-ipv4-vxlan-ipv6.pcap': BIG_TCP,
  'bigtcp-ipv6-geneve-ipv4.pcap': BIG_TCP,
  'bigtcp-ipv6-geneve-ipv6.pcap': BIG_TCP,
  'bigtcp-ipv6-vxlan-ipv4.pcap': BIG_TCP,
  'bigtcp-ipv6-vxlan-ipv6.pcap': BIG_TCP,
};

const hasTshark = spawnSync('tshark', ['-v'], { stdio: 'ignore' }).status === 0;
const skip = !existsSync(CORPUS_DIR) ? `tcpdump corpus not found at ${CORPUS_DIR}` : !hasTshark ? 'tshark is not installed' : false;

/** Directed counts per conversation key "proto a|b" (a < b); `ab` is a → b. */
type Convs = Map<string, { a: string; ab: [number, number]; ba: [number, number] }>;

function add(m: Convs, proto: string, src: string, dst: string, len: number): void {
  const [a, b] = src < dst ? [src, dst] : [dst, src];
  const k = `${proto} ${a}|${b}`;
  let c = m.get(k);
  if (!c) {
    c = { a, ab: [0, 0], ba: [0, 0] };
    m.set(k, c);
  }
  const d = src === c.a ? c.ab : c.ba;
  d[0]++;
  d[1] += len;
}

const ep = (addr: string, port: number | string) => (addr.includes(':') ? `[${addr}]:${port}` : `${addr}:${port}`);

function tsharkInnermost(file: string): Convs {
  const fields = ['frame.len', 'frame.protocols', 'ip.src', 'ip.dst', 'ipv6.src', 'ipv6.dst', 'tcp.srcport', 'tcp.dstport', 'udp.srcport', 'udp.dstport'];
  const r = spawnSync('tshark', ['-n', '-r', file, '-T', 'fields', '-E', 'occurrence=a', '-E', 'aggregator=,', ...fields.flatMap((f) => ['-e', f])], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const m: Convs = new Map();
  for (const line of r.stdout.split('\n')) {
    if (!line) continue;
    const [len, protos, ipS, ipD, ip6S, ip6D, tS, tD, uS, uD] = line.split('\t');
    const layers = protos.split(':');
    let t = -1;
    for (let i = layers.length - 1; i >= 0; i--) {
      if (layers[i] === 'tcp' || layers[i] === 'udp') {
        t = i;
        break;
      }
    }
    if (t < 0) continue;
    if (layers.slice(0, t).some((l) => l === 'icmp' || l === 'icmpv6')) continue;
    // The innermost packet is not TCP/UDP (ICMP, ARP, ... in a UDP tunnel): no innermost TCP/UDP conversation.
    if (layers.slice(t).some((l) => l === 'ip' || l === 'ipv6' || l === 'arp' || l === 'eth')) continue;
    let n = -1;
    for (let i = t - 1; i >= 0; i--) {
      if (layers[i] === 'ip' || layers[i] === 'ipv6') {
        n = i;
        break;
      }
    }
    if (n < 0) continue;
    const nth = (name: string, upto: number) => layers.slice(0, upto + 1).filter((l) => l === name).length - 1;
    const v6 = layers[n] === 'ipv6';
    const ni = nth(layers[n], n);
    const ti = nth(layers[t], t);
    const src = (v6 ? ip6S : ipS).split(',')[ni];
    const dst = (v6 ? ip6D : ipD).split(',')[ni];
    const sp = (layers[t] === 'tcp' ? tS : uS).split(',')[ti];
    const dp = (layers[t] === 'tcp' ? tD : uD).split(',')[ti];
    if (src === undefined || dst === undefined || sp === undefined || dp === undefined) continue;
    add(m, layers[t], ep(src, sp), ep(dst, dp), Number(len));
  }
  return m;
}

function ours(file: string): Convs {
  const e = createEngine({ detail: false, retainEnded: true, dpi: false });
  try {
    e.push(new Uint8Array(readFileSync(file)));
    e.end();
  } catch (err) {
    if (!(err instanceof CaptureFormatError)) throw err;
  }
  const m: Convs = new Map();
  for (const f of e.flows()) {
    const r = e.toRecord(f);
    if (r.proto !== 'tcp' && r.proto !== 'udp') continue;
    const s = ep(r.src, r.sport);
    const d = ep(r.dst, r.dport);
    const [a] = s < d ? [s, d] : [d, s];
    const k = `${r.proto} ${a}|${s < d ? d : s}`;
    let c = m.get(k);
    if (!c) {
      c = { a, ab: [0, 0], ba: [0, 0] };
      m.set(k, c);
    }
    const fwd = s === a ? c.ab : c.ba;
    const rev = s === a ? c.ba : c.ab;
    fwd[0] += r.packets_fwd;
    fwd[1] += r.bytes_fwd;
    rev[0] += r.packets_rev;
    rev[1] += r.bytes_rev;
  }
  return m;
}

function diff(theirs: Convs, mine: Convs): string[] {
  const out: string[] = [];
  for (const [k, t] of theirs) {
    const o = mine.get(k);
    const show = (c: { ab: number[]; ba: number[] } | undefined) => (c ? `${c.ab[0]}/${c.ab[1]} ${c.ba[0]}/${c.ba[1]}` : 'missing');
    if (!o || o.ab[0] !== t.ab[0] || o.ab[1] !== t.ab[1] || o.ba[0] !== t.ba[0] || o.ba[1] !== t.ba[1]) out.push(`${k}: tshark ${show(t)}, ours ${show(o)}`);
  }
  for (const k of mine.keys()) if (!theirs.has(k)) out.push(`${k}: not in tshark`);
  return out;
}

test('innermost TCP/UDP conversations of the corpus files with tunnels equal tshark\'s, apart from documented exceptions', { skip }, () => {
  let convs = 0;
  let matched = 0;
  const unexpected: string[] = [];
  const excepted: string[] = [];
  for (const name of TUNNEL_FILES) {
    const file = `${CORPUS_DIR}/${name}`;
    if (!existsSync(file)) continue;
    const t = tsharkInnermost(file);
    const d = diff(t, ours(file));
    convs += t.size;
    matched += t.size - d.filter((x) => !x.endsWith('not in tshark')).length;
    if (d.length === 0) continue;
    if (EXCEPTIONS[name]) excepted.push(`${name} (${EXCEPTIONS[name]}): ${d.length} differences`);
    else unexpected.push(...d.map((x) => `${name}: ${x}`));
  }
  console.log(`tunnel corpus: ${TUNNEL_FILES.length} files, ${convs} innermost conversations in tshark, ${matched} equal`);
  for (const x of excepted) console.log(`  documented exception: ${x}`);
  assert.deepEqual(unexpected, []);
});
