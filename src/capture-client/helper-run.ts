/**
 * One run of the privileged capture helper, seen from the unprivileged side. Starts it directly when we are root,
 * else through pkexec (which clears the environment and tells the helper who we are in PKEXEC_UID). Passes the pcap
 * stream on unchanged and unparsed (the engine is its only parser, live-capture.ts), parses the stderr JSON lines
 * into typed events, and turns the way it ended into a `CaptureFailure` instead of an exception. The filter is compiled
 * here first (capture-request.ts): a filter libpcap refuses ends the run as bad_filter without starting anything.
 *
 * With `attributeProcesses` the helper gets a fourth pipe (fd 3, SOCKET_EVENTS_FD) for its socket-event stream
 * (src/shared/socket-events.ts), passed on unchanged as `socketEvents` chunks; the `attribution` line says whether
 * anything will come on it (eBPF) or processes must be named from /proc. pkexec closes every fd above stderr, so
 * through pkexec the stream comes on a FIFO instead (events-fifo.ts, `--events-fifo`), in the same chunks.
 *
 * Backpressure: a `data` listener that returns false pauses reading until `resume()`; the helper then blocks on its
 * stdout and the kernel ring absorbs (or drops, and counts) the excess. We never drop bytes ourselves.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import type { Readable } from 'node:stream';
import { existsSync } from 'node:fs';
import {
  HELPER_PROTOCOL_VERSION,
  buildHelperArgs,
  type AttributionMessage,
  parseHelperMessage,
  type ErrorMessage,
  type ExitMessage,
  type ExitReason,
  type HelloMessage,
  type HelperMessage,
  type SandboxMessage,
  type StatsMessage,
  type WarningMessage,
} from '../shared/helper-protocol.ts';
import { CaptureCliExit, describeHelperEnding, type CaptureFailure } from './capture-failure.ts';
import { prepareHelperOptions, type CaptureRequest } from './capture-request.ts';
import { createEventsFifo, type EventsFifo } from './events-fifo.ts';
import { createLineSplitter } from './line-splitter.ts';
import { TypedEvents } from './typed-events.ts';

export interface HelperRunOptions {
  helperPath: string;
  helper: CaptureRequest;
  /** 'auto' runs the helper directly when our effective uid is 0, else through pkexec. */
  launch?: 'auto' | 'direct' | 'pkexec';
  pkexecPath?: string;
  /** Environment for a direct launch (pkexec replaces it anyway). */
  env?: NodeJS.ProcessEnv;
  /** After stop(): how long to wait after SIGTERM before closing stdin, and again before SIGKILL. */
  stopGraceMs?: number;
}

export interface HelperRunResult {
  /** null when the capture ended normally (count/duration reached, or stopped by us). */
  failure: CaptureFailure | null;
  code: number | null;
  signal: NodeJS.Signals | null;
  viaPkexec: boolean;
  exitReason: ExitReason | null;
  lastStats: StatsMessage | null;
  /** Bytes of the pcap stream received. */
  streamBytes: number;
  /** The last stderr line that was not a helper message (pkexec's own complaints land here). */
  lastOtherLine: string | null;
}

export interface HelperRunEvents {
  /** A chunk of the pcap stream, unchanged. Return false to pause reading until resume(). */
  data: (chunk: Buffer) => boolean | void;
  message: (m: HelperMessage) => void;
  hello: (m: HelloMessage) => void;
  sandbox: (m: SandboxMessage) => void;
  /** With attributeProcesses: which method names processes (ebpf: socketEvents chunks follow). */
  attribution: (m: AttributionMessage) => void;
  /** A chunk of the socket-event stream (fd 3), unchanged; only with attributeProcesses. */
  socketEvents: (chunk: Buffer) => void;
  stats: (m: StatsMessage) => void;
  warning: (m: WarningMessage) => void;
  error: (m: ErrorMessage) => void;
  exit: (m: ExitMessage) => void;
  /** The run is over: the helper exited and its pipes are drained. */
  end: (r: HelperRunResult) => void;
}

const DEFAULT_PKEXEC = existsSync('/usr/bin/pkexec') ? '/usr/bin/pkexec' : 'pkexec';
/** After the helper exited: how long its FIFO may take to reach end-of-file before we stop waiting. */
const FIFO_DRAIN_MS = 2000;

export class HelperRun extends TypedEvents<HelperRunEvents> {
  readonly viaPkexec: boolean;
  readonly done: Promise<HelperRunResult>;
  #child: ChildProcessWithoutNullStreams | null = null;
  #opts: HelperRunOptions;
  #streamBytes = 0;
  #lastError: ErrorMessage | null = null;
  #exitMessage: ExitMessage | null = null;
  #lastStats: StatsMessage | null = null;
  #lastOtherLine: string | null = null;
  #stopRequested = false;
  #protocolFailure: CaptureFailure | null = null;
  #started = false;
  #ended = false;
  #timers: NodeJS.Timeout[] = [];
  #eventsFifo: EventsFifo | null = null;
  /** While the FIFO is read: settles at its end-of-file, so `end` comes after the last event. */
  #eventsDrained: Promise<void> | null = null;
  #resolve: (r: HelperRunResult) => void = () => {};

  constructor(opts: HelperRunOptions) {
    super();
    this.#opts = opts;
    const launch = opts.launch ?? 'auto';
    this.viaPkexec = launch === 'pkexec' || (launch === 'auto' && process.geteuid?.() !== 0);
    this.done = new Promise((r) => {
      this.#resolve = r;
    });
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /** Starts the helper. Listeners should be attached before. */
  start(): this {
    if (this.#started) return this;
    this.#started = true;
    const prepared = prepareHelperOptions(this.#opts.helper);
    if (!prepared.ok) {
      // Reported like the helper's own refusal (an `error` line with bad_filter, then the ending), after start()
      // returns, as a spawn failure would be.
      const line: ErrorMessage = { type: 'error', code: 'bad_filter', message: prepared.message };
      setImmediate(() => {
        this.#lastError = line;
        this.emit('message', line);
        this.emit('error', line);
        this.#finish(null, null, { kind: 'bad_arguments', message: prepared.message, cliExit: CaptureCliExit.badArguments });
      });
      return this;
    }
    const withEvents = prepared.options.attributeProcesses === true;
    if (withEvents && this.viaPkexec && !prepared.options.noEbpf) {
      try {
        this.#eventsFifo = createEventsFifo(this.#opts.env ?? process.env);
      } catch (e) {
        // Without it the helper names processes from /proc, and says so; this says why.
        const line: WarningMessage = { type: 'warning', code: 'events_fifo', message: e instanceof Error ? e.message : String(e) };
        setImmediate(() => {
          this.emit('message', line);
          this.emit('warning', line);
        });
      }
    }
    const args = buildHelperArgs({ ...prepared.options, ...(this.#eventsFifo ? { eventsFifo: this.#eventsFifo.path } : {}) });
    const [cmd, argv] = this.viaPkexec
      ? [this.#opts.pkexecPath ?? DEFAULT_PKEXEC, [this.#opts.helperPath, ...args]]
      : [this.#opts.helperPath, args];
    const stdio = withEvents && this.#eventsFifo === null ? ['pipe', 'pipe', 'pipe', 'pipe'] : ['pipe', 'pipe', 'pipe'];
    const child = spawn(cmd, argv, { stdio: stdio as ['pipe', 'pipe', 'pipe'], env: this.#opts.env ?? process.env }) as ChildProcessWithoutNullStreams;
    this.#child = child;
    if (withEvents) {
      const events = child.stdio[3] as Readable | null;
      events?.on('data', (chunk: Buffer) => this.emit('socketEvents', chunk));
      events?.on('error', () => {});
    }

    const lines = createLineSplitter((line) => this.#onLine(line));
    child.stdout.on('data', (chunk: Buffer) => {
      this.#streamBytes += chunk.length;
      const r = this.emit('data', chunk);
      if (r.includes(false)) child.stdout.pause();
    });
    child.stderr.on('data', (chunk: Buffer) => lines.push(chunk));
    // The helper closing its end early, or us writing nothing, must not crash us.
    child.stdin.on('error', () => {});
    child.stdout.on('error', () => {});
    child.stderr.on('error', () => {});
    child.on('error', (err: NodeJS.ErrnoException) => {
      if (child.pid === undefined) {
        const what = this.viaPkexec ? 'pkexec' : 'the capture helper';
        this.#finish(null, null, {
          kind: 'spawn_failed',
          message: `cannot start ${what} (${cmd}): ${err.code === 'ENOENT' ? 'not found' : err.message}`,
          cliExit: 1,
        });
      }
    });
    child.on('close', (code, signal) => {
      lines.end();
      const drained = this.#eventsDrained;
      if (drained === null) return this.#finish(code, signal, undefined);
      // The helper's exit closed the FIFO's write end; what it wrote before is still to be read.
      const late = setTimeout(() => this.#eventsFifo?.close(), FIFO_DRAIN_MS);
      void drained.then(() => {
        clearTimeout(late);
        this.#finish(code, signal, undefined);
      });
    });
    return this;
  }

  /** Resumes reading after a `data` listener returned false. */
  resume(): void {
    this.#child?.stdout.resume();
  }

  /**
   * Asks the helper to finish: SIGTERM, which we may send while it runs as us (under pkexec it is pkexec's pid,
   * since pkexec execs it); when it runs as another uid the kernel refuses, and closing its stdin tells it instead.
   */
  stop(): Promise<HelperRunResult> {
    const child = this.#child;
    if (!child || this.#ended) return this.done;
    if (!this.#stopRequested) {
      this.#stopRequested = true;
      const grace = this.#opts.stopGraceMs ?? 3000;
      if (!this.#signal('SIGTERM')) child.stdin.end();
      this.#timers.push(
        setTimeout(() => child.stdin.end(), grace),
        setTimeout(() => this.#signal('SIGKILL'), grace * 2),
      );
    }
    return this.done;
  }

  /** True when the signal was delivered (or the process is already gone). */
  #signal(sig: NodeJS.Signals): boolean {
    const pid = this.#child?.pid;
    if (pid === undefined || this.#ended) return true;
    try {
      process.kill(pid, sig);
      return true;
    } catch (e) {
      return (e as NodeJS.ErrnoException).code !== 'EPERM';
    }
  }

  #onLine(line: string): void {
    const m = parseHelperMessage(line);
    if (m === null) {
      this.#lastOtherLine = line;
      return;
    }
    this.emit('message', m);
    switch (m.type) {
      case 'hello':
        this.emit('hello', m);
        // A helper speaking another protocol version could be misread: stop it rather than guess.
        if (m.protocol !== HELPER_PROTOCOL_VERSION) {
          this.#protocolFailure = {
            kind: 'helper_failed',
            message: `the capture helper speaks protocol ${String(m.protocol)}, this Sandpiper speaks ${HELPER_PROTOCOL_VERSION}: reinstall the helper (sandpiper helper install)`,
            cliExit: 1,
          };
          void this.stop();
        }
        break;
      case 'sandbox':
        this.emit('sandbox', m);
        break;
      case 'attribution':
        if (this.#eventsFifo !== null) {
          if (m.method === 'ebpf') this.#eventsDrained = this.#eventsFifo.read((chunk) => this.emit('socketEvents', chunk));
          else this.#eventsFifo.close();
        }
        this.emit('attribution', m);
        break;
      case 'stats':
        this.#lastStats = m;
        this.emit('stats', m);
        break;
      case 'warning':
        this.emit('warning', m);
        break;
      case 'error':
        this.#lastError = m;
        this.emit('error', m);
        break;
      case 'exit':
        this.#exitMessage = m;
        this.emit('exit', m);
        break;
    }
  }

  #finish(code: number | null, signal: NodeJS.Signals | null, forced: CaptureFailure | undefined): void {
    if (this.#ended) return;
    this.#ended = true;
    for (const t of this.#timers) clearTimeout(t);
    this.#eventsFifo?.close();
    const failure =
      forced ??
      this.#protocolFailure ??
      describeHelperEnding({
        code,
        signal,
        viaPkexec: this.viaPkexec,
        lastError: this.#lastError,
        exitMessage: this.#exitMessage,
        stopRequested: this.#stopRequested,
        otherLine: this.#lastOtherLine,
      });
    const result: HelperRunResult = {
      failure,
      code,
      signal,
      viaPkexec: this.viaPkexec,
      exitReason: this.#exitMessage?.reason ?? null,
      lastStats: this.#lastStats,
      streamBytes: this.#streamBytes,
      lastOtherLine: this.#lastOtherLine,
    };
    this.emit('end', result);
    this.#resolve(result);
  }
}

/** Creates and starts a run. */
export function startHelperRun(opts: HelperRunOptions, attach?: (s: HelperRun) => void): HelperRun {
  const s = new HelperRun(opts);
  attach?.(s);
  return s.start();
}
