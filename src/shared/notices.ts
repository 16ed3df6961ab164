/**
 * Notifications the user sets (NotificationRules, kept in the settings) and what the engine host sends when one
 * fires (`notice` events on the API, src/shared/api.ts): coalesced, so a burst of new hosts is one "12 new hosts".
 *
 * This module imports nothing outside src/shared: the sandboxed preload bundles it.
 */
import type { Checked } from './api.ts';

export interface NotificationRules {
  /** A program seen for the first time in this capture or file. */
  newProgram: boolean;
  /** A remote host (registrable name, else address) seen for the first time. */
  newHost: boolean;
  /** A flow, or a program's flows together, above this many bytes (both directions); null: off. */
  flowBytes: number | null;
  programBytes: number | null;
  /** A flow, or a program's flows together, above this many bytes per second; null: off. */
  flowRate: number | null;
  programRate: number | null;
  /** Also show a desktop notification while the window is hidden (the renderer asks the desktop first). */
  desktop: boolean;
}

export const NO_NOTIFICATIONS: Readonly<NotificationRules> = Object.freeze({
  newProgram: false,
  newHost: false,
  flowBytes: null,
  programBytes: null,
  flowRate: null,
  programRate: null,
  desktop: false,
});

/** The largest threshold accepted (bytes, or bytes per second): a petabyte. */
export const MAX_THRESHOLD = 1e15;

export type NoticeKind = 'new_program' | 'new_host' | 'flow_bytes' | 'program_bytes' | 'flow_rate' | 'program_rate';
export const NOTICE_KINDS: readonly NoticeKind[] = ['new_program', 'new_host', 'flow_bytes', 'program_bytes', 'flow_rate', 'program_rate'];
/** The engine host sends a batch of notices at most this often; what fires in between waits and is coalesced. */
export const NOTICE_INTERVAL_MS = 3000;
/** Names carried per notice, at most (the count says how many there were). */
export const NOTICE_NAMES = 5;
export const MAX_NOTICE_NAME_LENGTH = 300;

/** One kind of event since the last notice of that kind, coalesced. */
export interface Notice {
  kind: NoticeKind;
  /** How many programs, hosts or flows it stands for. */
  count: number;
  /** The first of them by name, at most NOTICE_NAMES. */
  names: string[];
  /** The threshold crossed (bytes, or bytes per second); null for first-seen notices. */
  threshold: number | null;
  /** Capture time when it was sent, seconds since the epoch. */
  ts: number;
}

const RULE_KEYS = ['newProgram', 'newHost', 'flowBytes', 'programBytes', 'flowRate', 'programRate', 'desktop'] as const;
const THRESHOLDS = ['flowBytes', 'programBytes', 'flowRate', 'programRate'] as const;

/** Exactly the NotificationRules fields: booleans, and thresholds that are null or a whole number from 1 to MAX_THRESHOLD. */
export function checkNotificationRules(v: unknown): Checked<NotificationRules> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return { ok: false, reason: 'The notification rules are malformed.' };
  const r = v as Record<string, unknown>;
  const keys = Object.keys(r);
  if (keys.length !== RULE_KEYS.length || !RULE_KEYS.every((k) => keys.includes(k))) return { ok: false, reason: 'The notification rules must have exactly their known fields.' };
  if (typeof r.newProgram !== 'boolean' || typeof r.newHost !== 'boolean' || typeof r.desktop !== 'boolean') return { ok: false, reason: 'A notification rule is on (true) or off (false).' };
  for (const k of THRESHOLDS) {
    const t = r[k];
    if (t !== null && (!Number.isSafeInteger(t) || (t as number) < 1 || (t as number) > MAX_THRESHOLD)) {
      return { ok: false, reason: `A notification threshold is off (null) or a whole number from 1 to ${MAX_THRESHOLD}.` };
    }
  }
  const n = (k: (typeof THRESHOLDS)[number]) => r[k] as number | null;
  return {
    ok: true,
    value: { newProgram: r.newProgram, newHost: r.newHost, flowBytes: n('flowBytes'), programBytes: n('programBytes'), flowRate: n('flowRate'), programRate: n('programRate'), desktop: r.desktop },
  };
}

/** Whether any rule makes the engine host look for something (desktop only says how a notice is shown). */
export function anyRule(r: NotificationRules): boolean {
  return r.newProgram || r.newHost || THRESHOLDS.some((k) => r[k] !== null);
}

/** A `notice` event's payload as the page receives it: cheap and bounded, so a malformed one (a bug) is dropped. */
export function isNoticeList(v: unknown): v is Notice[] {
  if (!Array.isArray(v) || v.length > NOTICE_KINDS.length) return false;
  return v.every((n: unknown) => {
    if (typeof n !== 'object' || n === null) return false;
    const o = n as Record<string, unknown>;
    return (
      (NOTICE_KINDS as readonly unknown[]).includes(o.kind) &&
      Number.isSafeInteger(o.count) && (o.count as number) >= 1 &&
      Array.isArray(o.names) && o.names.length <= NOTICE_NAMES && o.names.every((s) => typeof s === 'string' && s.length <= MAX_NOTICE_NAME_LENGTH) &&
      (o.threshold === null || typeof o.threshold === 'number') &&
      typeof o.ts === 'number'
    );
  });
}
