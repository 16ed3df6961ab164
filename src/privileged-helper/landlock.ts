/** Landlock system calls (x86_64 numbers) through koffi's syscall(). Acts on the calling thread unless TSYNC. */
import { statSync } from 'node:fs';
import type { Libc } from './native/libc.ts';
import {
  CREATE_RULESET_VERSION,
  RULE_PATH_BENEATH,
  encodePathBeneath,
  encodeRulesetAttr,
  fsRightsForAbi,
  netRightsForAbi,
  restrictSelfFlags,
  ruleRights,
  rulesetAttrSize,
  scopesForAbi,
} from './landlock-abi.ts';

const SYS_landlock_create_ruleset = 444;
const SYS_landlock_add_rule = 445;
const SYS_landlock_restrict_self = 446;
const O_PATH = 0o10000000;
const O_CLOEXEC = 0o2000000;

/** The ABI the kernel offers; 0 when Landlock is absent or disabled. */
export function kernelLandlockAbi(c: Libc): number {
  const v = c.syscall(SYS_landlock_create_ruleset, 'void *', null, 'size_t', 0, 'uint32_t', CREATE_RULESET_VERSION);
  return v > 0 ? v : 0;
}

export interface PathRule {
  path: string;
  access: bigint;
}

export interface LayerSpec {
  abi: number;
  /** Paths that keep some access; every other path gets none of the handled rights. */
  rules: readonly PathRule[];
  /** Deny TCP bind/connect (ABI >= 4). */
  denyTcp: boolean;
  /** Scope abstract unix sockets and signals to the domain (ABI >= 6). */
  scope: boolean;
  /** Ask for every thread (LANDLOCK_RESTRICT_SELF_TSYNC, ABI >= 8). */
  allThreads: boolean;
}

export interface LayerResult {
  fs: boolean;
  net: boolean;
  scoped: boolean;
  allThreads: boolean;
  /** Rules skipped because their path does not exist (e.g. /lib64 on some systems). */
  skipped: string[];
}

export class LandlockError extends Error {}

/** Builds and enforces one Landlock layer. The caller must already have no_new_privs (or CAP_SYS_ADMIN). */
export function restrictSelf(c: Libc, spec: LayerSpec): LayerResult {
  const { abi } = spec;
  if (abi < 1) return { fs: false, net: false, scoped: false, allThreads: false, skipped: [] };
  const attr = encodeRulesetAttr(
    { handledFs: fsRightsForAbi(abi), handledNet: spec.denyTcp ? netRightsForAbi(abi) : 0n, scoped: spec.scope ? scopesForAbi(abi) : 0n },
    abi,
  );
  const rulesetFd = c.syscall(SYS_landlock_create_ruleset, 'void *', attr, 'size_t', rulesetAttrSize(abi), 'uint32_t', 0);
  if (rulesetFd < 0) throw new LandlockError(`landlock_create_ruleset failed (errno ${c.errno()})`);
  const skipped: string[] = [];
  try {
    for (const rule of spec.rules) {
      let isDir: boolean;
      try {
        isDir = statSync(rule.path).isDirectory();
      } catch {
        skipped.push(rule.path);
        continue;
      }
      const access = ruleRights(rule.access, abi, isDir);
      if (access === 0n) continue;
      const fd = c.open(rule.path, O_PATH | O_CLOEXEC);
      if (fd < 0) {
        skipped.push(rule.path);
        continue;
      }
      try {
        const r = c.syscall(SYS_landlock_add_rule, 'int', rulesetFd, 'int', RULE_PATH_BENEATH, 'void *', encodePathBeneath(access, fd), 'uint32_t', 0);
        if (r !== 0) throw new LandlockError(`landlock_add_rule ${rule.path} failed (errno ${c.errno()})`);
      } finally {
        c.close(fd);
      }
    }
    const flags = restrictSelfFlags(abi, spec.allThreads);
    if (c.syscall(SYS_landlock_restrict_self, 'int', rulesetFd, 'uint32_t', flags) !== 0) {
      throw new LandlockError(`landlock_restrict_self failed (errno ${c.errno()})`);
    }
    return { fs: true, net: netRightsForAbi(abi) !== 0n && spec.denyTcp, scoped: scopesForAbi(abi) !== 0n && spec.scope, allThreads: flags !== 0, skipped };
  } finally {
    c.close(rulesetFd);
  }
}
