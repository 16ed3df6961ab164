/**
 * Streams the capture to stdout. libpcap's own pcap_dump is the pcap_dispatch callback, so packets go from the
 * kernel ring to the stdio buffer without entering JavaScript; JS only wakes up when the capture fd is readable
 * (koffi's libuv poll), then drains and flushes. Ends on count, duration, signal, stdout or stdin closing, or the
 * parent's death, always with a final `stats` and `exit` line.
 */
import { HELPER_ERROR_EXIT, HelperExitCode, type ExitReason, type StatsMessage } from '../shared/helper-protocol.ts';
import { emit, exitWith, fail } from './messages.ts';
import { koffi } from './native/koffi.ts';
import type { Libc } from './native/libc.ts';
import type { Libpcap, NativePtr } from './native/libpcap.ts';

const POLLERR = 0x8;
const POLLHUP = 0x10;
/** Upper bound of packets per pcap_dispatch call, so one busy burst cannot starve signals and timers. */
const BATCH = 4096;

export interface StreamOptions {
  count: number | null;
  durationSeconds: number | null;
  /** The parent at the time the stream started; a change means it died and we were reparented. */
  parentPid: number;
  /** Called once when the stream ends, before the last lines (the socket events' final drain). */
  beforeExit?: () => void;
}

export interface StreamControl {
  stop(reason: ExitReason): void;
}

export function startStream(c: Libc, pcap: Libpcap, handle: NativePtr, o: StreamOptions): StreamControl {
  const started = process.hrtime.bigint();
  const fp = c.fdopen(1, 'w');
  if (fp === null) fail('capture_failed', 'stdout is not writable');
  const dumper = pcap.dumpFopen(handle, fp);
  if (dumper === null) fail('capture_failed', `cannot write the capture to stdout: ${pcap.geterr(handle)}`);
  let written = 0;
  let stopping = false;

  const stats = (): StatsMessage => {
    const s = pcap.stats(handle);
    const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
    return {
      type: 'stats',
      received: s?.received ?? 0,
      dropped_kernel: s?.dropped ?? 0,
      dropped_iface: s?.ifdropped ?? 0,
      written,
      elapsed: Math.round(elapsed * 1000) / 1000,
    };
  };

  /** Moves whatever the ring holds to stdout; returns a reason to stop, or null. */
  const drain = (): ExitReason | null => {
    for (;;) {
      const want = o.count === null ? BATCH : Math.min(BATCH, o.count - written);
      if (want <= 0) break;
      const n = pcap.dispatchToDumper(handle, want, dumper);
      if (n < 0) {
        emit({ type: 'error', code: 'capture_failed', message: `the capture stopped: ${pcap.geterr(handle)}` });
        return 'error';
      }
      written += n;
      if (n < want) break;
    }
    if (pcap.dumpFlush(dumper) !== 0) return 'stdout_closed';
    if (o.count !== null && written >= o.count) return 'count_reached';
    return null;
  };

  // The pcap header goes out now, so a reader sees a valid (empty) capture even before the first packet.
  if (pcap.dumpFlush(dumper) !== 0) exitWith('stdout_closed', HelperExitCode.ok);

  const poller = koffi().node.poll(pcap.selectableFd(handle), { readable: true }, () => {
    const reason = drain();
    if (reason !== null) stop(reason);
  });

  const tick = setInterval(() => {
    // The poll above can miss an interface going away (its error reported before the poll was watching): read once
    // a second anyway, non-blocking, so libpcap sees the error and the capture ends as capture_failed.
    const ended = drain();
    if (ended !== null) return stop(ended);
    emit(stats());
    if (c.getppid() !== o.parentPid) return stop('parent_died');
    const rev = c.pollNow(1, 0);
    if (rev < 0 || (rev & (POLLERR | POLLHUP)) !== 0) stop('stdout_closed');
  }, 1000);

  const deadline = o.durationSeconds === null ? null : setTimeout(() => stop('duration_reached'), o.durationSeconds * 1000);

  // EOF on stdin means whoever started us is gone; the data itself is ignored.
  process.stdin.on('data', () => {});
  process.stdin.on('end', () => stop('stdin_eof'));
  process.stdin.on('error', () => stop('stdin_eof'));

  function stop(reason: ExitReason): void {
    if (stopping) return;
    stopping = true;
    poller.close();
    clearInterval(tick);
    if (deadline) clearTimeout(deadline);
    // Keep what the ring already holds unless the stream itself is gone.
    let final: ExitReason = reason;
    if (reason !== 'stdout_closed' && reason !== 'error' && reason !== 'count_reached') {
      const r = drain();
      if (r === 'stdout_closed' || r === 'error') final = r;
    }
    o.beforeExit?.();
    emit(stats());
    // The error line drain() wrote is capture_failed; its status goes with it.
    exitWith(final, final === 'error' ? HELPER_ERROR_EXIT.capture_failed : HelperExitCode.ok);
  }

  return { stop };
}
