import { useEffect, useRef } from 'react';

/**
 * Moves focus into a dialog when it opens (onto the returned ref, usually its Close button) and back to where it
 * came from when it closes, so keyboard and screen-reader users keep their place.
 */
export function useDialogFocus<T extends HTMLElement>(open: boolean) {
  const ref = useRef<T>(null);
  useEffect(() => {
    if (!open) return;
    const prev = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    ref.current?.focus();
    return () => prev?.focus();
  }, [open]);
  return ref;
}
