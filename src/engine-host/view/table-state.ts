/**
 * The engine host's flow table as a FlowView follows it: the rows (row-table.ts) and a short log of the slots each
 * apply changed, split into counter changes and text changes, so a view redoes only those (see flow-view.ts). The
 * filter depends only on texts, so a counters-only apply never re-runs it.
 */
import type { FlowRow } from '../../shared/flow.ts';
import type { FlowChange, ViewState } from './flow-view.ts';
import { RowTable } from './row-table.ts';

/** Applies a view may fall behind before it rebuilds from scratch. */
export const CHANGE_LOG_LENGTH = 16;
/** Slot buffers of log entries that fell off the log, kept for the next applies. */
const SPARE_BUFFERS = 2;

export class TableState implements ViewState {
  readonly rows = new RowTable();
  private versionNow = 0;
  private base = 0;
  private log: FlowChange[] = [];
  // A 50 k-flow apply logs 50 k changed slots; writing them into a recycled buffer instead of a fresh one saves the
  // page faults of new memory on every update. Views read log entries only while they sync against the current
  // log, so an entry that fell off it is read by no one.
  private readonly spare: Int32Array[] = [];

  get version(): number {
    return this.versionNow;
  }

  get baseVersion(): number {
    return this.base;
  }

  get changes(): readonly FlowChange[] {
    return this.log;
  }

  /** Changed rows (whole FlowRows, as the engine drains them), then removed ids: an id in both is gone. */
  apply(changed: readonly FlowRow[], removed: readonly number[]): void {
    if (changed.length === 0 && removed.length === 0) return;
    const version = ++this.versionNow;
    const rows = this.rows;
    const applied = rows.applyRows(changed, this.spare.pop());
    let texts = applied.texts;
    if (removed.length > 0) {
      const all = new Int32Array(texts.length + removed.length);
      all.set(texts);
      let n = texts.length;
      for (const id of removed) {
        const slot = rows.delete(id);
        if (slot >= 0) all[n++] = slot;
      }
      texts = all.subarray(0, n);
    }
    const entry: FlowChange = { version, counters: applied.counters, texts };
    if (rows.compactIfSparse()) {
      // Slots were renumbered: the logged ones mean nothing now.
      this.base = version;
      this.recycle(this.log);
      this.recycle([entry]);
      this.log = [];
    } else {
      if (this.log.length >= CHANGE_LOG_LENGTH) this.recycle(this.log.splice(0, 1));
      this.log.push(entry);
    }
  }

  /** Forgets every flow. */
  clear(): void {
    this.rows.clear();
    this.base = ++this.versionNow;
    this.recycle(this.log);
    this.log = [];
  }

  private recycle(old: readonly FlowChange[]): void {
    for (const c of old) if (this.spare.length < SPARE_BUFFERS) this.spare.push(new Int32Array(c.counters.buffer));
  }
}
