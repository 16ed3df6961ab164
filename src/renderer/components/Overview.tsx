import { memo } from 'react';
import { useStore } from 'zustand';
import { useStores } from '../state/app-stores.ts';
import { formatBytes, formatCount, formatRate } from '../format.ts';
import { groupFilter } from '../../shared/flows/group-key.ts';
import type { OverviewDimension, OverviewEntry, OverviewList, OverviewOrder, OverviewTotals } from '../../shared/ipc.ts';

const PANELS: ReadonlyArray<{ dim: OverviewDimension; title: string; what: string }> = [
  { dim: 'process', title: 'Programs', what: 'program' },
  { dim: 'domain', title: 'Domains', what: 'domain' },
  { dim: 'app', title: 'Apps', what: 'app protocol' },
  { dim: 'country', title: 'Countries', what: 'country' },
  { dim: 'asn', title: 'Networks (AS)', what: 'network' },
];

/** What an entry without a key stands for, and why no filter can select it. */
const NO_KEY: Record<OverviewDimension, { name: string; why: string }> = {
  process: { name: 'Unknown program', why: 'flows without a known program' },
  domain: { name: 'Unknown', why: 'these flows' },
  app: { name: 'Unknown', why: 'these flows' },
  country: { name: 'Local or unknown', why: 'flows whose remote address is private, special or not in the country database' },
  asn: { name: 'Local or unknown', why: 'flows whose remote address is private, special or not in the AS database' },
};

const regionNames = (() => {
  try {
    return new Intl.DisplayNames(['en'], { type: 'region' });
  } catch {
    return null;
  }
})();

/** "United States (US)"; the code alone where the runtime has no name for it. */
export function countryLabel(code: string): string {
  let name: string | undefined;
  try {
    name = regionNames?.of(code);
  } catch {
    name = undefined;
  }
  return name !== undefined && name !== code ? `${name} (${code})` : code;
}

/** Name, In, Out, Rate, Flows: one track list for the header and every entry of a panel. */
const TRACKS = 'grid grid-cols-[minmax(0,1fr)_4.5rem_4.5rem_5.5rem_3rem] items-center gap-x-2';

// App protocols, then transports with no app recognised on them.
const APP_LABELS: Record<string, string> = {
  tls: 'TLS', quic: 'QUIC', http: 'HTTP', dns: 'DNS', ssh: 'SSH',
  tcp: 'Other TCP', udp: 'Other UDP', icmp: 'ICMP', icmpv6: 'ICMPv6', sctp: 'SCTP', gre: 'GRE', esp: 'ESP (IPsec)', other: 'Other IP',
};

function label(dim: OverviewDimension, key: string | null): string {
  if (key === null) return NO_KEY[dim].name;
  if (dim === 'app') return APP_LABELS[key] ?? `Other ${key.toUpperCase()}`;
  if (dim === 'country') return countryLabel(key);
  return key;
}

/** An entry's share of every flow's bytes (or rate, when sorted by rate), 0–1. */
function share(e: OverviewTotals, total: OverviewTotals, order: OverviewOrder): number {
  const whole = order === 'rate' ? total.rateIn + total.rateOut : total.bytesIn + total.bytesOut;
  const part = order === 'rate' ? e.rateIn + e.rateOut : e.bytesIn + e.bytesOut;
  return whole > 0 ? Math.min(1, part / whole) : 0;
}

const Entry = memo(function Entry({ dim, what, entry, fraction, onPick }: { dim: OverviewDimension; what: string; entry: OverviewEntry; fraction: number; onPick: (filter: string) => void }) {
  const name = label(dim, entry.key);
  const filter = groupFilter(dim, entry.key);
  const pct = Math.round(fraction * 100);
  const rate = entry.rateIn + entry.rateOut;
  const spoken = `${name}: ${formatBytes(entry.bytesIn)} in, ${formatBytes(entry.bytesOut)} out, ${formatRate(rate)}, ${formatCount(entry.flows)} ${entry.flows === 1 ? 'flow' : 'flows'}, ${pct}%`;
  return (
    <li>
      <button
        type="button"
        disabled={filter === null}
        aria-label={filter === null ? `${spoken} (${NO_KEY[dim].why} cannot be filtered on)` : `${spoken}. Show these flows`}
        title={filter === null ? `No filter selects ${NO_KEY[dim].why}` : `Show the flows of this ${what} (${filter})`}
        onClick={() => filter !== null && onPick(filter)}
        className={`${TRACKS} relative w-full rounded px-2 pt-0.5 pb-1.5 text-left text-sm hover:bg-zinc-100 focus-visible:outline-2 focus-visible:outline-sky-500 disabled:cursor-default disabled:hover:bg-transparent dark:hover:bg-zinc-800`}
      >
        <span className={`truncate ${entry.key === null ? 'text-zinc-600 italic dark:text-zinc-400' : ''}`} title={name}>
          <bdi>{name}</bdi>
        </span>
        <span className="text-right font-mono text-xs tabular-nums">{formatBytes(entry.bytesIn)}</span>
        <span className="text-right font-mono text-xs tabular-nums">{formatBytes(entry.bytesOut)}</span>
        <span className="text-right font-mono text-xs tabular-nums">{formatRate(rate)}</span>
        <span className="text-right font-mono text-xs tabular-nums">{formatCount(entry.flows)}</span>
        {/* The share bar: a track across the entry's foot, filled to its share. */}
        <span aria-hidden="true" className="absolute inset-x-2 bottom-0.5 h-0.5 rounded bg-zinc-200 dark:bg-zinc-700">
          <span className="block h-full rounded bg-sky-600 dark:bg-sky-400" style={{ width: `${pct}%` }} />
        </span>
      </button>
    </li>
  );
});

function Panel({ dim, title, what, list, total, order, onPick }: { dim: OverviewDimension; title: string; what: string; list: OverviewList | null; total: OverviewTotals; order: OverviewOrder; onPick: (filter: string) => void }) {
  const id = `overview-${dim}`;
  const shown = list?.entries.length ?? 0;
  const groups = list?.groups ?? 0;
  return (
    <section aria-labelledby={`${id}-title`} className="flex min-h-0 min-w-0 flex-col rounded border border-zinc-200 dark:border-zinc-700">
      <div className="flex items-baseline justify-between gap-2 border-b border-zinc-200 px-3 py-1 dark:border-zinc-700">
        <h2 id={`${id}-title`} className="text-sm font-semibold">
          {title}
        </h2>
        <span className="text-xs text-zinc-600 dark:text-zinc-400">
          {groups > shown ? `top ${shown} of ${formatCount(groups)}` : `${formatCount(groups)} in all`}
        </span>
      </div>
      <div aria-hidden="true" className={`${TRACKS} px-3 pt-0.5 text-[0.7rem] font-semibold tracking-wide text-zinc-600 uppercase dark:text-zinc-400`}>
        <span>{what}</span>
        <span className="text-right">In</span>
        <span className="text-right">Out</span>
        <span className="text-right">Rate</span>
        <span className="text-right">Flows</span>
      </div>
      {shown === 0 ? (
        <p className="px-3 py-2 text-sm text-zinc-600 dark:text-zinc-400">No flows yet.</p>
      ) : (
        <ul aria-label={title} className="min-h-0 flex-1 overflow-y-auto px-1 pb-1">
          {list?.entries.map((e) => (
            <Entry key={e.key ?? '\0'} dim={dim} what={what} entry={e} fraction={share(e, total, order)} onPick={onPick} />
          ))}
        </ul>
      )}
    </section>
  );
}

const NO_TOTALS: OverviewTotals = { flows: 0, bytesIn: 0, bytesOut: 0, rateIn: 0, rateOut: 0 };

/** The Overview's sort toggle and its totals line: they sit in the tab bar, so the panels get the height. */
export function OverviewToolbar() {
  const { overview, ui } = useStores();
  const total = useStore(overview, (s) => s.view?.total ?? NO_TOTALS);
  const order = useStore(ui, (s) => s.overviewOrder);
  const orderButton = (o: OverviewOrder, text: string) => (
    <button type="button" aria-pressed={order === o} onClick={() => ui.getState().setOverviewOrder(o)} className={`btn py-0.5 ${order === o ? 'btn-primary' : ''}`}>
      {text}
    </button>
  );
  return (
    <div className="flex min-w-0 items-center gap-x-4 self-center text-sm">
      <p className="truncate text-xs text-zinc-600 dark:text-zinc-400" aria-live="polite">
        {total.flows === 0
          ? 'No traffic yet: start a capture or open a capture file.'
          : `${formatCount(total.flows)} flows · ${formatBytes(total.bytesIn)} in · ${formatBytes(total.bytesOut)} out · ${formatRate(total.rateIn + total.rateOut)} now`}
      </p>
      <div role="group" aria-label="Sort the overview by" className="flex shrink-0 items-center gap-1">
        <span className="mr-1 text-xs text-zinc-600 dark:text-zinc-400">Sort by</span>
        {orderButton('bytes', 'Bytes')}
        {orderButton('rate', 'Rate')}
      </div>
    </div>
  );
}

/** The first screen: totals by program, domain, app protocol, country and AS; an entry shows its flows in the table. */
export function Overview() {
  const { overview, ui } = useStores();
  const view = useStore(overview, (s) => s.view);
  const order = useStore(ui, (s) => s.overviewOrder);
  const onPick = (filter: string) => ui.getState().showFlows(filter);
  const total = view?.total ?? NO_TOTALS;
  return (
    <div
      id="panel-overview"
      role="tabpanel"
      aria-labelledby="tab-overview"
      // Two by two; on a short window each panel keeps room for a few entries and the panels scroll together.
      className="grid min-h-0 min-w-0 flex-1 auto-rows-[minmax(7.5rem,1fr)] grid-cols-2 gap-2 overflow-y-auto p-2"
    >
      {PANELS.map((p) => (
        <Panel key={p.dim} {...p} list={view?.lists[p.dim] ?? null} total={total} order={order} onPick={onPick} />
      ))}
      <p className="col-span-2 px-1 text-[0.7rem] text-zinc-600 dark:text-zinc-400">
        Countries and networks come from databases bundled with Sandpiper and are looked up on this computer, never online. Country data:
        NRO (CC BY 4.0). AS data: RouteViews and IP to ASN Lite by DB-IP (db-ip.com), CC BY 4.0.
      </p>
    </div>
  );
}
