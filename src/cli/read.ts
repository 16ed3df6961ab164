/**
 * `sandpiper read FILE [--json]`: streams a pcap/pcapng file through the engine and prints its flows, as a table
 * or as JSON lines (FlowRecord per flow, then a ReadSummary; docs/flow-schema.md). Flows evicted while reading are
 * printed when evicted; the rest at the end, sorted by first seen.
 * Exit: 0 ok, 64 usage, 65 not a capture / corrupt / truncated (flows read so far are still printed), 66 unreadable.
 */
import { open, type FileHandle } from 'node:fs/promises';
import type { FlowRecord, ReadSummary } from '../shared/flow.ts';
import { CaptureFormatError, createEngine } from '../engine/index.ts';
import { formatEndpoint } from '../engine/address-text.ts';
import { flowRecordJson } from '../engine/flow-json.ts';

const USAGE = 'usage: sandpiper read FILE|- [--json]\n';
const CHUNK_BYTES = 1 << 20;
const FLUSH_BYTES = 1 << 16;

function fileError(e: unknown): string {
  const code = (e as { code?: unknown } | null)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory';
    default:
      return e instanceof Error ? e.message.split('\n')[0] : String(e);
  }
}

/** Buffers output lines and writes them with backpressure; a closed stdout (e.g. `| head`) just stops output. */
class Output {
  private parts: string[] = [];
  private size = 0;
  /** The reader of stdout went away (EPIPE): nothing more to print, so reading can stop too. */
  closed = false;

  constructor() {
    process.stdout.on('error', () => {
      this.closed = true;
    });
  }

  line(s: string): void {
    this.parts.push(s, '\n');
    this.size += s.length + 1;
  }

  get pending(): number {
    return this.size;
  }

  async flush(): Promise<void> {
    if (this.size === 0) return;
    const text = this.parts.join('');
    this.parts = [];
    this.size = 0;
    if (this.closed) return;
    if (process.stdout.write(text)) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        process.stdout.off('drain', done);
        process.stdout.off('close', done);
        process.stdout.off('error', done);
        resolve();
      };
      process.stdout.on('drain', done);
      process.stdout.on('close', done);
      process.stdout.on('error', done);
    });
  }
}

/**
 * The file's bytes in chunks, reading the next chunk while the engine works on the current one (two buffers, used
 * alternately; the engine copies only a record that straddles chunks, so a buffer is free again once pushed).
 */
async function* chunksOf(fh: FileHandle): AsyncGenerator<Uint8Array> {
  const bufs = [new Uint8Array(CHUNK_BYTES), new Uint8Array(CHUNK_BYTES)];
  let which = 0;
  // Position null: read on from the current offset, so pipes and FIFOs (`<(tcpdump -w -)`) work too. Only one
  // read is ever in flight, so the order holds.
  let pending = fh.read(bufs[0], 0, CHUNK_BYTES, null);
  try {
    for (;;) {
      const { bytesRead } = await pending;
      if (bytesRead === 0) return;
      const cur = bufs[which];
      which ^= 1;
      pending = fh.read(bufs[which], 0, CHUNK_BYTES, null);
      yield cur.subarray(0, bytesRead);
    }
  } finally {
    // Stopped early (a corrupt capture): let the read in flight finish before the caller closes the file.
    await pending.catch(() => undefined);
  }
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

/** Ports only where the protocol has them; ICMP echo flows show their identifier. */
function endpoint(r: FlowRecord, addr: string, port: number): string {
  if (r.proto === 'tcp' || r.proto === 'udp' || r.proto === 'sctp') return formatEndpoint(addr, port);
  if ((r.proto === 'icmp' || r.proto === 'icmpv6') && port !== 0) return `${addr} id=${port}`;
  return addr;
}

function tableLines(recs: FlowRecord[]): string[] {
  const head = ['PROTO', 'SRC', 'DST', 'PKTS>', 'BYTES>', 'PKTS<', 'BYTES<', 'STATE', 'APP', 'HOST'];
  const rows = recs.map((r) => [
    r.proto,
    endpoint(r, r.src, r.sport),
    endpoint(r, r.dst, r.dport),
    String(r.packets_fwd),
    String(r.bytes_fwd),
    String(r.packets_rev),
    String(r.bytes_rev),
    r.state,
    r.app ?? '-',
    r.host ?? (r.dns_queries.length ? r.dns_queries.join(',') : '-'),
  ]);
  const widths = head.map((h, i) => Math.min(48, Math.max(h.length, ...rows.map((r) => r[i].length))));
  const fmt = (cols: string[]) => cols.map((c, i) => (i === cols.length - 1 ? c : pad(c, widths[i]))).join('  ').trimEnd();
  return [fmt(head), ...rows.map(fmt)];
}

function summaryText(s: ReadSummary): string {
  const span = s.first_ts !== null && s.last_ts !== null ? `, ${(s.last_ts - s.first_ts).toFixed(3)} s` : '';
  const cap = s.evicted_by_cap ? ` (${s.evicted_by_cap} evicted by the flow cap)` : '';
  return `${s.packets} packets, ${s.bytes} bytes, ${s.flows} flows${cap}, ${s.arp} ARP, ${s.undecoded} undecoded${span}`;
}

function byFirstSeen(a: FlowRecord, b: FlowRecord): number {
  return a.first_seen - b.first_seen || a.id - b.id;
}

export async function runRead(argv: string[]): Promise<number> {
  let json = false;
  let file: string | null = null;
  for (const a of argv) {
    if (a === '--json') json = true;
    else if (a === '-h' || a === '--help') {
      process.stdout.write(USAGE);
      return 0;
    } else if (a.startsWith('-') && a !== '-') {
      process.stderr.write(`sandpiper: read: unknown option '${a}'\n${USAGE}`);
      return 64;
    } else if (file === null) file = a;
    else {
      process.stderr.write(`sandpiper: read: one file at a time\n${USAGE}`);
      return 64;
    }
  }
  if (file === null) {
    process.stderr.write(USAGE);
    return 64;
  }

  // `-` reads standard input, e.g. a pipe from `tcpdump -w -`.
  let fh: FileHandle | null = null;
  if (file !== '-') {
    try {
      fh = await open(file, 'r');
    } catch (e) {
      process.stderr.write(`sandpiper: ${file}: ${fileError(e)}\n`);
      return 66;
    }
  }

  const out = new Output();
  const engine = createEngine({ detail: false });
  const kept: FlowRecord[] = [];
  const emit = (r: FlowRecord) => {
    if (json) out.line(flowRecordJson(r));
    else kept.push(r);
  };
  engine.onFlowEvicted((flow) => emit(engine.toRecord(flow)));

  let status = 0;
  try {
    for await (const chunk of fh ? chunksOf(fh) : (process.stdin as AsyncIterable<Uint8Array>)) {
      engine.push(chunk);
      if (out.pending >= FLUSH_BYTES) await out.flush();
      if (out.closed) return 0; // nobody reads the output any more (`| head`): stop quietly
    }
    engine.end();
  } catch (e) {
    if (e instanceof CaptureFormatError) {
      process.stderr.write(`sandpiper: ${file}: ${e.reason} at byte ${e.offset}\n`);
      status = 65;
    } else if (e instanceof Error && 'code' in e) {
      process.stderr.write(`sandpiper: ${file}: ${fileError(e)}\n`);
      status = 66;
    } else {
      throw e;
    }
  } finally {
    await fh?.close();
  }

  const rest: FlowRecord[] = [];
  for (const f of engine.flows()) rest.push(engine.toRecord(f));
  rest.sort(byFirstSeen);
  const summary = engine.summary();
  if (json) {
    for (const r of rest) {
      out.line(flowRecordJson(r));
      if (out.pending >= FLUSH_BYTES) await out.flush();
    }
    out.line(JSON.stringify(summary));
  } else {
    const all = kept.concat(rest).sort(byFirstSeen);
    for (const l of tableLines(all)) {
      out.line(l);
      if (out.pending >= FLUSH_BYTES) await out.flush();
    }
    out.line(summaryText(summary));
  }
  await out.flush();
  return status;
}
