/** Turns what the helper did and what the probes saw into the `sandbox` line's verdict. Pure. */
import type { ProbeResult, SandboxProbes, SandboxStatus } from '../shared/helper-protocol.ts';

export interface SandboxFacts {
  abi: number;
  fsRestricted: boolean;
  netRestricted: boolean;
  scoped: boolean;
  noNewPrivs: boolean;
  allThreads: boolean;
  capNetRawDropped: boolean;
  /** Every thread read back seccomp mode 2 after the filter went in. */
  seccompAllThreads: boolean;
  probes: SandboxProbes;
}

/**
 * fully_enforced: no filesystem, no TCP, scoped signals/abstract sockets (ABI >= 6), every thread checked and
 * carrying the seccomp filter, and every probe denied. not_available: no Landlock at all. Anything between is
 * partially_enforced.
 */
export function sandboxStatus(f: SandboxFacts): SandboxStatus {
  if (f.abi < 1 || !f.fsRestricted) return 'not_available';
  const full =
    f.netRestricted &&
    f.scoped &&
    f.noNewPrivs &&
    f.allThreads &&
    f.capNetRawDropped &&
    f.seccompAllThreads &&
    Object.values(f.probes).every((p) => p === 'denied');
  return full ? 'fully_enforced' : 'partially_enforced';
}

/** The file probe is denied only if both the main thread and a threadpool thread were refused. */
export function combineFileProbes(mainThread: ProbeResult, poolThread: ProbeResult): ProbeResult {
  if (mainThread === 'allowed' || poolThread === 'allowed') return 'allowed';
  if (mainThread === 'skipped' && poolThread === 'skipped') return 'skipped';
  return 'denied';
}
