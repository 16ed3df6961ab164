/**
 * Favourites (src/shared/flows/favourites.ts): starred flows (this source only: flow ids restart with each one),
 * hosts and programs (kept in the settings), and whether the table shows favourites only. The engine host puts them
 * first; `sets` is the same test the host applies, for drawing the stars.
 */
import { createStore } from 'zustand/vanilla';
import { MAX_FAVOURITE_FLOWS, MAX_FAVOURITE_NAMES, favouriteSets, type FavouriteSets, type FavouritesRequest } from '../../shared/flows/favourites.ts';
import { bareName } from '../../shared/flows/group-key.ts';

export interface FavouritesState extends FavouritesRequest {
  sets: FavouriteSets;
  toggleFlow(id: number): void;
  toggleHost(name: string): void;
  toggleProgram(name: string): void;
  setOnly(only: boolean): void;
  /** A new source: its flow ids say nothing about the old one's starred flows. */
  clearFlows(): void;
  /** The hosts and programs kept in the settings. */
  load(hosts: string[], programs: string[]): void;
}

/** `list` with `x` added at the end (oldest dropped beyond `max`) or removed. */
function toggled<T>(list: readonly T[], x: T, max: number): T[] {
  return list.includes(x) ? list.filter((y) => y !== x) : [...list, x].slice(-max);
}

export function createFavouritesStore() {
  return createStore<FavouritesState>()((set, get) => {
    const put = (p: Partial<FavouritesRequest>) => {
      const next = { flows: get().flows, hosts: get().hosts, programs: get().programs, ...p };
      set({ ...p, sets: favouriteSets(next) });
    };
    return {
      flows: [],
      hosts: [],
      programs: [],
      only: false,
      sets: favouriteSets({ flows: [], hosts: [], programs: [] }),
      toggleFlow: (id) => put({ flows: toggled(get().flows, id, MAX_FAVOURITE_FLOWS) }),
      toggleHost: (name) => put({ hosts: toggled(get().hosts, bareName(name), MAX_FAVOURITE_NAMES) }),
      toggleProgram: (name) => put({ programs: toggled(get().programs, name, MAX_FAVOURITE_NAMES) }),
      setOnly: (only) => set({ only }),
      clearFlows: () => {
        if (get().flows.length > 0) put({ flows: [] });
      },
      load: (hosts, programs) => put({ hosts, programs }),
    };
  });
}

export type FavouritesStore = ReturnType<typeof createFavouritesStore>;

/** What setFavourites takes, from the store. */
export function favouritesRequest(s: FavouritesRequest): FavouritesRequest {
  return { flows: s.flows, hosts: s.hosts, programs: s.programs, only: s.only };
}
