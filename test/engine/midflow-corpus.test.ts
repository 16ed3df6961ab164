/**
 * TCP conversations of the corpus that start mid-stream (tshark sees no SYN in them) against tshark's: per
 * direction, frames and bytes, after matching endpoints (tshark orders a conversation's ends by its first frame,
 * the engine by the port rule); the flow's responder is the server the ports name, the first sender when they name
 * none; and its state is mid-flow or what a FIN/RST made of it. tshark's per-frame innermost IP/TCP layers are read
 * from `-T fields`; frames inside ICMP errors are left out, as the engine counts those to the ICMP flow.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { serverByPorts, SERVER_A, SERVER_B } from '../../src/engine/service-ports.ts';
import { CORPUS_DIR } from './cli-bundle.ts';
import { readWithoutDpi } from './tshark-corpus.ts';

/** Corpus files holding TCP conversations without a SYN (found with tshark: tcp.stream values with no tcp.flags.syn). */
const MIDFLOW_FILES: string[] = [
  'beep-oobr.pcap',
  'bgp-addpath.pcap',
  'bgp-aigp-2.pcap',
  'bgp-aigp-oobr.pcap',
  'bgp-aigp.pcap',
  'bgp-as-path-oobr.pcap',
  'bgp-cease-hard-reset.pcap',
  'bgp-encap.pcap',
  'bgp-enhanced-route-refresh-subtype.pcapng',
  'bgp-enhanced-route-refresh.pcapng',
  'bgp-evpn.pcap',
  'bgp-extended-msg.pcapng',
  'bgp-extended-optional-parameters-length.pcapng',
  'bgp-extended-shutdown-msg.pcapng',
  'bgp-infinite-loop.pcap',
  'bgp-large-community.pcap',
  'bgp-link-bw-extcommunity.pcapng',
  'bgp-malformed-hard-reset.pcap',
  'bgp-orf.pcapng',
  'bgp-ovs.pcapng',
  'bgp-role.pcapng',
  'bgp-rt-prefix.pcap',
  'bgp-shutdown-communication.pcapng',
  'bgp_mp_reach_nlri-oobr.pcap',
  'bgp_mvpn_6_and_7_oobr.pcap',
  'bgp_notification_rr_msg_error.pcap',
  'bgp_pmsi_tunnel-oobr.pcap',
  'bgp_vpn_attrset.pcap',
  'bgp_vpn_rt-oobr.pcap',
  'bgpsec_invalid_signature_block_length.pcap',
  'bigtcp-ipv4.pcap',
  'bigtcp-ipv6-hbh.pcap',
  'geneve-gcp.pcap',
  'gso-ipv4-geneve-ipv4.pcap',
  'gso-ipv4-geneve-ipv6.pcap',
  'gso-ipv4-vxlan-ipv4.pcap',
  'gso-ipv4-vxlan-ipv6.pcap',
  'gso-ipv4.pcap',
  'gso-ipv6-geneve-ipv4.pcap',
  'gso-ipv6-geneve-ipv6.pcap',
  'gso-ipv6-vxlan-ipv4.pcap',
  'gso-ipv6-vxlan-ipv6.pcap',
  'gso-ipv6.pcap',
  'heapoverflow-tcp_print.pcap',
  'hoobr_nfs_printfh.pcap',
  'ipv4_tcp_http_xml.pcap',
  'ipv4_tcp_http_xml_tso.pcap',
  'kday2.pcap',
  'kday3.pcap',
  'kday4.pcap',
  'kday5.pcap',
  'kday7.pcap',
  'kday8.pcap',
  'ldp-common-session.pcap',
  'lspping-fec-ldp.pcap',
  'mpbgp-linklocal-nexthop.pcap',
  'mptcp-aa-echo.pcap',
  'mptcp-tcprst.pcap',
  'nfs-seg-fault-1.pcapng',
  'nfs-write-verf-cookie.pcapng',
  'of10_7050q.pcapng',
  'of10_7050sx_bsn-oobr.pcap',
  'of10_inv_OFPST_FLOW.pcap',
  'of13_ericsson.pcapng',
  'resp_3_malicious.pcap',
  'resp_4_infiniteloop.pcapng',
  'rpki-rtr-oobr.pcap',
  'smb_data_print-oobr.pcapng',
  'smb_data_print-segv.pcap',
  'tcp-auth-heapoverflow.pcap',
  'tcp_header_heapoverflow.pcap',
  'tcp_rst_data-trunc.pcap',
  'tcp_rst_data.pcap',
  'tcp_rst_diag_payload-trunc.pcap',
  'tcp_rst_diag_payload.pcap',
  'telnet-iac-check-oobr.pcap',
  'tok2str-oobr-1.pcap',
  'unaligned-nfs-1.pcap',
  'wccp_redirect_gre.pcap',
  'zmtp1-inf-loop-1.pcapng',
];

/** Files where a flow tool and tshark are expected to differ, and why. */
const EXCEPTIONS: Record<string, string> = {
  'bgp-aigp.pcap': 'link type JUNIPER_ETHER (178) is not decoded: its packet is counted in undecoded_link_types',
  'tcp_header_heapoverflow.pcap': 'a crafted TCP header whose data offset (3 words) is below the minimum: the engine counts the packet undecoded, tshark still lists its conversation',
};

const hasTshark = spawnSync('tshark', ['-v'], { stdio: 'ignore' }).status === 0;
const skip = !existsSync(CORPUS_DIR) ? `tcpdump corpus not found at ${CORPUS_DIR}` : !hasTshark ? 'tshark is not installed' : false;

const ep = (addr: string, port: number | string) => (addr.includes(':') ? `[${addr}]:${port}` : `${addr}:${port}`);
const key = (a: string, b: string) => (a < b ? `${a}|${b}` : `${b}|${a}`);

interface Conv {
  /** The first frame's sender, and its receiver. */
  first: string;
  other: string;
  ports: [number, number];
  syn: boolean;
  /** [frames, bytes] sent by each end. */
  sent: Map<string, [number, number]>;
}

/** Layers that carry other packets as data (samples, controller messages), not as a tunnel the engine decodes. */
const CARRIES_PACKETS = new Set(['icmp', 'icmpv6', 'sflow']);

function tshark(file: string): Map<string, Conv> {
  const fields = ['frame.len', 'frame.protocols', 'ip.src', 'ip.dst', 'ipv6.src', 'ipv6.dst', 'tcp.srcport', 'tcp.dstport', 'tcp.flags.syn'];
  const r = spawnSync('tshark', ['-n', '-r', file, '-Y', 'tcp', '-T', 'fields', '-E', 'occurrence=a', '-E', 'aggregator=,', ...fields.flatMap((f) => ['-e', f])], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const m = new Map<string, Conv>();
  for (const line of r.stdout.split('\n')) {
    if (!line) continue;
    const [len, protos, ipS, ipD, ip6S, ip6D, tS, tD, synS] = line.split('\t');
    const layers = protos.split(':');
    // The first TCP header is the flow's: a packet inside a TCP payload (an OpenFlow packet-in) is data.
    const t = layers.indexOf('tcp');
    if (t < 0 || layers.slice(0, t).some((l) => CARRIES_PACKETS.has(l))) continue;
    let n = t - 1;
    while (n >= 0 && layers[n] !== 'ip' && layers[n] !== 'ipv6') n--;
    if (n < 0) continue;
    const v6 = layers[n] === 'ipv6';
    const nth = layers.slice(0, n + 1).filter((l) => l === layers[n]).length - 1;
    const sp = tS.split(',')[0];
    const dp = tD.split(',')[0];
    const src = ep((v6 ? ip6S : ipS).split(',')[nth], sp);
    const dst = ep((v6 ? ip6D : ipD).split(',')[nth], dp);
    const k = key(src, dst);
    let c = m.get(k);
    if (!c) {
      c = { first: src, other: dst, ports: [Number(sp), Number(dp)], syn: false, sent: new Map([[src, [0, 0]], [dst, [0, 0]]]) };
      m.set(k, c);
    }
    const syn = synS.split(',')[0];
    if (syn === '1' || syn === 'True') c.syn = true;
    const s = c.sent.get(src)!;
    s[0]++;
    s[1] += Number(len);
  }
  return m;
}

interface Ours {
  src: string;
  dst: string;
  states: string[];
  sent: Map<string, [number, number]>;
}

function engine(file: string): Map<string, Ours> {
  const e = readWithoutDpi(file);
  const m = new Map<string, Ours>();
  for (const f of e.flows()) {
    const r = e.toRecord(f);
    if (r.proto !== 'tcp') continue;
    const s = ep(r.src, r.sport);
    const d = ep(r.dst, r.dport);
    const k = key(s, d);
    let o = m.get(k);
    if (!o) {
      o = { src: s, dst: d, states: [], sent: new Map([[s, [0, 0]], [d, [0, 0]]]) };
      m.set(k, o);
    }
    o.states.push(r.state);
    const fw = o.sent.get(s)!;
    const rv = o.sent.get(d)!;
    fw[0] += r.packets_fwd;
    fw[1] += r.bytes_fwd;
    rv[0] += r.packets_rev;
    rv[1] += r.bytes_rev;
  }
  return m;
}

test('TCP conversations seen mid-stream in the corpus: tshark\'s counts per direction, the server by ports, state mid-flow', { skip }, () => {
  let files = 0, convs = 0, byPorts = 0;
  const bad: string[] = [];
  for (const name of MIDFLOW_FILES) {
    const file = `${CORPUS_DIR}/${name}`;
    if (!existsSync(file)) continue;
    if (EXCEPTIONS[name]) {
      console.log(`  documented exception: ${name} (${EXCEPTIONS[name]})`);
      continue;
    }
    files++;
    const mine = engine(file);
    for (const [k, c] of tshark(file)) {
      if (c.syn) continue;
      convs++;
      const o = mine.get(k);
      if (!o) {
        bad.push(`${name} ${k}: no flow`);
        continue;
      }
      const show = (m: Map<string, [number, number]>) => [c.first, c.other].map((e) => `${e} sent ${m.get(e)?.join('/')}`).join(', ');
      if (show(o.sent) !== show(c.sent)) bad.push(`${name} ${k}: tshark ${show(c.sent)}; ours ${show(o.sent)}`);
      const server = serverByPorts(c.ports[0], c.ports[1]);
      const want = server === SERVER_A ? c.first : server === SERVER_B ? c.other : c.other;
      if (server !== 0) byPorts++;
      if (o.dst !== want) bad.push(`${name} ${k}: responder ${o.dst}, want ${want}`);
      if (!['mid-flow', 'closing', 'closed', 'reset'].includes(o.states[0])) bad.push(`${name} ${k}: state ${o.states[0]}`);
    }
  }
  console.log(`mid-stream TCP: ${files} files, ${convs} conversations without a SYN in tshark, ${byPorts} with the server told by ports, ${bad.length} differences`);
  assert.ok(convs > 0);
  assert.deepEqual(bad, []);
});
