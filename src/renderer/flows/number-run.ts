/**
 * The flows table's numeric columns drawn as one monospace text per row. Every update changes the counters of every
 * visible row, and the browser's cost per update is per text laid out: one padded run per row instead of six cells
 * halves layout and paint. Each column is a fixed number of characters wide (the grid track is that many `ch`), the
 * value right-aligned in it with one space to spare, so the run lines up with the headers in any monospace font.
 */
import type { FlowRow } from '../../shared/flow.ts';
import { COLUMN_META, type ColumnId } from '../../shared/flows/columns.ts';
import { downRate, totalBytes, totalPackets, upRate } from '../../shared/flows/endpoints.ts';
import { formatBytes, formatClock, formatCount, formatRate } from '../format.ts';

/** Width in characters of each numeric column, its gap included: the longest value a live capture can show, plus one. */
export const NUMBER_WIDTH_CH = {
  down: 10, // "999 MB/s", "1000 TB/s"
  up: 10,
  bytes: 9, // "1.5 GB", "99999 TB"
  packets: 16, // "999,999,999,999"
  first_seen: 14, // "12:34:56.789"
  last_seen: 14,
} as const satisfies Partial<Record<ColumnId, number>>;

export type NumberColumnId = keyof typeof NUMBER_WIDTH_CH;

/** The numeric columns in display order; the table keeps them last so the run spans the grid's final tracks. */
export const NUMBER_COLUMNS: readonly NumberColumnId[] = COLUMN_META.filter((c) => c.kind === 'number').map((c) => c.id as NumberColumnId);
/** A row's number run in characters: the numeric columns' widths together. */
export const NUMBER_RUN_CH = NUMBER_COLUMNS.reduce((sum, id) => sum + NUMBER_WIDTH_CH[id], 0);
/** The 0-based index of the first numeric column. */
export const FIRST_NUMBER_COLUMN = COLUMN_META.length - NUMBER_COLUMNS.length;

if (NUMBER_COLUMNS.some((id, i) => COLUMN_META[FIRST_NUMBER_COLUMN + i].id !== id || !(id in NUMBER_WIDTH_CH))) {
  throw new Error('the numeric columns must be the last ones, each with a width');
}

/**
 * One row's numeric texts (in NUMBER_COLUMNS order) as a single run: each right-aligned in its width less one. A value
 * too long for its column is shown as #s, as a spreadsheet does, rather than cut (a cut number reads as another number)
 * or spilled into the next column; the cell's accessible name still has it whole.
 */
export function numberRun(texts: readonly string[]): string {
  let out = '';
  for (let i = 0; i < NUMBER_COLUMNS.length; i++) {
    const room = NUMBER_WIDTH_CH[NUMBER_COLUMNS[i]] - 1;
    const t = texts[i] ?? '';
    out += (t.length > room ? '#'.repeat(room) : t.padStart(room, ' ')) + ' ';
  }
  return out;
}

/** A row's numbers as shown, in NUMBER_COLUMNS order. */
export function numberTexts(r: FlowRow): string[] {
  const byColumn: Record<NumberColumnId, string> = {
    down: formatRate(downRate(r)),
    up: formatRate(upRate(r)),
    bytes: formatBytes(totalBytes(r)),
    packets: formatCount(totalPackets(r)),
    first_seen: formatClock(r.first_seen),
    last_seen: formatClock(r.last_seen),
  };
  return NUMBER_COLUMNS.map((id) => byColumn[id]);
}
