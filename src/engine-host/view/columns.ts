/**
 * How the engine host sorts by each column of the flows table (ids, labels and first directions, which the renderer
 * shows, are in src/shared/flows/columns.ts).
 */
import type { FlowRow } from '../../shared/flow.ts';
import { C, COUNTER_COUNT, writeCounters, type FlowText } from '../../shared/flow-update.ts';
import type { SlotKey } from './row-table.ts';
import type { ColumnId, SortDir } from '../../shared/flows/columns.ts';
import {
  downRateAt,
  upRateAt,
  totalBytesAt,
  totalPacketsAt,
  localAddr,
  localIsSrc,
  localPort,
  remoteAddr,
  remotePort,
  protoLabel,
} from '../../shared/flows/endpoints.ts';

export type { ColumnId, SortDir };

/**
 * A numeric sort key read in place from the row table: the flow's counters at c[o, o + COUNTER_COUNT) and whether
 * its src is this host (the rates' direction; the only text a numeric key needs). No row or text object is read.
 */
export type NumberKey = SlotKey;

interface NumericColumn {
  id: ColumnId;
  kind: 'number';
  key: NumberKey;
}
interface TextColumn {
  id: ColumnId;
  kind: 'text';
  /** Text keys depend on the flow's text only, so they are recomputed only when a new text arrives. */
  key: (t: FlowText) => string;
  /** True when two texts of a flow have equal keys, checked on the fields without building strings. */
  same: (a: FlowText, b: FlowText) => boolean;
}
export type Column = NumericColumn | TextColumn;

// Text keys of addresses sort by address then port; padding keeps port order numeric.
const pad5 = (n: number) => String(n).padStart(5, '0');
const sameEndpoints = (a: FlowText, b: FlowText) =>
  a.local === b.local && a.src === b.src && a.sport === b.sport && a.dst === b.dst && a.dport === b.dport;

export const COLUMNS: readonly Column[] = [
  { id: 'process', kind: 'text', same: (a, b) => a.process === b.process, key: (t) => (t.process ?? '').toLowerCase() },
  { id: 'local', kind: 'text', same: sameEndpoints, key: (t) => `${localAddr(t)} ${pad5(localPort(t))}` },
  {
    id: 'remote',
    kind: 'text',
    same: (a, b) => a.host === b.host && sameEndpoints(a, b),
    key: (t) => `${t.host ?? ''} ${remoteAddr(t)} ${pad5(remotePort(t))}`,
  },
  { id: 'proto', kind: 'text', same: (a, b) => a.proto === b.proto && a.app === b.app, key: protoLabel },
  { id: 'state', kind: 'text', same: (a, b) => a.state === b.state, key: (t) => t.state },
  { id: 'down', kind: 'number', key: downRateAt },
  { id: 'up', kind: 'number', key: upRateAt },
  { id: 'bytes', kind: 'number', key: totalBytesAt },
  { id: 'packets', kind: 'number', key: totalPacketsAt },
  { id: 'first_seen', kind: 'number', key: (c, o) => c[o + C.first_seen] },
  { id: 'last_seen', kind: 'number', key: (c, o) => c[o + C.last_seen] },
];

export function columnById(id: ColumnId): Column {
  const c = COLUMNS.find((x) => x.id === id);
  if (!c) throw new Error(`unknown column ${id}`);
  return c;
}

const one = new Float64Array(COUNTER_COUNT);

/** The sort key of one whole row under column `c` (tests, and callers holding a single row). */
export function rowKey(c: Column, r: FlowRow): number | string {
  if (c.kind === 'text') return c.key(r);
  writeCounters(r, one, 0);
  return c.key(one, 0, localIsSrc(r));
}
