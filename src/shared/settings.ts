/**
 * What the app remembers between runs, kept by the engine host in the user's config folder
 * (`$XDG_CONFIG_HOME/sandpiper/settings.json`). The page reads it once at start (getSettings) and sends the whole
 * object back when something in it changes (saveSettings), checked by `checkSettings`. A file written by another
 * version is read field by field (`settingsFromFile`): what is valid is kept, the rest takes its default.
 *
 * This module imports nothing outside src/shared: the sandboxed preload bundles it.
 */
import { COLUMN_IDS, FLOW_KEY_COLUMN, isColumnId, type ColumnId, type SortDir } from './flows/columns.ts';
import { INTERFACE_NAME_RE } from './helper-protocol.ts';
import { MAX_FILTER_LENGTH } from './ipc.ts';
import type { Checked } from './api.ts';

export const SETTINGS_VERSION = 1;
export const FILTER_HISTORY_MAX = 20;
export const COLUMN_WIDTH_PX = { min: 48, max: 1200 } as const;

export type ThemeSetting = 'system' | 'light' | 'dark';
export const THEME_SETTINGS: readonly ThemeSetting[] = ['system', 'light', 'dark'];

export interface Settings {
  version: typeof SETTINGS_VERSION;
  /** Light or dark, or whatever the desktop prefers. */
  theme: ThemeSetting;
  /** The interface of the last capture started, chosen again when it exists. */
  interface: string | null;
  /** Flows filters the user applied, newest first, without repeats. */
  filterHistory: string[];
  sortColumn: ColumnId;
  sortDir: SortDir;
  overviewOrder: 'bytes' | 'rate';
  /** Columns of the flows table the user hid. */
  hiddenColumns: ColumnId[];
  /** Widths the user gave columns by dragging their edge, px. */
  columnWidths: Partial<Record<ColumnId, number>>;
}

export const DEFAULT_SETTINGS: Readonly<Settings> = Object.freeze({
  version: SETTINGS_VERSION,
  theme: 'system',
  interface: null,
  filterHistory: [],
  // Arrival order, as Wireshark lists packets: a row keeps its place while its flow's numbers change.
  sortColumn: 'first_seen',
  sortDir: 'asc',
  overviewOrder: 'bytes',
  hiddenColumns: [],
  columnWidths: {},
});

type Field<K extends keyof Settings> = (v: unknown) => Settings[K] | undefined;

const FIELDS: { [K in Exclude<keyof Settings, 'version'>]: Field<K> } = {
  theme: (v) => (THEME_SETTINGS as readonly unknown[]).includes(v) ? (v as ThemeSetting) : undefined,
  interface: (v) => (v === null || (typeof v === 'string' && INTERFACE_NAME_RE.test(v) && !v.startsWith('-')) ? v : undefined),
  filterHistory: (v) => {
    if (!Array.isArray(v) || v.length > FILTER_HISTORY_MAX) return undefined;
    if (!v.every((f) => typeof f === 'string' && f.length > 0 && f.length <= MAX_FILTER_LENGTH)) return undefined;
    return new Set(v).size === v.length ? [...(v as string[])] : undefined;
  },
  sortColumn: (v) => (isColumnId(v) ? v : undefined),
  sortDir: (v) => (v === 'asc' || v === 'desc' ? v : undefined),
  overviewOrder: (v) => (v === 'bytes' || v === 'rate' ? v : undefined),
  hiddenColumns: (v) => {
    if (!Array.isArray(v) || v.length >= COLUMN_IDS.length || !v.every(isColumnId) || v.includes(FLOW_KEY_COLUMN)) return undefined;
    return new Set(v).size === v.length ? [...v] : undefined;
  },
  columnWidths: (v) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
    const out: Partial<Record<ColumnId, number>> = {};
    for (const [k, w] of Object.entries(v)) {
      if (!isColumnId(k) || !Number.isInteger(w) || (w as number) < COLUMN_WIDTH_PX.min || (w as number) > COLUMN_WIDTH_PX.max) return undefined;
      out[k] = w as number;
    }
    return out;
  },
};
const FIELD_NAMES = Object.keys(FIELDS) as (keyof typeof FIELDS)[];

/** The page's settings as saveSettings takes them: exactly the known fields, each valid. Nothing is coerced. */
export function checkSettings(v: unknown): Checked<Settings> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return { ok: false, reason: 'The settings are malformed.' };
  const r = v as Record<string, unknown>;
  const keys = Object.keys(r);
  if (r.version !== SETTINGS_VERSION || keys.length !== FIELD_NAMES.length + 1 || !FIELD_NAMES.every((k) => keys.includes(k))) {
    return { ok: false, reason: `The settings must have exactly the fields of version ${SETTINGS_VERSION}.` };
  }
  const out = { version: SETTINGS_VERSION } as Settings;
  for (const k of FIELD_NAMES) {
    const value = FIELDS[k](r[k]);
    if (value === undefined) return { ok: false, reason: `The setting ${k} is not valid.` };
    (out as unknown as Record<string, unknown>)[k] = value;
  }
  return { ok: true, value: out };
}

/** Settings from a parsed file of any version: each valid known field kept, every other one its default. */
export function settingsFromFile(v: unknown): Settings {
  const out: Settings = { ...DEFAULT_SETTINGS, filterHistory: [], hiddenColumns: [], columnWidths: {} };
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return out;
  const r = v as Record<string, unknown>;
  for (const k of FIELD_NAMES) {
    const value = Object.hasOwn(r, k) ? FIELDS[k](r[k]) : undefined;
    if (value !== undefined) (out as unknown as Record<string, unknown>)[k] = value;
  }
  return out;
}

/** The history with `filter` first (moved up if it was there), capped. */
export function rememberFilter(history: readonly string[], filter: string): string[] {
  const f = filter.trim();
  if (f === '' || f.length > MAX_FILTER_LENGTH) return [...history];
  return [f, ...history.filter((h) => h !== f)].slice(0, FILTER_HISTORY_MAX);
}
