/**
 * Bounded in-order reassembly of the first bytes of one TCP direction, by sequence number. DPI only needs a stream's
 * opening bytes, so everything beyond `limit` bytes from the start is ignored. Out-of-order segments are kept (up to
 * a few holes); a segment that starts before the first one seen moves the start back (the first payload the flow
 * table saw may have overtaken an earlier one). Overlaps keep the bytes that arrived first. Anything stranger
 * (too many holes, a jump beyond the window) abandons the stream: `failed` turns true and nothing more is stored.
 */

const DEFAULT_MAX_HOLES = 8;
/** Total bytes all stream prefixes may hold at once; a stream that would go past it is abandoned (and counted). */
const DEFAULT_BUDGET = 64 * 1024 * 1024;

/** Process-wide accounting of prefix buffers (DPI runs on one thread). */
const budget = { held: 0, limit: DEFAULT_BUDGET, refusals: 0 };
/** A stream dropped with its flow (never failed) gives its bytes back when collected. */
const released = new FinalizationRegistry<{ n: number }>((acct) => {
  budget.held -= acct.n;
});

/** Bytes currently held by stream-prefix buffers, and growths refused because the budget was spent. */
export function dpiBufferStats(): { held: number; limit: number; refusals: number } {
  return { held: budget.held, limit: budget.limit, refusals: budget.refusals };
}

/** Sets the budget (tests); returns the previous one. */
export function setDpiBufferBudget(limit: number): number {
  const prev = budget.limit;
  budget.limit = limit;
  return prev;
}
/** Shared by every stream that holds nothing yet: never written (ensure replaces it before any write). */
const EMPTY = new Uint8Array(0);

export class StreamPrefix {
  /** The stored bytes; the contiguous prefix is data[0, contiguous). Grows on demand up to limit. */
  data: Uint8Array;
  /** Bytes dropped from the front by consume() (the stream offset of data[0]). */
  consumed = 0;
  failed = false;
  /** Times the start moved back because an earlier segment arrived; parsers holding state restart when it changes. */
  rebases = 0;
  private readonly limit: number;
  private readonly maxRanges: number;
  private base = 0;
  private started = false;
  /** Sorted, disjoint [start, end) ranges of received bytes relative to base, flattened. */
  private ranges: number[] = [];
  /** Bytes of data counted in the budget; shared with the finalizer, so it must not reference this. */
  private readonly acct = { n: 0 };
  /** Where this stream's budget refusals are also counted (its engine's DPI refusals). */
  private readonly refusals: { bufferBudget: number } | null;

  constructor(limit: number, maxHoles = DEFAULT_MAX_HOLES, refusals: { bufferBudget: number } | null = null) {
    this.limit = limit;
    this.maxRanges = maxHoles;
    this.refusals = refusals;
    this.data = EMPTY;
    released.register(this, this.acct, this.acct);
  }

  /** Fixes the stream start (e.g. offset 0 of a QUIC CRYPTO stream) instead of taking the first segment's seq. */
  startAt(seq: number): void {
    if (!this.started) {
      this.started = true;
      this.base = seq >>> 0;
    }
  }

  /** Length of the gap-free prefix starting at data[0]. */
  get contiguous(): number {
    return this.ranges.length > 0 && this.ranges[0] === 0 ? this.ranges[1] : 0;
  }

  /** Adds a segment; returns false once the stream is abandoned. */
  push(seq: number, buf: Uint8Array, off: number, len: number): boolean {
    if (this.failed) return false;
    if (len <= 0) return true;
    if (!this.started) {
      this.started = true;
      this.base = seq >>> 0;
    }
    let rel = (seq - this.base) | 0; // signed 32-bit distance, wrap-safe
    if (rel < 0) {
      // Data before what we took as the start. Only plausible if nothing was consumed yet and it fits the window.
      const shift = -rel;
      if (this.consumed > 0 || shift + this.maxEnd() > this.limit) {
        // Possibly a retransmission of consumed/older data: keep only the part at or after base.
        if (rel + len <= 0) return true;
        off += shift; len -= shift; rel = 0;
      } else {
        this.shiftBy(shift);
        if (this.failed) return false;
        this.base = (this.base - shift) >>> 0;
        rel = 0;
      }
    }
    if (rel >= this.limit) return true; // beyond the window we care about
    const end = Math.min(rel + len, this.limit);
    if (!this.ensure(end)) return false;
    this.insert(rel, end, buf, off);
    if (this.ranges.length > this.maxRanges * 2) this.fail();
    return !this.failed;
  }

  /** Drops n bytes from the front of the contiguous prefix (for streams of length-prefixed messages). */
  consume(n: number): void {
    if (n <= 0) return;
    n = Math.min(n, this.contiguous);
    this.data.copyWithin(0, n, this.maxEnd());
    for (let i = 1; i < this.ranges.length; i++) this.ranges[i] -= n; // ranges[0] is the prefix start, 0
    if (this.ranges[1] === 0) this.ranges.splice(0, 2);
    this.base = (this.base + n) >>> 0;
    this.consumed += n;
  }

  /** Abandons the stream, giving its bytes back to the budget at once (also how an inspector releases it). */
  fail(): void {
    this.failed = true;
    this.ranges = [];
    this.data = EMPTY;
    budget.held -= this.acct.n;
    this.acct.n = 0;
  }

  private maxEnd(): number {
    return this.ranges.length ? this.ranges[this.ranges.length - 1] : 0;
  }

  /**
   * Grows data to hold [0, end) — only ever from bytes received, never from a length the stream claims. False (and
   * the stream abandoned) when the global budget cannot cover it.
   */
  private ensure(end: number): boolean {
    if (this.failed) return false;
    if (end <= this.data.length) return true;
    // The first allocation is exactly what the first segment needs (many streams never get a second one); later
    // ones at least double, so a growing prefix is copied O(log n) times.
    const cap = this.data.length === 0 ? end : Math.max(this.data.length * 2, end);
    const size = Math.min(cap, this.limit);
    if (budget.held + size - this.acct.n > budget.limit) {
      budget.refusals++;
      if (this.refusals) this.refusals.bufferBudget++;
      this.fail();
      return false;
    }
    const next = new Uint8Array(size);
    next.set(this.data.subarray(0, this.maxEnd()));
    this.data = next;
    budget.held += size - this.acct.n;
    this.acct.n = size;
    return true;
  }

  private shiftBy(shift: number): void {
    const end = this.maxEnd();
    if (!this.ensure(end + shift)) return;
    this.data.copyWithin(shift, 0, end);
    this.rebases++;
    for (let i = 0; i < this.ranges.length; i++) this.ranges[i] += shift;
  }

  /** Copies the parts of [start, end) not yet received, then merges ranges. */
  private insert(start: number, end: number, buf: Uint8Array, off: number): void {
    const r = this.ranges;
    let pos = start;
    for (let i = 0; i < r.length && pos < end; i += 2) {
      const rs = r[i], re = r[i + 1];
      if (re <= pos) continue;
      if (rs > pos) {
        const stop = Math.min(rs, end);
        this.data.set(buf.subarray(off + (pos - start), off + (stop - start)), pos);
      }
      pos = Math.max(pos, re);
    }
    if (pos < end) this.data.set(buf.subarray(off + (pos - start), off + (end - start)), pos);
    // Merge [start, end) into the range list.
    const out: number[] = [];
    let ns = start, ne = end, placed = false;
    for (let i = 0; i < r.length; i += 2) {
      const rs = r[i], re = r[i + 1];
      if (re < ns) out.push(rs, re);
      else if (rs > ne) {
        if (!placed) { out.push(ns, ne); placed = true; }
        out.push(rs, re);
      } else { ns = Math.min(ns, rs); ne = Math.max(ne, re); }
    }
    if (!placed) out.push(ns, ne);
    this.ranges = out;
  }
}
