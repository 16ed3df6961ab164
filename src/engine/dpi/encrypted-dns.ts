/**
 * DNS inside TLS or QUIC, told from the ClientHello: DNS over TLS by its port (853, RFC 7858) or ALPN "dot"; DNS over
 * HTTPS by a name that public resolvers serve only DoH on (a port or ALPN cannot tell it from the web).
 */
const DOT_PORT = 853;

const DOH_NAMES = new Set([
  'dns.google', 'dns64.dns.google', 'cloudflare-dns.com', 'mozilla.cloudflare-dns.com', 'chrome.cloudflare-dns.com',
  'security.cloudflare-dns.com', 'family.cloudflare-dns.com', 'one.one.one.one', '1dot1dot1dot1.cloudflare-dns.com',
  'dns.quad9.net', 'dns9.quad9.net', 'dns10.quad9.net', 'dns11.quad9.net', 'doh.opendns.com', 'doh.familyshield.opendns.com',
  'dns.nextdns.io', 'dns.adguard-dns.com', 'unfiltered.adguard-dns.com', 'family.adguard-dns.com', 'doh.cleanbrowsing.org',
  'doh.mullvad.net', 'dns.mullvad.net', 'doh.dns.sb', 'dns.alidns.com', 'doh.pub', 'dns.controld.com', 'freedns.controld.com',
]);

/** A name public resolvers serve only DNS over HTTPS on. */
export function isDohName(sni: string | null): boolean {
  return sni !== null && DOH_NAMES.has(sni.toLowerCase());
}

/** The label for TLS whose ClientHello gave this SNI and ALPN, to this server port, when it carries DNS. */
export function encryptedDnsApp(serverPort: number, sni: string | null, alpn: readonly string[]): 'dot' | 'doh' | null {
  if (alpn.includes('dot') || (serverPort === DOT_PORT && !alpn.includes('h2') && !alpn.includes('http/1.1'))) return 'dot';
  return isDohName(sni) ? 'doh' : null;
}
