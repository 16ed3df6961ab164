// TLS after STARTTLS (SMTP, IMAP, POP3, FTP, XMPP, LDAP, PostgreSQL), inside RDP, behind PROXY v1/v2, and the targets
// of SOCKS4/4a/5 and HTTP CONNECT: conversations built by code, read by the engine and checked against tshark.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createEngine } from '../../../src/engine/index.ts';
import { FlowJsonWriter } from '../../../src/engine/flow-json.ts';
import { createFlowDpi, createNameCache, dpiInternalErrors } from '../../../src/engine/dpi/index.ts';
import { PRE_CONNECT, PRE_FTP, PRE_IMAP, PRE_LDAP, PRE_PG, PRE_POP3, PRE_PROXY, PRE_RDP, PRE_SMTP, PRE_SOCKS4, PRE_SOCKS5, PRE_XMPP, SCAN_END, SCAN_INVALID, SCAN_MORE, scanPreamble } from '../../../src/engine/dpi/tls-preamble.ts';
import { pcap } from '../capture-fixtures.ts';
import { ascii, clientHelloMessage, concat, hex, tlsRecords, u16be } from './builders.ts';
import { tcpConversation, tsharkSkip, tsharkValues } from './tshark-fixture.ts';

const hello = (sni: string) => tlsRecords(clientHelloMessage({ sni, alpn: ['http/1.1'] }));
const C = (s: string | Uint8Array) => ({ fromClient: true, data: typeof s === 'string' ? ascii(s) : s });
const S = (s: string | Uint8Array) => ({ fromClient: false, data: typeof s === 'string' ? ascii(s) : s });

const LDAP_STARTTLS = concat(hex('301d020101771880'), new Uint8Array([22]), ascii('1.3.6.1.4.1.1466.20037'));
const PROXY_V2_SIG = hex('0d0a0d0a000d0a515549540a');

interface Case {
  name: string;
  port: number;
  talk: { fromClient: boolean; data: Uint8Array }[];
  /** What the flow should show: SNI, HTTP Host, and its name (host). */
  sni: string | null;
  httpHost?: string | null;
  host: string | null;
  app: string | null;
}

const CASES: Case[] = [
  { name: 'SMTP', port: 25, sni: 'smtp.example', host: 'smtp.example', app: 'tls', talk: [
    S('220 mx.example ESMTP\r\n'), C('EHLO client.example\r\n'), S('250-mx.example\r\n250-PIPELINING\r\n250 STARTTLS\r\n'),
    C('STARTTLS\r\n'), S('220 2.0.0 Ready to start TLS\r\n'), C(hello('smtp.example'))] },
  { name: 'SMTP submission, refused once', port: 587, sni: 'submission.example', host: 'submission.example', app: 'tls', talk: [
    S('220 mx ESMTP\r\n'), C('EHLO c\r\n'), S('250 STARTTLS\r\n'), C('STARTTLS\r\n'), S('454 TLS not available now\r\n'),
    C('STARTTLS\r\n'), S('220 go ahead\r\n'), C(hello('submission.example'))] },
  { name: 'IMAP', port: 143, sni: 'imap.example', host: 'imap.example', app: 'tls', talk: [
    S('* OK IMAP4rev1 ready\r\n'), C('a1 CAPABILITY\r\n'), S('* CAPABILITY IMAP4rev1 STARTTLS\r\na1 OK done\r\n'),
    C('a2 STARTTLS\r\n'), S('a2 OK Begin TLS negotiation now\r\n'), C(hello('imap.example'))] },
  { name: 'POP3', port: 110, sni: 'pop.example', host: 'pop.example', app: 'tls', talk: [
    S('+OK POP3 ready\r\n'), C('CAPA\r\n'), S('+OK\r\nSTLS\r\n.\r\n'), C('STLS\r\n'), S('+OK Begin TLS\r\n'), C(hello('pop.example'))] },
  { name: 'FTP AUTH TLS', port: 21, sni: 'ftp.example', host: 'ftp.example', app: 'tls', talk: [
    S('220 FTP server ready\r\n'), C('AUTH TLS\r\n'), S('234 AUTH TLS successful\r\n'), C(hello('ftp.example'))] },
  { name: 'XMPP', port: 5222, sni: 'xmpp.example', host: 'xmpp.example', app: 'tls', talk: [
    C("<?xml version='1.0'?><stream:stream to='xmpp.example' xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>"),
    S("<?xml version='1.0'?><stream:stream from='xmpp.example' id='1' xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' version='1.0'><stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls></stream:features>"),
    C("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"), S("<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"), C(hello('xmpp.example'))] },
  { name: 'LDAP StartTLS', port: 389, sni: 'ldap.example', host: 'ldap.example', app: 'tls', talk: [
    C(LDAP_STARTTLS), S(hex('300c02010178070a010004000400')), C(hello('ldap.example'))] },
  { name: 'PostgreSQL SSLRequest', port: 5432, sni: 'pg.example', host: 'pg.example', app: 'tls', talk: [
    C(hex('0000000804d2162f')), S('S'), C(hello('pg.example'))] },
  { name: 'RDP after X.224', port: 3389, sni: 'rdp.example', host: 'rdp.example', app: 'rdp', talk: [
    C(hex('030000130ee000000000000100080003000000')), S(hex('030000130ed000001234000200080001000000')), C(hello('rdp.example'))] },
  { name: 'PROXY v1 then TLS', port: 443, sni: 'proxied.example', host: 'proxied.example', app: 'tls', talk: [
    C(concat(ascii('PROXY TCP4 192.0.2.1 192.0.2.2 51000 443\r\n'), hello('proxied.example')))] },
  { name: 'PROXY v2 then TLS, in two segments', port: 8443, sni: 'proxied2.example', host: 'proxied2.example', app: 'tls', talk: [
    C(concat(PROXY_V2_SIG, hex('2111000c'), hex('c0000201c0000202c7380050'))), C(hello('proxied2.example'))] },
  { name: 'PROXY v1 then HTTP', port: 80, sni: null, httpHost: 'behind-proxy.example', host: 'behind-proxy.example', app: 'http', talk: [
    C('PROXY TCP6 2001:db8::1 2001:db8::2 51000 80\r\nGET / HTTP/1.1\r\nHost: behind-proxy.example\r\n\r\n')] },
  { name: 'SOCKS5 domain, TLS inside', port: 1080, sni: 'tunnel5.example', host: 'tunnel5.example', app: 'tls', talk: [
    C(hex('050100')), S(hex('0500')), C(concat(hex('05010003'), new Uint8Array([14]), ascii('socks5.example'), u16be(443))),
    S(hex('050000010000000001bb')), C(hello('tunnel5.example'))] },
  { name: 'SOCKS5 with username/password, nothing readable inside', port: 1080, sni: null, host: 'target5.example', app: null, talk: [
    C(hex('05020002')), S(hex('0502')), C(concat(hex('0104'), ascii('user'), hex('04'), ascii('pass'))), S(hex('0100')),
    C(concat(hex('05010003'), new Uint8Array([15]), ascii('Target5.Example'), u16be(22))), S(hex('050000010000000001bb')), C(hex('00112233445566778899aabbccddeeff0011'))] },
  { name: 'SOCKS4a, HTTP inside', port: 1080, sni: null, httpHost: 'inner.example', host: 'inner.example', app: 'http', talk: [
    C(concat(hex('0401005000000001'), ascii('user'), hex('00'), ascii('socks4a.example'), hex('00'))), S(hex('005a000000000000')),
    C('GET / HTTP/1.1\r\nHost: inner.example\r\n\r\n')] },
  { name: 'SOCKS4 to an address', port: 1080, sni: null, host: '192.0.2.9', app: null, talk: [
    C(concat(hex('04010016c0000209'), hex('00'))), S(hex('005a000000000000')), C(hex('ffeeddccbbaa99887766554433221100ff'))] },
  { name: 'HTTP CONNECT, TLS inside', port: 3128, sni: 'inner-connect.example', httpHost: 'connect.example', host: 'inner-connect.example', app: 'tls', talk: [
    C('CONNECT connect.example:443 HTTP/1.1\r\nHost: connect.example:443\r\n\r\n'), S('HTTP/1.1 200 Connection established\r\n\r\n'),
    C(hello('inner-connect.example'))] },
  { name: 'HTTP CONNECT to an IPv6 literal, nothing after', port: 8080, sni: null, httpHost: '2001:db8::5', host: '2001:db8::5', app: 'http', talk: [
    C('CONNECT [2001:DB8::5]:443 HTTP/1.1\r\nHost: [2001:db8::5]:443\r\n\r\n'), S('HTTP/1.1 403 Forbidden\r\n\r\n')] },
  // Fail closed: no STARTTLS command before the binary bytes, or text protocols that never switch.
  { name: 'SMTP without STARTTLS', port: 25, sni: null, host: null, app: null, talk: [
    S('220 mx ESMTP\r\n'), C('EHLO c\r\n'), S('250 OK\r\n'), C('MAIL FROM:<a@b>\r\n'), S('250 OK\r\n'), C(hello('not-after-starttls.example'))] },
  { name: 'FTP in clear', port: 21, sni: null, host: null, app: null, talk: [
    S('220 FTP\r\n'), C('USER anonymous\r\n'), S('331 pass\r\n'), C('PASS x\r\n'), S('230 ok\r\n'), C('QUIT\r\n')] },
];

function conversationFrames(c: Case, i: number): number[][] {
  return tcpConversation(40000 + i, c.port, c.talk);
}

function engineRows(frames: number[][]) {
  const engine = createEngine({ detail: true, retainEnded: true });
  engine.push(pcap(frames.map((data, k) => ({ ts: 1_700_000_000 + k / 1000, data }))));
  engine.end();
  return [...engine.flows()].map((f) => engine.toRow(f, false));
}

test('each conversation: the name after STARTTLS, X.224, PROXY, SOCKS or CONNECT is recovered; none where none is due', () => {
  const errors = dpiInternalErrors();
  CASES.forEach((c, i) => {
    const rows = engineRows(conversationFrames(c, i));
    assert.equal(rows.length, 1, c.name);
    const r = rows[0];
    assert.equal(r.sni, c.sni, `${c.name}: sni`);
    if (c.httpHost !== undefined) assert.equal(r.http_host, c.httpHost, `${c.name}: http host`);
    assert.equal(r.host, c.host, `${c.name}: host`);
    assert.equal(r.app, c.app, `${c.name}: app`);
  });
  assert.equal(dpiInternalErrors(), errors);
});

test('read --json and capture --json (lines written from the table) name the flow as its record does', () => {
  CASES.forEach((c, i) => {
    const engine = createEngine({ detail: false });
    engine.push(pcap(conversationFrames(c, i).map((data, k) => ({ ts: 1_700_000_000 + k / 1000, data }))));
    engine.end();
    const [f] = [...engine.flows()];
    const viaRecord: Buffer[] = [];
    const direct: Buffer[] = [];
    const wr = new FlowJsonWriter((b) => viaRecord.push(b));
    const wd = new FlowJsonWriter((b) => direct.push(b));
    wr.flow(engine.toRecord(f));
    engine.writeFlowJson(f, wd);
    wr.flush();
    wd.flush();
    const line = Buffer.concat(direct).toString('utf8');
    assert.equal(line, Buffer.concat(viaRecord).toString('utf8'), c.name);
    assert.equal((JSON.parse(line) as { host: string | null }).host, c.host, c.name);
  });
});

test('the same, with every client payload split into three segments (1 byte, up to the middle, the rest)', () => {
  CASES.forEach((c, i) => {
    const talk: Case['talk'] = [];
    for (const t of c.talk) {
      if (!t.fromClient || t.data.length < 3) { talk.push(t); continue; }
      const half = t.data.length >> 1;
      for (const [a, b] of [[0, 1], [1, half], [half, t.data.length]]) talk.push({ fromClient: true, data: t.data.subarray(a, b) });
    }
    const rows = engineRows(tcpConversation(41000 + i, c.port, talk));
    assert.equal(rows[0].host, c.host, c.name);
  });
});

test('tshark finds the same SNI in these conversations', { skip: tsharkSkip }, () => {
  const frames = CASES.flatMap((c, i) => conversationFrames(c, i));
  // Ports tshark does not bind to these proxies by itself.
  const extra = ['-d', 'tcp.port==1080,socks', '-d', 'tcp.port==3128,http', '-d', 'tcp.port==8080,http'];
  const sni = new Set(tsharkValues(frames, 'tls.handshake.extensions_server_name', extra));
  // tshark 4.0 leaves the TLS after RDP's X.224 exchange as a TPKT continuation, so RDP is ours alone.
  const expectedSni = new Set(CASES.filter((c) => c.port !== 3389).map((c) => c.sni).filter((s): s is string => s !== null));
  // The ClientHello sent without STARTTLS is not TLS to tshark either.
  assert.ok(!sni.has('not-after-starttls.example'));
  const missing = [...expectedSni].filter((s) => !sni.has(s));
  assert.deepEqual(missing, [], 'SNI we recover that tshark does not');
  const ours = new Set(engineRows(frames).map((r) => r.sni).filter((s): s is string => s !== null));
  assert.deepEqual([...sni].filter((s) => !ours.has(s)), [], 'SNI tshark finds that we do not');
});

test('scanners: shapes off the protocol are invalid, short inputs ask for more', () => {
  assert.equal(scanPreamble(PRE_SMTP, ascii('EHLO x\r\nSTART'), 0, 13).status, SCAN_MORE);
  assert.equal(scanPreamble(PRE_SMTP, concat(ascii('EHLO x\r\n'), hex('00ff')), 0, 10).status, SCAN_INVALID);
  assert.equal(scanPreamble(PRE_IMAP, ascii(' STARTTLS\r\n\x16'), 0, 12).status, SCAN_INVALID, 'no tag');
  assert.equal(scanPreamble(PRE_LDAP, concat(hex('301d020101771880'), new Uint8Array([22]), ascii('1.3.6.1.4.1.1466.20038')), 0, 31).status, SCAN_INVALID);
  assert.equal(scanPreamble(PRE_RDP, hex('030000130ed000001234000200080001000000'), 0, 19).status, SCAN_INVALID, 'a Connection Confirm is not a request');
  assert.equal(scanPreamble(PRE_SOCKS5, concat(hex('05010005010003'), new Uint8Array([5]), ascii('a b.c'), u16be(1)), 0, 15).status, SCAN_INVALID);
  assert.equal(scanPreamble(PRE_SOCKS5, hex('050100050200010a000001'), 0, 11).status, SCAN_INVALID, 'BIND is not CONNECT');
  assert.equal(scanPreamble(PRE_SOCKS4, concat(hex('0401005000000001'), ascii('u'), hex('00'), ascii('bad host'), hex('00')), 0, 19).status, SCAN_INVALID);
  assert.equal(scanPreamble(PRE_CONNECT, ascii('CONNECT noport HTTP/1.1\r\n\r\n'), 0, 27).status, SCAN_INVALID);
  assert.equal(scanPreamble(PRE_PROXY, ascii('PROXY TCP4 1.2.3.4 5.6.7.8 1 2\n'), 0, 31).status, SCAN_INVALID, 'v1 ends with CRLF');
  assert.equal(scanPreamble(PRE_PROXY, concat(PROXY_V2_SIG, hex('3111000c')), 0, 16).status, SCAN_INVALID, 'v2 version nibble');
  const xml = ascii("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
  assert.equal(scanPreamble(PRE_XMPP, concat(xml, ascii('<x/>')), 0, xml.length + 4).status, SCAN_INVALID);
  assert.deepEqual({ ...scanPreamble(PRE_XMPP, concat(xml, hex('160301')), 0, xml.length + 3) }, { status: SCAN_END, end: xml.length, target: null });
  assert.equal(scanPreamble(PRE_PG, hex('0000000804d2162f'), 0, 8).status, SCAN_END);
  assert.equal(scanPreamble(PRE_POP3, ascii('STLS\r\n\x16'), 0, 7).status, SCAN_END);
  assert.equal(scanPreamble(PRE_FTP, ascii('AUTH SSL\r\n\x16'), 0, 11).status, SCAN_END);
});

test('fuzz: mutated preamble conversations never throw and never name a flow with bytes that are not in it', () => {
  const seeds = CASES.map((c) => concat(...c.talk.filter((t) => t.fromClient).map((t) => t.data)));
  const kinds = [PRE_SMTP, PRE_IMAP, PRE_POP3, PRE_FTP, PRE_XMPP, PRE_LDAP, PRE_PG, PRE_RDP, PRE_PROXY, PRE_SOCKS4, PRE_SOCKS5, PRE_CONNECT];
  const errors = dpiInternalErrors();
  fc.assert(fc.property(
    fc.constantFrom(...seeds.map((_, i) => i)),
    fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
    fc.nat(), fc.integer({ min: 1, max: 300 }),
    (i, edits, cut, seg) => {
      const b = seeds[i].slice();
      for (const [k, v] of edits) b[k % b.length] = v;
      const data = b.subarray(0, 1 + (cut % b.length));
      for (const kind of kinds) {
        const r = scanPreamble(kind, data, 0, data.length);
        assert.ok(r.end >= 0 && r.end <= data.length);
      }
      const dpi = createFlowDpi(createNameCache());
      const port = CASES[i].port;
      let seq = 1000;
      for (let o = 0; o < data.length; o += seg) {
        const n = Math.min(seg, data.length - o);
        if (dpi.inspect({ proto: 6, fromInitiator: true, srcPort: 40000, dstPort: port, seq, ts: 0 }, data, o, n)) break;
        seq += n;
      }
      const text = Buffer.from(data).toString('latin1').toLowerCase();
      // (The HTTP parser's Host shows other bytes as '?': not a preamble's doing, so only these two are checked.)
      for (const name of [dpi.facts.sni, dpi.facts.proxyTarget]) {
        if (name !== null && !/^[0-9.:a-f]+$/.test(name)) assert.ok(text.includes(name), `${name} is not in the bytes`);
      }
      dpi.close();
    }), { numRuns: 1500 });
  assert.equal(dpiInternalErrors(), errors);
});
