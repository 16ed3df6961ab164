// PLACEHOLDER until the DPI modules land: the real createFlowDpi dispatches to dns/tls/http/quic/ssh by content.
import type { FlowDpi, NameCache } from './types.ts';

export type { FlowDpi, NameCache, DpiFacts, PayloadContext } from './types.ts';

export function createFlowDpi(_names: NameCache): FlowDpi {
  return {
    facts: { app: null, sni: null, alpn: [], httpHost: null, sshClient: null, sshServer: null, dnsQueries: [], dnsAnswers: [], dnsRcode: null },
    inspect: () => true,
  };
}

export function createNameCache(): NameCache {
  const m = new Map<string, string>();
  return { remember: (a, n) => void m.set(a, n), lookup: (a) => m.get(a) ?? null, get size() { return m.size; } };
}
