/**
 * Address → DNS name, learned from DNS answers, used to label later flows to that address. Bounded LRU: a Map keeps
 * insertion order, so re-inserting on use makes the first key the least recently used one to evict. Approximate on
 * purpose: a use counts only once the cache is more than half full (see lookup).
 * An IPv4 address in its dotted-quad form is keyed by its number, so the engine asks about a new flow's responder
 * straight from its key word (lookup4) without formatting it; any other text is its own key. The number is the
 * address's signed 32-bit value, a small integer to V8, so a lookup neither allocates nor hashes a heap number.
 */
import type { NameCache } from './types.ts';

export const DEFAULT_NAME_CACHE_ENTRIES = 65536;

export class LruNameCache implements NameCache {
  private readonly map = new Map<string | number, string>();
  private readonly max: number;

  constructor(maxEntries = DEFAULT_NAME_CACHE_ENTRIES) {
    this.max = Math.max(1, maxEntries);
  }

  get size(): number {
    return this.map.size;
  }

  remember(text: string, name: string, _ts: number): void {
    const address = keyOf(text);
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

  lookup(text: string): string | null {
    return this.find(keyOf(text));
  }

  lookup4(addr: number): string | null {
    return this.find(addr | 0);
  }

  private find(address: string | number): string | null {
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

/** A canonical dotted quad (no leading zeros, each part at most 255) as its host-order i32; any other text as it is. */
function keyOf(text: string): string | number {
  const n = text.length;
  if (n < 7 || n > 15) return text;
  let addr = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x2e) {
      if (digits === 0 || ++dots > 3) return text;
      addr = addr * 256 + part;
      part = 0;
      digits = 0;
    } else if (c >= 0x30 && c <= 0x39) {
      if (digits > 0 && part === 0) return text; // a leading zero
      part = part * 10 + (c - 0x30);
      if (++digits > 3 || part > 255) return text;
    } else {
      return text;
    }
  }
  if (dots !== 3 || digits === 0) return text;
  return (addr * 256 + part) | 0;
}
