/**
 * The live capture pipeline, one for the CLI and the app's engine host: the helper's pcap stream goes straight from
 * its pipe into the engine (the stream's only parser) and, when asked, into a pcap file sink, whose backpressure
 * pauses the pipe instead of buffering without bound (the kernel ring absorbs the wait, and counts what it drops).
 *
 * - A stream the engine cannot read (not pcap, corrupt framing) stops the flow view, never the capture: the raw
 *   stream still reaches the sink, and the reason is in the result (`streamInvalid`).
 * - `maxSinkBytes` bounds a recording (the app's temporary one): past it the sink keeps what it has, cut at the last
 *   whole record, and `sinkFull` says so; the capture goes on.
 * - Counts come from the engine: packets and their bytes, the offset past the last whole record; a record cut short
 *   at the very end is one pipe drop.
 * - The engine may be a QueuedIngest (the pipe read between slices of ingesting): what depends on the engine's state
 *   at a point of the stream (the sink's cut, the first packets) is then settled when the queue gets there. A full
 *   queue pauses the pipe as the sink does; it is read again once both have room.
 */
import type { Engine } from '../engine/engine.ts';
import { CaptureFormatError } from '../engine/capture-format-error.ts';
import { QueuedIngest } from '../engine/queued-ingest.ts';
import { HelperRun, type HelperRunEvents, type HelperRunOptions, type HelperRunResult } from './helper-run.ts';
import type { PcapFileSink } from './pcap-file-sink.ts';
import { TypedEvents } from './typed-events.ts';

export interface LiveCaptureOptions extends HelperRunOptions {
  engine: Engine;
  sink?: PcapFileSink | null;
  /** Stop writing to the sink past this many bytes (default: no limit). */
  maxSinkBytes?: number;
}

export interface LiveCaptureResult extends HelperRunResult {
  /** Packets the engine read from the stream, and their captured bytes on the wire. */
  packets: number;
  bytes: number;
  /** Stream offset past the last whole record. */
  completeBytes: number;
  /** Packets received but not usable: a record cut short when the stream ended. */
  pipeDrops: number;
  /** Why the engine could not read the stream, if it could not. */
  streamInvalid: string | null;
  /** The sink stopped at maxSinkBytes. */
  sinkFull: boolean;
  /** Why writing the sink failed, if it did. */
  sinkError: string | null;
}

/** The helper's messages, passed on as HelperRun reports them. */
const RELAYED = ['message', 'hello', 'sandbox', 'stats', 'warning', 'error'] as const;
type Relayed = (typeof RELAYED)[number];

export interface LiveCaptureEvents extends Pick<HelperRunEvents, Relayed> {
  /** The first packets reached the engine. */
  packets: () => void;
  /** The engine stopped reading the stream (see streamInvalid). */
  streamInvalid: (reason: string) => void;
  /** The sink reached maxSinkBytes. */
  sinkFull: () => void;
  end: (r: LiveCaptureResult) => void;
}

export class LiveCapture extends TypedEvents<LiveCaptureEvents> {
  readonly done: Promise<LiveCaptureResult>;
  readonly run: HelperRun;
  readonly #engine: Engine;
  readonly #sink: PcapFileSink | null;
  readonly #maxSink: number;
  #invalid: string | null = null;
  #sinkFull = false;
  /**
   * Where the sink's file is cut on close when it filled up: the last record boundary within the bound, null until
   * the engine has got there.
   */
  #sinkCut: number | null = null;
  #sinkError: string | null = null;
  #sawPackets = false;
  /** Reading is paused for the sink's drain, or for room in the engine's queue. */
  #sinkWaits = false;
  #queueWaits = false;
  #resolve: (r: LiveCaptureResult) => void = () => {};

  constructor(opts: LiveCaptureOptions) {
    super();
    this.#engine = opts.engine;
    this.#sink = opts.sink ?? null;
    this.#maxSink = opts.maxSinkBytes ?? Infinity;
    this.done = new Promise((r) => {
      this.#resolve = r;
    });
    const run = new HelperRun(opts);
    this.run = run;
    const resume = () => {
      if (!this.#sinkWaits && !this.#queueWaits) run.resume();
    };
    if (opts.engine instanceof QueuedIngest) {
      // A queued chunk the engine cannot read stops the flow view as a pushed one does.
      opts.engine.onFailure((err) => this.#invalidStream(err));
      opts.engine.onRoom(() => {
        this.#queueWaits = false;
        resume();
      });
    }
    run.on('data', (chunk) => {
      const sinkTakes = this.#data(chunk);
      if (!sinkTakes) this.#sinkWaits = true;
      // Once the engine has stopped reading the stream, its queue no longer grows.
      if (this.#invalid === null && this.#engine instanceof QueuedIngest && this.#engine.full) this.#queueWaits = true;
      return !this.#sinkWaits && !this.#queueWaits;
    });
    for (const name of RELAYED) run.on(name, ((m: Parameters<HelperRunEvents[Relayed]>[0]) => this.emit(name, m as never)) as HelperRunEvents[Relayed]);
    run.on('end', (r) => void this.#finish(r));
    const sink = this.#sink;
    sink?.onDrain(() => {
      this.#sinkWaits = false;
      resume();
    });
    sink?.onError((m) => {
      this.#sinkError = m;
      // A file the user asked for that cannot be written ends the capture.
      void run.stop();
    });
  }

  /** Where a copy of the sink's file is cut to hold whole records only. */
  get sinkCut(): number {
    // Until the cut is known the engine is short of the bound, so its last boundary is within what the sink holds.
    return this.#sinkCut ?? this.#engine.completeBytes;
  }

  get viaPkexec(): boolean {
    return this.run.viaPkexec;
  }

  start(): this {
    this.run.start();
    return this;
  }

  stop(): Promise<LiveCaptureResult> {
    void this.run.stop();
    return this.done;
  }

  #data(chunk: Buffer): boolean {
    const sink = this.#sink;
    // Until it is full the sink holds every byte before this chunk, so `room` is where the bound falls in it.
    const room = sink === null || this.#sinkFull ? Infinity : this.#maxSink - sink.written;
    if (chunk.length <= room) {
      this.#push(chunk);
      return sink === null || this.#sinkFull ? true : sink.write(chunk);
    }
    // Fed in two parts, the engine's record boundary after the first is the last whole record within the bound: the
    // sink gets the bytes up to it once the engine is there, and nothing after.
    const s = sink as PcapFileSink;
    const base = s.written;
    this.#sinkFull = true;
    this.#push(chunk.subarray(0, room));
    this.#afterIngested(() => {
      const cut = this.#engine.completeBytes;
      this.#sinkCut = cut;
      const keep = cut - base;
      if (keep > 0) s.write(chunk.subarray(0, keep));
    });
    this.#push(chunk.subarray(room));
    this.emit('sinkFull');
    return true;
  }

  /** Runs `cb` once the engine has ingested everything pushed so far (at once for a plain engine). */
  #afterIngested(cb: () => void): void {
    const e = this.#engine;
    if (this.#invalid === null && e instanceof QueuedIngest) e.afterIngested(cb);
    else cb();
  }

  #push(part: Buffer): void {
    const e = this.#engine;
    if (this.#invalid !== null || part.length === 0) return;
    try {
      e.push(part);
    } catch (err) {
      this.#invalidStream(err);
    }
    if (!this.#sawPackets) this.#afterIngested(() => this.#checkPackets());
  }

  #invalidStream(err: unknown): void {
    if (this.#invalid !== null) return;
    this.#invalid = err instanceof CaptureFormatError ? err.message : err instanceof Error ? err.message : String(err);
    this.emit('streamInvalid', this.#invalid);
  }

  #checkPackets(): void {
    if (!this.#sawPackets && this.#engine.stats.packets > 0) {
      this.#sawPackets = true;
      this.emit('packets');
    }
  }

  async #finish(r: HelperRunResult): Promise<void> {
    const e = this.#engine;
    let invalid = this.#invalid;
    let pipeDrops = 0;
    if (invalid === null && r.streamBytes > 0) {
      try {
        e.end();
      } catch (err) {
        // A record cut short at the very end is one packet we could not use, not a corrupt stream; a queued chunk
        // that failed is a corrupt stream wherever it was.
        const queuedFailure = e instanceof QueuedIngest && e.failure !== null;
        if (!queuedFailure && e.completeBytes > 0 && r.streamBytes > e.completeBytes) pipeDrops = 1;
        else invalid = err instanceof Error ? err.message : String(err);
      }
    }
    const sink = this.#sink;
    if (sink !== null) {
      try {
        await sink.close(this.#sinkCut ?? e.completeBytes);
      } catch (err) {
        this.#sinkError ??= err instanceof Error ? err.message : String(err);
      }
    }
    const result: LiveCaptureResult = {
      ...r,
      packets: e.stats.packets,
      bytes: e.stats.bytes,
      completeBytes: e.completeBytes,
      pipeDrops,
      streamInvalid: invalid,
      sinkFull: this.#sinkFull,
      sinkError: this.#sinkError,
    };
    this.emit('end', result);
    this.#resolve(result);
  }
}
