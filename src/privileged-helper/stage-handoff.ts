/** What the first stage tells the second, through one environment variable the launcher never passes in. */
import { HELPER_LIMITS } from '../shared/helper-protocol.ts';

export const STAGE_ENV = 'SANDPIPER_HELPER_STAGE2';

/** How the first stage set up process attribution (`--attribute-processes`). */
export type HandoffAttribution =
  | { method: 'off' }
  /** The eBPF programs are attached; these descriptors were kept open across execve (eventsFd: fd 3 or the FIFO). */
  | { method: 'ebpf'; eventsFd: number; ringFd: number; linkFds: number[] }
  | { method: 'proc'; reason: string };

export interface StageHandoff {
  uid: number;
  gid: number;
  /** Landlock ABI the first stage used (and the second must use). */
  abi: number;
  kernelAbi: number;
  attribution: HandoffAttribution;
}

const MAX_REASON = 400;
const MAX_FD = 1023;

function encodeAttribution(a: HandoffAttribution): string {
  if (a.method === 'off') return '-';
  if (a.method === 'ebpf') return `e${[a.eventsFd, a.ringFd, ...a.linkFds].join(',')}`;
  return `p${Buffer.from(a.reason.slice(0, MAX_REASON), 'utf8').toString('base64url')}`;
}

function decodeAttribution(s: string): HandoffAttribution | null {
  if (s === '-') return { method: 'off' };
  const e = /^e([0-9]{1,4}(?:,[0-9]{1,4}){2,9})$/.exec(s);
  if (e) {
    const fds = e[1].split(',').map(Number);
    if (fds.some((fd) => fd < 3 || fd > MAX_FD) || new Set(fds).size !== fds.length) return null;
    return { method: 'ebpf', eventsFd: fds[0], ringFd: fds[1], linkFds: fds.slice(2) };
  }
  const p = /^p([A-Za-z0-9_-]{1,600})$/.exec(s);
  if (p) return { method: 'proc', reason: Buffer.from(p[1], 'base64url').toString('utf8').slice(0, MAX_REASON) };
  return null;
}

export function encodeHandoff(h: StageHandoff): string {
  return `${h.uid}:${h.gid}:${h.abi}:${h.kernelAbi}:${encodeAttribution(h.attribution)}`;
}

export function decodeHandoff(s: string | undefined): StageHandoff | null {
  if (s === undefined) return null;
  const m = /^([0-9]{1,10}):([0-9]{1,10}):([0-9]):([0-9]{1,3}):([^:\n]{1,700})$/.exec(s);
  if (!m) return null;
  const [uid, gid, abi, kernelAbi] = m.slice(1, 5).map(Number);
  if (uid < HELPER_LIMITS.uid.min || uid > HELPER_LIMITS.uid.max || gid < 1 || gid > HELPER_LIMITS.uid.max) return null;
  if (abi > HELPER_LIMITS.landlockAbi.max) return null;
  const attribution = decodeAttribution(m[5]);
  if (attribution === null) return null;
  return { uid, gid, abi, kernelAbi, attribution };
}
