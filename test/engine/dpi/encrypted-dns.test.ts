import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createFlowDpi, createNameCache } from '../../../src/engine/dpi/index.ts';
import { clientHelloMessage, cryptoFrame, hex, protectInitial, tlsRecords } from './builders.ts';

function tlsApp(sni: string, alpn: string[] | undefined, serverPort: number, clientIsInitiator = true): string | null {
  const dpi = createFlowDpi(createNameCache());
  const hello = tlsRecords(clientHelloMessage({ sni, alpn }));
  // The flow's ports are the initiator's first; when the capture took the server for the initiator they swap.
  const [sp, dp] = clientIsInitiator ? [40000, serverPort] : [serverPort, 40000];
  dpi.inspect({ proto: 6, fromInitiator: clientIsInitiator, srcPort: sp, dstPort: dp, seq: 1, ts: 0 }, hello, 0, hello.length);
  return dpi.facts.app;
}

test('TLS to port 853 or with ALPN "dot" is DNS over TLS', () => {
  assert.equal(tlsApp('resolver.test', undefined, 853), 'dot');
  assert.equal(tlsApp('resolver.test', ['dot'], 8853), 'dot');
  assert.equal(tlsApp('resolver.test', undefined, 853, false), 'dot', 'the server port is found when the flow is reversed');
  assert.equal(tlsApp('resolver.test', ['h2'], 853), 'tls', 'HTTP on 853 is not DoT');
});

test('TLS or QUIC to a public resolver\'s DoH name is DNS over HTTPS; other names stay tls/quic', () => {
  assert.equal(tlsApp('dns.google', ['h2', 'http/1.1'], 443), 'doh');
  assert.equal(tlsApp('Cloudflare-DNS.com', ['h2'], 443), 'doh');
  assert.equal(tlsApp('www.google.com', ['h2'], 443), 'tls');
  assert.equal(tlsApp('dns.google.example', ['h2'], 443), 'tls');
  const dpi = createFlowDpi(createNameCache());
  const initial = protectInitial({ dcid: hex('0102030405060708'), frames: cryptoFrame(0, clientHelloMessage({ sni: 'dns.google', alpn: ['h3'] })) });
  dpi.inspect({ proto: 17, fromInitiator: true, srcPort: 40000, dstPort: 443, seq: 0, ts: 0 }, initial, 0, initial.length);
  assert.equal(dpi.facts.app, 'doh');
  assert.equal(dpi.facts.sni, 'dns.google');
});
