/**
 * Cross-checks generated fixtures with tshark: writes Ethernet frames to a pcap in a private temp dir, runs tshark
 * (-n: no name resolution) and returns the requested fields per frame. `tsharkSkip` is the reason to skip when tshark
 * is not installed.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { eth, ipv4, pcap, udp, tcp, TCP } from '../capture-fixtures.ts';

export const tsharkSkip: string | false = spawnSync('tshark', ['--version'], { stdio: 'ignore' }).status === 0 ? false : 'tshark is not installed';

/** Runs tshark over the frames (Ethernet); one array of field values (occurrences joined by ',') per frame. */
export function tsharkFields(frames: number[][], fields: string[], extra: string[] = []): string[][] {
  const dir = mkdtempSync(path.join(tmpdir(), 'sandpiper-tshark-'));
  try {
    const file = path.join(dir, 'fixture.pcap');
    writeFileSync(file, pcap(frames.map((data, i) => ({ ts: 1_700_000_000 + i / 1000, data }))));
    const args = ['-n', '-r', file, ...extra, '-T', 'fields', '-E', 'separator=/t'];
    for (const f of fields) args.push('-e', f);
    const out = execFileSync('tshark', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return out.split('\n').filter((l) => l.length > 0).map((l) => l.split('\t'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The distinct non-empty values of one field over all frames. */
export function tsharkValues(frames: number[][], field: string, extra: string[] = []): string[] {
  const vals = new Set<string>();
  for (const row of tsharkFields(frames, [field], extra)) for (const v of (row[0] ?? '').split(',')) if (v) vals.add(v);
  return [...vals];
}

/** An Ethernet/IPv4/UDP frame from 10.0.0.1 to 10.0.0.2. */
export function udpFrame(sport: number, dport: number, payload: Uint8Array, reverse = false): number[] {
  const [a, b] = reverse ? ['10.0.0.2', '10.0.0.1'] : ['10.0.0.1', '10.0.0.2'];
  return eth(0x0800, ipv4(a, b, 17, udp(sport, dport, [...payload])));
}

/** Ethernet/IPv4/TCP frames of a connection 10.0.0.1:sport → 10.0.0.2:dport: handshake, then payloads in turn. */
export function tcpConversation(sport: number, dport: number, payloads: { fromClient: boolean; data: Uint8Array }[]): number[][] {
  let cseq = 1000, sseq = 5000;
  const c = (flags: number, data: number[] = []) => eth(0x0800, ipv4('10.0.0.1', '10.0.0.2', 6, tcpAck(sport, dport, flags, data, cseq, sseq)));
  const s = (flags: number, data: number[] = []) => eth(0x0800, ipv4('10.0.0.2', '10.0.0.1', 6, tcpAck(dport, sport, flags, data, sseq, cseq)));
  const frames = [c(TCP.SYN)];
  cseq++;
  frames.push(s(TCP.SYN | TCP.ACK));
  sseq++;
  frames.push(c(TCP.ACK));
  for (const p of payloads) {
    const d = [...p.data];
    if (p.fromClient) { frames.push(c(TCP.PSH | TCP.ACK, d)); cseq += d.length; }
    else { frames.push(s(TCP.PSH | TCP.ACK, d)); sseq += d.length; }
  }
  return frames;
}

/** A TCP segment with an acknowledgment number (capture-fixtures' tcp() leaves it 0, which tshark flags). */
function tcpAck(sport: number, dport: number, flags: number, payload: number[], seq: number, ack: number): number[] {
  const t = tcp(sport, dport, flags, payload, seq);
  t[8] = (ack >>> 24) & 255; t[9] = (ack >>> 16) & 255; t[10] = (ack >>> 8) & 255; t[11] = ack & 255;
  return t;
}
