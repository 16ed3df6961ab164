// DPI over real captures from tcpdump's test suite (../shared/pcaps/tcpdump); expectations checked against tshark.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { createNameCache, dpiInternalErrors } from '../../../src/engine/dpi/index.ts';
import { parseDnsMessage } from '../../../src/engine/dpi/dns.ts';
import { parseHttpRequestHead } from '../../../src/engine/dpi/http-request.ts';
import { QuicInitialReader } from '../../../src/engine/dpi/quic-initial.ts';
import { parseSshBanner } from '../../../src/engine/dpi/ssh-banner.ts';
import { parseClientHello, TlsClientHelloReader } from '../../../src/engine/dpi/tls-client-hello.ts';
import { inspectCapture, pcapPackets, PCAP_DIR, skipNoPcaps, type FlowResult } from './pcap-fixture.ts';

function only(flows: FlowResult[], app: string): FlowResult {
  const f = flows.filter((x) => x.facts.app === app);
  assert.equal(f.length, 1, `exactly one ${app} flow`);
  return f[0];
}

test('dns_udp.pcap and dns_udp_8053.pcap: query, answers, name cache', { skip: skipNoPcaps }, () => {
  for (const [file, answers] of [
    ['dns_udp.pcap', ['192.139.46.66', '198.199.88.104']],
    ['dns_udp_8053.pcap', ['192.139.46.66']],
  ] as const) {
    const names = createNameCache();
    const f = only(inspectCapture(path.join(PCAP_DIR, file), names), 'dns');
    assert.deepEqual(f.facts.dnsQueries, ['www.tcpdump.org']);
    assert.deepEqual(f.facts.dnsAnswers, answers);
    assert.equal(f.facts.dnsRcode, 0);
    for (const a of answers) assert.equal(names.lookup(a), 'www.tcpdump.org');
  }
});

test('dns_tcp.pcap and dns_tcp_8053.pcap: DNS over TCP with length prefixes', { skip: skipNoPcaps }, () => {
  for (const file of ['dns_tcp.pcap', 'dns_tcp_8053.pcap']) {
    const names = createNameCache();
    const f = only(inspectCapture(path.join(PCAP_DIR, file), names), 'dns');
    assert.equal(f.proto, 6);
    assert.deepEqual(f.facts.dnsQueries, ['www.tcpdump.org']);
    assert.equal(names.lookup('192.139.46.66'), 'www.tcpdump.org');
  }
});

test('dnssec.pcap and edns-opts.pcap: every DNS flow is recognised with its query', { skip: skipNoPcaps }, () => {
  const a = inspectCapture(path.join(PCAP_DIR, 'dnssec.pcap')).filter((f) => f.proto === 17);
  assert.equal(a.length, 3);
  for (const f of a) assert.deepEqual(f.facts.dnsQueries, ['monadic.cynic.net']);
  const b = inspectCapture(path.join(PCAP_DIR, 'edns-opts.pcap')).filter((f) => f.facts.app === 'dns');
  assert.ok(b.length >= 1);
  assert.ok(b.every((f) => f.facts.dnsQueries.includes('example.com')));
});

test('ssh.pcap: both identification strings, client and server the right way round', { skip: skipNoPcaps }, () => {
  const f = only(inspectCapture(path.join(PCAP_DIR, 'ssh.pcap')), 'ssh');
  assert.equal(f.dport, 22);
  assert.equal(f.facts.sshClient, 'SSH-2.0-OpenSSH_7.8');
  assert.equal(f.facts.sshServer, 'SSH-2.0-OpenSSH_7.4p1 Debian-10+deb9u3');
});

test('quic_handshake/retry/vn.pcap: SNI localhost and ALPN h3 from the client Initial', { skip: skipNoPcaps }, () => {
  for (const file of ['quic_handshake.pcap', 'quic_retry.pcap', 'quic_vn.pcap']) {
    const f = only(inspectCapture(path.join(PCAP_DIR, file)), 'quic');
    assert.equal(f.facts.sni, 'localhost', file);
    assert.deepEqual(f.facts.alpn, ['h3'], file);
  }
  const t = only(inspectCapture(path.join(PCAP_DIR, 'quic_handshake_truncated.pcap')), 'quic');
  assert.equal(t.facts.sni, null, 'a truncated Initial gives no SNI and no error');
});

test('ipv4_tcp_http_xml.pcap: an HTTP response alone labels the flow http', { skip: skipNoPcaps }, () => {
  const f = only(inspectCapture(path.join(PCAP_DIR, 'ipv4_tcp_http_xml.pcap')), 'http');
  assert.equal(f.facts.httpHost, null);
});

test('every capture in the directory goes through the DPI and each parser without an exception', { skip: skipNoPcaps }, () => {
  let files = 0, flows = 0, payloads = 0;
  for (const name of readdirSync(PCAP_DIR)) {
    if (!/\.(pcap|cap|dmp)$/i.test(name)) continue;
    files++;
    const file = path.join(PCAP_DIR, name);
    flows += inspectCapture(file).length;
    // The parsers themselves have no safety net: feed them every payload directly, at a few offsets.
    for (const p of pcapPackets(file)) {
      payloads++;
      for (const skip of [0, 2, 5]) {
        if (p.len <= skip) continue;
        const o = p.off + skip, n = p.len - skip;
        parseDnsMessage(p.buf, o, n);
        parseClientHello(p.buf, o, n);
        parseHttpRequestHead(p.buf, o, n);
        parseSshBanner(p.buf, o, n);
      }
      const copy = p.buf.slice(p.off, p.off + p.len);
      new TlsClientHelloReader().update(copy, 0, copy.length);
      new QuicInitialReader().pushDatagram(p.buf, p.off, p.len);
    }
  }
  assert.ok(files > 500, `${files} captures`);
  assert.ok(flows > 300, `${flows} flows`);
  assert.ok(payloads > 2000, `${payloads} payloads`);
  assert.equal(dpiInternalErrors(), 0);
});
