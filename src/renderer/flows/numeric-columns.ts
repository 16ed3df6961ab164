/**
 * The flows table's numeric columns: what each shows for a flow, how wide its track is, and the writer that puts the
 * texts into a row's cells. Every update changes the counters of nearly every visible row while its other texts stay,
 * so the numbers are not rendered by React: each number cell holds one text node, written only when its text changed.
 */
import type { FlowRow } from '../../shared/flow.ts';
import { COLUMN_META, type ColumnId } from '../../shared/flows/columns.ts';
import { downRate, totalBytes, totalPackets, upRate } from '../../shared/flows/endpoints.ts';
import { formatBytes, formatClock, formatCount, formatDateTime, formatRate } from '../format.ts';

export type NumberColumnId = 'down' | 'up' | 'bytes' | 'packets' | 'first_seen' | 'last_seen';

/** The numeric columns, in display order. */
export const NUMBER_COLUMNS: readonly NumberColumnId[] = COLUMN_META.filter((c) => c.kind === 'number').map((c) => c.id as NumberColumnId);

export function isNumberColumn(id: ColumnId): id is NumberColumnId {
  return (NUMBER_COLUMNS as readonly ColumnId[]).includes(id);
}

/**
 * Track widths in `ch` (the width of a tabular digit): the longest value each column shows fits in the wide common
 * sans fonts (DejaVu Sans, Liberation Sans), whose units' capitals are wider than a digit and separators narrower.
 * The cell's padding comes on top.
 */
const WIDTH_CH: Record<NumberColumnId, number> = {
  down: 9, // "1000 GB/s"
  up: 9,
  bytes: 8.5, // "99999 TB"
  packets: 14.5, // "999,999,999,999"
  first_seen: 11.5, // "23:58:58.888"
  last_seen: 11.5,
};
/** The time columns with the date in front ("2026-12-28 23:58:58.888"). */
const DATED_WIDTH_CH = 21;

/** The grid track of a numeric column: fixed, so a new value never moves another column. */
export function numberTrack(id: NumberColumnId, withDate: boolean): string {
  const ch = withDate && (id === 'first_seen' || id === 'last_seen') ? DATED_WIDTH_CH : WIDTH_CH[id];
  return `calc(${ch}ch + 1rem)`;
}

/** A row's numbers as shown, in NUMBER_COLUMNS order (times with their date when the capture spans days). */
export function numberTexts(r: FlowRow, withDate: boolean): string[] {
  const time = withDate ? formatDateTime : formatClock;
  const byColumn: Record<NumberColumnId, string> = {
    down: formatRate(downRate(r)),
    up: formatRate(upRate(r)),
    bytes: formatBytes(totalBytes(r)),
    packets: formatCount(totalPackets(r)),
    first_seen: time(r.first_seen),
    last_seen: time(r.last_seen),
  };
  return NUMBER_COLUMNS.map((id) => byColumn[id]);
}

interface TextSink {
  data: string;
}

/**
 * One row's number cells: a text node per cell, attached when React creates the cell (React renders the cells without
 * children, so it never touches these nodes), written by `write` only where the text changed. A text node's data is
 * the cheapest change the browser can be given, and it stays ordinary text: selectable, copied, read as the cell's name.
 */
export class RowNumbers {
  private readonly nodes: (TextSink | null)[] = NUMBER_COLUMNS.map(() => null);
  private readonly shown: string[] = NUMBER_COLUMNS.map(() => '');
  /** Stable ref callbacks, one per cell, so a re-render of the row does not detach and re-attach them. */
  readonly refs: ((el: Element | null) => void)[] = NUMBER_COLUMNS.map((_, i) => (el: Element | null) => this.attach(i, el));

  private attach(i: number, el: Element | null): void {
    if (el === null) {
      this.nodes[i] = null;
      return;
    }
    // A cell attached again (React's StrictMode detaches and re-attaches refs) keeps its one text node.
    const first = el.firstChild;
    const node = first !== null && first.nodeType === first.TEXT_NODE ? (first as Text) : el.appendChild(el.ownerDocument.createTextNode(''));
    this.nodes[i] = node;
    this.shown[i] = node.data;
  }

  /** Writes the texts (NUMBER_COLUMNS order) into the cells whose text differs; returns how many were written. */
  write(values: readonly string[]): number {
    let writes = 0;
    for (let i = 0; i < this.nodes.length; i++) {
      const v = values[i] ?? '';
      const node = this.nodes[i];
      if (node === null || v === this.shown[i]) continue;
      node.data = v;
      this.shown[i] = v;
      writes++;
    }
    return writes;
  }
}
