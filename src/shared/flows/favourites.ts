/**
 * Favourites: flows (by id, for the current source only), hosts (a name or an address) and programs the user
 * starred. The engine host puts every flow they match first in the flows table; the renderer draws the star with the
 * same test, so both always agree on what a favourite is.
 *
 * This module imports nothing outside src/shared: the sandboxed preload bundles it.
 */
import type { FlowRow } from '../flow.ts';
import { remoteAddr } from './endpoints.ts';
import { bareName, flowName } from './group-key.ts';

/** At most this many of each kind are kept (a request or a settings file with more is refused). */
export const MAX_FAVOURITE_FLOWS = 1000;
export const MAX_FAVOURITE_NAMES = 500;
/** A host or program name's longest text (a DNS name is at most 253 characters). */
export const MAX_FAVOURITE_NAME_LENGTH = 253;

/** What the table should put first, as the renderer tells the engine host (setFavourites). */
export interface FavouritesRequest {
  /** Flow ids (FlowRow.id) of the current source. */
  flows: number[];
  /** Host names (a favourite name also covers its subdomains) or remote addresses. */
  hosts: string[];
  /** Process names as the table shows them. */
  programs: string[];
  /** Show only the flows these match. */
  only: boolean;
}

export const NO_FAVOURITES: Readonly<FavouritesRequest> = Object.freeze({ flows: [], hosts: [], programs: [], only: false });

export interface FavouriteSets {
  flows: ReadonlySet<number>;
  hosts: ReadonlySet<string>;
  programs: ReadonlySet<string>;
}

export function favouriteSets(req: Pick<FavouritesRequest, 'flows' | 'hosts' | 'programs'>): FavouriteSets {
  return { flows: new Set(req.flows), hosts: new Set(req.hosts.map(bareName)), programs: new Set(req.programs) };
}

export function hasFavourites(f: FavouriteSets): boolean {
  return f.flows.size + f.hosts.size + f.programs.size > 0;
}

/** The favourite host `name` is, or is a subdomain of, or null. Walks the name's suffixes without copying more than one. */
function favouriteSuffix(name: string, hosts: ReadonlySet<string>): string | null {
  let from = 0;
  while (from >= 0 && from < name.length) {
    const s = from === 0 ? name : name.slice(from);
    if (hosts.has(s)) return s;
    const dot = name.indexOf('.', from);
    from = dot < 0 ? -1 : dot + 1;
  }
  return null;
}

/** The favourite host a row matches (its name, a parent domain of it, or its remote address), or null. */
export function favouriteHost(r: FlowRow, f: FavouriteSets): string | null {
  if (f.hosts.size === 0) return null;
  const addr = remoteAddr(r);
  if (f.hosts.has(addr)) return addr;
  const name = flowName(r);
  const byName = name === addr ? null : favouriteSuffix(name, f.hosts);
  if (byName !== null || r.host === null) return byName;
  const host = bareName(r.host);
  return host === name ? null : favouriteSuffix(host, f.hosts);
}

/** Why a row is a favourite: its own star, its program's, or its host's; null when it is none. */
export function favouriteOf(r: FlowRow, f: FavouriteSets): 'flow' | 'program' | 'host' | null {
  if (f.flows.has(r.id)) return 'flow';
  if (r.process !== null && f.programs.has(r.process)) return 'program';
  return favouriteHost(r, f) !== null ? 'host' : null;
}

/** A list of names as a favourites list takes it: non-empty, bounded, without repeats; null when it is not one. */
export function favouriteNames(v: unknown, host: boolean): string[] | null {
  if (!Array.isArray(v) || v.length > MAX_FAVOURITE_NAMES) return null;
  const out: string[] = [];
  for (const x of v) {
    if (typeof x !== 'string' || x.length === 0 || x.length > MAX_FAVOURITE_NAME_LENGTH || x.includes('\0')) return null;
    // Hosts are kept as the table compares them (lower case, no trailing dot); nothing is rewritten on the way in.
    if (host && bareName(x) !== x) return null;
    out.push(x);
  }
  return new Set(out).size === out.length ? out : null;
}
