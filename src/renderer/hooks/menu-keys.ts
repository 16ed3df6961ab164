import type { KeyboardEvent } from 'react';

/**
 * The WAI-ARIA menu keys over a menu's items: arrows (wrapping), Home and End move the focus, Enter and Space choose
 * the focused item, Esc and Tab close. Other keys are left alone.
 */
export function menuKeyDown(items: readonly (HTMLElement | null)[], choose: (index: number) => void, close: () => void) {
  return (e: KeyboardEvent): void => {
    const n = items.length;
    const at = items.findIndex((el) => el === document.activeElement);
    const move = (to: number) => items[(to + n) % n]?.focus();
    switch (e.key) {
      case 'ArrowDown': move(at + 1); break;
      case 'ArrowUp': move(at - 1); break;
      case 'Home': move(0); break;
      case 'End': move(n - 1); break;
      case 'Enter':
      case ' ':
        if (at >= 0) choose(at);
        break;
      case 'Escape':
      case 'Tab':
        close();
        break;
      default:
        return;
    }
    e.preventDefault();
    e.stopPropagation();
  };
}
