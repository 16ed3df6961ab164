/**
 * An engine whose `push` only queues the chunk and ingests queued chunks a slice of time at a time, yielding to the
 * event loop in between, so a live capture reads the helper's pipe promptly even while the engine is behind: a
 * burst waits here, in bounded memory, instead of in the kernel ring, where waiting too long means drops.
 *
 * - Chunks are ingested in order, whole, exactly as a plain engine would: every flow and count is the same.
 * - At `maxQueuedBytes` the queue is `full`: the caller stops reading (the pipe's writer then waits, and the kernel
 *   ring absorbs or drops and counts) until `onRoom` says half of it was ingested. The slices go on meanwhile, so
 *   the event loop never blocks on the whole queue. A caller that reads on regardless gets each push past twice
 *   the bound ingested at once, so memory stays bounded. `end` ingests everything queued before ending.
 * - Everything but push and end is the wrapped engine's, as of the chunks ingested so far (`queuedBytes` tells
 *   how far behind it is). A caller that needs the engine's state at a point of the stream (`completeBytes` where a
 *   file is cut) queues a callback there with `afterIngested`.
 */
import type { Engine, EngineStats, FlowRef, NumberColumn } from './engine.ts';
import type { EvictReason } from './flow-table.ts';
import type { FlowJsonWriter } from './flow-json.ts';
import type { FlowRecord, FlowRow, ReadSummary } from '../shared/flow.ts';
import type { Timeline } from './timeline.ts';

export interface QueuedIngestOptions {
  /** Bytes that may wait before the queue is full (default 128 MiB). */
  maxQueuedBytes?: number;
  /** Longest stretch of ingesting before yielding (default 1 ms: a pipe of a few hundred KiB fills in a few ms of a flood). */
  sliceMs?: number;
  /** Runs `cb` after pending I/O (default setImmediate). */
  schedule?: (cb: () => void) => void;
}

export const DEFAULT_MAX_QUEUED_BYTES = 128 << 20;

export class QueuedIngest implements Engine {
  readonly engine: Engine;
  private readonly max: number;
  private readonly sliceMs: number;
  private readonly schedule: (cb: () => void) => void;
  /** Chunks, and callbacks due once every chunk before them is ingested. */
  private queue: Array<Uint8Array | (() => void)> = [];
  private head = 0;
  private bytes = 0;
  private scheduled = false;
  private failed: { error: unknown } | null = null;
  private failureListeners: Array<(error: unknown) => void> = [];
  /** The queue was full: room is told once half of the bound is free. */
  private wasFull = false;
  private roomListeners: Array<() => void> = [];

  constructor(engine: Engine, o: QueuedIngestOptions = {}) {
    this.engine = engine;
    this.max = o.maxQueuedBytes ?? DEFAULT_MAX_QUEUED_BYTES;
    this.sliceMs = o.sliceMs ?? 1;
    this.schedule = o.schedule ?? ((cb) => void setImmediate(cb));
  }

  /**
   * What ingesting a queued chunk threw (CaptureFormatError: the stream is not a capture or corrupt), or null. The
   * next push or end throws it; when end is the first to, a caller that tells a truncated last record from a corrupt
   * stream by `completeBytes` should ask here.
   */
  get failure(): unknown {
    return this.failed?.error ?? null;
  }

  /** Calls `cb` with what ingesting a queued chunk threw, when it does (so a quiet stream's corruption is told). */
  onFailure(cb: (error: unknown) => void): void {
    this.failureListeners.push(cb);
  }

  /** Bytes pushed and not yet ingested. */
  get queuedBytes(): number {
    return this.bytes;
  }

  /** At least maxQueuedBytes wait: read no more until onRoom. */
  get full(): boolean {
    return this.bytes >= this.max;
  }

  /** Calls `cb` each time a queue that was full has been ingested down to half the bound (or emptied by a failure). */
  onRoom(cb: () => void): void {
    this.roomListeners.push(cb);
  }

  /** Queues the chunk (which must stay unchanged until ingested: a pipe's chunks are fresh buffers). */
  push(chunk: Uint8Array): void {
    this.rethrow();
    if (chunk.length === 0) return;
    this.queue.push(chunk);
    this.bytes += chunk.length;
    if (this.bytes >= this.max) this.wasFull = true;
    if (this.bytes > 2 * this.max) {
      this.ingest(Infinity);
      this.rethrow();
      return;
    }
    if (!this.scheduled) {
      this.scheduled = true;
      this.schedule(() => this.slice());
    }
  }

  /**
   * Calls `cb` once every chunk pushed so far has been ingested (at once when none waits), before any later chunk
   * is: the engine's state then is as of this point of the stream. When a queued chunk fails, due callbacks run then.
   */
  afterIngested(cb: () => void): void {
    if (this.head === this.queue.length || this.failed) {
      cb();
      return;
    }
    this.queue.push(cb);
  }

  end(): void {
    this.ingest(Infinity);
    this.rethrow();
    this.engine.end();
  }

  private rethrow(): void {
    if (this.failed) throw this.failed.error;
  }

  private slice(): void {
    this.scheduled = false;
    this.ingest(performance.now() + this.sliceMs);
    if (this.head < this.queue.length && !this.failed) {
      this.scheduled = true;
      this.schedule(() => this.slice());
    }
  }

  /** Ingests queued chunks until `until` (performance.now() time) has passed or none is left. */
  private ingest(until: number): void {
    const q = this.queue;
    while (this.head < q.length && !this.failed) {
      const chunk = q[this.head];
      q[this.head++] = EMPTY;
      if (typeof chunk === 'function') {
        chunk();
        continue;
      }
      this.bytes -= chunk.length;
      try {
        this.engine.push(chunk);
      } catch (e) {
        this.failed = { error: e };
        this.drop();
        for (const cb of this.failureListeners) cb(e);
        this.room();
        return;
      }
      if (until !== Infinity && performance.now() >= until) break;
    }
    if (this.head === q.length) this.drop();
    this.room();
  }

  private room(): void {
    if (!this.wasFull || this.bytes > this.max / 2) return;
    this.wasFull = false;
    for (const cb of this.roomListeners) cb();
  }

  /** Empties the queue; callbacks still in it (after a failure) run now, in order. */
  private drop(): void {
    const q = this.queue;
    for (let i = this.head; i < q.length; i++) {
      const item = q[i];
      if (typeof item === 'function') item();
    }
    this.queue = [];
    this.head = 0;
    this.bytes = 0;
  }

  // Everything else is the engine's own.
  get completeBytes(): number {
    return this.engine.completeBytes;
  }
  get slotCount(): number {
    return this.engine.slotCount;
  }
  get size(): number {
    return this.engine.size;
  }
  get clock(): number | null {
    return this.engine.clock;
  }
  get stats(): EngineStats {
    return this.engine.stats;
  }
  get timeline(): Timeline {
    return this.engine.timeline;
  }
  idAt(slot: number): number {
    return this.engine.idAt(slot);
  }
  textVersionAt(slot: number): number {
    return this.engine.textVersionAt(slot);
  }
  tcpSynSeenAt(slot: number): boolean {
    return this.engine.tcpSynSeenAt(slot);
  }
  row(slot: number, rates: boolean): FlowRow {
    return this.engine.row(slot, rates);
  }
  packetsAt(slot: number, d: 0 | 1): number {
    return this.engine.packetsAt(slot, d);
  }
  bytesAt(slot: number, d: 0 | 1): number {
    return this.engine.bytesAt(slot, d);
  }
  numberKey(column: NumberColumn, slot: number, rates: boolean): number {
    return this.engine.numberKey(column, slot, rates);
  }
  drainChanged(cb: (slot: number) => void): void {
    this.engine.drainChanged(cb);
  }
  slotOfId(id: number): number {
    return this.engine.slotOfId(id);
  }
  packet(buf: Uint8Array, off: number, caplen: number, wirelen: number, ts: number, linktype: number): void {
    this.engine.packet(buf, off, caplen, wirelen, ts, linktype);
  }
  flows(): Iterable<FlowRef> {
    return this.engine.flows();
  }
  toRecord(flow: FlowRef): FlowRecord {
    return this.engine.toRecord(flow);
  }
  writeFlowJson(flow: FlowRef, w: FlowJsonWriter): void {
    this.engine.writeFlowJson(flow, w);
  }
  toRow(flow: FlowRef, rates?: boolean): FlowRow {
    return this.engine.toRow(flow, rates);
  }
  advance(nowSeconds: number): void {
    this.engine.advance(nowSeconds);
  }
  onFlowEvicted(cb: (flow: FlowRef, reason: EvictReason) => void): void {
    this.engine.onFlowEvicted(cb);
  }
  summary(): ReadSummary {
    return this.engine.summary();
  }
}

const EMPTY = new Uint8Array(0);
