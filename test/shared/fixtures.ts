// Flow rows for tests of the shared flow code and the engine host's flows table (no Electron, no DOM).
import type { FlowRow } from '../../src/shared/flow.ts';

/** A plausible established TLS flow from this host; `p` overrides any field. */
export function row(p: Partial<FlowRow> & { id: number }): FlowRow {
  return {
    type: 'flow',
    proto: 'tcp',
    src: '192.168.1.10',
    sport: 40000 + (p.id % 20000),
    dst: '93.184.216.34',
    dport: 443,
    packets_fwd: 10,
    bytes_fwd: 1000,
    packets_rev: 12,
    bytes_rev: 9000,
    first_seen: 1_700_000_000 + p.id,
    last_seen: 1_700_000_100 + p.id,
    state: 'established',
    app: 'tls',
    host: 'example.com',
    dns_queries: [],
    pid: 1234,
    process: 'firefox',
    sni: 'example.com',
    alpn: ['h2'],
    http_host: null,
    ssh_client: null,
    ssh_server: null,
    dns_answers: [],
    dns_rcode: null,
    rate_fwd_1s: 100,
    rate_rev_1s: 2000,
    rate_fwd_10s: 50,
    rate_rev_10s: 1500,
    exe: '/usr/lib/firefox/firefox',
    user: 'alice',
    process_hidden: false,
    local: 'src',
    ended: false,
    ...p,
  };
}
