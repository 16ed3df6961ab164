/**
 * The `--ipfix` options of `sandpiper read` and `sandpiper capture`, and one export session per command: the
 * commands strip these options first (splitIpfixArgs), start a session on their engine, call `tick` once a second
 * while live, and `finish` at the end, which prints the status line.
 */
import type { Engine } from '../../engine/engine.ts';
import { FlowExporter, DEFAULT_ACTIVE_TIMEOUT_S, DEFAULT_IDLE_TIMEOUT_S, DEFAULT_TEMPLATE_REFRESH_S } from './flow-exporter.ts';
import { linkHeaderBytes, sniffLinktype } from './flow-templates.ts';
import { openTransport, parseEndpoint, type Endpoint, type IpfixTransportKind } from './transport.ts';

export const IPFIX_USAGE =
  '[--ipfix HOST:PORT [--ipfix-transport udp|tcp] [--ipfix-active S] [--ipfix-idle S] [--ipfix-template-refresh S] [--ipfix-domain N]]';

export interface IpfixCliOptions {
  endpoint: Endpoint;
  text: string;
  transport: IpfixTransportKind;
  active: number;
  idle: number;
  refresh: number;
  domain: number;
}

const NAMES = ['--ipfix', '--ipfix-transport', '--ipfix-active', '--ipfix-idle', '--ipfix-template-refresh', '--ipfix-domain'];

function seconds(name: string, v: string): number | string {
  if (!/^\d+(\.\d+)?$/.test(v) || Number(v) <= 0 || Number(v) > 86400) return `${name} must be seconds (0 < S <= 86400), got '${v}'`;
  return Number(v);
}

/** Takes the --ipfix options out of `argv` (as `--name value` or `--name=value`); a message on a mistake. */
export function splitIpfixArgs(argv: string[]): { rest: string[]; ipfix: IpfixCliOptions | null } | string {
  const rest: string[] = [];
  const v = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const eq = a.indexOf('=');
    const name = a.startsWith('--') && eq > 0 ? a.slice(0, eq) : a;
    if (!NAMES.includes(name)) {
      rest.push(a);
      continue;
    }
    const value = eq > 0 && name !== a ? a.slice(eq + 1) : argv[++i];
    if (value === undefined) return `${name} needs a value`;
    if (v.has(name)) return `${name} given twice`;
    v.set(name, value);
  }
  const target = v.get('--ipfix');
  if (target === undefined) {
    const other = [...v.keys()][0];
    return other === undefined ? { rest, ipfix: null } : `${other} needs --ipfix HOST:PORT`;
  }
  const endpoint = parseEndpoint(target);
  if (typeof endpoint === 'string') return `--ipfix: ${endpoint}`;
  const transport = v.get('--ipfix-transport') ?? 'udp';
  if (transport !== 'udp' && transport !== 'tcp') return `--ipfix-transport must be udp or tcp, got '${transport}'`;
  const active = seconds('--ipfix-active', v.get('--ipfix-active') ?? String(DEFAULT_ACTIVE_TIMEOUT_S));
  const idle = seconds('--ipfix-idle', v.get('--ipfix-idle') ?? String(DEFAULT_IDLE_TIMEOUT_S));
  const refresh = seconds('--ipfix-template-refresh', v.get('--ipfix-template-refresh') ?? String(DEFAULT_TEMPLATE_REFRESH_S));
  for (const x of [active, idle, refresh]) if (typeof x === 'string') return x;
  const dom = v.get('--ipfix-domain') ?? '1';
  if (!/^\d{1,10}$/.test(dom) || Number(dom) > 0xffffffff) return `--ipfix-domain must be 0..4294967295, got '${dom}'`;
  return {
    rest,
    ipfix: { endpoint, text: target, transport, active: active as number, idle: idle as number, refresh: refresh as number, domain: Number(dom) },
  };
}

export interface IpfixSession {
  /** The collector is behind: a producer that can wait (a file read) awaits `room` before feeding more. */
  readonly busy: boolean;
  room(): Promise<void>;
  /** Live captures, once a second: active and idle timeouts. */
  tick(): void;
  /** Exports every flow left, sends what is queued (waiting a little for TCP), closes; returns the status line. */
  finish(): Promise<string>;
  /** A one-line count of what was sent so far. */
  status(): string;
  /** The same counts as a `capture --json` line, written with each stats line. */
  counters(): IpfixCountersLine;
}

/** `{"type":"ipfix",…}`: what the exporter has sent so far (records and messages), and what it could not. */
export interface IpfixCountersLine {
  type: 'ipfix';
  collector: string;
  transport: IpfixTransportKind;
  records_sent: number;
  messages_sent: number;
  send_errors: number;
  dropped: number;
  last_error: string | null;
}

/**
 * Opens the transport and attaches an exporter to `engine`. The link type is read from the first bytes the
 * engine is given (the capture's header), by wrapping its push until then.
 */
export async function startIpfix(engine: Engine, o: IpfixCliOptions): Promise<IpfixSession> {
  const transport = await openTransport({ kind: o.transport, endpoint: o.endpoint });
  const x = new FlowExporter({
    engine, transport, activeTimeout: o.active, idleTimeout: o.idle, templateRefreshSeconds: o.refresh, observationDomainId: o.domain,
  });
  const push = engine.push;
  let head = new Uint8Array(0);
  engine.push = function (chunk: Uint8Array): void {
    const h = new Uint8Array(Math.min(4096, head.length + chunk.length));
    h.set(head.subarray(0, h.length));
    if (h.length > head.length) h.set(chunk.subarray(0, h.length - head.length), head.length);
    head = h;
    const lt = sniffLinktype(head);
    if (lt !== null || head.length >= 4096) {
      x.linkHeaderBytes = linkHeaderBytes(lt ?? 0);
      engine.push = push;
    }
    push.call(engine, chunk);
  };
  const status = () => {
    const s = transport.stats;
    const err = s.sendErrors > 0 && transport.lastError ? ` (${transport.lastError})` : '';
    return `ipfix: ${x.stats.records} records in ${x.stats.messages} messages to ${o.text}/${o.transport}, ${s.sendErrors} send errors${err}, ${s.dropped} dropped`;
  };
  const counters = (): IpfixCountersLine => {
    const s = transport.stats;
    return {
      type: 'ipfix', collector: o.text, transport: o.transport,
      records_sent: x.stats.records, messages_sent: x.stats.messages, send_errors: s.sendErrors, dropped: s.dropped,
      last_error: s.sendErrors > 0 ? transport.lastError ?? null : null,
    };
  };
  return {
    counters,
    get busy() {
      return transport.busy;
    },
    room: () => transport.room(),
    tick: () => x.tick(),
    status,
    async finish() {
      await x.finish();
      await transport.close(2000);
      return status();
    },
  };
}
