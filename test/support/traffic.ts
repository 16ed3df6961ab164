/**
 * Real traffic between two network namespaces, for tests that compare Sandpiper against tshark on real captures.
 *
 * Library side (used by tests): makeSelfSignedCert, startTrafficServers (in one namespace), runTrafficClient (in the
 * other), startTcpdump. Script side: the same file run as `node traffic.ts serve|client JSON` inside a namespace
 * (Node 24 runs it directly) provides
 *   - a tiny DNS responder (UDP and TCP, A/AAAA for any name → the server's addresses),
 *   - a TLS server (node:tls, self-signed cert), an HTTP server (node:http), an SSH-banner server, a UDP echo server;
 * and the client that does DNS over UDP and TCP, TLS with several SNIs, HTTP with Host headers, an SSH banner
 * exchange and plain UDP, each over a fresh connection/socket, waiting for every connection to close.
 * Nothing leaves the machine: the addresses are the netns pair's.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { once } from 'node:events';
import path from 'node:path';
import type { NetnsPair } from './netns.ts';

export const TRAFFIC_SCRIPT = fileURLToPath(import.meta.url);

export interface ServerConfig {
  cert: string;
  key: string;
  /** Addresses the DNS responder answers with. */
  answer4: string;
  answer6: string;
  ports: TrafficPorts;
}

export interface TrafficPorts {
  dns: number;
  tls: number;
  http: number;
  ssh: number;
  udp: number;
}

export const DEFAULT_PORTS: TrafficPorts = { dns: 53, tls: 443, http: 80, ssh: 22, udp: 9999 };

export interface ClientPlan {
  /** Server addresses to reach; each kind of traffic goes to every one of them. */
  servers: string[];
  ports: TrafficPorts;
  dnsUdpNames: string[];
  dnsTcpNames: string[];
  tlsNames: string[];
  /** ALPN protocols the TLS client offers (a long list makes the ClientHello span several segments at a small MTU). */
  alpn: string[];
  httpHosts: string[];
  ssh: boolean;
  udpDatagrams: number;
}

// ---- library side --------------------------------------------------------------------------------------------------

export function makeSelfSignedCert(dir: string): { cert: string; key: string } {
  const cert = path.join(dir, 'cert.pem');
  const key = path.join(dir, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert,
    '-days', '1', '-subj', '/CN=sandpiper.test'], { stdio: 'ignore' });
  return { cert, key };
}

/** Resolves when the child prints `marker` on the given stream; rejects if it exits first. */
function waitFor(child: ChildProcess, stream: 'stdout' | 'stderr', marker: RegExp, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const s = child[stream];
    if (!s) return reject(new Error(`${what}: no ${stream}`));
    const onData = (d: Buffer) => {
      seen += d.toString();
      if (marker.test(seen)) {
        s.off('data', onData);
        child.off('exit', onExit);
        resolve();
      }
    };
    const onExit = (code: number | null) => reject(new Error(`${what} exited (${code}) before it was ready: ${seen}`));
    s.on('data', onData);
    child.once('exit', onExit);
  });
}

async function stopChild(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill(signal);
  await exited;
}

export interface Running {
  stop(): Promise<void>;
}

export async function startTrafficServers(pair: NetnsPair, ns: string, cfg: ServerConfig): Promise<Running> {
  const child = pair.spawn(ns, process.execPath, [TRAFFIC_SCRIPT, 'serve', JSON.stringify(cfg)], { stdio: ['ignore', 'pipe', 'pipe'] });
  await waitFor(child, 'stdout', /ready/, 'traffic servers');
  return { stop: () => stopChild(child, 'SIGTERM') };
}

export function runTrafficClient(pair: NetnsPair, ns: string, plan: ClientPlan): void {
  pair.exec(ns, process.execPath, [TRAFFIC_SCRIPT, 'client', JSON.stringify(plan)], { timeoutMs: 120_000 });
}

/**
 * tcpdump -i IFACE -w FILE inside ns; immediate mode and -U so that every packet is in the file when stop() (SIGINT)
 * returns. "listening on" can come a moment before packets are really seen, so when `probe` (an address) is given,
 * pings it until the capture file shows a packet.
 */
export async function startTcpdump(pair: NetnsPair, ns: string, iface: string, file: string, probe?: string): Promise<Running> {
  const child = pair.spawn(ns, 'tcpdump', ['-i', iface, '--immediate-mode', '-B', '32768', '-U', '-n', '-Z', 'root', '-s', '0', '-w', file], { stdio: ['ignore', 'ignore', 'pipe'] });
  await waitFor(child, 'stderr', /listening on/, 'tcpdump');
  if (probe) {
    const { statSync } = await import('node:fs');
    const headerOnly = () => {
      try {
        return statSync(file).size <= 24;
      } catch {
        return true;
      }
    };
    for (let i = 0; i < 50 && headerOnly(); i++) {
      try {
        pair.exec(ns, 'ping', ['-c', '1', '-W', '1', probe]);
      } catch {
        /* not answered yet: try again */
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    if (headerOnly()) {
      await stopChild(child, 'SIGINT');
      throw new Error(`tcpdump on ${iface} saw none of the probe packets`);
    }
  }
  return { stop: () => stopChild(child, 'SIGINT') };
}

// ---- script side ---------------------------------------------------------------------------------------------------

function dnsName(buf: Buffer, off: number): { name: string; end: number } | null {
  const labels: string[] = [];
  for (let i = 0; i < 128 && off < buf.length; i++) {
    const n = buf[off];
    if (n === 0) return { name: labels.join('.'), end: off + 1 };
    if (n > 63 || off + 1 + n > buf.length) return null;
    labels.push(buf.toString('latin1', off + 1, off + 1 + n));
    off += 1 + n;
  }
  return null;
}

function encodeName(name: string): Buffer {
  return Buffer.concat([...name.split('.').map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l, 'latin1')])), Buffer.from([0])]);
}

function ipBytes(addr: string): Buffer {
  if (!addr.includes(':')) return Buffer.from(addr.split('.').map(Number));
  const [h, t] = addr.split('::');
  const hs = h ? h.split(':') : [];
  const ts = t !== undefined && t !== '' ? t.split(':') : [];
  const g = t === undefined ? hs : [...hs, ...Array(8 - hs.length - ts.length).fill('0'), ...ts];
  const b = Buffer.alloc(16);
  g.forEach((x, i) => b.writeUInt16BE(parseInt(x, 16), i * 2));
  return b;
}

/** Answers one DNS query: A/AAAA → the configured address, anything else → no answers. */
function dnsAnswer(q: Buffer, cfg: ServerConfig): Buffer | null {
  if (q.length < 12) return null;
  const n = dnsName(q, 12);
  if (!n || n.end + 4 > q.length) return null;
  const qtype = q.readUInt16BE(n.end);
  const question = q.subarray(12, n.end + 4);
  const rdata = qtype === 1 ? ipBytes(cfg.answer4) : qtype === 28 ? ipBytes(cfg.answer6) : null;
  const head = Buffer.alloc(12);
  q.copy(head, 0, 0, 2);
  head.writeUInt16BE(0x8180, 2);
  head.writeUInt16BE(1, 4);
  head.writeUInt16BE(rdata ? 1 : 0, 6);
  const parts = [head, question];
  if (rdata) {
    const rr = Buffer.alloc(12);
    rr.writeUInt16BE(0xc00c, 0);
    rr.writeUInt16BE(qtype, 2);
    rr.writeUInt16BE(1, 4);
    rr.writeUInt32BE(60, 6);
    rr.writeUInt16BE(rdata.length, 10);
    parts.push(rr, rdata);
  }
  return Buffer.concat(parts);
}

function dnsQuery(id: number, name: string, qtype: number): Buffer {
  const h = Buffer.alloc(12);
  h.writeUInt16BE(id, 0);
  h.writeUInt16BE(0x0100, 2);
  h.writeUInt16BE(1, 4);
  const tail = Buffer.alloc(4);
  tail.writeUInt16BE(qtype, 0);
  tail.writeUInt16BE(1, 2);
  return Buffer.concat([h, encodeName(name), tail]);
}

async function serve(cfg: ServerConfig): Promise<void> {
  const dgram = await import('node:dgram');
  const net = await import('node:net');
  const tls = await import('node:tls');
  const http = await import('node:http');
  const { readFileSync } = await import('node:fs');
  const closers: (() => void)[] = [];
  const listen = async (srv: import('node:net').Server, port: number) => {
    srv.listen({ port, host: '::', ipv6Only: false });
    await once(srv, 'listening');
    closers.push(() => srv.close());
  };

  const dnsUdp = dgram.createSocket({ type: 'udp6', ipv6Only: false });
  dnsUdp.on('message', (m, r) => {
    const a = dnsAnswer(m, cfg);
    if (a) dnsUdp.send(a, r.port, r.address);
  });
  dnsUdp.bind(cfg.ports.dns, '::');
  await once(dnsUdp, 'listening');
  closers.push(() => dnsUdp.close());

  await listen(net.createServer((s) => {
    let acc = Buffer.alloc(0);
    s.on('data', (d: Buffer) => {
      acc = Buffer.concat([acc, d]);
      while (acc.length >= 2 && acc.length >= 2 + acc.readUInt16BE(0)) {
        const q = acc.subarray(2, 2 + acc.readUInt16BE(0));
        acc = acc.subarray(2 + q.length);
        const a = dnsAnswer(q, cfg);
        if (a) {
          const len = Buffer.alloc(2);
          len.writeUInt16BE(a.length);
          s.write(Buffer.concat([len, a]));
        }
      }
    });
    s.on('error', () => {});
  }), cfg.ports.dns);

  await listen(tls.createServer({ cert: readFileSync(cfg.cert), key: readFileSync(cfg.key), ALPNProtocols: ['http/1.1'] }, (s) => {
    s.on('data', () => s.end('ok\n'));
    s.on('error', () => {});
  }), cfg.ports.tls);

  await listen(http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.end(`hello ${req.headers.host ?? ''}\n`));
  }), cfg.ports.http);

  await listen(net.createServer((s) => {
    s.write('SSH-2.0-SandpiperTestServer_1.0\r\n');
    s.once('data', () => s.end());
    s.on('error', () => {});
  }), cfg.ports.ssh);

  const echo = dgram.createSocket({ type: 'udp6', ipv6Only: false });
  echo.on('message', (m, r) => echo.send(m, r.port, r.address));
  echo.bind(cfg.ports.udp, '::');
  await once(echo, 'listening');
  closers.push(() => echo.close());

  process.stdout.write('ready\n');
  await new Promise<void>((resolve) => process.once('SIGTERM', () => resolve()));
  for (const c of closers) c();
  process.exit(0);
}

function withTimeout<T>(p: Promise<T>, what: string, ms = 10_000): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<T>((_, reject) => (t = setTimeout(() => reject(new Error(`${what}: timed out`)), ms)))]).finally(() => clearTimeout(t));
}

async function client(plan: ClientPlan): Promise<void> {
  const dgram = await import('node:dgram');
  const net = await import('node:net');
  const tls = await import('node:tls');
  const http = await import('node:http');
  const P = plan.ports;
  let id = 0x1200;
  const udpExchange = async (server: string, port: number, payloads: Buffer[]) => {
    const s = dgram.createSocket(server.includes(':') ? 'udp6' : 'udp4');
    try {
      for (const p of payloads) {
        const got = once(s, 'message');
        s.send(p, port, server);
        await withTimeout(got, `udp ${server}:${port}`);
      }
    } finally {
      s.close();
    }
  };
  const closed = (s: import('node:net').Socket) => withTimeout(once(s, 'close'), 'tcp close');

  for (const server of plan.servers) {
    for (const name of plan.dnsUdpNames) await udpExchange(server, P.dns, [dnsQuery(id++, name, server.includes(':') ? 28 : 1)]);
    for (const name of plan.dnsTcpNames) {
      const s = net.connect({ host: server, port: P.dns });
      const q = dnsQuery(id++, name, 1);
      const len = Buffer.alloc(2);
      len.writeUInt16BE(q.length);
      s.write(Buffer.concat([len, q]));
      await withTimeout(once(s, 'data'), 'dns over tcp');
      s.end();
      await closed(s);
    }
    for (const name of plan.tlsNames) {
      const s = tls.connect({ host: server, port: P.tls, servername: name, rejectUnauthorized: false, ALPNProtocols: plan.alpn });
      s.on('data', () => {});
      await withTimeout(once(s, 'secureConnect'), `tls ${name}`);
      s.write('hello\n');
      await closed(s);
    }
    for (const host of plan.httpHosts) {
      await withTimeout(new Promise<void>((resolve, reject) => {
        const req = http.get({ host: server, port: P.http, path: '/', headers: { host }, agent: false }, (res) => {
          res.resume();
          res.on('end', () => {
            req.socket?.once('close', () => resolve());
            req.socket?.end();
          });
        });
        req.on('error', reject);
      }), `http ${host}`);
    }
    if (plan.ssh) {
      const s = net.connect({ host: server, port: P.ssh });
      await withTimeout(once(s, 'data'), 'ssh banner');
      s.end('SSH-2.0-SandpiperTestClient_0.1\r\n');
      s.resume();
      await closed(s);
    }
    if (plan.udpDatagrams > 0) await udpExchange(server, P.udp, Array.from({ length: plan.udpDatagrams }, (_, i) => Buffer.alloc(100 + i, i)));
  }
}

if (process.argv[1] === TRAFFIC_SCRIPT) {
  const [role, json] = process.argv.slice(2);
  const run = role === 'serve' ? serve(JSON.parse(json) as ServerConfig) : role === 'client' ? client(JSON.parse(json) as ClientPlan) : Promise.reject(new Error(`unknown role ${role}`));
  run.then(
    () => process.exit(0),
    (e: unknown) => {
      process.stderr.write(`traffic ${role}: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    },
  );
}
