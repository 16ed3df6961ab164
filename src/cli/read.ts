/**
 * `sandpiper read FILE [--json]`: streams a pcap/pcapng file through the engine and prints its flows, as a table
 * or as JSON lines (FlowRecord per flow, then a ReadSummary; docs/flow-schema.md). Flows evicted while reading are
 * printed when evicted; the rest at the end, sorted by first seen (the table holds its first rows to size its
 * columns, see TablePrinter). Extra memory is bounded whatever the file's size.
 * Exit: 0 ok, 64 usage, 65 not a capture / corrupt / truncated (flows read so far are still printed), 66 unreadable.
 */
import { read, readSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import type { DpiRefusedSummary, FlowRecord, ReadSummary } from '../shared/flow.ts';
import { CaptureFormatError, createEngine, type Engine } from '../engine/index.ts';
import { formatEndpoint } from '../engine/address-text.ts';
import { FlowJsonWriter } from '../engine/flow-json.ts';
import { onStdoutDrain } from './stdout-drain.ts';
import { GROUP_BY_USAGE, parseGroupBy } from './group-by-args.ts';
import { IPFIX_USAGE, splitIpfixArgs, startIpfix, type IpfixSession } from '../engine-host/ipfix/ipfix-cli.ts';
import { icmpLabel } from '../shared/icmp-names.ts';

const USAGE = `usage: sandpiper read FILE|- [--json] [${GROUP_BY_USAGE}] ${IPFIX_USAGE}\n`;
const CHUNK_BYTES = 1 << 20;
/**
 * Reads of a regular file: small enough that the chunk stays in a core's L2 cache while the engine parses it, which
 * larger reads spill (the parse then waits on memory).
 */
const FILE_CHUNK_BYTES = 512 << 10;

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

/**
 * Output bytes in large chunks written with backpressure; a closed stdout (e.g. `| head`) just stops output. Each
 * chunk is a buffer of its own, handed to stdout for good (a write that waits keeps a reference to it).
 */
class Output {
  private queue: Buffer[] = [];
  /** The reader of stdout went away (EPIPE): nothing more to print, so reading can stop too. */
  closed = false;
  readonly writer = new FlowJsonWriter((chunk) => this.queue.push(chunk));

  constructor() {
    process.stdout.on('error', () => {
      this.closed = true;
    });
  }

  line(s: string): void {
    this.writer.line(s);
  }

  /** Full chunks are waiting to be written. */
  get pending(): boolean {
    return this.queue.length > 0;
  }

  /** Writes the full chunks; with `all`, also the part-filled one. */
  async flush(all = false): Promise<void> {
    if (all) this.writer.flush();
    const q = this.queue;
    this.queue = [];
    for (const chunk of q) {
      if (this.closed) return;
      if (process.stdout.write(chunk)) continue;
      await new Promise<void>((resolve) => onStdoutDrain(resolve));
    }
  }
}

/**
 * A pipe's or FIFO's bytes in chunks, reading the next chunk while the engine works on the current one (two
 * buffers, used alternately; the engine copies only a record that straddles chunks, so a buffer is free again once
 * pushed). The read runs on the thread pool, so the kernel's copy overlaps the engine's parsing.
 */
async function* chunksOf(fh: FileHandle, size: number): AsyncGenerator<Uint8Array> {
  const bufs = [new Uint8Array(size), new Uint8Array(size)];
  let which = 0;
  // Position null: read on from the current offset, so pipes and FIFOs (`<(tcpdump -w -)`) work too. Only one
  // read is ever in flight, so the order holds.
  let pending = readInto(fh.fd, bufs[0]);
  try {
    for (;;) {
      const n = await pending;
      if (n === 0) return;
      const cur = bufs[which];
      which ^= 1;
      pending = readInto(fh.fd, bufs[which]);
      yield cur.subarray(0, n);
    }
  } finally {
    // Stopped early (a corrupt capture): let the read in flight finish before the caller closes the file.
    await pending.catch(() => undefined);
  }
}

/**
 * A regular file's bytes in chunks, read synchronously into one buffer (the engine copies only a record that straddles
 * chunks). Copying from the page cache costs less than handing each read to the thread pool and waking the event
 * loop for its result, which also competes for a core with the engine and V8's own threads.
 */
function* fileChunksOf(fh: FileHandle, size: number): Generator<Uint8Array> {
  const buf = new Uint8Array(size);
  for (;;) {
    const n = readSync(fh.fd, buf, 0, size, null);
    if (n === 0) return;
    yield buf.subarray(0, n);
  }
}

/** One read at the current offset, through fs.read's callback (cheaper per call than FileHandle.read's promise). */
function readInto(fd: number, buf: Uint8Array): Promise<number> {
  return new Promise((resolve, reject) => {
    read(fd, buf, 0, buf.length, null, (err, n) => (err ? reject(err) : resolve(n)));
  });
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

/** Ports only where the protocol has them; an ICMP flow's responder shows the message type and code instead. */
function endpoint(r: FlowRecord, addr: string, port: number, responder = false): string {
  if (r.proto === 'tcp' || r.proto === 'udp' || r.proto === 'sctp') return formatEndpoint(addr, port);
  if ((r.proto === 'icmp' || r.proto === 'icmpv6') && responder && r.icmp_type !== undefined) {
    return `${addr} ${icmpLabel(r.proto, r.icmp_type, r.icmp_code ?? 0)}`;
  }
  return addr;
}

const TABLE_HEAD = ['PROTO', 'SRC', 'DST', 'PKTS>', 'BYTES>', 'PKTS<', 'BYTES<', 'STATE', 'APP', 'HOST'];
const MAX_WIDTH = 48;
/** Rows held to size the table's columns; a file with more flows is sized by its first rows. */
const TABLE_BATCH = 4096;

function cells(r: FlowRecord): string[] {
  return [
    r.proto,
    endpoint(r, r.src, r.sport),
    endpoint(r, r.dst, r.dport, true),
    String(r.packets_fwd),
    String(r.bytes_fwd),
    String(r.packets_rev),
    String(r.bytes_rev),
    r.state,
    r.app ?? '-',
    r.host ?? (r.dns_queries.length ? r.dns_queries.join(',') : '-'),
  ];
}

/**
 * The table, printed with bounded memory: rows are held until TABLE_BATCH of them have come (or the file ended),
 * sorted by first seen, and they size the columns (at most MAX_WIDTH; a wider cell pushes the rest of its line
 * along). Rows after that are printed as they come, in the order --json prints them.
 */
class TablePrinter {
  private batch: FlowRecord[] = [];
  private widths: number[] | null = null;
  private readonly out: Output;

  constructor(out: Output) {
    this.out = out;
  }

  add(r: FlowRecord): void {
    if (this.widths !== null) {
      this.row(cells(r));
      return;
    }
    this.batch.push(r);
    if (this.batch.length >= TABLE_BATCH) this.printBatch();
  }

  /** Prints whatever is still held (and the header, if nothing was printed yet). */
  finish(): void {
    if (this.widths === null) this.printBatch();
  }

  private printBatch(): void {
    const rows = this.batch.sort(byFirstSeen).map(cells);
    this.batch = [];
    const widths = TABLE_HEAD.map((h) => h.length);
    for (const r of rows) for (let i = 0; i < widths.length; i++) if (r[i].length > widths[i]) widths[i] = r[i].length;
    this.widths = widths.map((w) => Math.min(MAX_WIDTH, w));
    this.row(TABLE_HEAD);
    for (const r of rows) this.row(r);
  }

  private row(cols: string[]): void {
    const w = this.widths ?? [];
    let line = '';
    for (let i = 0; i < cols.length; i++) line += i === cols.length - 1 ? cols[i] : pad(cols[i], w[i]) + '  ';
    this.out.line(line.trimEnd());
  }
}

function summaryText(s: ReadSummary): string {
  const span = s.first_ts !== null && s.last_ts !== null ? `, ${(s.last_ts - s.first_ts).toFixed(3)} s` : '';
  const cap = s.evicted_by_cap ? ` (${s.evicted_by_cap} evicted by the flow cap)` : '';
  const ext = s.ipv6_ext_chain_too_long ? ` (${s.ipv6_ext_chain_too_long} with too long IPv6 extension chains)` : '';
  const deep = s.tunnel_too_deep ? ` (${s.tunnel_too_deep} nested in too many tunnels)` : '';
  const lts = Object.entries(s.undecoded_link_types).map(([lt, n]) => `${n} of link type ${lt}`);
  const lt = lts.length ? ` (${lts.join(', ')})` : '';
  return `${s.packets} packets, ${s.bytes} bytes, ${s.flows} flows${cap}, ${s.arp} ARP, ${s.undecoded} undecoded${ext}${deep}${lt}${span}${dpiRefusedText(s.dpi_refused)}`;
}

/** Only what DPI actually refused, so an ordinary capture's summary stays one short line. */
function dpiRefusedText(r: DpiRefusedSummary): string {
  const parts: string[] = [];
  if (r.buffer_budget) parts.push(`${r.buffer_budget} over the buffer budget`);
  if (r.inspectors) parts.push(`${r.inspectors} flows over the inspector cap`);
  if (r.quic_derivations) parts.push(`${r.quic_derivations} QUIC key derivations over the rate bound`);
  if (r.quic_other_dcid) parts.push(`${r.quic_other_dcid} coalesced QUIC packets with another DCID`);
  return parts.length ? `; DPI refused: ${parts.join(', ')}` : '';
}

function byFirstSeen(a: FlowRecord, b: FlowRecord): number {
  return a.first_seen - b.first_seen || a.id - b.id;
}

/**
 * The engine's flows in byFirstSeen order, as slots, sorted by keys in typed arrays: no record exists before it is
 * printed. The key is the printed (microsecond) first_seen, so ties fall to the id exactly as in byFirstSeen.
 */
function slotsByFirstSeen(engine: Engine): Int32Array {
  const sc = engine.slotCount;
  const slots = new Int32Array(engine.size);
  const first = new Float64Array(sc);
  const id = new Float64Array(sc);
  /** id * slotCount + slot: sorted without a comparator, this is id order, and the slot is the remainder. */
  const byId = new Float64Array(engine.size);
  let n = 0;
  let maxId = 0;
  // Every held slot, as engine.flows() gives them, without an iterator result per flow.
  for (let s = 0; s < sc; s++) {
    const fid = engine.idAt(s);
    if (fid === 0) continue;
    slots[n] = s;
    byId[n++] = fid * sc + s;
    first[s] = Math.round(engine.numberKey('first_seen', s, false) * 1e6) / 1e6;
    id[s] = fid;
    if (fid > maxId) maxId = fid;
  }
  // Ids are given in order of a flow's first packet, so in a capture in time order, id order is first-seen order:
  // a numeric sort and one pass to confirm it, instead of a comparator called n log n times.
  if ((maxId + 1) * sc <= Number.MAX_SAFE_INTEGER) {
    byId.sort();
    let ordered = true;
    for (let i = 0; i < n; i++) {
      const s = byId[i] % sc;
      slots[i] = s;
      if (i > 0 && first[s] < first[slots[i - 1]]) ordered = false;
    }
    if (ordered) return slots.subarray(0, n);
  }
  // -1 or 1, never a difference of doubles: the comparator's result is then a small integer, not a heap number per call.
  return slots.subarray(0, n).sort((a, b) => {
    const fa = first[a];
    const fb = first[b];
    if (fa !== fb) return fa < fb ? -1 : 1;
    return id[a] < id[b] ? -1 : id[a] > id[b] ? 1 : 0;
  });
}

export async function runRead(args: string[]): Promise<number> {
  const split = splitIpfixArgs(args);
  if (typeof split === 'string') {
    process.stderr.write(`sandpiper: read: ${split}\n${USAGE}`);
    return 64;
  }
  const grouping = parseGroupBy(split.rest);
  if (!grouping.ok) {
    process.stderr.write(`sandpiper: read: ${grouping.error}\n${USAGE}`);
    return 64;
  }
  const argv = grouping.rest;
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
  let regular = false;
  if (file !== '-') {
    try {
      fh = await open(file, 'r');
      regular = (await fh.stat()).isFile();
    } catch (e) {
      process.stderr.write(`sandpiper: ${file}: ${fileError(e)}\n`);
      return 66;
    }
  }

  const out = new Output();
  const engine = createEngine({ detail: false });
  const groups = grouping.by === null ? null : new (await import('./group-by.ts')).GroupPrinter(grouping.by);
  const table = json || groups ? null : new TablePrinter(out);
  // JSON lines are written from the engine's table in place; only the table and the groups build records.
  const emit = (flow: number) => {
    if (groups) groups.add(engine.toRecord(flow));
    else if (table) table.add(engine.toRecord(flow));
    else engine.writeFlowJson(flow, out.writer);
  };
  engine.onFlowEvicted(emit);
  let ipfix: IpfixSession | null = null;
  try {
    if (split.ipfix) ipfix = await startIpfix(engine, split.ipfix);
  } catch (e) {
    await fh?.close();
    process.stderr.write(`sandpiper: read: --ipfix ${split.ipfix?.text}: ${fileError(e)}\n`);
    return 64;
  }

  let status = 0;
  try {
    const chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array> =
      fh === null ? (process.stdin as AsyncIterable<Uint8Array>) : regular ? fileChunksOf(fh, FILE_CHUNK_BYTES) : chunksOf(fh, CHUNK_BYTES);
    for await (const chunk of chunks) {
      engine.push(chunk);
      if (out.pending) await out.flush();
      if (ipfix?.busy) await ipfix.room();
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
  if (ipfix) process.stderr.write(`sandpiper: ${await ipfix.finish()}\n`);

  for (const s of slotsByFirstSeen(engine)) {
    emit(s);
    if (out.pending) await out.flush();
    if (out.closed) return status;
  }
  table?.finish();
  groups?.print((l) => out.line(l), json);
  const summary = engine.summary();
  out.line(json ? JSON.stringify(summary) : summaryText(summary));
  await out.flush(true);
  return status;
}
