import { useEffect, useState } from 'react';
import { useStore } from 'zustand';
import type { FlowRow, FlowTunnel } from '../../shared/flow.ts';
import type { ChartSeries } from '../../shared/ipc.ts';
import { useStores } from '../state/app-stores.ts';
import { downRate, upRate, localAddr, localPort, remoteAddr, remotePort } from '../../shared/flows/endpoints.ts';
import { formatBytes, formatDateTime, formatEndpoint, formatFlowEndpoint, formatRate } from '../format.ts';
import { Sparkline } from './Sparkline.tsx';
import { RateChart, seriesSummary } from './BandwidthChart.tsx';
import { stateDetail } from '../flows/state-label.ts';
import { useDialogFocus } from '../hooks/use-dialog-focus.ts';
import { attributionText, processUnknownText } from '../flows/process-label.ts';

/** `isolated`: text a local process chose (its name, its executable's path, a user name), shown in a <bdi>. */
type Field = [label: string, value: string, copyable?: boolean, isolated?: boolean];

/** Outermost encapsulation first, then the outer IP endpoints when there are any. */
function tunnelText(t: FlowTunnel | null | undefined): string {
  if (!t) return '—';
  const ends = t.src !== null && t.dst !== null ? ` (${formatEndpoint(t.src, 0)} → ${formatEndpoint(t.dst, 0)})` : '';
  return `${t.kinds.join(' › ')}${ends}`;
}

/** A value that may be missing: "—" when it is. */
function opt(v: string | number | null | undefined): string {
  return v === null || v === undefined || v === '' ? '—' : String(v);
}

function fields(r: FlowRow, attribution: string): Field[] {
  const list = (v: string[]) => (v.length ? v.join(', ') : '—');
  return [
    ['Flow id', String(r.id)],
    ['Protocol', r.proto],
    ['Application', opt(r.app)],
    ['State', stateDetail(r.state, r.ended)],
    ['Local', formatEndpoint(localAddr(r), localPort(r)), true],
    ['Remote', formatFlowEndpoint(r, remoteAddr(r), remotePort(r)), true],
    ['Host', opt(r.host), true],
    ['Initiator (src)', formatEndpoint(r.src, r.sport), true],
    ['Responder (dst)', formatFlowEndpoint(r, r.dst, r.dport), true],
    ['Initiator country / AS', place(r.src_country, r.src_asn, r.src_as_name), true],
    ['Responder country / AS', place(r.dst_country, r.dst_asn, r.dst_as_name), true],
    ['Tunnel', tunnelText(r.tunnel), true],
    ['Which end is this host', r.local === null ? 'unknown (shown: src as local)' : r.local],
    ['Packets src→dst', r.packets_fwd.toLocaleString('en-US')],
    ['Bytes src→dst', `${formatBytes(r.bytes_fwd)} (${r.bytes_fwd.toLocaleString('en-US')})`],
    ['Packets dst→src', r.packets_rev.toLocaleString('en-US')],
    ['Bytes dst→src', `${formatBytes(r.bytes_rev)} (${r.bytes_rev.toLocaleString('en-US')})`],
    ['Rate src→dst 1 s / 10 s', `${formatRate(r.rate_fwd_1s)} / ${formatRate(r.rate_fwd_10s)}`],
    ['Rate dst→src 1 s / 10 s', `${formatRate(r.rate_rev_1s)} / ${formatRate(r.rate_rev_10s)}`],
    ['First seen', formatDateTime(r.first_seen)],
    ['Last seen', formatDateTime(r.last_seen)],
    ['Process', r.process !== null ? r.process : (processUnknownText(r) ?? opt(null)), r.process !== null, r.process !== null],
    ['PID', opt(r.pid)],
    ['User', opt(r.user ?? null), false, true],
    ['Executable', opt(r.exe), true, true],
    ['Command line', opt(r.cmdline), true, true],
    ...peerFields(r),
    ['Attribution method', attribution],
    ['TLS SNI', opt(r.sni), true],
    ['TLS ALPN', list(r.alpn)],
    ['HTTP Host', opt(r.http_host), true],
    ['SSH client', opt(r.ssh_client)],
    ['SSH server', opt(r.ssh_server)],
    ['DNS queries', list(r.dns_queries), true],
    ['DNS answers', list(r.dns_answers), true],
    ['DNS rcode', opt(r.dns_rcode)],
    ...dhcpFields(r),
  ];
}

/** The other end's process when both ends are local (loopback, containers): only when the host named one. */
function peerFields(r: FlowRow): Field[] {
  if (r.peer_pid === undefined && r.peer_process === undefined && r.peer_user === undefined) return [];
  return [
    ['Peer process', opt(r.peer_process), true, true],
    ['Peer PID', opt(r.peer_pid)],
    ['Peer user', opt(r.peer_user), false, true],
  ];
}

/** What a DHCP client said of itself: only on DHCP flows. The text is printable ASCII (the engine replaces the rest). */
function dhcpFields(r: FlowRow): Field[] {
  if (r.app !== 'dhcp' && r.app !== 'dhcpv6') return [];
  return [
    ['DHCP host name', r.dhcp_hostname ?? '—', true],
    [r.app === 'dhcpv6' ? 'DHCP vendor (enterprise number)' : 'DHCP vendor class', r.dhcp_vendor_class ?? '—', true],
  ];
}

/** "US · AS15169 Google LLC"; "—" for a private or special address (the offline databases know nothing of it). */
function place(country: string | null, asn: number | null, asName: string | null): string {
  const as = asn === null ? null : asName ? `AS${asn} ${asName}` : `AS${asn}`;
  const parts = [country, as].filter((p): p is string => p !== null);
  return parts.length > 0 ? parts.join(' · ') : '—';
}

async function copy(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * While a capture runs (or a file is still being read), the drawer asks for its flow's chart again this often, or, when
 * an answer took long (the host reads the recording again), after REFRESH_SLOWDOWN times as long, so the drawer keeps
 * the host busy for at most a fifth of the time.
 */
export const FLOW_SERIES_REFRESH_MS = 2000;
const REFRESH_SLOWDOWN = 4;
const FLOW_CHART_HEIGHT = 150;

interface FlowSeriesState {
  id: number;
  series: ChartSeries | null;
  error: string | null;
}

/**
 * The chart series of flow `id` while the drawer shows it, from the engine host (flowSeries: its packets binned by
 * time); asked for again after each answer while packets still come, one request at a time.
 */
function useFlowSeries(id: number | null, open: boolean): FlowSeriesState | null {
  const { api, capture } = useStores();
  const growing = useStore(capture, (s) => s.status.state === 'capturing' || s.status.state === 'reading');
  const [got, setGot] = useState<FlowSeriesState | null>(null);
  useEffect(() => {
    if (!open || id === null) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | null = null;
    const ask = () => {
      const asked = performance.now();
      api.flowSeries(id).then(
        (r) => {
          if (stopped) return;
          setGot(r.ok ? { id, series: r.value, error: null } : { id, series: null, error: r.error.message });
          if (growing) timer = setTimeout(ask, Math.max(FLOW_SERIES_REFRESH_MS, REFRESH_SLOWDOWN * (performance.now() - asked)));
        },
        () => {
          if (!stopped) setGot({ id, series: null, error: 'The engine could not chart this flow.' });
        },
      );
    };
    ask();
    return () => {
      stopped = true;
      if (timer !== null) clearTimeout(timer);
    };
  }, [api, id, open, growing]);
  return got !== null && got.id === id ? got : null;
}

/** The flow's own span: its first bin to the end of its last, at least two bins wide so the axis keeps labels. */
function flowRange(t: readonly number[]): [number, number] {
  if (t.length === 0) return [0, 2];
  return [t[0], Math.max(t[t.length - 1], t[0] + 2 * (t.length > 1 ? t[1] - t[0] : 1))];
}

/**
 * Every field of the selected flow, its traffic over capture time (the traffic chart's kind of chart, of this flow's
 * packets; the rates sparkline of the engine host's recent history where that cannot be had) and copy buttons.
 */
export function FlowDetails() {
  const { flows, ui, capture } = useStores();
  const busy = useStore(capture, (s) => s.busy);
  const attribution = useStore(capture, (s) => attributionText(s.status.attribution, s.status.source?.kind === 'file'));
  const open = useStore(ui, (s) => s.detailsOpen);
  const id = useStore(ui, (s) => s.selectedId);
  const chart = useFlowSeries(id, open);
  useStore(flows, (s) => s.version); // re-render on updates to show fresh numbers
  const [copied, setCopied] = useState<string | null>(null);
  const closeRef = useDialogFocus<HTMLButtonElement>(open);
  if (!open || id === null) return null;
  const f = flows.getState();
  // The host's word on the selected flow; until its answer to a new selection comes, the row as the table shows it.
  const sel = f.selected !== null && f.selected.id === id ? f.selected : null;
  const r = sel !== null ? sel.row : (f.rows.find((x) => x.id === id) ?? null);
  const gone = sel !== null && sel.row === null;
  const close = () => {
    ui.getState().openDetails(false);
  };
  // Rates the host recorded since the flow was selected (one per update that carried it); none yet: the current one.
  const samples = sel?.down.length ?? 0;
  const series = chart !== null && chart.series !== null && chart.series.down.length > 0 ? chart.series : null;
  const doCopy = async (label: string, text: string) => setCopied((await copy(text)) ? label : `${label} (copy failed)`);
  return (
    <aside
      aria-labelledby="details-title"
      className="flex w-80 shrink-0 flex-col xl:w-96 overflow-hidden border-l border-zinc-200 bg-white dark:border-zinc-700 dark:bg-zinc-900"
    >
      <div className="flex items-center justify-between gap-2 border-b border-zinc-200 px-4 py-2 dark:border-zinc-700">
        <h2 id="details-title" className="font-semibold">
          Flow details
        </h2>
        <button ref={closeRef} type="button" className="btn" onClick={close} aria-keyshortcuts="Escape">
          Close
        </button>
      </div>
      {r === null ? (
        <p className="p-4 text-sm">{gone ? 'This flow is no longer in the table.' : 'Loading…'}</p>
      ) : (
        <div className="flex-1 overflow-auto px-4 py-3 text-sm">
          {sel !== null && sel.index < 0 && <p className="mb-2 text-xs text-zinc-600 dark:text-zinc-400">The flows filter hides this flow.</p>}
          <div className="mb-3">
            <div className="mb-1 flex justify-between text-xs text-zinc-600 dark:text-zinc-400">
              <span>
                <span className="text-sky-600 dark:text-sky-400">↓ {formatRate(downRate(r))}</span>
                {'  '}
                <span className="text-amber-600 dark:text-amber-400">↑ {formatRate(upRate(r))}</span>
              </span>
              <span>{series !== null ? 'traffic over capture time' : samples === 0 ? 'current rate' : samples === 1 ? 'last update' : `last ${samples} updates`}</span>
            </div>
            {series !== null ? (
              <RateChart series={series} range={flowRange} height={FLOW_CHART_HEIGHT} summary={`Traffic of flow ${r.id} ${seriesSummary(series)}`} />
            ) : (
              <>
                <Sparkline
                  down={sel !== null && samples > 0 ? sel.down : [downRate(r)]}
                  up={sel !== null && samples > 0 ? sel.up : [upRate(r)]}
                  label={`Rate of flow ${r.id}: down ${formatRate(downRate(r))}, up ${formatRate(upRate(r))}`}
                />
                {chart?.error != null && <p className="mt-1 text-xs text-zinc-600 dark:text-zinc-400">No chart of this flow: {chart.error}</p>}
              </>
            )}
          </div>
          <div className="mb-3 flex gap-2">
            <button type="button" className="btn" onClick={() => void doCopy('JSON', JSON.stringify(r, null, 2))}>
              Copy as JSON
            </button>
            <button type="button" className="btn" disabled={busy || gone} title="Save this flow’s packets as a pcap file (opens in Wireshark)" onClick={() => void capture.getState().saveFlowPackets(r.id)}>
              Save packets…
            </button>
          </div>
          <p className="mb-2 min-h-4 text-xs text-zinc-600 dark:text-zinc-400" aria-live="polite">
            {copied ? `Copied ${copied}` : ''}
          </p>
          <dl className="grid grid-cols-[auto_1fr_auto] items-baseline gap-x-2 gap-y-1">
            {fields(r, attribution).map(([label, value, copyable, isolated]) => (
              <div key={label} className="contents">
                <dt className="text-xs text-zinc-500 dark:text-zinc-400">{label}</dt>
                <dd className="font-mono text-xs break-all">{isolated ? <bdi>{value}</bdi> : value}</dd>
                <div>
                  {copyable && value !== '—' && (
                    <button type="button" className="btn-link" aria-label={`Copy ${label}`} onClick={() => void doCopy(label, value)}>
                      Copy
                    </button>
                  )}
                </div>
              </div>
            ))}
          </dl>
        </div>
      )}
    </aside>
  );
}
