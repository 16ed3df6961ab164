import { useStore } from 'zustand';
import { useStores } from '../state/app-stores.ts';
import { badgeFor, type BadgeTone } from '../security/security-items.ts';

const TONE: Record<BadgeTone, string> = {
  green: 'bg-emerald-600 text-white hover:bg-emerald-700',
  amber: 'bg-amber-400 text-amber-950 hover:bg-amber-500',
  red: 'bg-red-600 text-white hover:bg-red-700',
  grey: 'bg-zinc-300 text-zinc-800 hover:bg-zinc-400 dark:bg-zinc-700 dark:text-zinc-100 dark:hover:bg-zinc-600',
  // Nothing to worry about (a file needs no helper): an outline, not a status colour.
  neutral: 'border border-zinc-300 text-zinc-700 hover:bg-zinc-100 dark:border-zinc-600 dark:text-zinc-200 dark:hover:bg-zinc-800',
};

/** Always visible; opens the security panel. */
export function SandboxBadge() {
  const { capture, ui } = useStores();
  const status = useStore(capture, (s) => s.status);
  const b = badgeFor(status);
  return (
    <button
      type="button"
      data-tone={b.tone}
      className={`rounded-full px-3 py-1 text-sm font-semibold whitespace-nowrap focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-500 ${TONE[b.tone]}`}
      aria-haspopup="dialog"
      aria-label={`${b.text}. Show security details`}
      title={b.summary}
      onClick={() => ui.getState().openSecurity(true)}
    >
      {b.text}
    </button>
  );
}
