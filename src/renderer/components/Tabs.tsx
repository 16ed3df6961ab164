import { useRef, type ReactNode } from 'react';
import { useStore } from 'zustand';
import { useStores } from '../state/app-stores.ts';
import type { Tab } from '../state/ui-store.ts';

const TABS: ReadonlyArray<{ id: Tab; label: string }> = [
  { id: 'overview', label: 'Overview' },
  { id: 'flows', label: 'Flows' },
];

/** The screens, as a tab list: the chosen tab is the one Tab stop, ←/→ (and Home/End) move between them. `children`: the shown screen's tools, at the right. */
export function Tabs({ children }: { children?: ReactNode }) {
  const { ui } = useStores();
  const tab = useStore(ui, (s) => s.tab);
  const refs = useRef<Record<string, HTMLButtonElement | null>>({});
  const go = (t: Tab) => {
    ui.getState().setTab(t);
    refs.current[t]?.focus();
  };
  return (
    <div className="flex shrink-0 items-end justify-between gap-4 border-b border-zinc-200 pr-3 pl-4 dark:border-zinc-700">
      <div role="tablist" aria-label="Screens" className="flex shrink-0 gap-1">
        {TABS.map((t, i) => {
          const selected = t.id === tab;
          return (
            <button
              key={t.id}
              ref={(el) => {
                refs.current[t.id] = el;
              }}
              id={`tab-${t.id}`}
              type="button"
              role="tab"
              aria-selected={selected}
              aria-controls={`panel-${t.id}`}
              tabIndex={selected ? 0 : -1}
              onClick={() => ui.getState().setTab(t.id)}
              onKeyDown={(e) => {
                const next = e.key === 'ArrowRight' ? (i + 1) % TABS.length : e.key === 'ArrowLeft' ? (i + TABS.length - 1) % TABS.length : e.key === 'Home' ? 0 : e.key === 'End' ? TABS.length - 1 : -1;
                if (next < 0) return;
                e.preventDefault();
                e.stopPropagation();
                go(TABS[next].id);
              }}
              className={`-mb-px border-b-2 px-3 py-1.5 text-sm font-medium focus-visible:outline-2 focus-visible:outline-sky-500 ${
                selected ? 'border-sky-600 text-sky-800 dark:border-sky-400 dark:text-sky-300' : 'border-transparent text-zinc-700 hover:text-zinc-950 dark:text-zinc-300 dark:hover:text-white'
              }`}
            >
              {t.label}
            </button>
          );
        })}
      </div>
      {children}
    </div>
  );
}
