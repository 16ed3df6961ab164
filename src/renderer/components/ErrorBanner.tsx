import { useStore } from 'zustand';
import { useStores } from '../state/app-stores.ts';
import { ERROR_TITLES } from '../errors/error-text.ts';

/** The current error with what to do about it. */
export function ErrorBanner() {
  const { capture } = useStores();
  const error = useStore(capture, (s) => s.error);
  if (!error) return null;
  return (
    <div
      role="alert"
      data-code={error.code}
      className="flex items-start gap-3 border-b border-red-300 bg-red-50 px-4 py-2 text-sm text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-100"
    >
      <div className="flex-1">
        <div className="font-semibold">{ERROR_TITLES[error.code] ?? ERROR_TITLES.internal}</div>
        <div>{error.message}</div>
        <div className="mt-0.5">
          <span className="font-medium">What to do: </span>
          {error.action}
        </div>
      </div>
      <button type="button" className="btn" onClick={() => capture.getState().showError(null)}>
        Dismiss
      </button>
    </div>
  );
}
