/**
 * Light or dark: the setting, or the desktop's preference for 'system'. The resolved theme is `data-theme` on the
 * root element, which Tailwind's `dark:` variant and `color-scheme` follow (styles.css).
 */
import type { ThemeSetting } from '../../shared/settings.ts';

const DARK_QUERY = '(prefers-color-scheme: dark)';

function prefersDark(): boolean {
  return typeof matchMedia === 'function' && matchMedia(DARK_QUERY).matches;
}

export function resolveTheme(setting: ThemeSetting, systemDark: boolean): 'light' | 'dark' {
  return setting === 'system' ? (systemDark ? 'dark' : 'light') : setting;
}

/** Applies `setting` now and, for 'system', whenever the desktop's preference changes; returns the undo of the watch. */
export function applyTheme(setting: ThemeSetting, root: HTMLElement = document.documentElement): () => void {
  const apply = () => {
    root.dataset.theme = resolveTheme(setting, prefersDark());
  };
  apply();
  if (setting !== 'system' || typeof matchMedia !== 'function') return () => {};
  const mq = matchMedia(DARK_QUERY);
  mq.addEventListener('change', apply);
  return () => mq.removeEventListener('change', apply);
}
