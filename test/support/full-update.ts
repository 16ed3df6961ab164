/**
 * Most tests read the rows of updates that carry every row (ticks, and replies to requests holding none): this checks
 * that they do and gives them their FlowRow[] type, so a null where a row was due fails the test.
 */
import type { FlowRow } from '../../src/shared/flow.ts';
import type { EngineUpdate } from '../../src/shared/ipc.ts';

export type FullUpdate = Omit<EngineUpdate, 'rows'> & { rows: FlowRow[] };

/** The rows of an update (or a view model's part of one) that carries every row. */
export function fullRows(u: Pick<EngineUpdate, 'rows' | 'start'>): FlowRow[] {
  const k = u.rows.indexOf(null);
  if (k >= 0) throw new Error(`row ${u.start + k} left out (null), though every row was due`);
  return u.rows as FlowRow[];
}

/** The update itself (not a copy: tests find it again among those recorded), checked. */
export function fullUpdate(u: EngineUpdate): FullUpdate {
  fullRows(u);
  return u as FullUpdate;
}
