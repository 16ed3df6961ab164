/**
 * The innermost TCP/UDP conversations of every file of the shared tcpdump corpus, against tshark's: per conversation
 * and direction, frames and bytes (frames on the wire). tshark's per-frame innermost layers are read from `-T fields`
 * (tshark-corpus.ts), since `-z conv,udp` also lists a UDP tunnel's outer conversation. An IP fragment is counted in
 * its datagram's conversation (tshark's "reassembled in"); frames inside ICMP errors are left out, as the engine
 * counts those to the ICMP flow. Prints totals.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { CORPUS_DIR } from './cli-bundle.ts';
import { readWithoutDpi, tsharkCorpus, tsharkCorpusSkip, type TsharkFrame } from './tshark-corpus.ts';

/** Files where a flow tool and tshark are expected to differ, and why. */
const BIG_TCP = 'BIG TCP: an outer UDP datagram over 64 KiB has UDP length 0; tshark stops at the outer UDP, the engine decodes the tunnel within the IP length';
const NOT_DECODED_LINK = 'is a link type the engine does not decode (counted in the summary\'s undecoded_link_types): no flow';
const EXCEPTIONS: Record<string, string> = {
  'bigtcp-ipv4-geneve-ipv4.pcap': BIG_TCP,
  'bigtcp-ipv4-geneve-ipv6.pcap': BIG_TCP,
  'bigtcp-ipv4-vxlan-ipv4.pcap': BIG_TCP,
  'bigtcp-ipv4-vxlan-ipv6.pcap': BIG_TCP,
  'bigtcp-ipv6-geneve-ipv4.pcap': BIG_TCP,
  'bigtcp-ipv6-geneve-ipv6.pcap': BIG_TCP,
  'bigtcp-ipv6-vxlan-ipv4.pcap': BIG_TCP,
  'bigtcp-ipv6-vxlan-ipv6.pcap': BIG_TCP,
  'bigtcp-ipv6.pcap': 'BIG TCP over IPv6 as Linux captures it (payload length 0, no Jumbo option): tshark shows a TCP layer without ports, the engine takes the captured bytes as the packet',
  'LINKTYPE_IPV4_invalid.pcap': 'tcpdump\'s test of a mismatch: the file declares raw IPv4 but holds an IPv6 packet; tshark goes by the version nibble, the engine counts the packet as undecoded rather than guess',
  'LINKTYPE_USER2_PKTAP.pcap': `Apple PKTAP under a user link type ${NOT_DECODED_LINK}`,
  'arcnet-rfc1051-arp-icmp-http.pcap': `ARCNET ${NOT_DECODED_LINK}`,
  'arcnet-rfc1201-arp-icmp-http.pcap': `ARCNET ${NOT_DECODED_LINK}`,
  'bgp-aigp.pcap': `JUNIPER_ETHER (178) ${NOT_DECODED_LINK}`,
  'tcp_header_heapoverflow.pcap': 'a crafted TCP header whose data offset (3 words) is below the minimum: the engine counts the packet undecoded, tshark still lists its conversation',
};

/** Directed counts per conversation key "proto a|b" (a < b); `ab` is a → b. */
type Convs = Map<string, { a: string; ab: [number, number]; ba: [number, number] }>;

function add(m: Convs, k: string, src: string, dst: string, frames: number, bytes: number): void {
  let c = m.get(k);
  if (!c) {
    c = { a: src < dst ? src : dst, ab: [0, 0], ba: [0, 0] };
    m.set(k, c);
  }
  const d = src === c.a ? c.ab : c.ba;
  d[0] += frames;
  d[1] += bytes;
}

const ep = (addr: string, port: number | string) => (addr.includes(':') ? `[${addr}]:${port}` : `${addr}:${port}`);
const convKey = (proto: string, s: string, d: string) => `${proto} ${s < d ? `${s}|${d}` : `${d}|${s}`}`;

/** Layers that carry other packets as data (ICMP errors, samples, PIM registers), not as a tunnel. */
const CARRIES_PACKETS = new Set(['icmp', 'icmpv6', 'sflow', 'pim']);
/** OpenFlow's packet-in/packet-out messages carry whole frames: the flow is the controller's TCP connection. */
const carriesPackets = (layer: string) => CARRIES_PACKETS.has(layer) || layer.startsWith('openflow');

/** The innermost TCP/UDP conversation of one tshark frame as [key, src, dst], or null (none, or inside an ICMP error). */
function innermost(f: TsharkFrame): [string, string, string] | null {
  const layers = (f['frame.protocols'][0] ?? '').split(':');
  const cut = layers.findIndex(carriesPackets);
  const upto = cut < 0 ? layers.length : cut;
  let t = -1;
  for (let i = upto - 1; i >= 0; i--) {
    if (layers[i] === 'tcp' || layers[i] === 'udp') {
      t = i;
      break;
    }
  }
  // A TCP/UDP header inside an ICMP error: the engine counts the frame to the ICMP flow.
  if (cut >= 0 && (layers[cut] === 'icmp' || layers[cut] === 'icmpv6') && layers.slice(cut).some((l) => l === 'tcp' || l === 'udp')) return null;
  if (t < 0) return null;
  // The innermost packet is not TCP/UDP (ICMP, ARP, ... in a UDP tunnel): no innermost TCP/UDP conversation.
  if (layers.slice(t, upto).some((l) => l === 'ip' || l === 'ipv6' || l === 'arp' || l === 'eth')) return null;
  let n = -1;
  for (let i = t - 1; i >= 0; i--) {
    if (layers[i] === 'ip' || layers[i] === 'ipv6') {
      n = i;
      break;
    }
  }
  if (n < 0) return null;
  const nth = (name: string, at: number) => layers.slice(0, at + 1).filter((l) => l === name).length - 1;
  const v6 = layers[n] === 'ipv6';
  const ni = nth(layers[n], n);
  const ti = nth(layers[t], t);
  const src = f[v6 ? 'ipv6.src' : 'ip.src'][ni];
  const dst = f[v6 ? 'ipv6.dst' : 'ip.dst'][ni];
  const sp = f[layers[t] === 'tcp' ? 'tcp.srcport' : 'udp.srcport'][ti];
  const dp = f[layers[t] === 'tcp' ? 'tcp.dstport' : 'udp.dstport'][ti];
  if (src === undefined || dst === undefined || sp === undefined || dp === undefined) return null;
  const s = ep(src, sp);
  const d = ep(dst, dp);
  return [convKey(layers[t], s, d), s, d];
}

/** Frames of IP fragments counted in their datagram's conversation, over the run. */
let fragmentFrames = 0;

function theirs(frames: TsharkFrame[]): Convs {
  const m: Convs = new Map();
  const byNumber = new Map<string, [string, string, string] | null>();
  const fragments: TsharkFrame[] = [];
  for (const f of frames) {
    const c = innermost(f);
    byNumber.set(f['frame.number'][0], c);
    const into = f['ip.reassembled_in'].at(-1) ?? f['ipv6.reassembled.in'].at(-1);
    if (c === null && into !== undefined && into !== f['frame.number'][0]) fragments.push(f);
    else if (c) add(m, c[0], c[1], c[2], 1, Number(f['frame.len'][0]));
  }
  for (const f of fragments) {
    const c = byNumber.get(f['ip.reassembled_in'].at(-1) ?? f['ipv6.reassembled.in'].at(-1) ?? '');
    if (c) {
      add(m, c[0], c[1], c[2], 1, Number(f['frame.len'][0]));
      fragmentFrames++;
    }
  }
  return m;
}

function ours(file: string): Convs {
  const e = readWithoutDpi(file);
  const m: Convs = new Map();
  for (const f of e.flows()) {
    const r = e.toRecord(f);
    if (r.proto !== 'tcp' && r.proto !== 'udp') continue;
    const s = ep(r.src, r.sport);
    const d = ep(r.dst, r.dport);
    const k = convKey(r.proto, s, d);
    add(m, k, s, d, r.packets_fwd, r.bytes_fwd);
    add(m, k, d, s, r.packets_rev, r.bytes_rev);
  }
  return m;
}

function diff(t: Convs, mine: Convs): string[] {
  const out: string[] = [];
  const show = (c: { ab: number[]; ba: number[] } | undefined) => (c ? `${c.ab[0]}/${c.ab[1]} ${c.ba[0]}/${c.ba[1]}` : 'missing');
  for (const [k, c] of t) {
    const o = mine.get(k);
    if (!o || o.ab[0] !== c.ab[0] || o.ab[1] !== c.ab[1] || o.ba[0] !== c.ba[0] || o.ba[1] !== c.ba[1]) out.push(`${k}: tshark ${show(c)}, ours ${show(o)}`);
  }
  for (const [k, o] of mine) if (!t.has(k)) out.push(`${k}: not in tshark (ours ${show(o)})`);
  return out;
}

test('innermost TCP/UDP conversations of every corpus file equal tshark\'s, apart from documented exceptions (totals printed)', { skip: tsharkCorpusSkip ?? false, timeout: 15 * 60_000 }, async () => {
  const files = await tsharkCorpus();
  assert.ok(files.length > 100, `expected the tcpdump corpus, found ${files.length} files`);
  let convs = 0, matched = 0, frames = 0;
  const unexpected: string[] = [];
  const excepted: string[] = [];
  const used = new Set<string>();
  for (const { name, frames: tf, timedOut } of files) {
    if (timedOut) {
      unexpected.push(`${name}: tshark did not finish`);
      continue;
    }
    const t = theirs(tf);
    const d = diff(t, ours(path.join(CORPUS_DIR, name)));
    convs += t.size;
    for (const c of t.values()) frames += c.ab[0] + c.ba[0];
    matched += t.size - d.filter((x) => !x.includes(': not in tshark')).length;
    if (d.length === 0) continue;
    if (EXCEPTIONS[name]) {
      used.add(name);
      excepted.push(`${name} (${EXCEPTIONS[name]}): ${d.length} differences`);
    } else unexpected.push(...d.map((x) => `${name}: ${x}`));
  }
  console.log(`corpus conversations: ${files.length} files, ${convs} innermost TCP/UDP conversations (${frames} frames) in tshark, ${fragmentFrames} of them IP fragments, ${matched} equal, ${excepted.length} files excepted`);
  for (const x of excepted) console.log(`  documented exception: ${x}`);
  if (unexpected.length > 0) console.log(`differences:\n  ${unexpected.join('\n  ')}`);
  assert.deepEqual(unexpected, []);
  // An exception that no longer applies is stale: remove it so the list stays the exact set of justified differences.
  assert.deepEqual(Object.keys(EXCEPTIONS).filter((k) => !used.has(k)), [], 'stale exceptions');
});
