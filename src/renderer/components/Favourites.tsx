/**
 * Favourites in the flows table: the star in a row (a button that stars the flow itself; a plain star when the flow
 * is a favourite through its host or program, which the row menu changes), the "Favourites only" toggle, and the row
 * menu's items. The engine host keeps them first; the star uses the same test (src/shared/flows/favourites.ts).
 */
import { useStore } from 'zustand';
import type { FlowRow } from '../../shared/flow.ts';
import { favouriteHost, favouriteOf } from '../../shared/flows/favourites.ts';
import { remoteAddr } from '../../shared/flows/endpoints.ts';
import { flowName } from '../../shared/flows/group-key.ts';
import { useStores } from '../state/app-stores.ts';
import type { FavouritesState } from '../state/favourites-store.ts';

// The glyph is drawn by CSS, so the cell's text (copied, searched, read by tests) is the process alone.
const STAR = 'mr-1 inline-block w-4 text-center';
const FILLED = "before:content-['★']";
const EMPTY = "before:content-['☆']";

export function FavouriteStar({ r }: { r: FlowRow }) {
  const { favourites } = useStores();
  const why = useStore(favourites, (s) => favouriteOf(r, s.sets));
  const host = useStore(favourites, (s) => (why === 'host' ? favouriteHost(r, s.sets) : null));
  if (why === 'host' || why === 'program') {
    const label = why === 'host' ? `Favourite host ${host ?? ''}` : `Favourite program ${r.process ?? ''}`;
    return (
      <span role="img" aria-label={label} title={`${label} (change it in the row menu)`} className={`${STAR} ${FILLED} text-amber-600 dark:text-amber-400`} />
    );
  }
  const on = why === 'flow';
  return (
    <button
      type="button"
      tabIndex={-1}
      data-favourite-star=""
      aria-pressed={on}
      aria-label="Favourite flow"
      title={on ? 'A favourite: kept at the top (click to unstar)' : 'Star this flow to keep it at the top'}
      className={`${STAR} cursor-pointer ${on ? `${FILLED} text-amber-600 dark:text-amber-400` : `${EMPTY} text-zinc-500 opacity-60 hover:opacity-100 dark:text-zinc-400`}`}
      onClick={(e) => {
        // A star is not a click on the row (which selects it).
        e.stopPropagation();
        favourites.getState().toggleFlow(r.id);
      }}
    />
  );
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
