/**
 * "Columns…": which columns of the flows table are shown, and their widths back to the defaults. Opened by its button
 * in the toolbar or by a right-click (Shift+F10) on the table's header. WAI-ARIA menu of checkbox items: arrows move,
 * Enter or Space toggles the focused column and keeps the menu open, Esc and Tab close it.
 */
import { useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent } from 'react';
import { useStore } from 'zustand';
import { COLUMN_META, FLOW_KEY_COLUMN } from '../../shared/flows/columns.ts';
import { useStores } from '../state/app-stores.ts';
import { menuKeyDown } from '../hooks/menu-keys.ts';

const MENU_ID = 'columns-menu';
const BUTTON_ID = 'columns-button';
const ITEM = 'flex cursor-default items-center gap-2 px-3 py-1 outline-none hover:bg-zinc-100 focus:bg-sky-100 dark:hover:bg-zinc-700 dark:focus:bg-sky-900';

/** `onClose(refocus)`: refocus is true when the menu was left by a key (the caller puts the focus back). */
export function ColumnsMenu({ position, onClose }: { position: { x: number; y: number }; onClose: (refocus: boolean) => void }) {
  const { columns } = useStores();
  const hidden = useStore(columns, (s) => s.hidden);
  const anyWidth = useStore(columns, (s) => Object.keys(s.widths).length > 0);
  const menu = useRef<HTMLUListElement>(null);
  const items = useRef<(HTMLLIElement | null)[]>([]);
  const [left, setLeft] = useState(position.x);
  const closeRef = useRef(onClose);
  closeRef.current = onClose;

  useEffect(() => {
    items.current[0]?.focus();
  }, []);
  // Kept inside the window: opened near its right edge, the menu moves left.
  useLayoutEffect(() => {
    const w = menu.current?.getBoundingClientRect().width ?? 0;
    setLeft(Math.max(0, Math.min(position.x, window.innerWidth - w - 8)));
  }, [position.x]);
  useEffect(() => {
    const outside = (e: PointerEvent) => {
      if (!(e.target instanceof Element) || e.target.closest(`#${MENU_ID}, #${BUTTON_ID}`) === null) closeRef.current(false);
    };
    document.addEventListener('pointerdown', outside, true);
    return () => document.removeEventListener('pointerdown', outside, true);
  }, []);

  const actions = [
    ...COLUMN_META.map((c) => () => columns.getState().setHidden(c.id, !columns.getState().hidden.includes(c.id))),
    () => {
      for (const c of COLUMN_META) columns.getState().resetWidth(c.id);
    },
  ];
  const onKeyDown = (e: KeyboardEvent) => menuKeyDown(items.current.slice(0, actions.length), (i) => actions[i](), () => onClose(true))(e);

  return (
    <ul
      ref={menu}
      id={MENU_ID}
      role="menu"
      aria-label="Columns"
      className="z-50 min-w-56 rounded border border-zinc-300 bg-white py-1 text-sm shadow-lg dark:border-zinc-600 dark:bg-zinc-800"
      style={{ position: 'fixed', left, top: position.y }}
      onKeyDown={onKeyDown}
    >
      {COLUMN_META.map((c, i) => {
        const key = c.id === FLOW_KEY_COLUMN;
        const shown = !hidden.includes(c.id);
        return (
          <li
            key={c.id}
            role="menuitemcheckbox"
            aria-checked={shown}
            aria-disabled={key || undefined}
            tabIndex={-1}
            ref={(el) => {
              items.current[i] = el;
            }}
            className={`${ITEM} ${key ? 'text-zinc-500 dark:text-zinc-400' : ''}`}
            onClick={actions[i]}
          >
            <span aria-hidden="true" className="w-4 text-center">
              {shown ? '✓' : ''}
            </span>
            {c.label}
            {key && <span className="text-xs">(always shown)</span>}
          </li>
        );
      })}
      <li role="separator" className="my-1 border-t border-zinc-200 dark:border-zinc-700" />
      <li
        role="menuitem"
        tabIndex={-1}
        aria-disabled={!anyWidth || undefined}
        ref={(el) => {
          items.current[COLUMN_META.length] = el;
        }}
        className={`${ITEM} pl-9 ${anyWidth ? '' : 'text-zinc-500 dark:text-zinc-400'}`}
        onClick={actions[COLUMN_META.length]}
      >
        Reset column widths
      </li>
    </ul>
  );
}

/** The toolbar's "Columns…" button, beside "Export table…". */
export function ColumnsButton() {
  const [open, setOpen] = useState<{ x: number; y: number } | null>(null);
  const button = useRef<HTMLButtonElement>(null);
  const show = () => {
    const box = button.current?.getBoundingClientRect();
    setOpen({ x: box?.left ?? 0, y: (box?.bottom ?? 0) + 4 });
  };
  const close = (refocus: boolean) => {
    setOpen(null);
    if (refocus) button.current?.focus();
  };
  return (
    <div className="self-center">
      <button
        ref={button}
        id={BUTTON_ID}
        type="button"
        className="btn py-0.5"
        aria-haspopup="menu"
        aria-expanded={open !== null}
        aria-controls={open !== null ? MENU_ID : undefined}
        title="Show or hide the table's columns"
        onClick={() => (open === null ? show() : setOpen(null))}
        onKeyDown={(e) => {
          if (e.key !== 'ArrowDown') return;
          e.preventDefault();
          show();
        }}
      >
        Columns…
      </button>
      {open !== null && <ColumnsMenu position={open} onClose={close} />}
    </div>
  );
}
