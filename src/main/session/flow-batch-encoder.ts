/**
 * Turns the rows of one update into a compact FlowBatch (src/shared/flow-update.ts) for one receiver stream: every
 * row's id and counters, and the text only of flows whose text the receiver does not have yet. It remembers the text
 * last sent per flow id; a full update starts over and sends every text.
 */
import type { FlowRow } from '../../shared/flow.ts';
import { COUNTER_COUNT, sameText, textOf, writeCounters, type FlowBatch, type FlowText } from '../../shared/flow-update.ts';

export class FlowBatchEncoder {
  /** The text last sent per flow id (what the receiver holds, if it saw every update since the last full one). */
  private readonly sent = new Map<number, FlowText>();

  /** The batch for `rows`; `full` means the receiver replaces its table, so every text is sent. */
  encode(rows: readonly FlowRow[], full: boolean): FlowBatch {
    if (full) this.sent.clear();
    const n = rows.length;
    // Exactly sized, not views into a pooled buffer: a structured clone copies a view's whole ArrayBuffer.
    const ids = new Float64Array(n);
    const counters = new Float64Array(n * COUNTER_COUNT);
    const texts: FlowText[] = [];
    for (let i = 0; i < n; i++) {
      const r = rows[i];
      ids[i] = r.id;
      writeCounters(r, counters, i * COUNTER_COUNT);
      const last = this.sent.get(r.id);
      if (last === undefined || !sameText(last, r)) {
        const t = textOf(r);
        this.sent.set(r.id, t);
        texts.push(t);
      }
    }
    return { ids, counters, texts };
  }

  /** Drops removed flows, so an id that comes back has its text sent again. Call after encoding the same update's rows. */
  forget(removed: readonly number[]): void {
    for (const id of removed) this.sent.delete(id);
  }

  /** Flows whose text is remembered (tests). */
  get size(): number {
    return this.sent.size;
  }
}
