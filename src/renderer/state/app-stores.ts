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

export interface AppStores {
  api: SandpiperApi;
  flows: FlowsStore;
  stats: StatsStore;
  capture: CaptureStore;
  ui: UiStore;
  overview: OverviewStore;
  /** The flows table's hidden columns and widths. */
  columns: ColumnsStore;
  /** Sends the engine host what the flows table shows. */
  view: ViewRequester;
  filterInput: { current: HTMLInputElement | null };
}

export function createAppStores(api: SandpiperApi, o: ViewRequesterOptions & { tab?: Tab } = {}): AppStores {
  const ui = createUiStore({ tab: o.tab });
  return {
    api,
    flows: createFlowsStore(),
    stats: createStatsStore(),
    capture: createCaptureStore(api),
    ui,
    overview: createOverviewStore(),
    columns: createColumnsStore(),
    view: createViewRequester(api, ui, o),
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
    }
  });
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
  };
}

export const StoresContext = createContext<AppStores | null>(null);

export function useStores(): AppStores {
  const s = useContext(StoresContext);
  if (!s) throw new Error('StoresContext missing');
  return s;
}
