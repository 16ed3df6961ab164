/** What the offline databases say about one address (./geo-lookup.ts). */
export interface GeoInfo {
  /** ISO 3166-1 alpha-2, upper case. */
  country: string | null;
  asn: number | null;
  asName: string | null;
}

export const NO_GEO: GeoInfo = Object.freeze({ country: null, asn: null, asName: null });
