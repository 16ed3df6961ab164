/**
 * Second stage: born (via execve from the restricted first stage) with no_new_privs, a reduced bounding set and
 * the first Landlock layer on every thread. It opens the capture, becomes the target user on all threads, adds
 * the final layer (no filesystem, no TCP) and a seccomp filter on every thread, proves the sandbox with probes,
 * then streams.
 */
import { readFileSync } from 'node:fs';
import { HELPER_PROTOCOL_VERSION, type AttributionMessage, type ExitReason, type SandboxMessage } from '../shared/helper-protocol.ts';
import { parseHelperArgs } from './args.ts';
import { openCapture } from './capture.ts';
import { restrictSelf } from './landlock.ts';
import { emit, fail } from './messages.ts';
import { libc } from './native/libc.ts';
import { libpcap } from './native/libpcap.ts';
import { STAGE2_CAPS, dropToUser, hasNoNewPrivs, setNotDumpable, setParentDeathSignal } from './privileges.ts';
import {
  PROBE_FILE,
  probeFileAsync,
  probeFileSync,
  probeRawSocket,
  probeTcpConnect,
  probeUdpSend,
  probeUnixConnect,
  unixProbePath,
} from './probes.ts';
import { combineFileProbes, sandboxStatus } from './sandbox-status.ts';
import { buildBootFilter, buildSeccompFilter, installSeccompFilter, ioUringAllowed } from './seccomp.ts';
import { keepAcrossExec } from './socket-events-load.ts';
import { makeNonBlocking, openRing, startSocketEvents, type RingSource, type SocketEventsStream } from './socket-events-stream.ts';
import { decodeHandoff, type StageHandoff } from './stage-handoff.ts';
import { startStream, type StreamControl } from './stream.ts';
import { checkThreads, closeThreadStatusFds, everyThreadFiltered, openThreadStatusFds, readOwnThreads, readSeccomp } from './thread-audit.ts';

const SIGHUP = 1;
declare const __SANDPIPER_VERSION__: string | undefined;
/** The package version, compiled in by build/build-helper.mjs (tests that run the source see a dev marker). */
export const HELPER_VERSION = typeof __SANDPIPER_VERSION__ === 'string' ? __SANDPIPER_VERSION__ : '0.0.0-source';

/** The first stage's restrictions really are in place: otherwise someone started this stage directly. */
function verifyFirstStage(c: ReturnType<typeof libc>, abi: number): string | null {
  if (!hasNoNewPrivs(c)) return 'no_new_privs is not set';
  const status = readFileSync('/proc/self/status', 'utf8');
  const bnd = /^CapBnd:\s*([0-9a-f]+)$/m.exec(status);
  const expected = STAGE2_CAPS.reduce((m, cap) => m | (1n << BigInt(cap)), 0n);
  if (!bnd || BigInt(`0x${bnd[1]}`) !== expected) return 'the capability bounding set was not reduced';
  if (abi > 0 && probeFileSync(c, PROBE_FILE) !== 'denied') return 'the first Landlock layer is missing';
  return null;
}

/**
 * libuv sets up io_uring rings at boot (to batch epoll_ctl); the final filter must refuse io_uring, and a ring in
 * use cannot be taken away, so the stage runs again, same pid, under a filter that makes io_uring unavailable from
 * the start. Skipped when io_uring is already unavailable (that boot filter, or a kernel or policy without it).
 */
function reexecWithoutIoUring(c: ReturnType<typeof libc>, argv: readonly string[], abi: number, keepFds: readonly number[]): void {
  if (!ioUringAllowed(c)) return;
  if (!keepAcrossExec(c, keepFds)) fail('internal', 'could not keep the socket-event descriptors across the restart');
  const notStaged = verifyFirstStage(c, abi);
  if (notStaged !== null) fail('sandbox_failed', `refusing to capture: ${notStaged} (start the helper through its launcher)`);
  const execve = process.execve;
  if (!execve) fail('internal', 'this Node runtime has no process.execve; the helper needs the pinned Node 24');
  try {
    // The calling thread's filter is what the new image's threads are born with.
    installSeccompFilter(c, buildBootFilter(), false);
  } catch (e) {
    fail('sandbox_failed', `could not install the boot seccomp filter: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (ioUringAllowed(c)) fail('sandbox_failed', 'io_uring is still available under the boot seccomp filter');
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  try {
    execve(process.execPath, [process.execPath, ...process.execArgv, process.argv[1], ...argv], env);
  } catch (e) {
    fail('internal', `could not restart the capture stage: ${e instanceof Error ? e.message : String(e)}`);
  }
  fail('internal', 'could not restart the capture stage');
}

const CLOCK_REALTIME = 0;
const CLOCK_MONOTONIC = 1;

/**
 * Takes over the event ring the first stage attached, or says why processes are named from /proc instead. On
 * failure the links are closed, which detaches the programs. Before the drop and the filter (libbpf needs bpf()).
 */
type AttributionSetUp = { message: AttributionMessage | null; ring: null } | { message: AttributionMessage; ring: RingSource; eventsFd: number };

function setUpAttribution(c: ReturnType<typeof libc>, h: StageHandoff): AttributionSetUp {
  const a = h.attribution;
  if (a.method === 'off') return { message: null, ring: null };
  if (a.method === 'proc') return { message: { type: 'attribution', method: 'proc', reason: a.reason }, ring: null };
  const ring = openRing(a.ringFd);
  const why = typeof ring === 'string' ? ring : makeNonBlocking(c, a.eventsFd) ? null : `the event channel (fd ${a.eventsFd}) could not be made non-blocking`;
  if (why !== null || typeof ring === 'string') {
    for (const fd of [a.eventsFd, a.ringFd, ...a.linkFds]) c.close(fd);
    return { message: { type: 'attribution', method: 'proc', reason: why ?? 'the event ring could not be mapped' }, ring: null };
  }
  return { message: { type: 'attribution', method: 'ebpf', reason: null }, ring, eventsFd: a.eventsFd };
}

export async function runStage2(argv: readonly string[], stageValue: string): Promise<void> {
  const parsed = parseHelperArgs(argv);
  const handoff = decodeHandoff(stageValue);
  if (!parsed.ok || handoff === null) return fail('internal', 'the capture stage was started with a bad hand-off');
  const o = parsed.options;
  let stream: StreamControl | null = null;
  let pending: ExitReason | null = null;
  const onSignal = (reason: ExitReason) => () => (stream ? stream.stop(reason) : (pending ??= reason));
  process.on('SIGINT', onSignal('signal'));
  process.on('SIGTERM', onSignal('signal'));
  process.on('SIGHUP', onSignal('parent_died'));

  const c = libc();
  const a = handoff.attribution;
  reexecWithoutIoUring(c, argv, handoff.abi, a.method === 'ebpf' ? [a.eventsFd, a.ringFd, ...a.linkFds] : []);
  const pcap = libpcap(c.symbolAddress);
  emit({ type: 'hello', protocol: HELPER_PROTOCOL_VERSION, version: HELPER_VERSION, pid: process.pid, libpcap: pcap.libVersion(), node: process.version });

  const notStaged = verifyFirstStage(c, handoff.abi);
  if (notStaged !== null) fail('sandbox_failed', `refusing to capture: ${notStaged} (start the helper through its launcher)`);
  const attribution = setUpAttribution(c, handoff);
  // Read once: the stream's header maps the records' monotonic times to wall-clock time.
  const clock = { monotonicNs: c.clockNs(CLOCK_MONOTONIC), realtimeNs: c.clockNs(CLOCK_REALTIME) };

  const opened = openCapture(pcap, o);
  if (!opened.ok) fail(opened.code, opened.message);
  if (opened.warning) emit({ type: 'warning', code: 'capture_warning', message: opened.warning });

  try {
    dropToUser(handoff.uid, handoff.gid);
  } catch (e) {
    fail('privilege_drop_failed', `could not become uid ${handoff.uid} gid ${handoff.gid}: ${e instanceof Error ? e.message : String(e)}`);
  }
  try {
    setParentDeathSignal(c, SIGHUP);
  } catch (e) {
    fail('internal', `could not ask to be stopped with the parent: ${e instanceof Error ? e.message : String(e)}`);
  }
  try {
    setNotDumpable(c);
  } catch (e) {
    fail('internal', `could not make the helper non-dumpable: ${e instanceof Error ? e.message : String(e)}`);
  }
  const parentPid = c.getppid();

  // Audit every thread now, while the first layer still lets us read /proc; threads started later are created
  // by this (main) thread after the final layer and inherit its credentials and domain.
  let audit = checkThreads(readOwnThreads(), handoff.uid, handoff.gid);
  if (!audit.ok) audit = checkThreads(readOwnThreads(), handoff.uid, handoff.gid);
  // Opened now: after the final layer and the filter nothing can be opened, but an open fd can still be read.
  const statusFds = openThreadStatusFds(c);

  let layer = { fs: false, net: false, scoped: false, allThreads: false };
  try {
    layer = restrictSelf(c, { abi: handoff.abi, rules: [], denyTcp: true, scope: true, allThreads: true });
  } catch (e) {
    emit({ type: 'warning', code: 'landlock_final_layer', message: e instanceof Error ? e.message : String(e) });
  }
  const seccompBefore = readSeccomp(c, statusFds);
  let seccompInstalled = false;
  try {
    installSeccompFilter(c, buildSeccompFilter({ pcapFd: pcap.selectableFd(opened.handle) }));
    seccompInstalled = true;
  } catch (e) {
    emit({ type: 'warning', code: 'seccomp_filter', message: e instanceof Error ? e.message : String(e) });
  }
  const seccompThreads = readSeccomp(c, statusFds);
  closeThreadStatusFds(c, statusFds);
  const seccompAll = seccompInstalled && everyThreadFiltered(seccompBefore, seccompThreads);

  const rawSocket = probeRawSocket(c);
  const fileMain = probeFileSync(c);
  const filePool = await probeFileAsync();
  const tcp = probeTcpConnect(c);
  const udp = probeUdpSend(c);
  const unix = probeUnixConnect(c, unixProbePath(handoff.uid));
  const facts = {
    abi: handoff.abi,
    fsRestricted: layer.fs,
    netRestricted: layer.net,
    scoped: layer.scoped,
    noNewPrivs: hasNoNewPrivs(c),
    allThreads: audit.ok,
    capNetRawDropped: rawSocket === 'denied' && audit.ok,
    seccompAllThreads: seccompAll,
    probes: { raw_socket: rawSocket, file_open: combineFileProbes(fileMain, filePool), tcp_connect: tcp, udp_send: udp, unix_connect: unix },
  };
  const status = sandboxStatus(facts);
  const details = [
    `stage 1 (root, main thread): bounding set {NET_RAW,SETUID,SETGID}, no_new_privs, ${handoff.abi > 0 ? `Landlock ABI ${handoff.abi} layer allowing only the runtime, libraries, /proc, /sys` : 'no Landlock layer (ABI 0)'}; then execve, so every thread is born inside it`,
    `stage 2: uid ${handoff.uid} gid ${handoff.gid} on all threads via glibc set*id; final layer (no filesystem${layer.net ? ', no TCP' : ''}${layer.scoped ? ', scoped signals and abstract sockets' : ''}) ${layer.allThreads ? 'on all threads (TSYNC)' : handoff.abi > 0 ? 'on the main thread and threads it starts later; threads started before carry the stage-1 layer (no TSYNC below ABI 8)' : 'not applied'}`,
    `not dumpable; seccomp filter (deny-list: sockets, send, open, exec, ptrace, namespaces, bpf, io_uring, keys, ...) ${seccompInstalled ? `with TSYNC; read back: ${seccompThreads.map((t) => `tid ${t.tid} mode ${t.mode ?? '?'} filters ${t.filters ?? '?'}`).join(', ')}` : 'NOT installed'}`,
    `thread audit of ${audit.threads} threads: ${audit.ok ? `NoNewPrivs 1, CapEff/CapPrm 0, uid non-root, gid ${handoff.gid} and no supplementary groups on every thread` : audit.problems.join('; ')}`,
    `file probe: main thread ${fileMain}, threadpool thread ${filePool}`,
    ...(attribution.message === null ? [] : [attribution.message.method === 'ebpf'
      ? 'process attribution: eBPF programs loaded and attached by stage 1 while its thread alone held CAP_BPF and CAP_PERFMON (never in the bounding set); this stage holds only the ring buffer and link descriptors, bpf() is refused by the filter'
      : `process attribution: /proc (${attribution.message.reason})`]),
  ].join('. ');
  const msg: SandboxMessage = {
    type: 'sandbox',
    status,
    landlock_abi: handoff.abi,
    landlock_abi_kernel: handoff.kernelAbi,
    fs_restricted: facts.fsRestricted,
    net_restricted: facts.netRestricted,
    scoped: facts.scoped,
    no_new_privs: facts.noNewPrivs,
    cap_net_raw_dropped: facts.capNetRawDropped,
    uid: process.getuid?.() ?? -1,
    gid: process.getgid?.() ?? -1,
    all_threads: audit.ok,
    threads: audit.threads,
    seccomp: { installed: seccompInstalled, policy: 'deny_list', threads: seccompThreads, all_threads: seccompAll },
    probes: facts.probes,
    ...(attribution.message === null ? {} : { attribution: attribution.message.method }),
    details,
  };
  emit(msg);
  if (o.sandboxStrict && status !== 'fully_enforced') {
    fail('sandbox_strict', `--sandbox-strict: the sandbox is ${status}, so nothing was captured`);
  }
  let events: SocketEventsStream | null = null;
  if (attribution.message !== null) emit(attribution.message);
  if (attribution.ring !== null) events = startSocketEvents(attribution.ring, clock, attribution.eventsFd);
  stream = startStream(c, pcap, opened.handle, {
    count: o.count,
    durationSeconds: o.durationSeconds,
    parentPid,
    beforeExit: () => events?.drain(),
  });
  if (pending !== null) stream.stop(pending);
}
