import type { KeyboardEvent, ReactNode } from 'react';
import { trapTab } from '../hooks/use-dialog-focus.ts';

interface Props {
  labelledBy: string;
  describedBy?: string;
  /** Width and layout of the box (its padding, colours and shadow are the same for every dialog). */
  className: string;
  onClose(): void;
  /** Esc closes it here; the app-wide keys close the panels they know of. */
  closeOnEscape?: boolean;
  children: ReactNode;
}

/** A modal dialog over a dimmed backdrop: a click outside closes it, Tab stays inside. */
export function ModalDialog({ labelledBy, describedBy, className, onClose, closeOnEscape = false, children }: Props) {
  const onKeyDown = (e: KeyboardEvent<HTMLElement>) => {
    if (closeOnEscape && e.key === 'Escape') {
      e.stopPropagation();
      onClose();
    } else trapTab(e);
  };
  return (
    <div className="fixed inset-0 z-30 flex items-start justify-center bg-black/40 p-8" onClick={onClose}>
      <div
        role="dialog"
        aria-modal="true"
        aria-labelledby={labelledBy}
        aria-describedby={describedBy}
        className={`rounded-lg bg-white p-5 shadow-xl dark:bg-zinc-900 ${className}`}
        onClick={(e) => e.stopPropagation()}
        onKeyDown={onKeyDown}
      >
        {children}
      </div>
    </div>
  );
}

/** A dialog form's last row: `children` at the left (an extra action), then Cancel and the submit button. */
export function DialogActions({ submit, onCancel, children }: { submit: string; onCancel(): void; children?: ReactNode }) {
  return (
    <div className="flex justify-end gap-2">
      {children}
      <button type="button" className="btn" onClick={onCancel}>
        Cancel
      </button>
      <button type="submit" className="btn btn-primary">
        {submit}
      </button>
    </div>
  );
}
