/**
 * UDP and TCP app labels against tshark on the shared tcpdump corpus files that hold these protocols: every conversation we
 * label must be one where tshark dissects that protocol (a wrong label is worse than none). Prints labelled/missed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { CORPUS_DIR } from '../cli-bundle.ts';
import { inspectCapture } from './pcap-fixture.ts';
import { tsharkSkip } from './tshark-fixture.ts';

/** Our label → the protocol names tshark puts in frame.protocols. */
const TSHARK_NAME: Record<string, string[]> = { dhcp: ['dhcp'], dhcpv6: ['dhcpv6'], ntp: ['ntp'], snmp: ['snmp'], ssdp: ['ssdp'], stun: ['stun'], wireguard: ['wg'],
  syslog: ['syslog'], ike: ['isakmp'], radius: ['radius'], sip: ['sip'], kerberos: ['kerberos'], smb: ['smb', 'smb2'], mqtt: ['mqtt'], bittorrent: ['bittorrent'], netbios: ['nbns', 'nbdgm'],
  // tshark finds RTP only by its heuristics (off by default): an rtp flow is one whose STUN it dissects.
  ldap: ['ldap', 'cldap'], rdp: ['rdp'], openvpn: ['openvpn'], rtp: ['rtp', 'rtcp', 'stun'], ftp: ['ftp'], 'ftp-data': ['ftp-data'] };
/** The corpus files whose names say they hold these protocols, and those where tshark finds Kerberos, SMB or NetBIOS. */
const FILES = /dhcp|ntp|snmp|ssdp|stun|wireguard|syslog|upnp|isakmp|ike|radius|sip|smb|^afs\.|eapon1|^ipx\.|wccp|nbns|ldap|rdp|openvpn|rtp|ftp/i;

const skip = !existsSync(CORPUS_DIR) ? `tcpdump corpus not found at ${CORPUS_DIR}` : tsharkSkip;

test('UDP and TCP app labels agree with tshark on the corpus', { skip }, () => {
  let labelled = 0, missed = 0;
  const wrong: string[] = [];
  for (const name of readdirSync(CORPUS_DIR).filter((n) => FILES.test(n)).sort()) {
    const file = path.join(CORPUS_DIR, name);
    let out: string;
    try {
      out = execFileSync('tshark', ['-n', '-r', file, '-T', 'fields', '-E', 'separator=\t', '-e', 'frame.protocols', '-e', 'ip.src', '-e', 'ip.dst', '-e', 'ipv6.src', '-e', 'ipv6.dst', '-e', 'udp.srcport', '-e', 'udp.dstport', '-e', 'tcp.srcport', '-e', 'tcp.dstport'],
        { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 1 << 28 });
    } catch { continue; }
    const protos = new Map<string, Set<string>>();
    for (const line of out.split('\n')) {
      const [fp, s4, d4, s6, d6, usp, udp, tsp, tdp] = line.split('\t');
      const sp = usp || tsp, dp = udp || tdp;
      if (!sp) continue;
      const s = (s6 || s4).split(',').pop()!, d = (d6 || d4).split(',').pop()!;
      const sps = sp.split(',').pop()!, dps = dp.split(',').pop()!;
      const key = [`${s} ${sps}`, `${d} ${dps}`].sort().join('|');
      const set = protos.get(key) ?? new Set<string>();
      for (const p of fp.split(':')) set.add(p);
      protos.set(key, set);
    }
    const ours = new Map<string, string | null>();
    for (const f of inspectCapture(file)) {
      if (f.proto !== 17 && f.proto !== 6) continue;
      const key = [`${f.src} ${f.sport}`, `${f.dst} ${f.dport}`].sort().join('|');
      const app = f.facts.app;
      ours.set(key, app);
      if (app === null || !(app in TSHARK_NAME)) continue;
      labelled++;
      if (!TSHARK_NAME[app].some((t) => protos.get(key)?.has(t))) wrong.push(`${name}: ${key} labelled ${app}, tshark: ${[...(protos.get(key) ?? [])].join(':')}`);
    }
    // Conversations tshark dissects as one of these apps that we leave unlabelled (counted, not failed: none is wrong).
    for (const [key, set] of protos) {
      if (!ours.has(key) || ours.get(key) !== null) continue;
      if (Object.values(TSHARK_NAME).flat().some((t) => set.has(t))) { missed++; if (process.env.SHOW_MISSED) console.log(`missed ${name} ${key} ${[...set].join(":")}`); }
    }
  }
  console.log(`app labels: ${labelled} conversations labelled, ${wrong.length} disagree with tshark, ${missed} tshark dissects that we leave unlabelled`);
  assert.deepEqual(wrong, []);
});
