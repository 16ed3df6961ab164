/**
 * Where IPFIX messages go: UDP (one message per datagram) or TCP (a stream of messages, RFC 7011 §10.4).
 * `send` never blocks and never throws: what the collector cannot take now waits in a bounded queue, and beyond
 * that it is dropped and counted, so a collector that is down or slow costs neither memory nor capture time.
 * TCP reconnects with backoff and starts every connection with the templates (sessionStart).
 */
import type { Socket as UdpSocket } from 'node:dgram';
import type { Socket as TcpSocket } from 'node:net';

// The socket modules load on first use: `read` and `capture` import this module for their options, and most runs
// export nothing.
const net = () => process.getBuiltinModule('node:net');

export type IpfixTransportKind = 'udp' | 'tcp';

export interface TransportStats {
  messagesSent: number;
  bytesSent: number;
  sendErrors: number;
  /** Messages dropped because the queue was full (or still queued when closed). */
  dropped: number;
  queuedBytes: number;
}

export interface IpfixTransport {
  readonly kind: IpfixTransportKind;
  readonly stats: TransportStats;
  /** The last send or connection error, for the status line. */
  readonly lastError: string | null;
  send(message: Uint8Array): void;
  /** More than half the queue's bound is waiting. */
  readonly busy: boolean;
  /**
   * Resolves once the queue is at most half full, or at once when no collector is connected (TCP), or after
   * ROOM_WAIT_MS: a producer that may wait (a file read, the final export) waits here instead of dropping.
   */
  room(): Promise<void>;
  /** Messages to send first on each new connection (TCP); UDP never calls it. */
  sessionStart(fn: () => Uint8Array[]): void;
  /** Sends what is queued, waiting at most `timeoutMs`, then closes. */
  close(timeoutMs?: number): Promise<void>;
}

/** Bytes waiting for the collector, at most (UDP: handed to the socket and not yet sent; TCP: not yet written). */
export const DEFAULT_QUEUE_BYTES = 4 << 20;
/** Longest a producer waits for room before going on (and dropping what does not fit). */
export const ROOM_WAIT_MS = 1000;

/** Waiters for room in a queue. */
class RoomWaiters {
  private list: (() => void)[] = [];

  wait(): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ROOM_WAIT_MS);
      const list = this.list;
      function done(): void {
        clearTimeout(t);
        const i = list.indexOf(done);
        if (i >= 0) list.splice(i, 1);
        resolve();
      }
      list.push(done);
    });
  }

  wake(): void {
    const l = this.list.slice();
    for (const f of l) f();
  }
}

export interface Endpoint {
  host: string;
  port: number;
}

/** HOST:PORT or [IPv6]:PORT; a message on error. */
export function parseEndpoint(s: string): Endpoint | string {
  let host: string;
  let port: string;
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(s);
  if (m) [, host, port] = m;
  else {
    const i = s.lastIndexOf(':');
    if (i <= 0) return `'${s}' is not HOST:PORT`;
    host = s.slice(0, i);
    port = s.slice(i + 1);
    // '::1:4739' is itself an IPv6 address: an IPv6 collector is written [ADDR]:PORT.
    if (host.includes(':')) return `'${s}' is not HOST:PORT (write an IPv6 address as [ADDR]:PORT)`;
  }
  if (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535) return `'${port}' is not a port (1-65535)`;
  if (host.length === 0) return `'${s}' has no host`;
  return { host, port: Number(port) };
}

function errText(e: unknown): string {
  const x = e as { code?: unknown; message?: unknown } | null;
  return typeof x?.code === 'string' ? x.code : e instanceof Error ? e.message : String(e);
}

/** The endpoint's address: numeric as it is, a name through the system resolver (/etc/hosts first). */
export async function resolveEndpoint(ep: Endpoint): Promise<{ address: string; family: 4 | 6 }> {
  const fam = net().isIP(ep.host);
  if (fam === 4 || fam === 6) return { address: ep.host, family: fam };
  const r = await process.getBuiltinModule('node:dns/promises').lookup(ep.host);
  return { address: r.address, family: r.family === 6 ? 6 : 4 };
}

class UdpTransport implements IpfixTransport {
  readonly kind = 'udp';
  readonly stats: TransportStats = { messagesSent: 0, bytesSent: 0, sendErrors: 0, dropped: 0, queuedBytes: 0 };
  lastError: string | null = null;
  private readonly sock: UdpSocket;
  private readonly limit: number;
  private idle: (() => void) | null = null;
  private readonly waiters = new RoomWaiters();

  constructor(sock: UdpSocket, limit: number) {
    this.sock = sock;
    this.limit = limit;
    // Connected: an ICMP port unreachable from an absent collector comes back as an error on a later send.
    // Unref'd: pending sends still keep the process alive, an idle socket does not.
    sock.unref();
    sock.on('error', (e) => {
      this.stats.sendErrors++;
      this.lastError = errText(e);
    });
  }

  sessionStart(): void {}

  get busy(): boolean {
    return this.stats.queuedBytes > this.limit / 2;
  }

  room(): Promise<void> {
    return this.busy ? this.waiters.wait() : Promise.resolve();
  }

  send(m: Uint8Array): void {
    if (this.stats.queuedBytes + m.length > this.limit) {
      this.stats.dropped++;
      return;
    }
    this.stats.queuedBytes += m.length;
    try {
      this.sock.send(m, (err) => {
        this.stats.queuedBytes -= m.length;
        if (err) {
          this.stats.sendErrors++;
          this.lastError = errText(err);
        } else {
          this.stats.messagesSent++;
          this.stats.bytesSent += m.length;
        }
        if (this.stats.queuedBytes <= this.limit / 2) this.waiters.wake();
        if (this.stats.queuedBytes === 0) this.idle?.();
      });
    } catch (e) {
      this.stats.queuedBytes -= m.length;
      this.stats.sendErrors++;
      this.lastError = errText(e);
    }
  }

  async close(timeoutMs = 2000): Promise<void> {
    if (this.stats.queuedBytes > 0) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, timeoutMs);
        this.idle = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
    await new Promise<void>((resolve) => this.sock.close(() => resolve()));
  }
}

const RECONNECT_MIN_MS = 500;
const RECONNECT_MAX_MS = 10_000;

class TcpTransport implements IpfixTransport {
  readonly kind = 'tcp';
  readonly stats: TransportStats = { messagesSent: 0, bytesSent: 0, sendErrors: 0, dropped: 0, queuedBytes: 0 };
  lastError: string | null = null;
  private readonly address: string;
  private readonly port: number;
  private readonly limit: number;
  private queue: Uint8Array[] = [];
  private sock: TcpSocket | null = null;
  private connected = false;
  private closing = false;
  private backoff = RECONNECT_MIN_MS;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private start: () => Uint8Array[] = () => [];
  private onEmpty: (() => void) | null = null;
  private readonly waiters = new RoomWaiters();

  constructor(address: string, port: number, limit: number) {
    this.address = address;
    this.port = port;
    this.limit = limit;
    this.dial();
  }

  sessionStart(fn: () => Uint8Array[]): void {
    this.start = fn;
  }

  get busy(): boolean {
    return this.connected && this.stats.queuedBytes > this.limit / 2;
  }

  room(): Promise<void> {
    return this.busy ? this.waiters.wait() : Promise.resolve();
  }

  private dial(): void {
    this.timer = null;
    if (this.closing) return;
    const s = net().connect({ host: this.address, port: this.port });
    this.sock = s;
    s.setNoDelay(true);
    s.unref();
    s.on('connect', () => {
      this.connected = true;
      this.backoff = RECONNECT_MIN_MS;
      for (const m of this.start()) this.write(m);
      this.pump();
    });
    s.on('drain', () => this.pump());
    // A collector sends nothing back on an IPFIX stream; read and discard so the socket never stalls.
    s.on('data', () => {});
    s.on('error', (e) => {
      this.stats.sendErrors++;
      this.lastError = errText(e);
    });
    s.on('close', () => {
      this.connected = false;
      this.sock = null;
      this.waiters.wake();
      if (this.closing) {
        this.onEmpty?.();
        return;
      }
      this.timer = setTimeout(() => this.dial(), this.backoff);
      this.timer.unref();
      this.backoff = Math.min(RECONNECT_MAX_MS, this.backoff * 2);
    });
  }

  private write(m: Uint8Array): boolean {
    this.stats.messagesSent++;
    this.stats.bytesSent += m.length;
    return this.sock!.write(m);
  }

  private pump(): void {
    let i = 0;
    while (this.connected && i < this.queue.length && !this.sock!.writableNeedDrain) {
      const m = this.queue[i++];
      this.stats.queuedBytes -= m.length;
      this.write(m);
    }
    this.queue = i === 0 ? this.queue : this.queue.slice(i);
    if (this.stats.queuedBytes <= this.limit / 2) this.waiters.wake();
    if (this.queue.length === 0 && this.connected && !this.sock!.writableNeedDrain) this.onEmpty?.();
  }

  send(m: Uint8Array): void {
    if (this.connected && this.queue.length === 0 && !this.sock!.writableNeedDrain) {
      this.write(m);
      return;
    }
    if (this.stats.queuedBytes + m.length > this.limit) {
      this.stats.dropped++;
      return;
    }
    this.queue.push(m);
    this.stats.queuedBytes += m.length;
  }

  async close(timeoutMs = 2000): Promise<void> {
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(t);
        resolve();
      };
      const t = setTimeout(done, timeoutMs);
      this.onEmpty = done;
      if (this.connected) this.pump();
      else if (this.timer !== null || this.sock === null) done();
    });
    this.closing = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.stats.dropped += this.queue.length;
    this.queue = [];
    this.stats.queuedBytes = 0;
    const s = this.sock;
    if (s !== null) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          s.destroy();
          resolve();
        }, timeoutMs);
        s.once('close', () => {
          clearTimeout(t);
          resolve();
        });
        s.end();
      });
    }
  }
}

export interface TransportOptions {
  kind: IpfixTransportKind;
  endpoint: Endpoint;
  queueBytes?: number;
}

/** Opens the transport (resolving a name first); throws with the resolver's or socket's message. */
export async function openTransport(o: TransportOptions): Promise<IpfixTransport> {
  const { address, family } = await resolveEndpoint(o.endpoint);
  const limit = o.queueBytes ?? DEFAULT_QUEUE_BYTES;
  if (o.kind === 'tcp') return new TcpTransport(address, o.endpoint.port, limit);
  const sock = process.getBuiltinModule('node:dgram').createSocket(family === 6 ? 'udp6' : 'udp4');
  await new Promise<void>((resolve, reject) => {
    sock.once('error', reject);
    sock.connect(o.endpoint.port, address, () => {
      sock.off('error', reject);
      resolve();
    });
  });
  return new UdpTransport(sock, limit);
}
