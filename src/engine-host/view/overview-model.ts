/**
 * The Overview as the engine host serves it: totals by process, registrable domain and app protocol over the
 * engine's slots (src/engine/aggregate.ts does the grouping, as `read --group-by` does).
 * Per slot it keeps the flow id and text version it last saw and the flow's group in each dimension; a group is
 * looked up again (from one row) only when a slot's text changes or a new flow takes it. Each update recomputes the
 * sums over all slots from the engine's typed arrays, so nothing is allocated per flow per update. A flow that
 * leaves the table (`retire`, from the engine's eviction callback; or found gone by the scan) adds its counts to
 * its groups' base, so totals cover the whole source. Computed only while the page shows the Overview.
 */
import type { FlowStore } from '../../engine/engine.ts';
import { GroupTotals, groupKey } from '../../engine/aggregate.ts';
import {
  OVERVIEW_DIMENSIONS,
  OVERVIEW_TOP,
  type OverviewEntry,
  type OverviewList,
  type OverviewRequest,
  type OverviewTotals,
  type OverviewView,
} from '../../shared/ipc.ts';
import { EMPTY_STORE } from './flow-view-model.ts';
import { grown } from './grown.ts';

const DIMS = OVERVIEW_DIMENSIONS.length;

export class OverviewModel {
  private store: FlowStore = EMPTY_STORE;
  private req: OverviewRequest = { visible: false, order: 'bytes' };
  private rates = true;
  private totals: GroupTotals[] = [];
  private knownId = new Float64Array(0);
  private knownText = new Uint32Array(0);
  /** Per slot: its group in each dimension (DIMS per slot), and 1 when the initiator (src) is this host's side. */
  private groups = new Float64Array(0);
  private localSrc = new Uint8Array(0);
  /** Per slot: packets and bytes fwd, rev as last counted (what a flow found gone had). */
  private last = new Float64Array(0);

  constructor() {
    this.clear();
  }

  get visible(): boolean {
    return this.req.visible;
  }

  /** A new source: everything counted so far belonged to the old one. */
  show(store: FlowStore): void {
    this.store = store;
    this.clear();
  }

  setRequest(req: OverviewRequest): void {
    this.req = req;
  }

  /** Whether rates are live (as FlowViewModel.setRates). */
  setRates(live: boolean): void {
    this.rates = live;
  }

  /** The flow in `slot` is leaving the table (it is still readable): its counts stay in its groups. */
  retire(slot: number): void {
    const store = this.store;
    const id = store.idAt(slot);
    if (id === 0) return;
    this.grow(slot + 1);
    if (this.knownId[slot] !== id || this.knownText[slot] !== store.textVersionAt(slot)) this.label(slot, id);
    const p0 = store.packetsAt(slot, 0);
    const b0 = store.bytesAt(slot, 0);
    const p1 = store.packetsAt(slot, 1);
    const b1 = store.bytesAt(slot, 1);
    this.retireCounts(slot, p0, b0, p1, b1);
    this.knownId[slot] = 0;
  }

  /** The Overview's part of the next update, or null while it is hidden. */
  view(): OverviewView | null {
    if (!this.req.visible) return null;
    const store = this.store;
    const n = store.slotCount;
    this.grow(n);
    for (const t of this.totals) t.reset();
    const total: OverviewTotals = { flows: 0, bytesIn: 0, bytesOut: 0, rateIn: 0, rateOut: 0 };
    const last = this.last;
    for (let s = 0; s < n; s++) {
      const id = store.idAt(s);
      const known = this.knownId[s];
      if (id === 0) {
        // Left while nobody was told (retire keeps knownId 0): count what it had when last seen.
        if (known !== 0) {
          this.retireCounts(s, last[4 * s], last[4 * s + 1], last[4 * s + 2], last[4 * s + 3], true);
          this.knownId[s] = 0;
        }
        continue;
      }
      if (known !== id) {
        if (known !== 0) this.retireCounts(s, last[4 * s], last[4 * s + 1], last[4 * s + 2], last[4 * s + 3], true);
        this.label(s, id);
      } else if (this.knownText[s] !== store.textVersionAt(s)) this.label(s, id);
      const p0 = store.packetsAt(s, 0);
      const b0 = store.bytesAt(s, 0);
      const p1 = store.packetsAt(s, 1);
      const b1 = store.bytesAt(s, 1);
      last[4 * s] = p0;
      last[4 * s + 1] = b0;
      last[4 * s + 2] = p1;
      last[4 * s + 3] = b1;
      const rIn = store.numberKey('down', s, this.rates);
      const rOut = store.numberKey('up', s, this.rates);
      // a = out (from this host), b = in.
      const src = this.localSrc[s] === 1;
      const pa = src ? p0 : p1;
      const ba = src ? b0 : b1;
      const pb = src ? p1 : p0;
      const bb = src ? b1 : b0;
      for (let d = 0; d < DIMS; d++) this.totals[d].add(this.groups[s * DIMS + d], pa, ba, pb, bb, rOut, rIn);
    }
    // The whole is the sum of any one dimension's groups (every flow is in exactly one group of each).
    const t0 = this.totals[0];
    for (let g = 0; g < t0.size; g++) {
      total.flows += t0.flows[g];
      total.bytesOut += t0.bytesA[g];
      total.bytesIn += t0.bytesB[g];
      total.rateOut += t0.rateA[g];
      total.rateIn += t0.rateB[g];
    }
    const lists = {} as Record<(typeof OVERVIEW_DIMENSIONS)[number], OverviewList>;
    OVERVIEW_DIMENSIONS.forEach((dim, d) => {
      const t = this.totals[d];
      const top = t.top(OVERVIEW_TOP, this.req.order);
      const entries: OverviewEntry[] = top.map((g) => ({
        key: t.keys[g],
        flows: t.flows[g],
        bytesIn: t.bytesB[g],
        bytesOut: t.bytesA[g],
        rateIn: t.rateB[g],
        rateOut: t.rateA[g],
      }));
      let groups = 0;
      for (let g = 0; g < t.size; g++) if (t.flows[g] > 0) groups++;
      lists[dim] = { entries, groups };
    });
    return { order: this.req.order, total, lists };
  }

  private clear(): void {
    this.totals = OVERVIEW_DIMENSIONS.map(() => new GroupTotals());
    this.knownId = new Float64Array(0);
    this.knownText = new Uint32Array(0);
    this.groups = new Float64Array(0);
    this.localSrc = new Uint8Array(0);
    this.last = new Float64Array(0);
  }

  private grow(n: number): void {
    if (this.knownId.length >= n) return;
    const cap = Math.max(n, this.knownId.length * 2, 1024);
    this.knownId = grown(this.knownId, cap);
    const t = new Uint32Array(cap);
    t.set(this.knownText);
    this.knownText = t;
    this.groups = grown(this.groups, cap * DIMS);
    this.localSrc = grown(this.localSrc, cap);
    this.last = grown(this.last, cap * 4);
  }

  /** Reads the groups of the flow in `slot` from one row: a new flow, or its text changed. */
  private label(s: number, id: number): void {
    const store = this.store;
    const row = store.row(s, false);
    this.knownId[s] = id;
    this.knownText[s] = store.textVersionAt(s);
    this.localSrc[s] = row.local === 'dst' ? 0 : 1;
    OVERVIEW_DIMENSIONS.forEach((dim, d) => {
      this.groups[s * DIMS + d] = this.totals[d].groupOf(groupKey(dim, row));
    });
  }

  /** Moves a flow's counts into its groups' base; `now`: also into the sums being made (the scan found it gone). */
  private retireCounts(s: number, p0: number, b0: number, p1: number, b1: number, now = false): void {
    const src = this.localSrc[s] === 1;
    const pa = src ? p0 : p1;
    const ba = src ? b0 : b1;
    const pb = src ? p1 : p0;
    const bb = src ? b1 : b0;
    for (let d = 0; d < DIMS; d++) {
      const g = this.groups[s * DIMS + d];
      const t = this.totals[d];
      t.retire(g, pa, ba, pb, bb);
      if (now) t.add(g, pa, ba, pb, bb);
    }
  }
}
