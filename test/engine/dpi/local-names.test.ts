// Names from the local-network name services: mDNS (many questions, the unicast-response bit, known answers),
// LLMNR and NetBIOS Name Service (first-level encoded names), checked against tshark on the same packets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createFlowDpi, createNameCache, dpiInternalErrors } from '../../../src/engine/dpi/index.ts';
import { readNetbiosName, scanNbnsMessage } from '../../../src/engine/dpi/nbns.ts';
import { ascii, concat, dnsName, hex, u16be } from './builders.ts';
import { tsharkFields, tsharkSkip, udpFrame } from './tshark-fixture.ts';

/** An mDNS query: each question with the unicast-response (QU) bit in its class; known answers as PTR records. */
function mdnsQuery(questions: string[], known: { owner: string; target: string }[]): Uint8Array {
  const header = concat(u16be(0), u16be(0), u16be(questions.length), u16be(known.length), u16be(0), u16be(0));
  const qs = questions.map((n) => concat(dnsName(n), u16be(12), u16be(0x8001)));
  const ans = known.map((k) => { const t = dnsName(k.target); return concat(dnsName(k.owner), u16be(12), u16be(1), hex('00001194'), u16be(t.length), t); });
  return concat(header, ...qs, ...ans);
}

/** The first-level encoding of a NetBIOS name (RFC 1001 §14.1): 15 characters space-padded, then the suffix. */
function netbiosName(name: string, suffix: number, scope: string[] = []): Uint8Array {
  const raw = [...name.padEnd(15, ' ')].map((c) => c.charCodeAt(0)).concat([suffix]);
  const enc = raw.flatMap((b) => [0x41 + (b >> 4), 0x41 + (b & 15)]);
  return concat(new Uint8Array([32, ...enc]), ...scope.map((l) => concat(new Uint8Array([l.length]), ascii(l))), new Uint8Array([0]));
}

function nbnsQuery(name: string, suffix: number, scope: string[] = [], type = 0x20): Uint8Array {
  return concat(hex('80010110'), u16be(1), u16be(0), u16be(0), u16be(0), netbiosName(name, suffix, scope), u16be(type), u16be(1));
}

function nbnsResponse(name: string, suffix: number): Uint8Array {
  return concat(hex('80018500'), u16be(0), u16be(1), u16be(0), u16be(0), netbiosName(name, suffix), u16be(0x20), u16be(1), hex('000493e0'), u16be(6), hex('0000c0a80105'));
}

function udpNames(sport: number, dport: number, payloads: Uint8Array[]): { names: string[]; app: string | null } {
  const dpi = createFlowDpi(createNameCache());
  payloads.forEach((p, i) => dpi.inspect({ proto: 17, fromInitiator: i % 2 === 0, srcPort: sport, dstPort: dport, seq: 0, ts: 0 }, p, 0, p.length));
  return { names: dpi.facts.dnsQueries, app: dpi.facts.app };
}

const MDNS_QUESTIONS = ['_googlecast._tcp.local', '_spotify-connect._tcp.local', '_airplay._tcp.local', '_raop._tcp.local', '_ipp._tcp.local', '_printer._tcp.local'];
const MDNS_KNOWN = [{ owner: '_googlecast._tcp.local', target: 'Living-Room-TV._googlecast._tcp.local' }, { owner: '_services._dns-sd._udp.local', target: '_ipp._tcp.local' }];

test('mDNS: a query of six questions with the QU bit, and its known answers, gives every name', () => {
  const q = mdnsQuery(MDNS_QUESTIONS, MDNS_KNOWN);
  const r = udpNames(5353, 5353, [q]);
  assert.equal(r.app, 'dns');
  assert.deepEqual(r.names, [...MDNS_QUESTIONS, '_services._dns-sd._udp.local']);
  // Off the mDNS port, six questions are not a plausible DNS query.
  assert.deepEqual(udpNames(40000, 53, [q]).names, []);
});

test('LLMNR (5355): query and response names', () => {
  const q = concat(hex('abcd00000001000000000000'), dnsName('fileserver'), u16be(1), u16be(1));
  const a = concat(hex('abcd80000001000100000000'), dnsName('fileserver'), u16be(1), u16be(1), dnsName('fileserver'), u16be(1), u16be(1), hex('0000001e'), u16be(4), hex('c0a80107'));
  const r = udpNames(50123, 5355, [q, a]);
  assert.equal(r.app, 'dns');
  assert.deepEqual(r.names, ['fileserver']);
});

test('NBNS: names decoded from the first-level encoding, with suffix and scope; registrations and responses too', () => {
  assert.deepEqual(udpNames(137, 137, [nbnsQuery('WORKGROUP', 0x1d), nbnsResponse('FILESRV', 0x20)]), { names: ['workgroup<1d>', 'filesrv<20>'], app: 'netbios' });
  assert.deepEqual(udpNames(50000, 137, [nbnsQuery('HOST-1', 0x00, ['corp', 'example'])]).names, ['host-1<00>.corp.example']);
  assert.deepEqual(udpNames(50000, 137, [nbnsQuery('*', 0x00, [], 0x21)]).names, ['*<00>']);
  assert.deepEqual(udpNames(137, 137, [nbnsQuery('\x01\x02__MSBROWSE__\x02', 0x01)]).names, ['<01><02>__msbrowse__<02><01>']);
  // Registration (opcode 5) carries the name in its question as well.
  const reg = nbnsQuery('PRINTER', 0x20);
  reg[2] = 0x29;
  assert.deepEqual(udpNames(137, 137, [reg]).names, ['printer<20>']);
});

test('NBNS fails closed (and is not taken for DNS on its port): letters out of A..P, a short label, a bad type, another port', () => {
  const bad = nbnsQuery('WORKGROUP', 0x1d);
  bad[13] = 0x5a; // 'Z'
  assert.deepEqual(udpNames(137, 137, [bad]).names, []);
  const short = nbnsQuery('X', 0);
  short[12] = 0x1f;
  assert.deepEqual(udpNames(137, 137, [short]).names, []);
  // Off port 137 it is not read as NBNS (the DNS reader may take it for a DNS query of an odd name: its own rule).
  assert.ok(!udpNames(40000, 4000, [nbnsQuery('WORKGROUP', 0x1d)]).names.some((n) => n.includes('<')));
  const type = nbnsQuery('WORKGROUP', 0x1d, [], 0x01);
  assert.deepEqual(udpNames(137, 137, [type]).names, []);
});

test('tshark reads the same NBNS, mDNS and LLMNR names', { skip: tsharkSkip }, () => {
  const nb = [nbnsQuery('WORKGROUP', 0x1d), nbnsQuery('HOST-1', 0x00, ['corp', 'example']), nbnsResponse('FILESRV', 0x20), nbnsQuery('\x01\x02__MSBROWSE__\x02', 0x01)];
  const frames = [
    ...nb.map((p) => udpFrame(137, 137, p)),
    udpFrame(5353, 5353, mdnsQuery(MDNS_QUESTIONS, [])),
    udpFrame(50123, 5355, concat(hex('abcd00000001000000000000'), dnsName('fileserver'), u16be(1), u16be(1))),
  ];
  const rows = tsharkFields(frames, ['nbns.name', 'dns.qry.name']);
  // tshark writes "WORKGROUP<1d>" as ours (then the scope after a dot), and a description of the suffix after a space.
  const theirs = rows.flatMap((r) => r.join(',').split(',')).filter(Boolean).map((n) => n.toLowerCase().replace(/ \(.*\)$/, ''));
  const ours = [
    ...udpNames(137, 137, nb).names,
    ...udpNames(5353, 5353, [mdnsQuery(MDNS_QUESTIONS, [])]).names,
    ...udpNames(50123, 5355, [new Uint8Array(frames[5].slice(42))]).names,
  ];
  assert.deepEqual([...new Set(ours)].sort(), [...new Set(theirs)].sort());
});

test('fuzz: NBNS decoding of mutated messages never throws and yields only A..P-decodable names', () => {
  const seeds = [nbnsQuery('WORKGROUP', 0x1d), nbnsQuery('HOST-1', 0, ['corp']), nbnsResponse('FILESRV', 0x20)];
  const errors = dpiInternalErrors();
  fc.assert(fc.property(fc.constantFrom(0, 1, 2), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }), fc.nat(), (i, edits, cut) => {
    const b = seeds[i].slice();
    for (const [k, v] of edits) b[k % b.length] = v;
    const data = b.subarray(0, 1 + (cut % b.length));
    const names: string[] = [];
    if (scanNbnsMessage(data, 0, data.length, names)) for (const n of names) assert.match(n, /^[\x21-\x7e ]+<[0-9a-f]{2}>(\.[\x21-\x7e]+)*$/);
    if (data.length > 12) readNetbiosName(data, 0, data.length, 12);
    udpNames(137, 137, [data]);
  }), { numRuns: 2000 });
  assert.equal(dpiInternalErrors(), errors);
});
