/**
 * Address → DNS name, learned from DNS answers, used to label later flows to that address. Bounded LRU: a Map keeps
 * insertion order, so re-inserting on use makes the first key the least recently used one to evict. Approximate on
 * purpose: a use counts only once the cache is more than half full (see lookup).
 */
import type { NameCache } from './types.ts';

export const DEFAULT_NAME_CACHE_ENTRIES = 65536;

export class LruNameCache implements NameCache {
  private readonly map = new Map<string, string>();
  private readonly max: number;

  constructor(maxEntries = DEFAULT_NAME_CACHE_ENTRIES) {
    this.max = Math.max(1, maxEntries);
  }

  get size(): number {
    return this.map.size;
  }

  remember(address: string, name: string, _ts: number): void {
    const small = this.map.size <= this.max >> 1;
    if (this.map.has(address)) {
      // Far from full: update in place (set keeps the key's position), as lookup skips refreshing then too.
      if (small) {
        this.map.set(address, name);
        return;
      }
      this.map.delete(address);
    } else if (this.map.size >= this.max) {
      const oldest = this.map.keys().next();
      if (!oldest.done) this.map.delete(oldest.value);
    }
    this.map.set(address, name);
  }

  lookup(address: string): string | null {
    const name = this.map.get(address);
    if (name === undefined) return null;
    // A hit is paid for every new flow; the delete + re-insert that records recency is skipped while the cache is
    // at most half full, far from evicting anything.
    if (this.map.size > this.max >> 1) {
      this.map.delete(address);
      this.map.set(address, name);
    }
    return name;
  }
}
