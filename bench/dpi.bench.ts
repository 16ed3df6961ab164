/**
 * DPI cost per call on generated inputs: each parser alone, and the per-flow dispatcher over the payload sequences
 * a flow of each kind shows it (created, fed until it says done). Reports µs per call (best of several rounds: the
 * machine is shared) and bytes allocated per call (used_heap_size + external_memory deltas over small batches,
 * batches where a GC ran are discarded). Writes bench/results/dpi.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import v8 from 'node:v8';
import { createFlowDpi, createNameCache } from '../src/engine/dpi/index.ts';
import type { NameCache, PayloadContext } from '../src/engine/dpi/types.ts';
import { addressNames, DnsScan, looksLikeDns, parseDnsMessage, scanDnsMessage } from '../src/engine/dpi/dns.ts';
import { parseHttpRequestHead } from '../src/engine/dpi/http-request.ts';
import { QuicInitialReader } from '../src/engine/dpi/quic-initial.ts';
import { parseSshBanner } from '../src/engine/dpi/ssh-banner.ts';
import { StreamPrefix } from '../src/engine/dpi/stream-prefix.ts';
import { parseClientHello, TlsClientHelloReader } from '../src/engine/dpi/tls-client-hello.ts';
import { ascii, clientHelloMessage, concat, cryptoFrame, dnsMessage, dnsName, hex, protectInitial, ptr, tlsRecords, u16be } from '../test/engine/dpi/builders.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ROUNDS = 7;
const CALLS = Number(process.env.SP_BENCH_DPI_CALLS ?? 20_000);
const A = 1, CNAME = 5, AAAA = 28;

// ---- inputs ------------------------------------------------------------------------------------------------------

const host = 'host1234.example3.test';
const dnsQuery = dnsMessage({ id: 7, questions: [{ name: dnsName(host), type: A }] });
const dnsResponse = dnsMessage({
  id: 7, response: true,
  questions: [{ name: dnsName(host), type: A }],
  answers: [
    { name: ptr(12), type: CNAME, rdata: dnsName('edge.cdn.example.net') },
    { name: dnsName('edge.cdn.example.net'), type: A, rdata: hex('c6336401') },
    { name: dnsName('edge.cdn.example.net'), type: AAAA, rdata: hex('20010db8000000010000000000000000') },
  ],
});
const hello = clientHelloMessage({ sni: host, alpn: ['h2', 'http/1.1'] });
const helloRecord = tlsRecords(hello);
// A Chrome-sized hello (post-quantum key share) spans two 1460-byte segments.
const bigHelloRecord = tlsRecords(clientHelloMessage({ sni: host, alpn: ['h2', 'http/1.1'], padding: 1700 }));
const httpGet = ascii(`GET /index.html HTTP/1.1\r\nHost: ${host}\r\nUser-Agent: bench/1.0\r\nAccept: */*\r\n\r\n`);
const sshClient = ascii('SSH-2.0-OpenSSH_9.6p1 Debian-4\r\n');
const sshServer = ascii('SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n');
const zeros200 = new Uint8Array(200);
const opaque200 = Uint8Array.from({ length: 200 }, (_, i) => (i * 131 + 17) & 255 | 0x80);
const dcid = hex('8394c8f03e515708');
const quicInitial = protectInitial({ dcid, frames: cryptoFrame(0, hello), pad: true });

// ---- measurement -------------------------------------------------------------------------------------------------

interface Result {
  name: string;
  /** Best round's mean time per call. */
  usPerCall: number;
  /** Median over GC-free batches of heap growth per call. */
  bytesPerCall: number;
}

function usPerCall(fn: () => void, calls: number): number {
  let best = Infinity;
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < calls; i++) fn();
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e3 / calls);
  }
  return best;
}

function bytesPerCall(fn: () => void): number {
  const batch = 200;
  const deltas: number[] = [];
  for (let b = 0; b < 60; b++) {
    // Typed-array storage lives outside the JS heap: count it too (external_memory).
    const h0 = v8.getHeapStatistics();
    for (let i = 0; i < batch; i++) fn();
    const h1 = v8.getHeapStatistics();
    const d = h1.used_heap_size - h0.used_heap_size + h1.external_memory - h0.external_memory;
    if (d >= 0) deltas.push(d / batch); // a negative delta means a GC ran inside the batch
  }
  deltas.sort((x, y) => x - y);
  return deltas.length ? deltas[deltas.length >> 1] : NaN;
}

const results: Result[] = [];
function measure(name: string, fn: () => void, calls = CALLS): void {
  for (let i = 0; i < 2000; i++) fn(); // warm up: optimised code, as in a long capture
  results.push({ name, usPerCall: usPerCall(fn, calls), bytesPerCall: bytesPerCall(fn) });
}

// ---- parsers -----------------------------------------------------------------------------------------------------

let sink: unknown = null;
measure('looksLikeDns(200 zero bytes)', () => { sink = looksLikeDns(zeros200, 0, 200); });
measure('parseDnsMessage(query)', () => { sink = parseDnsMessage(dnsQuery, 0, dnsQuery.length); });
measure('parseDnsMessage(response, CNAME+A+AAAA)', () => { sink = parseDnsMessage(dnsResponse, 0, dnsResponse.length); });
const scan = new DnsScan();
measure('scanDnsMessage(response) into reused storage', () => { sink = scanDnsMessage(dnsResponse, 0, dnsResponse.length, scan); });
const parsedResponse = parseDnsMessage(dnsResponse, 0, dnsResponse.length)!;
measure('addressNames(response)', () => { sink = addressNames(parsedResponse); });
measure('parseClientHello', () => { sink = parseClientHello(hello, 0, hello.length); });
measure('TlsClientHelloReader.update(one record)', () => { sink = new TlsClientHelloReader().update(helloRecord, 0, helloRecord.length); });
measure('parseHttpRequestHead(GET)', () => { sink = parseHttpRequestHead(httpGet, 0, httpGet.length); });
measure('parseSshBanner', () => { sink = parseSshBanner(sshClient, 0, sshClient.length); });
measure('StreamPrefix two segments', () => {
  const s = new StreamPrefix(16 * 1024 + 64);
  s.push(1000, bigHelloRecord, 0, 1460);
  s.push(2460, bigHelloRecord, 1460, bigHelloRecord.length - 1460);
  sink = s;
});
measure('QuicInitialReader.pushDatagram (decrypt)', () => { sink = new QuicInitialReader().pushDatagram(quicInitial, 0, quicInitial.length); }, 500);

// ---- dispatcher: one flow from creation to done ---------------------------------------------------------------------

const ctx: PayloadContext = { proto: 6, fromInitiator: true, srcPort: 40000, dstPort: 443, seq: 0, ts: 1000 };
function feed(names: NameCache, proto: 6 | 17, dstPort: number, packets: [boolean, Uint8Array, number, number][]): void {
  const d = createFlowDpi(names);
  ctx.proto = proto;
  ctx.dstPort = dstPort;
  let seqC = 1000, seqS = 9000;
  for (const [fromInitiator, buf, off, len] of packets) {
    ctx.fromInitiator = fromInitiator;
    ctx.seq = fromInitiator ? seqC : seqS;
    if (fromInitiator) seqC += len;
    else seqS += len;
    if (d.inspect(ctx, buf, off, len)) break;
  }
  sink = d;
}
const names = createNameCache();
const opaqueUdp: [boolean, Uint8Array, number, number][] = Array.from({ length: 23 }, (_, i) => [i % 2 === 0, opaque200, 0, 200]);
const opaqueTcp: [boolean, Uint8Array, number, number][] = Array.from({ length: 20 }, (_, i) => [i % 2 === 0, opaque200, 0, 200]);
measure('flow: TLS, ClientHello in one segment', () => feed(names, 6, 443, [[true, helloRecord, 0, helloRecord.length]]));
measure('flow: TLS, ClientHello over two segments', () => feed(names, 6, 443, [[true, bigHelloRecord, 0, 1460], [true, bigHelloRecord, 1460, bigHelloRecord.length - 1460]]));
measure('flow: HTTP GET', () => feed(names, 6, 80, [[true, httpGet, 0, httpGet.length]]));
measure('flow: SSH both banners', () => feed(names, 6, 22, [[false, sshServer, 0, sshServer.length], [true, sshClient, 0, sshClient.length]]));
measure('flow: DNS over UDP, query + response', () => feed(names, 17, 53, [[true, dnsQuery, 0, dnsQuery.length], [false, dnsResponse, 0, dnsResponse.length]]));
const framedQuery = concat(u16be(dnsQuery.length), dnsQuery), framedResponse = concat(u16be(dnsResponse.length), dnsResponse);
measure('flow: DNS over TCP, query + response', () => feed(names, 6, 53, [[true, framedQuery, 0, framedQuery.length], [false, framedResponse, 0, framedResponse.length]]));
measure('flow: opaque UDP, 23 datagrams of 200 B', () => feed(names, 17, 9000, opaqueUdp));
measure('flow: opaque TCP, 20 segments of 200 B', () => feed(names, 6, 9000, opaqueTcp));
const zeroUdp: [boolean, Uint8Array, number, number][] = Array.from({ length: 23 }, (_, i) => [i % 2 === 0, zeros200, 0, 200]);
measure('flow: all-zero UDP to port 53, 23 datagrams of 200 B', () => feed(names, 17, 53, zeroUdp));
void sink;

console.log(`machine: ${cpus().length} CPUs, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
console.log('case                                              µs/call   bytes/call');
for (const r of results) console.log(`${r.name.padEnd(48)} ${r.usPerCall.toFixed(3).padStart(9)} ${r.bytesPerCall.toFixed(0).padStart(12)}`);
mkdirSync(path.join(root, 'bench/results'), { recursive: true });
writeFileSync(path.join(root, 'bench/results/dpi.json'), JSON.stringify({
  date: new Date().toISOString(), node: process.version, machine: { cpus: cpus().length, loadavg: loadavg() }, calls: CALLS, rounds: ROUNDS, results,
}, null, 2) + '\n');
