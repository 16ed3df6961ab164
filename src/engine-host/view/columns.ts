/**
 * How the engine host sorts by each column of the flows table (ids, labels and first directions, which the renderer
 * shows, are in src/shared/flows/columns.ts). Numeric keys are read in place from the engine's table; text keys are
 * made from a flow's row, once per change of its text.
 */
import type { FlowRow } from '../../shared/flow.ts';
import type { ColumnId, SortDir } from '../../shared/flows/columns.ts';
import type { NumberColumn } from '../../engine/engine.ts';
import { localAddr, localPort, remoteAddr, remotePort, protoLabel } from '../../shared/flows/endpoints.ts';

export type { ColumnId, SortDir };

interface NumericColumn {
  id: NumberColumn;
  kind: 'number';
  /** Rates move with capture time even when no packet arrives, so their keys are re-read at every sync. */
  timeDependent: boolean;
}
interface TextColumn {
  id: ColumnId;
  kind: 'text';
  key: (r: FlowRow) => string;
}
export type Column = NumericColumn | TextColumn;

// Text keys of addresses sort by address then port; padding keeps port order numeric.
const pad5 = (n: number) => String(n).padStart(5, '0');
const number = (id: NumberColumn, timeDependent = false): NumericColumn => ({ id, kind: 'number', timeDependent });

export const COLUMNS: readonly Column[] = [
  { id: 'process', kind: 'text', key: (r) => (r.process ?? '').toLowerCase() },
  { id: 'local', kind: 'text', key: (r) => `${localAddr(r)} ${pad5(localPort(r))}` },
  { id: 'remote', kind: 'text', key: (r) => `${r.host ?? ''} ${remoteAddr(r)} ${pad5(remotePort(r))}` },
  { id: 'proto', kind: 'text', key: protoLabel },
  { id: 'state', kind: 'text', key: (r) => r.state },
  number('down', true),
  number('up', true),
  number('bytes'),
  number('packets'),
  number('first_seen'),
  number('last_seen'),
];

export function columnById(id: ColumnId): Column {
  const c = COLUMNS.find((x) => x.id === id);
  if (!c) throw new Error(`unknown column ${id}`);
  return c;
}
