import { useStore } from 'zustand';
import { useStores } from '../state/app-stores.ts';
import { formatBytes } from '../format.ts';

/** Shown once the live recording reached its bound: flows are still counted, but Save holds only what came before. */
export function RecordingFull() {
  const { capture } = useStores();
  const at = useStore(capture, (s) => s.status.recordingFullAt);
  if (at === null) return null;
  return (
    <div role="status" className="border-b border-amber-300 bg-amber-50 px-4 py-1.5 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-100">
      The recording stopped at its limit of {formatBytes(at)}: the capture goes on, but Save capture writes only the packets
      before that point.
    </div>
  );
}
