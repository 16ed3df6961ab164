/**
 * Totals of flows by group (process, registrable domain, app protocol, remote country, remote AS): the one implementation behind the
 * Overview (src/engine-host/view/overview-model.ts, over the engine's slots) and `sandpiper read --group-by`
 * (src/cli/group-by.ts, over the flows a file holds). Groups are numbered as they first appear; their sums live in
 * typed arrays, so adding a flow allocates nothing once its group exists.
 * The registrable domain comes from the Public Suffix List bundled in `tldts` (ICANN section only, so e.g. every
 * CloudFront name groups under cloudfront.net); it is never fetched.
 */
import { getDomain } from 'tldts';
import type { FlowRecord } from '../shared/flow.ts';
import { appKey, asnKey, countryKey, flowName, processKey, type GroupBy } from '../shared/flows/group-key.ts';

export type { GroupBy } from '../shared/flows/group-key.ts';

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;
const domainCache = new Map<string, string>();
const DOMAIN_CACHE_MAX = 16_384;

/** The registrable domain (eTLD+1) of a host name; an address, a bare suffix or a single label stays as it is. */
export function registrableDomain(name: string): string {
  if (name.includes(':') || IPV4.test(name)) return name;
  let d = domainCache.get(name);
  if (d === undefined) {
    d = getDomain(name, { extractHostname: false, allowPrivateDomains: false, detectIp: false, validateHostname: false }) ?? name;
    if (domainCache.size >= DOMAIN_CACHE_MAX) domainCache.clear();
    domainCache.set(name, d);
  }
  return d;
}

type Keyed = Pick<
  FlowRecord,
  'host' | 'dns_queries' | 'src' | 'dst' | 'process' | 'app' | 'proto' | 'src_country' | 'dst_country' | 'src_asn' | 'dst_asn' | 'src_as_name' | 'dst_as_name'
> & { local?: 'src' | 'dst' | null };

/** The group of a flow; null: no value (a process that is not known). */
export function groupKey(by: GroupBy, r: Keyed): string | null {
  switch (by) {
    case 'process':
      return processKey(r);
    case 'domain':
      return registrableDomain(flowName(r));
    case 'app':
      return appKey(r);
    case 'country':
      return countryKey(r);
    case 'asn':
      return asnKey(r);
  }
}

function grownTo(a: Float64Array, n: number): Float64Array<ArrayBuffer> {
  const b = new Float64Array(n);
  b.set(a);
  return b;
}

export type TotalsOrder = 'bytes' | 'rate';

/**
 * Sums per group: flows, packets and bytes in two directions (a = fwd or out, b = rev or in: the caller's choice)
 * and rates in those directions. `reset` clears the sums to the groups' base (what flows that left contributed),
 * keeping the groups; `retire` adds to that base.
 */
export class GroupTotals {
  private readonly index = new Map<string | null, number>();
  readonly keys: (string | null)[] = [];
  flows: Float64Array<ArrayBuffer> = new Float64Array(16);
  packetsA = new Float64Array(16);
  bytesA = new Float64Array(16);
  packetsB = new Float64Array(16);
  bytesB = new Float64Array(16);
  rateA = new Float64Array(16);
  rateB = new Float64Array(16);
  private base = new Float64Array(16 * 5);

  get size(): number {
    return this.keys.length;
  }

  /** The group number of `key`, made on first sight. */
  groupOf(key: string | null): number {
    let g = this.index.get(key);
    if (g !== undefined) return g;
    g = this.keys.length;
    this.keys.push(key);
    this.index.set(key, g);
    if (g >= this.flows.length) {
      const n = this.flows.length * 2;
      this.flows = grownTo(this.flows, n);
      this.packetsA = grownTo(this.packetsA, n);
      this.bytesA = grownTo(this.bytesA, n);
      this.packetsB = grownTo(this.packetsB, n);
      this.bytesB = grownTo(this.bytesB, n);
      this.rateA = grownTo(this.rateA, n);
      this.rateB = grownTo(this.rateB, n);
      this.base = grownTo(this.base, n * 5);
    }
    return g;
  }

  add(g: number, packetsA: number, bytesA: number, packetsB: number, bytesB: number, rateA = 0, rateB = 0): void {
    this.flows[g]++;
    this.packetsA[g] += packetsA;
    this.bytesA[g] += bytesA;
    this.packetsB[g] += packetsB;
    this.bytesB[g] += bytesB;
    this.rateA[g] += rateA;
    this.rateB[g] += rateB;
  }

  /** A flow that left: its counts stay in the group's totals from now on (it has no rate any more). */
  retire(g: number, packetsA: number, bytesA: number, packetsB: number, bytesB: number): void {
    const b = this.base;
    b[g * 5]++;
    b[g * 5 + 1] += packetsA;
    b[g * 5 + 2] += bytesA;
    b[g * 5 + 3] += packetsB;
    b[g * 5 + 4] += bytesB;
  }

  /** Sums back to what retired flows contributed; the next adds count the flows held now. */
  reset(): void {
    const b = this.base;
    for (let g = 0; g < this.keys.length; g++) {
      this.flows[g] = b[g * 5];
      this.packetsA[g] = b[g * 5 + 1];
      this.bytesA[g] = b[g * 5 + 2];
      this.packetsB[g] = b[g * 5 + 3];
      this.bytesB[g] = b[g * 5 + 4];
      this.rateA[g] = 0;
      this.rateB[g] = 0;
    }
  }

  /**
   * Groups with at least one flow, largest first (bytes or rate, both directions; then bytes; then key), at most `n`.
   * A few of many groups are selected in one pass, without sorting them all (a scan can make a group per address).
   */
  top(n: number, order: TotalsOrder): number[] {
    const bytes = (g: number) => this.bytesA[g] + this.bytesB[g];
    const rate = (g: number) => this.rateA[g] + this.rateB[g];
    const keyOf = (g: number) => this.keys[g] ?? '';
    const byRate = order === 'rate';
    // Whether group x comes before group y.
    const before = (x: number, y: number): boolean => {
      if (byRate) {
        const d = rate(x) - rate(y);
        if (d !== 0) return d > 0;
      }
      const d = bytes(x) - bytes(y);
      if (d !== 0) return d > 0;
      return keyOf(x) < keyOf(y);
    };
    const out: number[] = [];
    const count = this.keys.length;
    if (n >= count) {
      for (let g = 0; g < count; g++) if (this.flows[g] > 0) out.push(g);
      return out.sort((x, y) => (before(x, y) ? -1 : before(y, x) ? 1 : 0));
    }
    for (let g = 0; g < count; g++) {
      if (this.flows[g] === 0 || n === 0) continue;
      if (out.length === n && !before(g, out[n - 1])) continue;
      let i: number;
      if (out.length < n) {
        out.push(g);
        i = out.length - 1;
      } else {
        out[n - 1] = g;
        i = n - 1;
      }
      while (i > 0 && before(out[i], out[i - 1])) {
        const t = out[i];
        out[i] = out[i - 1];
        out[i - 1] = t;
        i--;
      }
    }
    return out;
  }
}
