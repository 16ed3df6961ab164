import type { FlowRow } from '../../shared/flow.ts';
import { C, COUNTER_COUNT, writeCounters, type FlowText } from '../../shared/flow-update.ts';
import type { SlotKey } from '../state/row-table.ts';
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
} from './endpoints.ts';

export type ColumnId =
  | 'process'
  | 'local'
  | 'remote'
  | 'proto'
  | 'state'
  | 'down'
  | 'up'
  | 'bytes'
  | 'packets'
  | 'first_seen'
  | 'last_seen';

export type SortDir = 'asc' | 'desc';

/**
 * A numeric sort key read in place from the row table: the flow's counters at c[o, o + COUNTER_COUNT) and whether
 * its src is this host (the rates' direction; the only text a numeric key needs). No row or text object is read.
 */
export type NumberKey = SlotKey;

interface NumericColumn {
  id: ColumnId;
  label: string;
  kind: 'number';
  key: NumberKey;
  /** Direction used on the first click: big numbers first is what people look for. */
  firstDir: SortDir;
}
interface TextColumn {
  id: ColumnId;
  label: string;
  kind: 'text';
  /** Text keys depend on the flow's text only, so they are recomputed only when a new text arrives. */
  key: (t: FlowText) => string;
  /** True when two texts of a flow have equal keys, checked on the fields without building strings. */
  same: (a: FlowText, b: FlowText) => boolean;
  firstDir: SortDir;
}
export type Column = NumericColumn | TextColumn;

// Text keys of addresses sort by address then port; padding keeps port order numeric.
const pad5 = (n: number) => String(n).padStart(5, '0');
const sameEndpoints = (a: FlowText, b: FlowText) =>
  a.local === b.local && a.src === b.src && a.sport === b.sport && a.dst === b.dst && a.dport === b.dport;

export const COLUMNS: readonly Column[] = [
  { id: 'process', label: 'Process', kind: 'text', firstDir: 'asc', same: (a, b) => a.process === b.process, key: (t) => (t.process ?? '').toLowerCase() },
  { id: 'local', label: 'Local', kind: 'text', firstDir: 'asc', same: sameEndpoints, key: (t) => `${localAddr(t)} ${pad5(localPort(t))}` },
  {
    id: 'remote',
    label: 'Remote',
    kind: 'text',
    firstDir: 'asc',
    same: (a, b) => a.host === b.host && sameEndpoints(a, b),
    key: (t) => `${t.host ?? ''} ${remoteAddr(t)} ${pad5(remotePort(t))}`,
  },
  { id: 'proto', label: 'Protocol', kind: 'text', firstDir: 'asc', same: (a, b) => a.proto === b.proto && a.app === b.app, key: protoLabel },
  { id: 'state', label: 'State', kind: 'text', firstDir: 'asc', same: (a, b) => a.state === b.state, key: (t) => t.state },
  { id: 'down', label: '↓ Rate', kind: 'number', firstDir: 'desc', key: downRateAt },
  { id: 'up', label: '↑ Rate', kind: 'number', firstDir: 'desc', key: upRateAt },
  { id: 'bytes', label: 'Bytes', kind: 'number', firstDir: 'desc', key: totalBytesAt },
  { id: 'packets', label: 'Packets', kind: 'number', firstDir: 'desc', key: totalPacketsAt },
  { id: 'first_seen', label: 'First seen', kind: 'number', firstDir: 'asc', key: (c, o) => c[o + C.first_seen] },
  { id: 'last_seen', label: 'Last seen', kind: 'number', firstDir: 'desc', key: (c, o) => c[o + C.last_seen] },
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
