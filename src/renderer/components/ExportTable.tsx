/**
 * "Export table…": the flows table as the user sees it (its filter and sort), every matching flow and not only the
 * rows on screen, saved as CSV or JSON. A menu button: Enter, Space or ↓ opens it on its first item, arrows move, Esc
 * closes it back onto the button.
 */
import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { useStore } from 'zustand';
import { useStores } from '../state/app-stores.ts';
import { menuKeyDown } from '../hooks/menu-keys.ts';

const FORMATS = [
  { format: 'csv', label: 'CSV (spreadsheets)' },
  { format: 'json', label: 'JSON (one read --json flow line each)' },
] as const;

export function ExportTableButton() {
  const { capture, ui } = useStores();
  const busy = useStore(capture, (s) => s.busy);
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const items = useRef<(HTMLLIElement | null)[]>([]);

  useEffect(() => {
    if (open) items.current[0]?.focus();
  }, [open]);
  useEffect(() => {
    if (!open) return;
    const outside = (e: PointerEvent) => {
      if (!(e.target instanceof Element) || e.target.closest('#export-table-menu, #export-table-button') === null) setOpen(false);
    };
    document.addEventListener('pointerdown', outside, true);
    return () => document.removeEventListener('pointerdown', outside, true);
  }, [open]);

  const close = () => {
    setOpen(false);
    button.current?.focus();
  };
  const run = (format: 'csv' | 'json') => {
    close();
    const s = ui.getState();
    // The filter in force: text that does not parse leaves the last valid one applied, as the table shows.
    void capture.getState().exportTable({ format, sortColumn: s.sortColumn, sortDir: s.sortDir, filter: s.appliedFilter });
  };
  const onMenuKey = (e: KeyboardEvent) => menuKeyDown(items.current.slice(0, FORMATS.length), (i) => run(FORMATS[i].format), close)(e);

  return (
    <div className="relative self-center">
      <button
        ref={button}
        id="export-table-button"
        type="button"
        className="btn py-0.5"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? 'export-table-menu' : undefined}
        disabled={busy}
        title="Save every flow the table shows (its filter and sort) as CSV or JSON"
        onClick={() => setOpen((o) => !o)}
        onKeyDown={(e) => {
          if (e.key !== 'ArrowDown') return;
          e.preventDefault();
          setOpen(true);
        }}
      >
        Export table…
      </button>
      {open && (
        <ul
          id="export-table-menu"
          role="menu"
          aria-label="Export table as"
          className="absolute right-0 z-50 mt-1 min-w-64 rounded border border-zinc-300 bg-white py-1 text-sm shadow-lg dark:border-zinc-600 dark:bg-zinc-800"
          onKeyDown={onMenuKey}
        >
          {FORMATS.map((f, i) => (
            <li
              key={f.format}
              role="menuitem"
              tabIndex={-1}
              ref={(el) => {
                items.current[i] = el;
              }}
              className="cursor-default px-3 py-1 outline-none hover:bg-zinc-100 focus:bg-sky-100 dark:hover:bg-zinc-700 dark:focus:bg-sky-900"
              onClick={() => run(f.format)}
            >
              {f.label}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
