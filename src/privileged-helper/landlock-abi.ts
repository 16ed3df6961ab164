/**
 * Landlock access rights per ABI version (include/uapi/linux/landlock.h). A ruleset may only name rights its ABI
 * knows, or landlock_create_ruleset fails with EINVAL, so every mask here is computed from the ABI in use.
 * Pure: no system calls.
 */

export const LANDLOCK_ABI_MAX_KNOWN = 8;

export const FS = {
  execute: 1n << 0n,
  writeFile: 1n << 1n,
  readFile: 1n << 2n,
  readDir: 1n << 3n,
  removeDir: 1n << 4n,
  removeFile: 1n << 5n,
  makeChar: 1n << 6n,
  makeDir: 1n << 7n,
  makeReg: 1n << 8n,
  makeSock: 1n << 9n,
  makeFifo: 1n << 10n,
  makeBlock: 1n << 11n,
  makeSym: 1n << 12n,
  /** ABI 2 */
  refer: 1n << 13n,
  /** ABI 3 */
  truncate: 1n << 14n,
  /** ABI 5 */
  ioctlDev: 1n << 15n,
} as const;

/** ABI 4 */
export const NET = { bindTcp: 1n << 0n, connectTcp: 1n << 1n } as const;
/** ABI 6 */
export const SCOPE = { abstractUnixSocket: 1n << 0n, signal: 1n << 1n } as const;
/** landlock_restrict_self flags: ABI 7 (logging) and ABI 8 (all threads). */
export const RESTRICT_SELF = { logSameExecOff: 1 << 0, logNewExecOn: 1 << 1, logSubdomainsOff: 1 << 2, tsync: 1 << 3 } as const;

export const RULE_PATH_BENEATH = 1;
export const CREATE_RULESET_VERSION = 1 << 0;

/** Rights that may appear on a rule whose parent is a regular file (the kernel rejects directory rights there). */
export const FILE_ONLY_RIGHTS = FS.execute | FS.writeFile | FS.readFile | FS.truncate | FS.ioctlDev;

/** Every filesystem right the given ABI handles (0 for ABI 0: Landlock unavailable). */
export function fsRightsForAbi(abi: number): bigint {
  if (abi < 1) return 0n;
  let m = (1n << 13n) - 1n;
  if (abi >= 2) m |= FS.refer;
  if (abi >= 3) m |= FS.truncate;
  if (abi >= 5) m |= FS.ioctlDev;
  return m;
}

export function netRightsForAbi(abi: number): bigint {
  return abi >= 4 ? NET.bindTcp | NET.connectTcp : 0n;
}

export function scopesForAbi(abi: number): bigint {
  return abi >= 6 ? SCOPE.abstractUnixSocket | SCOPE.signal : 0n;
}

/**
 * Size of struct landlock_ruleset_attr to pass: the kernel accepts the prefix it knows, and the fields
 * (handled_access_fs, handled_access_net from ABI 4, scoped from ABI 6) are each 8 bytes.
 */
export function rulesetAttrSize(abi: number): number {
  if (abi >= 6) return 24;
  if (abi >= 4) return 16;
  return 8;
}

/** restrict_self flags to use: TSYNC only where the kernel knows it (ABI 8). */
export function restrictSelfFlags(abi: number, allThreads: boolean): number {
  return allThreads && abi >= 8 ? RESTRICT_SELF.tsync : 0;
}

/** The rights a path_beneath rule may carry at this ABI, given whether its parent is a directory. */
export function ruleRights(wanted: bigint, abi: number, isDirectory: boolean): bigint {
  const allowed = fsRightsForAbi(abi) & (isDirectory ? ~0n : FILE_ONLY_RIGHTS);
  return wanted & allowed;
}

/** The ABI to use: the kernel's, capped by --max-landlock-abi and by the highest ABI this code was reviewed for. */
export function effectiveAbi(kernelAbi: number, cap: number | null): number {
  const k = Math.max(0, Math.min(kernelAbi, LANDLOCK_ABI_MAX_KNOWN));
  return cap === null ? k : Math.min(k, cap);
}

export interface RulesetAttr {
  handledFs: bigint;
  handledNet: bigint;
  scoped: bigint;
}

/** Encodes struct landlock_ruleset_attr for the ABI (little-endian x86_64). */
export function encodeRulesetAttr(attr: RulesetAttr, abi: number): Buffer {
  const b = Buffer.alloc(rulesetAttrSize(abi));
  b.writeBigUInt64LE(attr.handledFs & fsRightsForAbi(abi), 0);
  if (b.length >= 16) b.writeBigUInt64LE(attr.handledNet & netRightsForAbi(abi), 8);
  if (b.length >= 24) b.writeBigUInt64LE(attr.scoped & scopesForAbi(abi), 16);
  return b;
}

/** Encodes the packed struct landlock_path_beneath_attr { u64 allowed_access; s32 parent_fd; }. */
export function encodePathBeneath(allowed: bigint, parentFd: number): Buffer {
  const b = Buffer.alloc(12);
  b.writeBigUInt64LE(allowed, 0);
  b.writeInt32LE(parentFd, 8);
  return b;
}
