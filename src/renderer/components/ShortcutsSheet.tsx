import { useStore } from 'zustand';
import { useDialogFocus } from '../hooks/use-dialog-focus.ts';
import { SHORTCUTS } from '../hooks/use-shortcuts.ts';
import { useStores } from '../state/app-stores.ts';
import { ModalDialog } from './ModalDialog.tsx';

/** The keyboard shortcuts, listed from the same table that binds them (`?` or the status bar's button opens it). */
export function ShortcutsSheet() {
  const { ui } = useStores();
  const open = useStore(ui, (s) => s.helpOpen);
  const closeRef = useDialogFocus<HTMLButtonElement>(open);
  if (!open) return null;
  const close = () => ui.getState().openHelp(false);
  const groups = [
    { title: 'Anywhere', items: SHORTCUTS.filter((s) => !s.flowsOnly) },
    { title: 'In the flows table', items: SHORTCUTS.filter((s) => s.flowsOnly) },
  ];
  return (
    <ModalDialog labelledBy="shortcuts-title" className="max-h-full w-full max-w-lg overflow-auto" onClose={close}>
      <div className="mb-3 flex items-center justify-between gap-4">
        <h2 id="shortcuts-title" className="text-lg font-semibold">
          Keyboard shortcuts
        </h2>
        <button ref={closeRef} type="button" className="btn" onClick={close}>
          Close
        </button>
      </div>
      {groups.map((g) => (
        <section key={g.title} aria-label={g.title} className="mb-3">
          <h3 className="mb-1 text-sm font-semibold text-zinc-600 dark:text-zinc-300">{g.title}</h3>
          <table className="w-full text-sm">
            <tbody>
              {g.items.map((s) => (
                <tr key={s.keys} className="border-b border-zinc-100 dark:border-zinc-800">
                  <th scope="row" className="w-28 py-1 pr-3 text-left font-normal">
                    <kbd className="rounded border border-zinc-300 bg-zinc-50 px-1.5 font-mono text-xs dark:border-zinc-600 dark:bg-zinc-800">{s.keys}</kbd>
                  </th>
                  <td className="py-1">{s.does}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ))}
    </ModalDialog>
  );
}
