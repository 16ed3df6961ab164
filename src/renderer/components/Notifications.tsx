/**
 * Notifications: the dialog where the user sets what to be told about (kept in the settings; the engine host looks
 * for it in live captures), and the toasts that say it (a status region, so screen readers read each one out).
 */
import { useEffect, useState, type FormEvent } from 'react';
import { createPortal } from 'react-dom';
import { useStore } from 'zustand';
import { MAX_THRESHOLD, anyRule, checkNotificationRules, type NotificationRules } from '../../shared/notices.ts';
import { useStores } from '../state/app-stores.ts';
import { TOAST_MS, type DesktopNotifier } from '../state/notices-store.ts';
import { useDialogFocus } from '../hooks/use-dialog-focus.ts';
import { DialogActions, ModalDialog } from './ModalDialog.tsx';

export function NotificationsButton() {
  const { notices, notifier } = useStores();
  const rules = useStore(notices, (s) => s.rules);
  const [open, setOpen] = useState(false);
  const on = anyRule(rules);
  return (
    <>
      <button type="button" className="btn py-0.5" aria-haspopup="dialog" title="What Sandpiper tells you about during a live capture" onClick={() => setOpen(true)}>
        Notifications{on ? ' ✓' : '…'}
      </button>
      {open && createPortal(<NotificationsDialog current={rules} notifier={notifier} onSave={(r) => notices.getState().setRules(r)} onClose={() => setOpen(false)} />, document.body)}
    </>
  );
}

/** A threshold's field: the number in its unit, or empty for off. */
type Field = { on: boolean; text: string };
const UNIT = { bytes: 1e6, rate: 1e3 } as const;

function field(v: number | null, unit: number): Field {
  return v === null ? { on: false, text: '' } : { on: true, text: String(v / unit) };
}

interface DialogProps {
  current: NotificationRules;
  notifier: DesktopNotifier | null;
  onSave(r: NotificationRules): void;
  onClose(): void;
}

export function NotificationsDialog({ current, notifier, onSave, onClose }: DialogProps) {
  const firstRef = useDialogFocus<HTMLInputElement>(true);
  const [newProgram, setNewProgram] = useState(current.newProgram);
  const [newHost, setNewHost] = useState(current.newHost);
  const [flowBytes, setFlowBytes] = useState(field(current.flowBytes, UNIT.bytes));
  const [programBytes, setProgramBytes] = useState(field(current.programBytes, UNIT.bytes));
  const [flowRate, setFlowRate] = useState(field(current.flowRate, UNIT.rate));
  const [programRate, setProgramRate] = useState(field(current.programRate, UNIT.rate));
  const [desktop, setDesktop] = useState(current.desktop);
  const [error, setError] = useState<string | null>(null);
  const [desktopNote, setDesktopNote] = useState<string | null>(notifier === null ? 'This window cannot show desktop notifications.' : null);

  const value = (f: Field, unit: number): number | null | 'bad' => {
    if (!f.on) return null;
    const t = f.text.trim();
    if (!/^\d+(\.\d+)?$/.test(t)) return 'bad';
    const n = Math.round(Number(t) * unit);
    return n >= 1 && n <= MAX_THRESHOLD ? n : 'bad';
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    e.stopPropagation();
    const fb = value(flowBytes, UNIT.bytes);
    const pb = value(programBytes, UNIT.bytes);
    const fr = value(flowRate, UNIT.rate);
    const pr = value(programRate, UNIT.rate);
    if (fb === 'bad' || pb === 'bad' || fr === 'bad' || pr === 'bad') {
      setError('Each threshold that is on needs a number above 0 (MB for sizes, KB/s for rates).');
      return;
    }
    const r = checkNotificationRules({ newProgram, newHost, flowBytes: fb, programBytes: pb, flowRate: fr, programRate: pr, desktop });
    if (!r.ok) {
      setError(r.reason);
      return;
    }
    onSave(r.value);
    onClose();
  };

  const askDesktop = (want: boolean) => {
    setDesktop(want);
    if (!want || notifier === null) return;
    const p = notifier.permission();
    if (p === 'granted') return setDesktopNote(null);
    if (p === 'denied') return setDesktopNote('The desktop refused notifications for Sandpiper; the in-app list still shows them.');
    void notifier.request().then((got) => setDesktopNote(got === 'granted' ? null : 'The desktop did not allow notifications; the in-app list still shows them.'));
  };

  const threshold = (id: string, label: string, unit: string, f: Field, set: (f: Field) => void) => (
    <div className="flex items-center gap-2">
      <input id={`${id}-on`} type="checkbox" checked={f.on} onChange={(e) => set({ ...f, on: e.target.checked })} />
      <label htmlFor={`${id}-on`} className="flex-1">
        {label}
      </label>
      <input
        id={id}
        aria-label={`${label}, in ${unit}`}
        className="field w-24 text-right"
        inputMode="decimal"
        value={f.text}
        disabled={!f.on}
        placeholder="10"
        onChange={(e) => set({ ...f, text: e.target.value })}
      />
      <span className="w-10 text-zinc-600 dark:text-zinc-400">{unit}</span>
    </div>
  );

  return (
    <ModalDialog labelledBy="notifications-title" describedBy="notifications-help" className="w-full max-w-md" onClose={onClose} closeOnEscape>
      <h2 id="notifications-title" className="mb-1 text-lg font-semibold">
        Notifications
      </h2>
      <p id="notifications-help" className="mb-3 text-sm text-zinc-600 dark:text-zinc-400">
        During a live capture, tell me when… (several at once come as one message, at most one every few seconds)
      </p>
      <form onSubmit={submit} noValidate className="flex flex-col gap-2 text-sm">
        <label className="flex items-center gap-2">
          <input ref={firstRef} type="checkbox" checked={newProgram} onChange={(e) => setNewProgram(e.target.checked)} />a program is seen for the first time
        </label>
        <label className="flex items-center gap-2">
          <input type="checkbox" checked={newHost} onChange={(e) => setNewHost(e.target.checked)} />a host is seen for the first time
        </label>
        {threshold('notify-flow-bytes', 'a flow is above', 'MB', flowBytes, setFlowBytes)}
        {threshold('notify-program-bytes', 'a program is above', 'MB', programBytes, setProgramBytes)}
        {threshold('notify-flow-rate', 'a flow’s rate is above', 'KB/s', flowRate, setFlowRate)}
        {threshold('notify-program-rate', 'a program’s rate is above', 'KB/s', programRate, setProgramRate)}
        <label className="mt-2 flex items-center gap-2">
          <input type="checkbox" checked={desktop} disabled={notifier === null} onChange={(e) => askDesktop(e.target.checked)} />
          also as a desktop notification while the window is hidden
        </label>
        {desktopNote && <p className="text-xs text-zinc-600 dark:text-zinc-400">{desktopNote}</p>}
        {error && (
          <p role="alert" className="text-red-700 dark:text-red-400">
            {error}
          </p>
        )}
        <DialogActions submit="Save" onCancel={onClose} />
      </form>
    </ModalDialog>
  );
}

/** The latest notices, newest last; each goes after TOAST_MS or when dismissed. */
export function NoticeToasts() {
  const { notices } = useStores();
  const toasts = useStore(notices, (s) => s.toasts);
  useEffect(() => {
    if (toasts.length === 0) return;
    const oldest = toasts[0].id;
    const t = setTimeout(() => notices.getState().dismiss(oldest), TOAST_MS);
    return () => clearTimeout(t);
  }, [toasts, notices]);
  return (
    <div role="status" aria-live="polite" aria-label="Notifications" className="pointer-events-none fixed right-4 bottom-16 z-40 flex w-96 max-w-[calc(100vw-2rem)] flex-col gap-2">
      {toasts.map((t) => (
        <div key={t.id} className="pointer-events-auto flex items-start gap-2 rounded border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-zinc-900 shadow-lg dark:border-amber-700 dark:bg-zinc-800 dark:text-zinc-100">
          <span className="min-w-0 flex-1 break-words">{t.text}</span>
          <button type="button" className="btn-link shrink-0 text-xs" aria-label={`Dismiss: ${t.text}`} onClick={() => notices.getState().dismiss(t.id)}>
            Dismiss
          </button>
        </div>
      ))}
    </div>
  );
}
