import { useEffect } from 'react';
import { useStore } from 'zustand';
import { useStores } from '../state/app-stores.ts';
import { isRunning } from '../state/capture-store.ts';
import { IpfixButton } from './IpfixExport.tsx';

/** How long the BPF field waits after the last keystroke before asking the helper to compile it. */
export const FILTER_CHECK_DELAY_MS = 300;

export function CaptureControls() {
  const { capture } = useStores();
  const c = useStore(capture);
  const running = isRunning(c.status.state);
  const live = c.status.state === 'capturing' || c.status.state === 'paused';

  useEffect(() => {
    if (c.filterCheck.state !== 'checking') return;
    const text = c.bpf;
    const t = setTimeout(() => void capture.getState().checkFilter(text), FILTER_CHECK_DELAY_MS);
    return () => clearTimeout(t);
  }, [c.bpf, c.filterCheck.state, capture]);

  const bpfError = c.filterCheck.state === 'error' ? c.filterCheck.error : null;
  return (
    <form
      aria-label="Capture controls"
      // One line from a 1024 px window up: the filter field takes what is left, long labels shorten below xl.
      className="flex min-w-0 flex-1 items-end gap-x-2 xl:gap-x-3"
      onSubmit={(e) => {
        e.preventDefault();
        void c.start();
      }}
    >
      <label className="flex shrink-0 flex-col text-xs">
        <span className="mb-0.5 text-zinc-600 dark:text-zinc-400">Interface</span>
        <select
          className="field w-32 xl:w-56"
          value={c.iface}
          disabled={running}
          onChange={(e) => c.setIface(e.target.value)}
        >
          {c.interfaces.map((i) => (
            <option key={i.name} value={i.name}>
              {i.name === 'any'
                ? 'any (all interfaces)'
                : `${i.name} — ${i.addresses.length ? i.addresses.join(', ') : 'no address'} (${i.up ? 'up' : 'down'})`}
            </option>
          ))}
        </select>
      </label>
      <div className="relative flex min-w-24 max-w-80 flex-1 flex-col text-xs">
        {/* Shorter below xl so the field may narrow to fit the header's one line at 1024 px. */}
        <label htmlFor="bpf" className="mb-0.5 whitespace-nowrap text-zinc-600 dark:text-zinc-400">
          <span className="xl:hidden">Filter (BPF)</span>
          <span className="hidden xl:inline">Capture filter (BPF)</span>
        </label>
        <input
          id="bpf"
          aria-label="Capture filter (BPF)"
          className={`field w-full font-mono ${bpfError ? 'border-red-500 dark:border-red-500' : ''}`}
          value={c.bpf}
          placeholder="e.g. tcp port 443"
          spellCheck={false}
          disabled={running}
          aria-invalid={bpfError !== null}
          aria-describedby={bpfError ? 'bpf-error' : undefined}
          onChange={(e) => c.setBpf(e.target.value)}
        />
        {bpfError && (
          <p id="bpf-error" role="alert" className="mt-0.5 text-xs text-red-700 dark:text-red-400">
            Filter: {bpfError}
          </p>
        )}
      </div>
      <label className="flex shrink-0 items-center gap-1.5 pb-1.5 text-sm">
        <input type="checkbox" aria-label="Promiscuous" checked={c.promisc} disabled={running} onChange={(e) => c.setPromisc(e.target.checked)} />
        <span className="xl:hidden" title="Promiscuous mode">
          Promisc.
        </span>
        <span className="hidden xl:inline">Promiscuous</span>
      </label>
      <div className="flex shrink-0 gap-1 pb-0.5 xl:gap-2">
        <IpfixButton />
        <button
          type="submit"
          className="btn btn-primary"
          disabled={running || c.busy || c.filterCheck.state === 'error' || c.filterCheck.state === 'checking'}
          aria-keyshortcuts="Control+E"
          title="Start capture (Ctrl+E)"
        >
          Start
        </button>
        <button type="button" className="btn" disabled={!running || c.busy} onClick={() => void c.stop()} aria-keyshortcuts="Control+E" title="Stop (Ctrl+E)">
          Stop
        </button>
        <button
          type="button"
          className="btn"
          disabled={!live || c.busy}
          aria-pressed={c.status.state === 'paused'}
          onClick={() => void c.togglePause()}
        >
          {c.status.state === 'paused' ? 'Resume' : 'Pause'}
        </button>
        <button type="button" className="btn" disabled={running || c.busy} onClick={() => void c.openFile()} aria-keyshortcuts="Control+O" title="Open a pcap or pcapng file (Ctrl+O)" aria-label="Open file…">
          <span className="xl:hidden">Open…</span>
          <span className="hidden xl:inline">Open file…</span>
        </button>
        <button type="button" className="btn" disabled={c.status.source === null || c.busy} onClick={() => void c.save()} aria-keyshortcuts="Control+S" title="Save the capture as pcap (Ctrl+S)" aria-label="Save capture…">
          <span className="xl:hidden">Save…</span>
          <span className="hidden xl:inline">Save capture…</span>
        </button>
      </div>
    </form>
  );
}
