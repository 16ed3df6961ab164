/**
 * First stage (root, started by the launcher): validate everything, then restrict this thread — bounding set,
 * no_new_privs, a Landlock layer — and replace the process image with the second stage, so every thread of the
 * capturing process is born inside those restrictions. What runs here is kept to the minimum: argument parsing
 * (numbers and names only; the filter is already compiled), one directory listing of /sys/class/net, the Landlock
 * ABI query. No filter compiling, no name or user lookups (no NSS modules, no resolver).
 */
import { realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { FALLBACK_GID } from '../shared/helper-protocol.ts';
import { invokingUid, parseHelperArgs, quote, resolveTargetUser } from './args.ts';
import { FsIdentityError, openEventsFifo } from './events-fifo.ts';
import { effectiveAbi } from './landlock-abi.ts';
import { LandlockError, kernelLandlockAbi, restrictSelf } from './landlock.ts';
import { fail } from './messages.ts';
import { libc } from './native/libc.ts';
import { BPF_LOAD_CAPS, STAGE2_CAPS, isRoot, limitCapabilities, setCapabilities, setNoNewPrivs } from './privileges.ts';
import { loadSocketEvents } from './socket-events-load.ts';
import { STAGE_ENV, type HandoffAttribution, type StageHandoff, encodeHandoff } from './stage-handoff.ts';
import { stage1Rules } from './stage1-rules.ts';
import { interfaceExists } from './validate.ts';

/** ABI 6 is the first with TCP rules and scopes: what --sandbox-strict requires. */
export const STRICT_MIN_ABI = 6;

export function runStage1(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): never {
  const parsed = parseHelperArgs(argv);
  if (!parsed.ok) fail(parsed.code, parsed.message);
  const o = parsed.options;
  const target = resolveTargetUser(o.user, env);
  if (!target.ok) fail('bad_arguments', target.message);
  if (!isRoot()) {
    fail('not_privileged', 'the capture helper must be started as root: start captures from Sandpiper, or run it through pkexec');
  }
  const c = libc();
  if (!interfaceExists(o.interface)) {
    fail('no_such_interface', `there is no network interface ${quote(o.interface)}; pick one listed by \`ip link\``);
  }
  // The capture needs no group: it opens nothing after the drop. So no user database lookup as root (NSS modules),
  // and not the user's groups either, which would only add rights: the overflow group, no supplementary groups.
  const gid = FALLBACK_GID;
  const kernelAbi = kernelLandlockAbi(c);
  const abi = effectiveAbi(kernelAbi, o.maxLandlockAbi);
  if (o.sandboxStrict && abi < STRICT_MIN_ABI) {
    fail('sandbox_strict', `--sandbox-strict needs Landlock ABI ${STRICT_MIN_ABI} or later; this run can use ABI ${abi} (kernel offers ${kernelAbi})`);
  }

  const node = realpathSync(process.execPath);
  const bundle = realpathSync(process.argv[1]);
  const ebpf = o.attributeProcesses && !o.noEbpf;
  // Read before the Landlock layer, which leaves /proc readable anyway.
  const netns = ebpf ? statSync('/proc/self/ns/net').ino : 0;
  // Before any restriction: the layer below grants no path for it, and nothing after this needs one.
  let eventsFifoFd: number | null = null;
  if (ebpf && o.eventsFifo !== null) {
    try {
      const fifo = openEventsFifo(c, o.eventsFifo, invokingUid(env, process.getuid?.() ?? -1));
      if (!fifo.ok) fail('bad_arguments', fifo.message);
      eventsFifoFd = fifo.fd;
    } catch (e) {
      fail(e instanceof FsIdentityError ? 'sandbox_failed' : 'internal', `could not open the events FIFO: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  try {
    // The eBPF capabilities stay out of the bounding set: only this thread holds them, and only until the execve.
    limitCapabilities(c, STAGE2_CAPS, ebpf ? BPF_LOAD_CAPS : []);
    setNoNewPrivs(c);
    restrictSelf(c, { abi, rules: stage1Rules(node, bundle, { kernelBtf: ebpf }), denyTcp: true, scope: true, allThreads: false });
  } catch (e) {
    const why = e instanceof LandlockError || e instanceof Error ? e.message : String(e);
    fail('sandbox_failed', `could not restrict the helper before starting the capture: ${why}`);
  }
  let attribution: HandoffAttribution = { method: 'off' };
  if (o.attributeProcesses) {
    // Inside the stage-1 layer, with the reduced bounding set: libbpf reads only the object and the kernel's BTF.
    attribution = ebpf ? loadSocketEvents(c, path.dirname(bundle), netns, eventsFifoFd) : { method: 'proc', reason: 'eBPF was turned off (--no-ebpf)' };
    try {
      setCapabilities(c, STAGE2_CAPS);
    } catch (e) {
      fail('sandbox_failed', `could not give up the eBPF capabilities: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  const handoff: StageHandoff = { uid: target.uid, gid, abi, kernelAbi, attribution };
  const nextEnv: Record<string, string> = { [STAGE_ENV]: encodeHandoff(handoff) };
  for (const k of ['PKEXEC_UID', 'SUDO_UID'] as const) if (env[k] !== undefined) nextEnv[k] = env[k];
  const execve = process.execve;
  if (!execve) fail('internal', 'this Node runtime has no process.execve; the helper needs the pinned Node 24');
  try {
    // Same flags as the launcher (the OpenSSL config is outside the first layer). Same pid, same thread: nothing of this root image survives except the restrictions and stdio.
    execve(node, [node, '--no-warnings', '--openssl-config=/dev/null', bundle, ...argv], nextEnv);
  } catch (e) {
    fail('internal', `could not start the capture stage: ${e instanceof Error ? e.message : String(e)}`);
  }
  return fail('internal', 'could not start the capture stage');
}
