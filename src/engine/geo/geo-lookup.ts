/**
 * Country and AS of an address, offline: the country from the @ip-location-db geo-whois-asn-country MMDB (read with
 * mmdb-lib), the AS from the range table build/build.mjs makes of @ip-location-db/asn (./asn-table.ts). Both files
 * are read from disk once, on the first lookup; nothing is ever fetched. Answers are cached per address, and asked
 * for only when a flow is reported (never per packet). Special addresses (./special-address.ts) get no answer.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Reader, type Response } from 'mmdb-lib';
import { AsnTable } from './asn-table.ts';
import { isSpecial4, isSpecial6 } from './special-address.ts';
import { addressWords } from '../address-text.ts';

import { NO_GEO, type GeoInfo } from './geo-info.ts';

export { NO_GEO, type GeoInfo } from './geo-info.ts';

export const GEO_COUNTRY_FILE = 'country.mmdb';
export const GEO_ASN_FILE = 'asn.bin';
const CACHE_MAX = 65_536;


export class GeoLookup {
  private readonly dir: string | null;
  private country: Reader<Response> | null = null;
  private asn: AsnTable | null = null;
  private loaded = false;
  private readonly cache4 = new Map<number, GeoInfo>();
  private readonly cache6 = new Map<string, GeoInfo>();
  private readonly text = new Uint32Array(4);

  /** `dir` holds country.mmdb and asn.bin; null: a lookup that knows nothing. */
  constructor(dir: string | null) {
    this.dir = dir;
  }

  /** Whether the databases were found (loads them). */
  get available(): boolean {
    this.load();
    return this.country !== null || this.asn !== null;
  }

  private load(): void {
    if (this.loaded) return;
    this.loaded = true;
    if (this.dir === null) return;
    const c = path.join(this.dir, GEO_COUNTRY_FILE);
    const a = path.join(this.dir, GEO_ASN_FILE);
    if (existsSync(c)) this.country = new Reader<Response>(readFileSync(c));
    if (existsSync(a)) this.asn = new AsnTable(readFileSync(a));
  }

  /** An IPv4 address as a host-order u32. */
  v4(addr: number): GeoInfo {
    addr >>>= 0;
    // Special addresses are told by a few comparisons, cheaper than a cache entry (and they would crowd it).
    if (isSpecial4(addr)) return NO_GEO;
    // Keyed by the signed value, a small integer to V8: no heap number per lookup.
    const key = addr | 0;
    let g = this.cache4.get(key);
    if (g !== undefined) return g;
    this.load();
    const text = `${addr >>> 24}.${(addr >>> 16) & 255}.${(addr >>> 8) & 255}.${addr & 255}`;
    g = this.info(text, this.asn?.lookup4(addr) ?? null);
    if (this.cache4.size >= CACHE_MAX) this.cache4.clear();
    this.cache4.set(key, g);
    return g;
  }

  /** An IPv6 address: four big-endian words at `at`, and its text (the country database is asked by text). */
  v6(words: ArrayLike<number>, at: number, text: string): GeoInfo {
    let g = this.cache6.get(text);
    if (g !== undefined) return g;
    if (words[at] >>> 0 === 0 && words[at + 1] >>> 0 === 0 && words[at + 2] >>> 0 === 0xffff) g = this.v4(words[at + 3]);
    else if (isSpecial6(words, at)) g = NO_GEO;
    else {
      this.load();
      g = this.info(text, this.asn?.lookup6(words, at) ?? null);
    }
    if (this.cache6.size >= CACHE_MAX) this.cache6.clear();
    this.cache6.set(text, g);
    return g;
  }

  /** An address as text (IPv4 dotted quad or IPv6); anything else gets no answer. */
  address(text: string): GeoInfo {
    const w = this.text;
    const family = addressWords(text, w);
    if (family === 4) return this.v4(w[0]);
    if (family === 0) return NO_GEO;
    return this.v6(w, 0, text);
  }

  private info(text: string, as: { asn: number; name: string | null } | null): GeoInfo {
    let country: string | null = null;
    try {
      // This database's records are { country_code: 'US' }, not MaxMind's country.iso_code.
      const cc = (this.country?.get(text) as { country_code?: unknown } | null | undefined)?.country_code;
      if (typeof cc === 'string' && /^[A-Za-z]{2}$/.test(cc)) country = cc.toUpperCase();
    } catch {
      country = null;
    }
    if (country === null && as === null) return NO_GEO;
    return { country, asn: as?.asn ?? null, asName: as?.name ?? null };
  }
}

/**
 * Where the built databases are: `geo/` under the packaged app's resources, else the checkout's `dist/geo` found by
 * walking up from this module (a bundle in dist/cli or dist/main, or the source under src/ when tests run it).
 */
export function findGeoDir(): string | null {
  const resources = (process as { resourcesPath?: string }).resourcesPath;
  const has = (d: string) => existsSync(path.join(d, GEO_COUNTRY_FILE)) || existsSync(path.join(d, GEO_ASN_FILE));
  if (resources && has(path.join(resources, 'geo'))) return path.join(resources, 'geo');
  let d = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    for (const c of [path.join(d, 'geo'), path.join(d, 'dist', 'geo')]) if (has(c)) return c;
    const up = path.dirname(d);
    if (up === d) break;
    d = up;
  }
  return null;
}

let shared: GeoLookup | null = null;

/** The one lookup of this process over the databases findGeoDir finds. */
export function defaultGeo(): GeoLookup {
  shared ??= new GeoLookup(findGeoDir());
  return shared;
}
