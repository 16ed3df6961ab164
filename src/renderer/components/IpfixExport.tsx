/**
 * The IPFIX export setting of the next live capture: a button beside the capture controls and the small dialog it
 * opens (collector HOST:PORT, transport, optional timeouts). The request is checked by the API table's own validator,
 * so the dialog refuses exactly what the engine host would.
 */
import { useState, type FormEvent } from 'react';
import { createPortal } from 'react-dom';
import { useStore } from 'zustand';
import { checkIpfixExport } from '../../shared/api.ts';
import type { IpfixExportRequest } from '../../shared/ipc.ts';
import { useDialogFocus } from '../hooks/use-dialog-focus.ts';
import { useStores } from '../state/app-stores.ts';
import { isRunning } from '../state/capture-store.ts';
import { DialogActions, ModalDialog } from './ModalDialog.tsx';

/** The engine host's defaults (those of `sandpiper capture --ipfix`), shown as placeholders. */
const DEFAULT_ACTIVE_S = 60;
const DEFAULT_IDLE_S = 15;

export function IpfixButton() {
  const { capture } = useStores();
  const ipfix = useStore(capture, (s) => s.ipfix);
  const running = useStore(capture, (s) => isRunning(s.status.state));
  const busy = useStore(capture, (s) => s.busy);
  const [open, setOpen] = useState(false);
  const label = ipfix ? `IPFIX export: on, to ${ipfix.collector} over ${ipfix.transport}` : 'IPFIX export: off';
  return (
    <>
      <button
        type="button"
        className={`btn px-2 ${ipfix ? 'border-sky-600 text-sky-800 dark:border-sky-400 dark:text-sky-300' : ''}`}
        disabled={running || busy}
        aria-haspopup="dialog"
        aria-label={`${label}…`}
        title={`${label} (set before starting a capture)`}
        onClick={() => setOpen(true)}
      >
        IPFIX{ipfix ? ' ✓' : '…'}
      </button>
      {/* Outside the capture controls' form: a form may not hold another. */}
      {open && createPortal(<IpfixDialog current={ipfix} onClose={() => setOpen(false)} onSave={(x) => capture.getState().setIpfix(x)} />, document.body)}
    </>
  );
}

interface DialogProps {
  current: IpfixExportRequest | null;
  onSave(x: IpfixExportRequest | null): void;
  onClose(): void;
}

export function IpfixDialog({ current, onSave, onClose }: DialogProps) {
  const firstRef = useDialogFocus<HTMLInputElement>(true);
  const [collector, setCollector] = useState(current?.collector ?? '');
  const [transport, setTransport] = useState<'udp' | 'tcp'>(current?.transport ?? 'udp');
  const [active, setActive] = useState(current?.activeTimeout?.toString() ?? '');
  const [idle, setIdle] = useState(current?.idleTimeout?.toString() ?? '');
  const [error, setError] = useState<string | null>(null);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    // React events bubble out of a portal to the component's parents: this submit is not the capture's.
    e.stopPropagation();
    const req: Record<string, unknown> = { collector: collector.trim(), transport };
    // An empty field keeps the default; anything else must be a number of seconds (the validator says which).
    if (active.trim() !== '') req.activeTimeout = /^\d+(\.\d+)?$/.test(active.trim()) ? Number(active) : active;
    if (idle.trim() !== '') req.idleTimeout = /^\d+(\.\d+)?$/.test(idle.trim()) ? Number(idle) : idle;
    const r = checkIpfixExport(req);
    if (!r.ok) {
      setError(r.reason);
      return;
    }
    onSave(r.value);
    onClose();
  };

  return (
    <ModalDialog labelledBy="ipfix-title" describedBy="ipfix-help" className="w-full max-w-md" onClose={onClose} closeOnEscape>
      <h2 id="ipfix-title" className="mb-1 text-lg font-semibold">
        Export flows as IPFIX
      </h2>
      <p id="ipfix-help" className="mb-3 text-sm text-zinc-600 dark:text-zinc-400">
        The next live capture sends its flows to this collector (nfcapd, nfacctd, GoFlow2…), as{' '}
        <code>sandpiper capture --ipfix</code> does.
      </p>
      <form onSubmit={submit} noValidate className="flex flex-col gap-3 text-sm">
        <label className="flex flex-col gap-0.5">
          <span>Collector (HOST:PORT)</span>
          <input
            ref={firstRef}
            className="field font-mono"
            value={collector}
            placeholder="collector.lan:4739"
            spellCheck={false}
            aria-invalid={error !== null}
            aria-describedby={error ? 'ipfix-error' : undefined}
            onChange={(e) => setCollector(e.target.value)}
          />
        </label>
        <label className="flex flex-col gap-0.5">
          <span>Transport</span>
          <select className="field w-32" value={transport} onChange={(e) => setTransport(e.target.value === 'tcp' ? 'tcp' : 'udp')}>
            <option value="udp">UDP</option>
            <option value="tcp">TCP</option>
          </select>
        </label>
        <div className="flex gap-3">
          <label className="flex flex-1 flex-col gap-0.5">
            <span>Active timeout (s)</span>
            <input className="field" inputMode="decimal" value={active} placeholder={String(DEFAULT_ACTIVE_S)} onChange={(e) => setActive(e.target.value)} />
          </label>
          <label className="flex flex-1 flex-col gap-0.5">
            <span>Idle timeout (s)</span>
            <input className="field" inputMode="decimal" value={idle} placeholder={String(DEFAULT_IDLE_S)} onChange={(e) => setIdle(e.target.value)} />
          </label>
        </div>
        {error && (
          <p id="ipfix-error" role="alert" className="text-red-700 dark:text-red-400">
            {error}
          </p>
        )}
        <DialogActions submit="Export" onCancel={onClose}>
          {current && (
            <button
              type="button"
              className="btn mr-auto"
              onClick={() => {
                onSave(null);
                onClose();
              }}
            >
              Don’t export
            </button>
          )}
        </DialogActions>
      </form>
    </ModalDialog>
  );
}
