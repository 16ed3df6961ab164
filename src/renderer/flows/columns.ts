import type { FlowRow } from '../../shared/flow.ts';
import { downRate, upRate, totalBytes, totalPackets, localAddr, localPort, remoteAddr, remotePort, protoLabel } from './endpoints.ts';

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

interface NumericColumn {
  id: ColumnId;
  label: string;
  kind: 'number';
  key: (r: FlowRow) => number;
  /** Direction used on the first click: big numbers first is what people look for. */
  firstDir: SortDir;
}
interface TextColumn {
  id: ColumnId;
  label: string;
  kind: 'text';
  key: (r: FlowRow) => string;
  /** True when two versions of a row have equal keys, checked on the fields without building strings. */
  same: (a: FlowRow, b: FlowRow) => boolean;
  firstDir: SortDir;
}
export type Column = NumericColumn | TextColumn;

// Text keys of addresses sort by address then port; padding keeps port order numeric.
const pad5 = (n: number) => String(n).padStart(5, '0');
const sameEndpoints = (a: FlowRow, b: FlowRow) =>
  a.local === b.local && a.src === b.src && a.sport === b.sport && a.dst === b.dst && a.dport === b.dport;

export const COLUMNS: readonly Column[] = [
  { id: 'process', label: 'Process', kind: 'text', firstDir: 'asc', same: (a, b) => a.process === b.process, key: (r) => (r.process ?? '').toLowerCase() },
  { id: 'local', label: 'Local', kind: 'text', firstDir: 'asc', same: sameEndpoints, key: (r) => `${localAddr(r)} ${pad5(localPort(r))}` },
  {
    id: 'remote',
    label: 'Remote',
    kind: 'text',
    firstDir: 'asc',
    same: (a, b) => a.host === b.host && sameEndpoints(a, b),
    key: (r) => `${r.host ?? ''} ${remoteAddr(r)} ${pad5(remotePort(r))}`,
  },
  { id: 'proto', label: 'Protocol', kind: 'text', firstDir: 'asc', same: (a, b) => a.proto === b.proto && a.app === b.app, key: protoLabel },
  { id: 'state', label: 'State', kind: 'text', firstDir: 'asc', same: (a, b) => a.state === b.state, key: (r) => r.state },
  { id: 'down', label: '↓ Rate', kind: 'number', firstDir: 'desc', key: downRate },
  { id: 'up', label: '↑ Rate', kind: 'number', firstDir: 'desc', key: upRate },
  { id: 'bytes', label: 'Bytes', kind: 'number', firstDir: 'desc', key: totalBytes },
  { id: 'packets', label: 'Packets', kind: 'number', firstDir: 'desc', key: totalPackets },
  { id: 'first_seen', label: 'First seen', kind: 'number', firstDir: 'asc', key: (r) => r.first_seen },
  { id: 'last_seen', label: 'Last seen', kind: 'number', firstDir: 'desc', key: (r) => r.last_seen },
];

export function columnById(id: ColumnId): Column {
  const c = COLUMNS.find((x) => x.id === id);
  if (!c) throw new Error(`unknown column ${id}`);
  return c;
}

/** Whether two versions of a row have the same sort key for `c` (no string building for text columns). */
export function sameKey(c: Column, a: FlowRow, b: FlowRow): boolean {
  return c.kind === 'number' ? c.key(a) === c.key(b) : c.same(a, b);
}
