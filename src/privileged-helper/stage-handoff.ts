/** What the first stage tells the second, through one environment variable the launcher never passes in. */
import { HELPER_LIMITS } from '../shared/helper-protocol.ts';

export const STAGE_ENV = 'SANDPIPER_HELPER_STAGE2';

export interface StageHandoff {
  uid: number;
  gid: number;
  /** Landlock ABI the first stage used (and the second must use). */
  abi: number;
  kernelAbi: number;
}

export function encodeHandoff(h: StageHandoff): string {
  return `${h.uid}:${h.gid}:${h.abi}:${h.kernelAbi}`;
}

export function decodeHandoff(s: string | undefined): StageHandoff | null {
  if (s === undefined) return null;
  const m = /^([0-9]{1,10}):([0-9]{1,10}):([0-9]):([0-9]{1,3})$/.exec(s);
  if (!m) return null;
  const [uid, gid, abi, kernelAbi] = m.slice(1).map(Number);
  if (uid < HELPER_LIMITS.uid.min || uid > HELPER_LIMITS.uid.max || gid < 1 || gid > HELPER_LIMITS.uid.max) return null;
  if (abi > HELPER_LIMITS.landlockAbi.max) return null;
  return { uid, gid, abi, kernelAbi };
}
