/**
 * Address → DNS name, learned from DNS answers, used to label later flows to that address. Bounded LRU: a Map keeps
 * insertion order, so re-inserting on use makes the first key the least recently used one to evict.
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
    if (this.map.has(address)) this.map.delete(address);
    else if (this.map.size >= this.max) {
      const oldest = this.map.keys().next();
      if (!oldest.done) this.map.delete(oldest.value);
    }
    this.map.set(address, name);
  }

  lookup(address: string): string | null {
    const name = this.map.get(address);
    if (name === undefined) return null;
    this.map.delete(address);
    this.map.set(address, name);
    return name;
  }
}
