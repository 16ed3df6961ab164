/**
 * `sandpiper capture`: runs the privileged helper (through pkexec unless we are root), prints its sandbox report,
 * per-second stats, flows as they change and a summary, and saves the raw pcap stream with `--write` as this user.
 * Ctrl-C stops the helper cleanly; the summary is still printed and the file is complete.
 */
import { parseCaptureArgs, CAPTURE_USAGE } from '../capture-client/capture-args.ts';
import { CaptureCliExit } from '../capture-client/capture-failure.ts';
import { formatSandboxReport, formatStatsLine, formatSummary, type CaptureSummary } from '../capture-client/capture-report.ts';
import { HelperRun, type HelperRunOptions } from '../capture-client/helper-run.ts';
import { createFlowFeed, type FlowFeed } from '../capture-client/flow-feed.ts';
import { APP_VERSION, HelperNotFoundError, locateHelper } from '../capture-client/locate-helper.ts';
import { FileSinkError, preparePcapFileSink, type PcapFileSink } from '../capture-client/pcap-file-sink.ts';

export interface CaptureIo {
  out: (text: string) => void;
  err: (text: string) => void;
  env: NodeJS.ProcessEnv;
  /** Overrides for tests: how to launch, which pkexec. */
  launch?: HelperRunOptions['launch'];
  pkexecPath?: string;
  stopGraceMs?: number;
  /** Registers Ctrl-C / SIGTERM handling; returns the unregister function. */
  onInterrupt?: (stop: () => void) => () => void;
  /** Called once the helper is running (tests use it to stop a capture). */
  onStarted?: (s: HelperRun) => void;
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
  out: (t) => {
    if (!outputClosed) process.stdout.write(t);
  },
  err: (t) => void process.stderr.write(t),
  env: process.env,
  onInterrupt: processInterrupts,
});

export async function runCapture(argv: string[]): Promise<number> {
  return runCaptureWith(argv, defaultIo());
}

export async function runCaptureWith(argv: string[], io: CaptureIo): Promise<number> {
  const parsed = parseCaptureArgs(argv);
  if (parsed.ok === 'help') {
    io.out(CAPTURE_USAGE + '\n');
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

  const feed: FlowFeed = createFlowFeed();
  const session = new HelperRun({
    helperPath,
    helper,
    launch: io.launch,
    pkexecPath: io.pkexecPath,
    env: io.env,
    stopGraceMs: io.stopGraceMs,
  });
  const started = Date.now();
  let sawHello = false;
  let feedWarned = false;

  // Drained every tick even without --json: draining is what ages idle flows out and bounds what the feed keeps.
  const emitFlows = () => {
    const flows = feed.drainChanged();
    if (json) for (const f of flows) io.out(JSON.stringify(f) + '\n');
  };
  const feedError = () => {
    if (feed.error !== null && !feedWarned) {
      feedWarned = true;
      io.err(`sandpiper capture: warning: flow decoding stopped: ${feed.error}\n`);
    }
  };

  session.on('data', (chunk) => {
    feed.push(chunk);
    if (sink === null) return;
    return sink.write(chunk);
  });
  sink?.onDrain(() => session.resume());
  // A file we cannot write ends the capture: the user asked for it to be saved.
  sink?.onError(() => void session.stop());
  session.on('hello', (m) => {
    sawHello = true;
    if (installed && m.version !== APP_VERSION) {
      io.err(`sandpiper capture: warning: the installed helper is version ${m.version}, Sandpiper is ${APP_VERSION}; run sandpiper helper install\n`);
    }
    if (!json) io.out(`capturing on ${helper.interface} (helper ${m.version}, ${m.libpcap})\n`);
  });
  session.on('sandbox', (m) => io.out(json ? JSON.stringify(m) + '\n' : formatSandboxReport(m)));
  session.on('stats', (m) => {
    if (json) io.out(JSON.stringify(m) + '\n');
    else io.out(formatStatsLine(m, feed.flowCount()));
    feedError();
  });
  session.on('warning', (m) => io.err(`sandpiper capture: warning: ${m.message}\n`));

  // Flow lines at most once a second per flow: each drain hands every changed flow over once.
  const tick = setInterval(emitFlows, 1000);
  const unregister = (io.onInterrupt ?? (() => () => {}))(() => void session.stop());
  session.start();
  io.onStarted?.(session);
  const result = await session.done;
  clearInterval(tick);
  unregister();

  feed.end();
  // A record cut short at the very end is reported as a pipe drop; the engine's "truncated" would say it twice.
  if (result.pipeDrops === 0) feedError();
  emitFlows();

  let fileError: string | null = null;
  if (sink !== null) {
    try {
      await sink.close(result.completeBytes);
    } catch (e) {
      fileError = e instanceof Error ? e.message : String(e);
    }
  }

  const failure = result.failure;
  if (sawHello || result.packets > 0) {
    const summary: CaptureSummary = {
      type: 'summary',
      interface: helper.interface,
      packets: result.packets,
      bytes: result.packetBytes,
      flows: feed.flowCount(),
      received: result.lastStats?.received ?? null,
      dropped_kernel: result.lastStats?.dropped_kernel ?? null,
      dropped_iface: result.lastStats?.dropped_iface ?? null,
      pipe_drops: result.pipeDrops,
      elapsed: (Date.now() - started) / 1000,
      exit_reason: result.exitReason,
      file: sink?.path ?? null,
      error: failure?.message ?? fileError,
    };
    io.out(json ? JSON.stringify(summary) + '\n' : formatSummary(summary));
  }
  if (failure !== null) {
    io.err(`sandpiper capture: ${failure.message}\n`);
    return failure.cliExit;
  }
  if (fileError !== null) {
    io.err(`sandpiper capture: ${fileError}\n`);
    return CaptureCliExit.failed;
  }
  if (result.streamInvalid !== null) {
    io.err(`sandpiper capture: the helper's output was not a pcap stream: ${result.streamInvalid}\n`);
    return CaptureCliExit.failed;
  }
  return CaptureCliExit.ok;
}

