/**
 * `sandpiper capture`: runs the privileged helper (through pkexec unless we are root), prints its sandbox report,
 * per-second stats, flows as they change and a summary, and saves the raw pcap stream with `--write` as this user.
 * Ctrl-C stops the helper cleanly; the summary is still printed and the file is complete.
 */
import { parseCaptureArgs, CAPTURE_USAGE } from '../capture-client/capture-args.ts';
import { CaptureCliExit } from '../capture-client/capture-failure.ts';
import { formatSandboxReport, formatStatsLine, formatSummary, type CaptureSummary } from '../capture-client/capture-report.ts';
import type { HelperRunOptions } from '../capture-client/helper-run.ts';
import { LiveCapture } from '../capture-client/live-capture.ts';
import { createEngine } from '../engine/engine.ts';
import { FlowJsonWriter } from '../engine/flow-json.ts';
import { QueuedIngest } from '../engine/queued-ingest.ts';
import { onStdoutDrain } from './stdout-drain.ts';
import { IPFIX_USAGE, splitIpfixArgs, startIpfix, type IpfixSession } from '../engine-host/ipfix/ipfix-cli.ts';
import { grown } from '../engine-host/view/grown.ts';
import { ProcessAttributor } from '../engine/process-attribution.ts';
import { APP_VERSION, HelperNotFoundError, locateHelper } from '../capture-client/locate-helper.ts';
import { FileSinkError, preparePcapFileSink, type PcapFileSink } from '../capture-client/pcap-file-sink.ts';

/**
 * Time spent writing flow lines per event-loop turn while a capture runs. The helper's pipe holds a few hundred KiB
 * at most (a socket pair's buffers), so under a flood it must be read every millisecond or two: each turn reads it,
 * then writes lines (and ingests, see QueuedIngest) for about this long.
 */
const PRINT_SLICE_MS = 1;
/** Lines written between looks at the clock. */
const LINES_PER_CLOCK_CHECK = 64;
/** --json output is written in chunks of this size (or less, at the end of each turn). */
const JSON_CHUNK_BYTES = 256 << 10;
/**
 * --json bytes that may wait for a slow stdout. Changed flows wait as slots (their newest numbers are printed when
 * stdout is ready), so only lines that cannot wait (ended flows, stats) queue; beyond this, ended flows' lines are
 * dropped and counted.
 */
const JSON_QUEUE_LIMIT = 32 << 20;

export interface CaptureIo {
  /** Writes text or bytes; `false` asks to wait for `onDrain` before writing more (as a stream's write does). */
  out: (text: string | Uint8Array) => boolean | void;
  /** Calls `cb` once when output that returned `false` can take more; absent, output never waits. */
  onDrain?: (cb: () => void) => void;
  err: (text: string) => void;
  env: NodeJS.ProcessEnv;
  /** Overrides for tests: how to launch, which pkexec. */
  launch?: HelperRunOptions['launch'];
  pkexecPath?: string;
  stopGraceMs?: number;
  /** Registers Ctrl-C / SIGTERM handling; returns the unregister function. */
  onInterrupt?: (stop: () => void) => () => void;
  /** Called once the helper is running (tests use it to stop a capture). */
  onStarted?: (s: LiveCapture) => void;
}

/** Ctrl-C, SIGTERM, a closed terminal, or stdout closed under us (`| head`) all stop the capture cleanly. */
function processInterrupts(stop: () => void): () => void {
  const handler = () => stop();
  const onOutputError = () => {
    outputClosed = true;
    stop();
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  process.on('SIGHUP', handler);
  process.stdout.on('error', onOutputError);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
    process.off('SIGHUP', handler);
  };
}

let outputClosed = false;

const defaultIo = (): CaptureIo => ({
  out: (t) => (outputClosed ? true : process.stdout.write(t)),
  onDrain: onStdoutDrain,
  err: (t) => void process.stderr.write(t),
  env: process.env,
  onInterrupt: processInterrupts,
});

/**
 * --json output: lines written as bytes by FlowJsonWriter, handed to `io.out` in chunks. While `io.out` waits for a
 * drain, chunks queue here (bounded by the caller, see `full`) and the capture goes on reading the helper's pipe.
 */
class JsonOutput {
  readonly writer: FlowJsonWriter;
  /** Ended flows' lines not written because the queue was full. */
  dropped = 0;
  /** Called when the output has taken everything after having waited. */
  onReady: () => void = () => {};
  private readonly io: CaptureIo;
  private queue: Buffer[] = [];
  private queuedBytes = 0;
  private waiting = false;
  private idle: Array<() => void> = [];

  constructor(io: CaptureIo) {
    this.io = io;
    this.writer = new FlowJsonWriter((chunk) => {
      this.queue.push(chunk);
      this.queuedBytes += chunk.length;
    }, JSON_CHUNK_BYTES);
  }

  /** Nothing waits for the output. */
  get ready(): boolean {
    return !this.waiting && this.queue.length === 0;
  }

  get full(): boolean {
    return this.queuedBytes + this.writer.pending >= JSON_QUEUE_LIMIT;
  }

  /** Hands everything written so far to the output, as far as it takes it. */
  send(): void {
    this.writer.flush();
    this.pump();
  }

  /** Resolves once the output has taken everything. */
  drained(): Promise<void> {
    this.send();
    if (this.ready) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  private pump(): void {
    let i = 0;
    while (!this.waiting && i < this.queue.length) {
      const chunk = this.queue[i++];
      this.queuedBytes -= chunk.length;
      if (this.io.out(chunk) === false && this.io.onDrain !== undefined) {
        this.waiting = true;
        this.io.onDrain(() => {
          this.waiting = false;
          this.pump();
          if (!this.ready) return;
          this.onReady();
          const idle = this.idle;
          this.idle = [];
          for (const resolve of idle) resolve();
        });
      }
    }
    this.queue = i === this.queue.length ? [] : this.queue.slice(i);
  }
}

export async function runCapture(argv: string[]): Promise<number> {
  return runCaptureWith(argv, defaultIo());
}

export async function runCaptureWith(argv: string[], io: CaptureIo): Promise<number> {
  const split = splitIpfixArgs(argv);
  if (typeof split === 'string') {
    io.err(`sandpiper capture: ${split} (see sandpiper capture --help)\n`);
    return CaptureCliExit.badArguments;
  }
  const parsed = parseCaptureArgs(split.rest);
  if (parsed.ok === 'help') {
    io.out(`${CAPTURE_USAGE}\n       ${IPFIX_USAGE}\n`);
    return 0;
  }
  if (!parsed.ok) {
    io.err(`sandpiper capture: ${parsed.error} (see sandpiper capture --help)\n`);
    return CaptureCliExit.badArguments;
  }
  const { helper, write, json } = parsed.args;

  let helperPath: string;
  let installed = false;
  try {
    const found = locateHelper({ env: io.env });
    helperPath = found.path;
    installed = found.source === 'installed';
    if (found.devWarning) io.err(`sandpiper capture: warning: ${found.devWarning}\n`);
  } catch (e) {
    if (e instanceof HelperNotFoundError) {
      io.err(`sandpiper capture: ${e.message}\n`);
      return CaptureCliExit.helperMissing;
    }
    throw e;
  }

  let sink: PcapFileSink | null = null;
  if (write !== null) {
    try {
      sink = preparePcapFileSink(write);
    } catch (e) {
      if (e instanceof FileSinkError) {
        io.err(`sandpiper capture: ${e.message}\n`);
        return CaptureCliExit.badArguments;
      }
      throw e;
    }
  }

  // Rates, changed-slot tracking, directions and full DPI facts are for flow lines (--json); without them the engine
  // does less for every packet, as for `read`. Processes are still named: IPFIX exports them.
  const engine = createEngine({ detail: json, attributor: new ProcessAttributor() });
  // The pipe is read between slices of ingesting: a burst the engine is behind on waits in memory, not in the
  // kernel ring (which drops what does not fit).
  const ingest = new QueuedIngest(engine);
  let ipfix: IpfixSession | null = null;
  try {
    if (split.ipfix) ipfix = await startIpfix(engine, split.ipfix);
  } catch (e) {
    io.err(`sandpiper capture: --ipfix ${split.ipfix?.text}: ${e instanceof Error ? e.message : String(e)}\n`);
    return CaptureCliExit.badArguments;
  }
  const capture = new LiveCapture({
    helperPath,
    helper,
    launch: io.launch,
    pkexecPath: io.pkexecPath,
    env: io.env,
    stopGraceMs: io.stopGraceMs,
    engine: ingest,
    sink,
  });
  const started = Date.now();
  let sawHello = false;
  let live = true;

  const jsonOut = new JsonOutput(io);
  // A flow's line when it ends (evicted idle or by the cap), then the flows that changed, each once per tick.
  // An ended flow's slot is reused, so its line is written now; if stdout is that far behind, it is dropped and counted.
  engine.onFlowEvicted((flow) => {
    if (!json) return;
    if (jsonOut.full) jsonOut.dropped++;
    else engine.writeFlowJson(flow, jsonOut.writer);
  });
  // Changed flows are printed a batch per event-loop turn, so the pipe from the helper is read in between: one
  // long burst of lines would stall reading and let the kernel ring overflow.
  // Each slot waits at most once (`queued`), so a flow still waiting from the last tick (or for a slow stdout) is
  // printed once, with its newest numbers: what waits is bounded by the number of flows.
  const pending: number[] = [];
  let next = 0;
  let queued = new Uint8Array(1024);
  let printing: ReturnType<typeof setImmediate> | null = null;
  /** Prints waiting flows until `until` (performance.now() time) has passed, or all of them when it is Infinity. */
  const printSome = (until: number) => {
    while (next < pending.length) {
      const end = Math.min(pending.length, next + LINES_PER_CLOCK_CHECK);
      for (; next < end; next++) {
        const slot = pending[next];
        queued[slot] = 0;
        if (engine.idAt(slot) !== 0) engine.writeFlowJson(slot, jsonOut.writer);
      }
      if (until !== Infinity && performance.now() >= until) break;
    }
    if (next === pending.length) {
      pending.length = 0;
      next = 0;
    }
    jsonOut.send();
  };
  const printBatch = () => {
    printing = null;
    // A slow stdout: the slots wait (and keep collecting changes) until it has taken what it has.
    if (!jsonOut.ready) return;
    printSome(performance.now() + PRINT_SLICE_MS);
    if (next < pending.length) printing = setImmediate(printBatch);
  };
  jsonOut.onReady = () => {
    if (next < pending.length) printing ??= setImmediate(printBatch);
  };
  const emitFlows = () => {
    // A quiet capture still ages its flows: wall time moves capture time on (not while older packets wait).
    if (live && ingest.queuedBytes === 0) engine.advance(Date.now() / 1000);
    if (!json) return;
    engine.drainChanged((slot) => {
      if (slot >= queued.length) queued = grown(queued, Math.max(slot + 1, queued.length * 2));
      if (queued[slot] === 1) return;
      queued[slot] = 1;
      pending.push(slot);
    });
    printing ??= setImmediate(printBatch);
  };
  const flushFlows = () => {
    if (printing !== null) clearImmediate(printing);
    printing = null;
    printSome(Infinity);
  };
  /** A JSON line of its own (sandbox, stats, summary), in order with the flow lines. */
  const jsonLine = (m: unknown) => {
    jsonOut.writer.line(JSON.stringify(m));
    jsonOut.send();
  };
  let warnedInvalid = false;
  capture.on('streamInvalid', (reason) => {
    warnedInvalid = true;
    io.err(`sandpiper capture: warning: flow decoding stopped: ${reason}\n`);
  });
  capture.on('hello', (m) => {
    sawHello = true;
    if (installed && m.version !== APP_VERSION) {
      io.err(`sandpiper capture: warning: the installed helper is version ${m.version}, Sandpiper is ${APP_VERSION}; run sandpiper helper install\n`);
    }
    if (!json) io.out(`capturing on ${helper.interface} (helper ${m.version}, ${m.libpcap})\n`);
  });
  capture.on('sandbox', (m) => (json ? jsonLine(m) : io.out(formatSandboxReport(m))));
  // An exporter's counts go with each stats line, so a collector that is down shows while the capture runs.
  capture.on('stats', (m) => {
    if (json) {
      jsonLine(m);
      if (ipfix !== null) jsonLine(ipfix.counters());
    } else {
      io.out(formatStatsLine(m, engine.stats.flows));
      if (ipfix !== null) io.out(`  ${ipfix.status()}\n`);
    }
  });
  capture.on('warning', (m) => io.err(`sandpiper capture: warning: ${m.message}\n`));

  // Flow lines at most once a second per flow: each drain hands every changed flow over once.
  const tick = setInterval(emitFlows, 1000);
  const ipfixTick = ipfix === null ? null : setInterval(() => ipfix.tick(), 1000);
  const unregister = (io.onInterrupt ?? (() => () => {}))(() => void capture.stop());
  capture.start();
  io.onStarted?.(capture);
  const result = await capture.done;
  clearInterval(tick);
  if (ipfixTick !== null) clearInterval(ipfixTick);
  unregister();
  live = false;
  emitFlows();
  flushFlows();
  if (ipfix !== null) io.err(`sandpiper capture: ${await ipfix.finish()}\n`);
  const fileError = result.sinkError;
  // A corrupt stream found only when the queue was ingested at the end is a corrupt stream, not a cut last record.
  let streamInvalid = result.streamInvalid;
  let pipeDrops = result.pipeDrops;
  if (ingest.failure !== null && !warnedInvalid) {
    const e = ingest.failure;
    streamInvalid = e instanceof Error ? e.message : String(e);
    pipeDrops = 0;
    io.err(`sandpiper capture: warning: flow decoding stopped: ${streamInvalid}\n`);
  }

  const failure = result.failure;
  if (sawHello || result.packets > 0) {
    const summary: CaptureSummary = {
      type: 'summary',
      interface: helper.interface,
      packets: result.packets,
      bytes: result.bytes,
      flows: engine.stats.flows,
      received: result.lastStats?.received ?? null,
      dropped_kernel: result.lastStats?.dropped_kernel ?? null,
      dropped_iface: result.lastStats?.dropped_iface ?? null,
      pipe_drops: pipeDrops,
      elapsed: (Date.now() - started) / 1000,
      exit_reason: result.exitReason,
      file: sink?.path ?? null,
      error: failure?.message ?? fileError,
    };
    if (json) jsonLine(summary);
    else io.out(formatSummary(summary));
  }
  if (json) {
    await jsonOut.drained();
    if (jsonOut.dropped > 0) {
      io.err(`sandpiper capture: warning: ${jsonOut.dropped} ended flows' lines were dropped: the output did not keep up\n`);
    }
  }
  if (failure !== null) {
    io.err(`sandpiper capture: ${failure.message}\n`);
    return failure.cliExit;
  }
  if (fileError !== null) {
    io.err(`sandpiper capture: ${fileError}\n`);
    return CaptureCliExit.failed;
  }
  if (streamInvalid !== null) {
    io.err(`sandpiper capture: the helper's output was not a pcap stream: ${streamInvalid}\n`);
    return CaptureCliExit.failed;
  }
  return CaptureCliExit.ok;
}

