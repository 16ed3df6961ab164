import { useStore } from 'zustand';
import { useStores } from '../state/app-stores.ts';

/** Shown while the helper runs from a source checkout rather than an installed, root-owned copy. */
export function DevWarning() {
  const { capture } = useStores();
  const w = useStore(capture, (s) => s.status.devWarning);
  if (!w) return null;
  return (
    <div className="border-b border-amber-300 bg-amber-50 px-4 py-1.5 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-100">
      {w}
    </div>
  );
}
