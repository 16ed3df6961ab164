/** All stores of one app instance, created around one API object (the real preload API or a test double). */
import { createContext, useContext } from 'react';
import type { SandpiperApi } from '../../shared/ipc.ts';
import { createFlowsStore, type FlowsStore } from './flows-store.ts';
import { createStatsStore, type StatsStore } from './stats-store.ts';
import { createCaptureStore, type CaptureStore } from './capture-store.ts';
import { createUiStore, type Tab, type UiStore } from './ui-store.ts';
import { createOverviewStore, type OverviewStore } from './overview-store.ts';
import { createColumnsStore, type ColumnsStore } from './columns-store.ts';
import { createViewRequester, type ViewRequester, type ViewRequesterOptions } from './view-requester.ts';
import { createFavouritesStore, favouritesRequest, type FavouritesStore } from './favourites-store.ts';
import { browserNotifier, createNoticesStore, noticeText, type DesktopNotifier, type NoticesStore } from './notices-store.ts';

export interface AppStores {
  api: SandpiperApi;
  flows: FlowsStore;
  stats: StatsStore;
  capture: CaptureStore;
  ui: UiStore;
  overview: OverviewStore;
  /** The flows table's hidden columns and widths. */
  columns: ColumnsStore;
  favourites: FavouritesStore;
  notices: NoticesStore;
  /** The desktop's notifications (null where there are none). */
  notifier: DesktopNotifier | null;
  /** Sends the engine host what the flows table shows. */
  view: ViewRequester;
  filterInput: { current: HTMLInputElement | null };
}

export function createAppStores(api: SandpiperApi, o: ViewRequesterOptions & { tab?: Tab; notifier?: DesktopNotifier | null } = {}): AppStores {
  const ui = createUiStore({ tab: o.tab });
  const flows = createFlowsStore();
  return {
    api,
    flows,
    stats: createStatsStore(),
    capture: createCaptureStore(api),
    ui,
    overview: createOverviewStore(),
    columns: createColumnsStore(),
    favourites: createFavouritesStore(),
    notices: createNoticesStore(),
    notifier: o.notifier === undefined ? browserNotifier() : o.notifier,
    view: createViewRequester(api, ui, flows, o),
    filterInput: { current: null },
  };
}

/**
 * Wires the API's push channels into the stores, sends the initial view and fetches the interfaces. Returns the
 * disconnect function.
 */
export function connectApi(s: AppStores): () => void {
  const offUpdate = s.api.onUpdate((u) => {
    s.flows.getState().applyUpdate(u);
    s.view.onUpdate(u);
    s.stats.getState().push(u.stats, u.ts, u.chart);
    if (u.overview !== undefined) s.overview.getState().push(u.overview);
  });
  let sourceKey: string | null = null;
  const offStatus = s.api.onStatus((st) => {
    const prev = s.capture.getState().status.state;
    s.capture.getState().setStatus(st);
    // A capture or file that begins starts a new table, whose flow ids say nothing about the old one's.
    if ((st.state === 'starting' || st.state === 'reading') && st.state !== prev) {
      s.ui.getState().openDetails(false);
      s.ui.getState().select(null);
      // ... and a new chart: the host's first series for it replaces nothing of the old one's.
      s.stats.getState().clear();
      s.overview.getState().clear();
      s.favourites.getState().clearFlows();
    }
    // The source's default columns: on each new source, and on the first status (a page reloaded over an open file).
    const key = st.source === null ? 'none' : st.source.kind === 'live' ? `live ${st.source.interface}` : `file ${st.source.path}`;
    if (key !== sourceKey || ((st.state === 'starting' || st.state === 'reading') && st.state !== prev)) s.columns.getState().setSource(st.source?.kind ?? null);
    sourceKey = key;
  });
  const offNotice = s.api.onNotice((notices) => {
    s.notices.getState().push(notices);
    const n = s.notifier;
    // On the desktop only while the page is out of sight: the toasts say it otherwise.
    if (s.notices.getState().rules.desktop && n !== null && n.hidden() && n.permission() === 'granted') n.show('Sandpiper', notices.map(noticeText).join('\n'));
  });
  // Favourites and rules live in the page; the host is told whenever they change (and once now, after a reload).
  let favKey = '';
  const askFavourites = () => {
    const req = favouritesRequest(s.favourites.getState());
    const key = JSON.stringify(req);
    if (key === favKey) return;
    favKey = key;
    s.api.setFavourites(req).catch(() => undefined);
  };
  let rulesKey = '';
  const askRules = () => {
    const rules = s.notices.getState().rules;
    const key = JSON.stringify(rules);
    if (key === rulesKey) return;
    rulesKey = key;
    s.api.setNotificationRules(rules).catch(() => undefined);
  };
  const offFav = s.favourites.subscribe(askFavourites);
  const offRules = s.notices.subscribe(askRules);
  askFavourites();
  askRules();
  // The host computes the Overview only while it is shown: tell it whenever that or its order changes.
  let asked = '';
  const askOverview = () => {
    const ui = s.ui.getState();
    const req = { visible: ui.tab === 'overview', order: ui.overviewOrder };
    const key = `${req.visible} ${req.order}`;
    if (key === asked) return;
    asked = key;
    s.api.setOverview(req).catch(() => undefined);
  };
  const offUi = s.ui.subscribe(askOverview);
  askOverview();
  void s.capture.getState().loadInterfaces();
  // There is no snapshot to ask for: the host answers the first view with the table as it stands.
  const offView = s.view.connect();
  return () => {
    offUpdate();
    offStatus();
    offView();
    offUi();
    offNotice();
    offFav();
    offRules();
  };
}

export const StoresContext = createContext<AppStores | null>(null);

export function useStores(): AppStores {
  const s = useContext(StoresContext);
  if (!s) throw new Error('StoresContext missing');
  return s;
}
