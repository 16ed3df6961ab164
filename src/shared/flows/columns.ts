/**
 * The flows table's columns as both sides know them: the renderer shows them, the engine host sorts by them
 * (src/engine-host/view/columns.ts holds the sort keys).
 */
/** In the table's order: the rates sit beside the flow's name, so they stay in sight when the details drawer narrows the table. */
export const COLUMN_IDS = ['process', 'remote', 'down', 'up', 'local', 'proto', 'state', 'bytes', 'packets', 'first_seen', 'last_seen'] as const;
export type ColumnId = (typeof COLUMN_IDS)[number];
export type SortDir = 'asc' | 'desc';

export interface ColumnMeta {
  id: ColumnId;
  label: string;
  kind: 'number' | 'text';
  /** Direction used on the first click: big numbers first is what people look for, text A to Z. */
  firstDir: SortDir;
}

export const COLUMN_META: readonly ColumnMeta[] = [
  { id: 'process', label: 'Process', kind: 'text', firstDir: 'asc' },
  { id: 'remote', label: 'Remote', kind: 'text', firstDir: 'asc' },
  { id: 'down', label: '↓ Rate', kind: 'number', firstDir: 'desc' },
  { id: 'up', label: '↑ Rate', kind: 'number', firstDir: 'desc' },
  { id: 'local', label: 'Local', kind: 'text', firstDir: 'asc' },
  { id: 'proto', label: 'Protocol', kind: 'text', firstDir: 'asc' },
  { id: 'state', label: 'State', kind: 'text', firstDir: 'asc' },
  { id: 'bytes', label: 'Bytes', kind: 'number', firstDir: 'desc' },
  { id: 'packets', label: 'Packets', kind: 'number', firstDir: 'desc' },
  { id: 'first_seen', label: 'First seen', kind: 'number', firstDir: 'asc' },
  { id: 'last_seen', label: 'Last seen', kind: 'number', firstDir: 'desc' },
];

/**
 * The column that names a flow (its remote end: host, address, port): the one column that cannot be hidden, so every
 * row still says which flow it is.
 */
export const FLOW_KEY_COLUMN: ColumnId = 'remote';

export function isColumnId(v: unknown): v is ColumnId {
  return typeof v === 'string' && (COLUMN_IDS as readonly string[]).includes(v);
}

export function columnMeta(id: ColumnId): ColumnMeta {
  const c = COLUMN_META.find((x) => x.id === id);
  if (!c) throw new Error(`unknown column ${id}`);
  return c;
}
