import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addressNames, looksLikeDns, parseDnsMessage, readName } from '../../../src/engine/dpi/dns.ts';
import { concat, dnsMessage, dnsName, hex, ptr, u16be } from './builders.ts';

const A = 1, CNAME = 5, AAAA = 28;

test('a query yields its question name', () => {
  const m = dnsMessage({ questions: [{ name: dnsName('www.example.com'), type: A }] });
  assert.ok(looksLikeDns(m, 0, m.length));
  const msg = parseDnsMessage(m, 0, m.length)!;
  assert.equal(msg.isResponse, false);
  assert.deepEqual(msg.questions, [{ name: 'www.example.com', type: A }]);
  assert.equal(msg.complete, true);
});

test('a response with compression pointers, CNAME chain, A and AAAA', () => {
  // Question name at offset 12; answers point back to it and to each other.
  const m = dnsMessage({
    response: true,
    questions: [{ name: dnsName('www.example.com'), type: A }],
    answers: [
      { name: ptr(12), type: CNAME, rdata: concat(dnsName('edge').subarray(0, 5), ptr(16)) }, // edge.example.com
      { name: concat(dnsName('edge').subarray(0, 5), ptr(16)), type: CNAME, rdata: dnsName('cdn.net') },
      { name: dnsName('cdn.net'), type: A, rdata: hex('5db8d822') },
      { name: dnsName('cdn.net'), type: AAAA, rdata: hex('20010db8000000000000000000000001') },
    ],
  });
  const msg = parseDnsMessage(m, 0, m.length)!;
  assert.equal(msg.isResponse, true);
  assert.equal(msg.rcode, 0);
  assert.deepEqual(msg.answers.map((a) => a.data), ['edge.example.com', 'cdn.net', '93.184.216.34', '2001:db8::1']);
  assert.deepEqual(addressNames(msg), [
    { address: '93.184.216.34', name: 'www.example.com' },
    { address: '2001:db8::1', name: 'www.example.com' },
  ]);
  assert.equal(msg.complete, true);
});

test('rcode is reported (NXDOMAIN)', () => {
  const m = dnsMessage({ response: true, rcode: 3, questions: [{ name: dnsName('nope.example'), type: A }] });
  assert.equal(parseDnsMessage(m, 0, m.length)!.rcode, 3);
});

test('a message embedded at an offset in a larger buffer', () => {
  const m = dnsMessage({ questions: [{ name: dnsName('a.b'), type: A }], answers: [{ name: ptr(12), type: A, rdata: hex('01020304') }], response: true });
  const big = concat(new Uint8Array(33).fill(0xee), m, new Uint8Array(9).fill(0xee));
  const msg = parseDnsMessage(big, 33, m.length)!;
  assert.deepEqual(addressNames(msg), [{ address: '1.2.3.4', name: 'a.b' }]);
});

test('a pointer loop ends in null, not a hang', () => {
  // Question name is a pointer to itself.
  const m = concat(hex('123401000001000000000000'), ptr(12), u16be(1), u16be(1));
  assert.equal(readName(m, 0, m.length, 12), null);
  assert.equal(parseDnsMessage(m, 0, m.length), null);
  // Two pointers pointing at each other.
  const m2 = concat(hex('123401000001000000000000'), ptr(14), ptr(12), u16be(1), u16be(1));
  assert.equal(parseDnsMessage(m2, 0, m2.length), null);
});

test('a pointer outside the message, an overlong name, a truncated label are rejected', () => {
  const out = concat(hex('123401000001000000000000'), ptr(500), u16be(1), u16be(1));
  assert.equal(parseDnsMessage(out, 0, out.length), null);
  const labels: Uint8Array[] = [];
  for (let i = 0; i < 9; i++) labels.push(new Uint8Array([30]), new Uint8Array(30).fill(0x61));
  const long = concat(hex('123401000001000000000000'), ...labels, new Uint8Array([0]), u16be(1), u16be(1));
  assert.equal(parseDnsMessage(long, 0, long.length), null);
  const trunc = concat(hex('123401000001000000000000'), new Uint8Array([20]), hex('6162'));
  assert.equal(parseDnsMessage(trunc, 0, trunc.length), null);
});

test('answers that run past the end are dropped, the questions kept', () => {
  const m = dnsMessage({ response: true, questions: [{ name: dnsName('x.y'), type: A }], answers: [{ name: ptr(12), type: A, rdata: hex('01020304') }] });
  const cut = m.subarray(0, m.length - 2);
  const msg = parseDnsMessage(cut, 0, cut.length)!;
  assert.deepEqual(msg.questions.map((q) => q.name), ['x.y']);
  assert.deepEqual(msg.answers, []);
  assert.equal(msg.complete, false);
});

test('odd label bytes are escaped; the root name is "."', () => {
  const m = dnsMessage({ questions: [{ name: concat(new Uint8Array([3, 0x61, 0x2e, 0x01]), new Uint8Array([0])), type: A }, { name: dnsName('.'), type: 2 }] });
  const msg = parseDnsMessage(m, 0, m.length)!;
  assert.deepEqual(msg.questions.map((q) => q.name), ['a\\.\\001', '.']);
});

test('non-DNS payloads are rejected cheaply', () => {
  assert.equal(looksLikeDns(new Uint8Array(8), 0, 8), false);
  const tls = hex('160301020001000200030303aabbccddeeff');
  assert.equal(looksLikeDns(tls, 0, tls.length), false);
  const zeros = new Uint8Array(40);
  assert.equal(looksLikeDns(zeros, 0, zeros.length), false);
});

test('an mDNS response without questions is accepted', () => {
  const m = dnsMessage({ response: true, answers: [{ name: dnsName('printer.local'), type: A, rdata: hex('c0a80105') }] });
  assert.ok(looksLikeDns(m, 0, m.length));
  assert.deepEqual(addressNames(parseDnsMessage(m, 0, m.length)!), [{ address: '192.168.1.5', name: 'printer.local' }]);
});

test('CNAME cycles in answers terminate', () => {
  const m = dnsMessage({
    response: true,
    questions: [{ name: dnsName('a.x'), type: A }],
    answers: [
      { name: dnsName('b.x'), type: CNAME, rdata: dnsName('c.x') },
      { name: dnsName('c.x'), type: CNAME, rdata: dnsName('b.x') },
      { name: dnsName('c.x'), type: A, rdata: hex('0a000001') },
    ],
  });
  const r = addressNames(parseDnsMessage(m, 0, m.length)!);
  assert.equal(r.length, 1);
  assert.equal(r[0].address, '10.0.0.1');
});

test('header plausibility: a query asks 1..4 questions and carries no rcode; a response rcode is an assigned one', () => {
  const q = dnsMessage({ questions: [{ name: dnsName('a.example'), type: A }] });
  assert.ok(looksLikeDns(q, 0, q.length));
  const withRcode = q.slice();
  withRcode[3] |= 0x05;
  assert.equal(looksLikeDns(withRcode, 0, withRcode.length), false, 'a query with an rcode');
  const five = dnsMessage({ questions: Array.from({ length: 5 }, () => ({ name: dnsName('a.example'), type: A })) });
  assert.equal(looksLikeDns(five, 0, five.length), false, 'five questions');
  const r = dnsMessage({ response: true, rcode: 12, questions: [{ name: dnsName('a.example'), type: A }] });
  assert.equal(looksLikeDns(r, 0, r.length), false, 'unassigned rcode 12');
  const empty = dnsMessage({ response: true });
  assert.equal(looksLikeDns(empty, 0, empty.length), false, 'a response that neither asks nor answers');
});

test('names come out lower-cased, and a pointer to a decoded name gives the same text', () => {
  const m = dnsMessage({
    response: true,
    questions: [{ name: dnsName('WWW.Example.COM'), type: A }],
    answers: [{ name: ptr(12), type: A, rdata: hex('0a000001') }, { name: ptr(12), type: AAAA, rdata: hex('20010db8000000000000000000000001') }],
  });
  const msg = parseDnsMessage(m, 0, m.length)!;
  assert.deepEqual(msg.questions.map((q) => q.name), ['www.example.com']);
  assert.deepEqual(msg.answers.map((a) => [a.name, a.data]), [['www.example.com', '10.0.0.1'], ['www.example.com', '2001:db8::1']]);
  assert.equal(readName(m, 0, m.length, 12), 'www.example.com');
});

test('authority and additional records are skipped over without being decoded, and still bound completeness', () => {
  const m = dnsMessage({
    response: true,
    questions: [{ name: dnsName('a.example'), type: A }],
    answers: [{ name: ptr(12), type: A, rdata: hex('01020304') }],
    additional: [{ name: dnsName('ns1.example'), type: A, rdata: hex('05060708') }],
  });
  const msg = parseDnsMessage(m, 0, m.length)!;
  assert.equal(msg.complete, true);
  assert.deepEqual(msg.answers.map((a) => a.data), ['1.2.3.4'], 'additional A records are not answers');
  const broken = concat(m.subarray(0, m.length - 16), new Uint8Array([0xc0, 0xff]), m.subarray(m.length - 14));
  assert.equal(parseDnsMessage(broken, 0, broken.length)!.complete, false, 'a bad pointer in the additional section');
});
