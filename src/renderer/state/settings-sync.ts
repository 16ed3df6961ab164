/**
 * The settings between the engine host's file and the stores: read once at start and applied (theme, interface,
 * sort, Overview order, filter history, the table's hidden columns and widths, favourite hosts and programs,
 * notification rules), then the whole object saved again shortly after any of them changes (the
 * interface when a live capture starts on it).
 * Nothing is saved before the first read answered, so a slow or failed read never overwrites what was kept.
 */
import type { Settings } from '../../shared/settings.ts';
import type { AppStores } from './app-stores.ts';
import { applyTheme } from './theme.ts';

export const SETTINGS_SAVE_DELAY_MS = 400;

function snapshot(s: AppStores, base: Settings, iface: string | null): Settings {
  const ui = s.ui.getState();
  return {
    ...base,
    theme: ui.theme,
    interface: iface,
    filterHistory: ui.filterHistory,
    sortColumn: ui.sortColumn,
    sortDir: ui.sortDir,
    overviewOrder: ui.overviewOrder,
    hiddenColumns: [...s.columns.getState().saved],
    columnWidths: { ...s.columns.getState().widths },
    favouriteHosts: s.favourites.getState().hosts,
    favouritePrograms: s.favourites.getState().programs,
    notifications: s.notices.getState().rules,
  };
}

export function connectSettings(s: AppStores, o: { saveDelayMs?: number } = {}): () => void {
  let base: Settings | null = null;
  // The interface of the last live capture started: an interface missing at start-up does not overwrite it.
  let iface: string | null = null;
  let saved = '';
  let timer: ReturnType<typeof setTimeout> | null = null;
  let closed = false;
  let unwatchTheme = applyTheme(s.ui.getState().theme);
  let theme = s.ui.getState().theme;

  const changed = () => {
    if (s.ui.getState().theme !== theme) {
      theme = s.ui.getState().theme;
      unwatchTheme();
      unwatchTheme = applyTheme(theme);
    }
    if (base === null || closed) return;
    const next = snapshot(s, base, iface);
    const text = JSON.stringify(next);
    if (text === saved) return;
    if (timer !== null) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      saved = text;
      // A refused or failed save loses only this change; the app goes on.
      s.api.saveSettings(next).catch(() => {});
    }, o.saveDelayMs ?? SETTINGS_SAVE_DELAY_MS);
  };
  const offUi = s.ui.subscribe(changed);
  const offColumns = s.columns.subscribe(changed);
  const offFav = s.favourites.subscribe(changed);
  const offRules = s.notices.subscribe(changed);
  const offCapture = s.capture.subscribe((st, prev) => {
    if (st.status.state === 'starting' && prev.status.state !== 'starting' && st.status.source?.kind === 'live') {
      iface = st.status.source.interface;
      changed();
    }
  });

  s.api.getSettings().then(
    (got) => {
      if (closed) return;
      const cap = s.capture.getState();
      const known = cap.interfaces.length === 0 || cap.interfaces.some((i) => i.name === got.interface);
      if (got.interface !== null && known) cap.setIface(got.interface);
      s.ui.setState({
        theme: got.theme,
        filterHistory: got.filterHistory,
        sortColumn: got.sortColumn,
        sortDir: got.sortDir,
        overviewOrder: got.overviewOrder,
      });
      s.columns.getState().load(got.hiddenColumns, got.columnWidths);
      s.favourites.getState().load(got.favouriteHosts, got.favouritePrograms);
      s.notices.getState().setRules(got.notifications);
      base = got;
      iface ??= got.interface;
      saved = JSON.stringify(snapshot(s, got, got.interface));
      changed();
    },
    () => {
      // An engine host that cannot read them: defaults for this run, and nothing written.
    },
  );

  return () => {
    closed = true;
    if (timer !== null) clearTimeout(timer);
    offUi();
    offColumns();
    offFav();
    offRules();
    offCapture();
    unwatchTheme();
  };
}
