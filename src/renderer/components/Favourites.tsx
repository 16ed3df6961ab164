/**
 * Favourites in the flows table: the star in a row (a button that stars the flow itself; a plain star when the flow
 * is a favourite through its host or program, which the row menu changes), the "Favourites only" toggle, and the row
 * menu's items. The engine host keeps them first; the star uses the same test (src/shared/flows/favourites.ts).
 */
import { useStore } from 'zustand';
import type { FlowRow } from '../../shared/flow.ts';
import { favouriteHost, favouriteOf, type FavouriteSets } from '../../shared/flows/favourites.ts';
import { remoteAddr } from '../../shared/flows/endpoints.ts';
import { flowName } from '../../shared/flows/group-key.ts';
import { useStores } from '../state/app-stores.ts';
import type { FavouritesState } from '../state/favourites-store.ts';

// The glyph is drawn by CSS, so the cell's text (copied, searched, read by tests) is the remote text alone.
const STAR = 'mr-1 inline-block w-4 text-center';
const FILLED = "before:content-['★']";
const EMPTY = "before:content-['☆']";

/**
 * What a row's star is: a button that stars the flow itself (pressed when it is a favourite), or a plain star (an
 * image) when the flow is a favourite through its host or program, which the row menu changes. The flows table's
 * row slots draw it (flows/row-slot.ts); a click on the button toggles the flow (the table's one click handler).
 */
export interface StarLook {
  readonly img: boolean;
  readonly label: string;
  readonly title: string;
  readonly className: string;
  readonly pressed: boolean;
}

const STAR_FLOW: StarLook = {
  img: false,
  label: 'Favourite flow',
  title: 'A favourite: kept at the top (click to unstar)',
  className: `${STAR} cursor-pointer ${FILLED} text-amber-600 dark:text-amber-400`,
  pressed: true,
};
const STAR_NONE: StarLook = {
  img: false,
  label: 'Favourite flow',
  title: 'Star this flow to keep it at the top',
  className: `${STAR} cursor-pointer ${EMPTY} text-zinc-500 opacity-60 hover:opacity-100 dark:text-zinc-400`,
  pressed: false,
};

export function starLook(r: FlowRow, sets: FavouriteSets): StarLook {
  const why = favouriteOf(r, sets);
  if (why === 'host' || why === 'program') {
    const label = why === 'host' ? `Favourite host ${favouriteHost(r, sets) ?? ''}` : `Favourite program ${r.process ?? ''}`;
    return { img: true, label, title: `${label} (change it in the row menu)`, className: `${STAR} ${FILLED} text-amber-600 dark:text-amber-400`, pressed: false };
  }
  return why === 'flow' ? STAR_FLOW : STAR_NONE;
}

/** The row menu's favourite items: the flow, its host (name, and address when that differs, and a starred parent domain) and its program. */
export function favouriteItems(r: FlowRow, f: FavouritesState): { label: string; run(): void }[] {
  const out: { label: string; run(): void }[] = [];
  const on = (list: readonly string[], x: string) => list.includes(x);
  out.push({ label: f.flows.includes(r.id) ? 'Unstar this flow' : 'Star this flow', run: () => f.toggleFlow(r.id) });
  const addr = remoteAddr(r);
  const name = flowName(r);
  if (name !== addr) out.push({ label: `${on(f.hosts, name) ? 'Unstar' : 'Star'} host ${name}`, run: () => f.toggleHost(name) });
  out.push({ label: `${on(f.hosts, addr) ? 'Unstar' : 'Star'} address ${addr}`, run: () => f.toggleHost(addr) });
  // A favourite parent domain (example.org for www.example.org) can be unstarred from here too.
  const parent = favouriteHost(r, f.sets);
  if (parent !== null && parent !== name && parent !== addr) out.push({ label: `Unstar host ${parent}`, run: () => f.toggleHost(parent) });
  if (r.process !== null && r.process !== '') {
    const p = r.process;
    out.push({ label: `${on(f.programs, p) ? 'Unstar' : 'Star'} program ${p}`, run: () => f.toggleProgram(p) });
  }
  return out;
}

export function FavouritesOnlyToggle() {
  const { favourites } = useStores();
  const only = useStore(favourites, (s) => s.only);
  const count = useStore(favourites, (s) => s.flows.length + s.hosts.length + s.programs.length);
  return (
    <button
      type="button"
      className={`btn py-0.5 ${only ? 'border-amber-600 text-amber-800 dark:border-amber-400 dark:text-amber-300' : ''}`}
      aria-pressed={only}
      title={count === 0 ? 'Star flows, hosts or programs (row menu) to keep them at the top' : `Show only the flows of your ${count} favourites`}
      onClick={() => favourites.getState().setOnly(!only)}
    >
      <span aria-hidden="true">★ </span>Favourites only
    </button>
  );
}
