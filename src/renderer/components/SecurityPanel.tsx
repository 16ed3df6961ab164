import { useStore } from 'zustand';
import { useStores } from '../state/app-stores.ts';
import { attributionView, badgeFor, securityItems } from '../security/security-items.ts';
import { useDialogFocus } from '../hooks/use-dialog-focus.ts';
import { ModalDialog } from './ModalDialog.tsx';

/**
 * Says plainly what the capture helper can and cannot do, then, behind "Technical details" (open when a check
 * failed), what its own sandbox report claims and which probe proved each claim.
 */
export function SecurityPanel() {
  const { capture, ui } = useStores();
  const open = useStore(ui, (s) => s.securityOpen);
  const status = useStore(capture, (s) => s.status);
  const closeRef = useDialogFocus<HTMLButtonElement>(open);
  if (!open) return null;
  const m = status.sandbox;
  const badge = badgeFor(status);
  const attribution = attributionView(status);
  const close = () => ui.getState().openSecurity(false);
  return (
    <ModalDialog labelledBy="security-title" className="max-h-full w-full max-w-xl overflow-auto" onClose={close}>
      <div className="mb-3 flex items-center justify-between gap-4">
        <h2 id="security-title" className="text-lg font-semibold">
          Capture helper security
        </h2>
        <button ref={closeRef} type="button" className="btn" onClick={close}>
          Close
        </button>
      </div>
      <p className="mb-3" data-testid="security-summary">
        {badge.summary}
      </p>
      {attribution && (
        <p className="mb-3 text-sm" data-testid="security-attribution" data-method={attribution.method}>
          {attribution.text}
        </p>
      )}
      {m === null ? (
        <p className="text-sm text-zinc-600 dark:text-zinc-400">
          No sandbox report yet: nothing is claimed until the helper sends one.
        </p>
      ) : (
        <details open={!securityItems(m).every((i) => i.ok)} className="text-sm">
          <summary className="cursor-pointer font-semibold">Technical details</summary>
          <ul aria-label="Sandbox checks" className="divide-y divide-zinc-200 dark:divide-zinc-700">
            {securityItems(m).map((it) => (
              <li key={it.id} data-item={it.id} className="flex items-start gap-3 py-2">
                <span
                  aria-hidden="true"
                  className={`mt-0.5 w-4 font-bold ${it.ok ? 'text-emerald-600 dark:text-emerald-400' : 'text-red-600 dark:text-red-400'}`}
                >
                  {it.ok ? '✓' : '✗'}
                </span>
                <div className="min-w-0 flex-1">
                  <div>
                    <span className="sr-only">{it.ok ? 'Yes: ' : 'No: '}</span>
                    {it.label}
                  </div>
                  {(it.probe || it.note) && (
                    <div className="text-xs text-zinc-600 dark:text-zinc-400">
                      {it.probe && `Probe (${it.probe.name}): ${it.probe.result}`}
                      {it.probe && it.note && ' · '}
                      {it.note}
                    </div>
                  )}
                </div>
              </li>
            ))}
          </ul>
          <h3 className="mt-4 mb-1 text-sm font-semibold">Helper details</h3>
          <pre className="rounded bg-zinc-100 p-2 text-xs whitespace-pre-wrap dark:bg-zinc-800">{m.details || '(none)'}</pre>
        </details>
      )}
      {status.devWarning && (
        <p className="mt-3 rounded bg-amber-100 p-2 text-sm text-amber-900 dark:bg-amber-900/40 dark:text-amber-100">
          {status.devWarning}
        </p>
      )}
    </ModalDialog>
  );
}
