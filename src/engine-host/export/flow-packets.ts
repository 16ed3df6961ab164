/**
 * "Save this flow's packets", and the details drawer's chart of one flow: the capture (a file, or the live recording)
 * is read again through an engine of its own, and every record that engine counts in the flow is written to a pcap
 * file (or binned by its time). The engine decides, as it did for the table (its 5-tuple key, the direction-free
 * match, IP fragments, tunnels, a new connection on a reused 5-tuple), so the file holds exactly the packets the flow
 * counted. The flow is known in the re-read by its key and its first
 * packet's time, not by its id, so a live capture's flows (whose ids also depend on when the wall clock ended
 * them) are found as well.
 */
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CaptureReader } from '../../engine/capture-reader.ts';
import { CaptureFormatError, createEngine, type Engine } from '../../engine/engine.ts';
import { copyToPrivateFile } from '../../capture-client/pcap-file-sink.ts';
import { Timeline } from '../../engine/timeline.ts';
import type { FlowRow } from '../../shared/flow.ts';
import type { ChartSeries } from '../../shared/ipc.ts';

/** What identifies a flow in a re-read of its capture. */
export type FlowKey = Pick<FlowRow, 'proto' | 'src' | 'sport' | 'dst' | 'dport' | 'first_seen'>;

export class FlowPacketsError extends Error {}

const PCAP_SNAPLEN = 262144;
const READ_BYTES = 1 << 20;

function sameFlow(r: FlowKey, k: FlowKey): boolean {
  // first_seen is rounded to the microsecond in rows, the same way in both engines.
  return r.proto === k.proto && r.src === k.src && r.sport === k.sport && r.dst === k.dst && r.dport === k.dport && r.first_seen === k.first_seen;
}

function pcapHeader(linktype: number): Buffer {
  const h = Buffer.alloc(24);
  h.writeUInt32LE(0xa1b2c3d4, 0);
  h.writeUInt16LE(2, 4);
  h.writeUInt16LE(4, 6);
  h.writeUInt32LE(PCAP_SNAPLEN, 16);
  h.writeUInt32LE(linktype, 20);
  return h;
}

function pcapRecord(buf: Uint8Array, off: number, caplen: number, wire: number, ts: number): Buffer {
  const r = Buffer.allocUnsafe(16 + caplen);
  let sec = Math.floor(ts);
  let usec = Math.round((ts - sec) * 1e6);
  if (usec >= 1e6) {
    sec++;
    usec -= 1e6;
  }
  r.writeUInt32LE(sec >>> 0, 0);
  r.writeUInt32LE(usec, 4);
  r.writeUInt32LE(caplen, 8);
  r.writeUInt32LE(wire, 12);
  r.set(buf.subarray(off, off + caplen), 16);
  return r;
}

/** One record of the flow: its bytes at buf[off, off + caplen), and its direction (0: initiator → responder, 1: back). */
type EachPacket = (buf: Uint8Array, off: number, caplen: number, wire: number, ts: number, linktype: number, d: 0 | 1) => void;

/**
 * A read of the capture at `source` through an engine of its own, calling `each` for every record that engine counts
 * in flow `key`. It can go on later from where it stopped (a live recording grows): only the bytes added are read.
 */
class FlowScan {
  /** Records of the flow so far. */
  found = 0;
  /** Bytes of the capture read so far. */
  private offset = 0;
  /** A corrupt record was met: the table stopped there too, so nothing after it is read. */
  private ended = false;
  private readonly reader: CaptureReader;
  readonly source: string;
  readonly key: FlowKey;

  constructor(source: string, key: FlowKey, each: EachPacket) {
    this.source = source;
    this.key = key;
    // As the app's file engine, minus what does not decide which flow a packet is in (owners, countries).
    const engine: Engine = createEngine({ detail: true, retainEnded: true, geo: null });
    const examined = new Set<number>();
    let slot = -1;
    let id = 0;
    let fwd = 0;
    let rev = 0;
    this.reader = new CaptureReader((buf, off, h) => {
      const { caplen, wirelen: wire, ts, linktype: lt } = h;
      engine.packet(buf, off, caplen, wire, ts, lt);
      if (slot < 0) {
        // Until the flow appears, each new flow is looked at once (the changed slots hold it).
        engine.drainChanged((sl) => {
          const sid = engine.idAt(sl);
          if (slot >= 0 || sid === 0 || examined.has(sid)) return;
          examined.add(sid);
          if (sameFlow(engine.row(sl, false), key)) {
            slot = sl;
            id = sid;
          }
        });
        if (slot < 0) return;
      } else {
        engine.drainChanged(() => {});
        if (engine.idAt(slot) !== id) return;
      }
      const f = engine.packetsAt(slot, 0);
      const r = engine.packetsAt(slot, 1);
      if (f === fwd && r === rev) return;
      const d = f > fwd ? 0 : 1;
      fwd = f;
      rev = r;
      this.found++;
      each(buf, off, caplen, wire, ts, lt, d);
    });
  }

  /** Reads on up to the capture's first `limit` bytes (null: its end), calling `chunkDone` after each chunk. */
  async readTo(limit: number | null, chunkDone: () => Promise<void>): Promise<void> {
    if (this.ended) return;
    const src = await open(this.source, 'r');
    try {
      for (let left = (limit ?? Infinity) - this.offset; left > 0; ) {
        const { bytesRead, buffer } = await src.read(Buffer.allocUnsafe(READ_BYTES), 0, Math.min(READ_BYTES, left), this.offset);
        if (bytesRead === 0) break;
        left -= bytesRead;
        this.offset += bytesRead;
        try {
          this.reader.push(buffer.subarray(0, bytesRead));
        } catch (e) {
          if (!(e instanceof CaptureFormatError)) throw e;
          this.ended = true;
        }
        await chunkDone();
        if (this.ended) break;
      }
    } finally {
      await src.close();
    }
  }
}

/**
 * Writes the packets of flow `key` found in the capture at `source` (its first `limit` bytes; all when null) to
 * `dest` as pcap, private and never through a link (as "Save capture" writes). Returns how many were written.
 * Throws FlowPacketsError when the flow is not in the capture or its packets cannot go in one pcap file.
 */
export async function saveFlowPackets(source: string, limit: number | null, key: FlowKey, dest: string): Promise<{ packets: number }> {
  let linktype = -1;
  let pending: Buffer[] = [];
  let mixed = false;
  const dir = await mkdtemp(path.join(tmpdir(), 'sandpiper-flow-'));
  try {
    const tmp = path.join(dir, 'flow.pcap');
    const out = await open(tmp, 'wx', 0o600);
    let written: number;
    try {
      const each: EachPacket = (buf, off, caplen, wire, ts, lt) => {
        if (linktype < 0) {
          linktype = lt;
          pending.push(pcapHeader(lt));
        } else if (lt !== linktype) mixed = true;
        if (!mixed) pending.push(pcapRecord(buf, off, caplen, wire, ts));
      };
      const scan = new FlowScan(source, key, each);
      await scan.readTo(limit, async () => {
        if (mixed) throw new FlowPacketsError('This flow’s packets came on interfaces of different link types, which one pcap file cannot hold');
        if (pending.length > 0) {
          await out.writev(pending);
          pending = [];
        }
      });
      written = scan.found;
    } finally {
      await out.close();
    }
    if (written === 0) throw new FlowPacketsError('The capture holds none of this flow’s packets');
    await copyToPrivateFile(tmp, dest, null);
    return { packets: written };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** What identifies a flow's chart: its key, and its local end (which says which direction is down). */
export type FlowSeriesKey = FlowKey & Pick<FlowRow, 'local'>;

/**
 * The traffic of one flow over capture time, from its packets' timestamps in a capture (a file, or a live recording
 * that grows), binned as the main chart is (Timeline): towards this host (down) and from it (up), the flow's `local`
 * end saying which is which (none known: the responder's packets are down, as the main chart counts them). Asked
 * again for the same flow and capture, it reads only what was added since; asked for another, it starts anew.
 */
export class FlowSeriesReader {
  private scan: FlowScan | null = null;
  private local: FlowRow['local'] = null;
  private timeline = new Timeline();
  /** Reads one at a time: a second ask waits for the first. */
  private queue: Promise<unknown> = Promise.resolve();

  /**
   * The series of flow `key` in the capture at `source` (its first `limit` bytes; null: all), bins ending at or before
   * `until` (Infinity: all). Throws FlowPacketsError when the capture holds none of its packets.
   */
  series(source: string, limit: number | null, key: FlowSeriesKey, until: number): Promise<ChartSeries> {
    const next = this.queue.then(() => this.read(source, limit, key, until));
    this.queue = next.catch(() => {});
    return next;
  }

  /** Forgets the flow read so far (the source changed, or its chart is not shown any more). */
  clear(): void {
    this.scan = null;
    this.timeline = new Timeline();
  }

  private async read(source: string, limit: number | null, key: FlowSeriesKey, until: number): Promise<ChartSeries> {
    const same = this.scan !== null && this.scan.source === source && sameFlow(this.scan.key, key) && this.local === key.local;
    if (!same) {
      this.clear();
      this.local = key.local;
      const timeline = this.timeline;
      const downIsFwd = key.local === 'dst';
      const { proto, src, sport, dst, dport, first_seen } = key;
      this.scan = new FlowScan(source, { proto, src, sport, dst, dport, first_seen }, (_buf, _off, _caplen, wire, ts, _lt, d) => timeline.add(ts, wire, (d === 0) === downIsFwd));
    }
    const scan = this.scan as FlowScan;
    // Kept here: a clear() while this read goes on leaves its answer whole.
    const timeline = this.timeline;
    try {
      await scan.readTo(limit, async () => {});
    } catch (e) {
      if (this.scan === scan) this.clear();
      throw e;
    }
    if (scan.found === 0) throw new FlowPacketsError('The capture holds none of this flow’s packets');
    return timeline.series(until);
  }
}
