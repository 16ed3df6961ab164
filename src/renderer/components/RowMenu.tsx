/**
 * A flow row's context menu: filter on what the row shows, copy it, save its packets, open its details.
 * WAI-ARIA menu pattern: focus goes to the first item, arrows/Home/End move, Enter/Space activate, Esc and Tab close
 * (the caller puts focus back on the row in onClose).
 */
import { useEffect, useRef, type KeyboardEvent } from 'react';
import type { FlowRow } from '../../shared/flow.ts';
import { menuKeyDown } from '../hooks/menu-keys.ts';
import { remoteAddr, remotePort, protoLabel } from '../../shared/flows/endpoints.ts';
import { flowName, groupFilter, processKey } from '../../shared/flows/group-key.ts';

export interface RowMenuActions {
  /** Replace the filter bar's text with this filter (src/shared/flows/filter-query.ts). */
  onFilter(query: string): void;
  onCopy(text: string): void;
  onSavePackets(row: FlowRow): void;
  onShowDetails(row: FlowRow): void;
  onClose(): void;
}

interface Item {
  label: string;
  run(): void;
}

/** The filters the menu offers for a row, each with its label; a filter the row cannot say is left out. */
export function rowFilters(r: FlowRow): { label: string; query: string }[] {
  const out: { label: string; query: string }[] = [];
  const addr = remoteAddr(r);
  out.push({ label: `Filter on host ${addr}`, query: `host:${addr}` });
  const proc = groupFilter('process', processKey(r));
  if (proc !== null && r.process !== null) out.push({ label: `Filter on process ${r.process}`, query: proc });
  const port = remotePort(r);
  if (port > 0) out.push({ label: `Filter on port ${String(port)}`, query: `port:${String(port)}` });
  const name = flowName(r);
  if (name !== addr) {
    const domain = groupFilter('domain', name);
    if (domain !== null) out.push({ label: `Filter on domain ${name}`, query: domain });
  }
  return out;
}

/** The row as one line of text, as the table shows it. */
export function rowText(r: FlowRow): string {
  const parts = [protoLabel(r), `${r.src}:${String(r.sport)} → ${r.dst}:${String(r.dport)}`];
  if (r.host !== null) parts.push(r.host);
  if (r.process !== null) parts.push(r.pid === null ? r.process : `${r.process} (${String(r.pid)})`);
  parts.push(`${String(r.packets_fwd + r.packets_rev)} packets`, `${String(r.bytes_fwd + r.bytes_rev)} bytes`, r.state);
  return parts.join('  ');
}

/** `more`: items the caller adds after the filters (favourites). */
export function RowMenu({ row, x, y, actions, more = [] }: { row: FlowRow; x: number; y: number; actions: RowMenuActions; more?: readonly Item[] }) {
  const refs = useRef<(HTMLLIElement | null)[]>([]);
  const then = (f: () => void) => () => {
    actions.onClose();
    f();
  };
  const items: Item[] = [
    ...rowFilters(row).map((f) => ({ label: f.label, run: then(() => actions.onFilter(f.query)) })),
    ...more.map((it) => ({ label: it.label, run: then(it.run) })),
    { label: 'Copy row', run: then(() => actions.onCopy(rowText(row))) },
    { label: 'Copy remote address', run: then(() => actions.onCopy(remoteAddr(row))) },
    { label: 'Save this flow’s packets as pcap…', run: then(() => actions.onSavePackets(row)) },
    { label: 'Show details', run: then(() => actions.onShowDetails(row)) },
  ];

  useEffect(() => {
    refs.current[0]?.focus();
  }, []);

  const onKeyDown = (e: KeyboardEvent<HTMLUListElement>) => menuKeyDown(refs.current.slice(0, items.length), (i) => items[i].run(), actions.onClose)(e);

  return (
    <ul role="menu" aria-label="Flow actions" className="row-menu z-50 min-w-56 rounded border border-zinc-300 bg-white py-1 text-sm shadow-lg dark:border-zinc-600 dark:bg-zinc-800" style={{ position: 'fixed', left: x, top: y }} onKeyDown={onKeyDown}>
      {items.map((it, i) => (
        <li key={it.label} role="menuitem" tabIndex={-1} className="cursor-default px-3 py-1 outline-none hover:bg-zinc-100 focus:bg-sky-100 dark:hover:bg-zinc-700 dark:focus:bg-sky-900" ref={(el) => { refs.current[i] = el; }} onClick={it.run}>
          {it.label}
        </li>
      ))}
    </ul>
  );
}
