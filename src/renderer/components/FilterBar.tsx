import { memo } from 'react';
import { useStore } from 'zustand';
import { useStores } from '../state/app-stores.ts';
import { formatCount } from '../format.ts';

/**
 * The flows filter (see shared/flows/filter-query.ts for the language), offering the filters used before (Enter or
 * leaving the box keeps one). Re-rendered only when a count, its text or the history changes.
 */
export const FilterBar = memo(function FilterBar({ shown, total }: { shown: number; total: number }) {
  const { ui, flows, filterInput } = useStores();
  const text = useStore(ui, (s) => s.filterText);
  // Checked here as it is typed; the engine host parses it again and may still refuse it.
  const localError = useStore(ui, (s) => s.filterError);
  const hostError = useStore(flows, (s) => s.filterError);
  const error = localError ?? hostError;
  const history = useStore(ui, (s) => s.filterHistory);
  return (
    <div className="flex flex-wrap items-center gap-3 px-4 py-2">
      <label htmlFor="flow-filter" className="text-sm font-medium">
        Filter flows
      </label>
      <input
        id="flow-filter"
        ref={(el) => {
          filterInput.current = el;
        }}
        type="search"
        className={`field min-w-64 flex-1 font-mono ${error ? 'border-red-500 dark:border-red-500' : ''}`}
        placeholder="host:example.com port:443 proc:firefox proto:udp app:dns state:open, or text"
        spellCheck={false}
        value={text}
        aria-invalid={error !== null}
        aria-describedby={error ? 'flow-filter-error' : 'flow-filter-count'}
        aria-keyshortcuts="Control+F /"
        title="Keywords: host: domain: port: proc: proto: app: state: country: asn: seen: (drag across the chart) — combine with spaces, alternatives with commas, negate with - (Ctrl+F or /)"
        list="flow-filter-history"
        onChange={(e) => ui.getState().setFilterText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter') ui.getState().rememberFilter();
        }}
        onBlur={() => ui.getState().rememberFilter()}
      />
      <datalist id="flow-filter-history">
        {history.map((f) => (
          <option key={f} value={f} />
        ))}
      </datalist>
      <span id="flow-filter-count" className="text-xs text-zinc-600 dark:text-zinc-400" aria-live="polite">
        {shown === total ? `${formatCount(total)} flows` : `${formatCount(shown)} of ${formatCount(total)} flows`}
      </span>
      {error && (
        <p id="flow-filter-error" role="alert" className="basis-full text-xs text-red-700 dark:text-red-400">
          {error} (showing the last valid filter)
        </p>
      )}
    </div>
  );
});
