import { useStore } from 'zustand';
import { useStores } from '../state/app-stores.ts';
import { formatCount, formatDuration, formatRate } from '../format.ts';
import type { IpfixStatsView } from '../../shared/ipc.ts';
import { THEME_SETTINGS, type ThemeSetting } from '../../shared/settings.ts';

/** What "expired" means, for the tooltip (and screen readers, who get no tooltip). */
const EXPIRED_TIP = 'No longer in the table: they went idle past their timeout, or were evicted when the table reached its flow cap.';
const DPI_TIP = 'Deep packet inspection skipped work to stay within its limits (buffer budget, flows inspected at once, QUIC key derivations per second, coalesced QUIC packets with another connection ID): some flows may show no application or host.';

export function StatusBar() {
  const { stats, capture, ui } = useStores();
  const s = useStore(stats, (x) => x.stats);
  const state = useStore(capture, (x) => x.status.state);
  const notice = useStore(capture, (x) => x.notice);
  const items: Array<[string, string]> = [
    ['State', state],
    ['Packets/s', s ? formatCount(s.packetsPerSecond) : '—'],
    ['Bytes/s', s ? formatRate(s.bytesPerSecond) : '—'],
    ['Kernel drops', s ? formatCount(s.kernelDrops) : '—'],
    ['Interface drops', s ? formatCount(s.ifaceDrops) : '—'],
    ['Pipe drops', s ? formatCount(s.pipeDrops) : '—'],
    ['Flows', s ? formatCount(s.flows) : '—'],
    ['Elapsed', s ? formatDuration(s.elapsedSeconds) : '—'],
  ];
  return (
    // Fixed height, and its contents in a strictly contained block (not a flex item): the numbers change with every
    // update, and this keeps their relayout inside the bar instead of laying out the whole window again.
    <footer aria-label="Capture statistics" className="h-7 shrink-0 border-t border-zinc-200 bg-zinc-50 text-xs dark:border-zinc-700 dark:bg-zinc-900">
      <div className="flex h-full items-center gap-x-5 overflow-x-auto px-4 whitespace-nowrap contain-strict">
        <dl className="flex gap-x-5">
          {items.map(([k, v]) => (
            <div key={k} className="flex gap-1">
              <dt className="text-zinc-500 dark:text-zinc-400">{k}</dt>
              <dd className={`font-mono ${k.endsWith('drops') && v !== '0' && v !== '—' ? 'text-red-600 dark:text-red-400' : ''}`}>{v}</dd>
            </div>
          ))}
        </dl>
        {s !== null && s.expiredFlows > 0 && (
          <span className="text-zinc-600 dark:text-zinc-400" title={EXPIRED_TIP}>
            {formatCount(s.expiredFlows)} {s.expiredFlows === 1 ? 'flow' : 'flows'} expired
            <span className="sr-only"> ({EXPIRED_TIP})</span>
          </span>
        )}
        {s !== null && s.dpiRefused > 0 && (
          <span className="text-zinc-600 dark:text-zinc-400" title={DPI_TIP}>
            {formatCount(s.dpiRefused)} DPI {s.dpiRefused === 1 ? 'refusal' : 'refusals'}
            <span className="sr-only"> ({DPI_TIP})</span>
          </span>
        )}
        {s?.ipfix && <IpfixStatus x={s.ipfix} />}
        {notice && <span className="ml-auto min-w-0 truncate text-zinc-600 dark:text-zinc-400" title={notice}>{notice}</span>}
        <ThemeButton className={notice ? '' : 'ml-auto'} />
        <button
          type="button"
          className="rounded px-1.5 text-zinc-600 hover:bg-zinc-200 dark:text-zinc-300 dark:hover:bg-zinc-700"
          aria-keyshortcuts="?"
          onClick={() => ui.getState().openHelp(true)}
        >
          Shortcuts <kbd className="font-mono">?</kbd>
        </button>
      </div>
    </footer>
  );
}

const THEME_LABEL: Record<ThemeSetting, string> = { system: 'System', light: 'Light', dark: 'Dark' };

/** Cycles system → light → dark; the choice is kept in the settings. */
function ThemeButton({ className }: { className: string }) {
  const { ui } = useStores();
  const theme = useStore(ui, (s) => s.theme);
  const next = THEME_SETTINGS[(THEME_SETTINGS.indexOf(theme) + 1) % THEME_SETTINGS.length];
  return (
    <button
      type="button"
      className={`${className} rounded px-1.5 text-zinc-600 hover:bg-zinc-200 dark:text-zinc-300 dark:hover:bg-zinc-700`}
      title={`Theme: ${THEME_LABEL[theme].toLowerCase()}. Click for ${THEME_LABEL[next].toLowerCase()}.`}
      onClick={() => ui.getState().setTheme(next)}
    >
      Theme: {THEME_LABEL[theme]}
    </button>
  );
}

/** "IPFIX → host:port · N records · E errors" (and the messages dropped, if any); the last send error in the tooltip. */
function IpfixStatus({ x }: { x: IpfixStatsView }) {
  const plural = (n: number, one: string) => `${formatCount(n)} ${n === 1 ? one : `${one}s`}`;
  const tip = [
    `Flows exported to ${x.collector} over ${x.transport.toUpperCase()}: ${plural(x.recordsSent, 'record')} in ${plural(x.messagesSent, 'message')}.`,
    x.dropped > 0 ? `${plural(x.dropped, 'message')} dropped while the collector was behind.` : '',
    x.lastError ? `Last error: ${x.lastError}.` : '',
  ].filter((t) => t !== '').join(' ');
  const bad = 'text-red-600 dark:text-red-400';
  return (
    <span className="text-zinc-600 dark:text-zinc-400" title={tip} data-testid="ipfix-status">
      IPFIX → {x.collector} · {plural(x.recordsSent, 'record')} · <span className={x.sendErrors > 0 ? bad : ''}>{plural(x.sendErrors, 'error')}</span>
      {x.dropped > 0 && <span className={bad}> · {formatCount(x.dropped)} dropped</span>}
      <span className="sr-only"> ({tip})</span>
    </span>
  );
}
