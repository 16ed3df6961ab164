/** All stores of one app instance, created around one API object (the real preload API or a test double). */
import { createContext, useContext } from 'react';
import type { SandpiperApi } from '../../shared/ipc.ts';
import { createFlowsStore, type FlowsStore } from './flows-store.ts';
import { createStatsStore, type StatsStore } from './stats-store.ts';
import { createCaptureStore, type CaptureStore } from './capture-store.ts';
import { createUiStore, type UiStore } from './ui-store.ts';
import { createViewRequester, type ViewRequester, type ViewRequesterOptions } from './view-requester.ts';

export interface AppStores {
  api: SandpiperApi;
  flows: FlowsStore;
  stats: StatsStore;
  capture: CaptureStore;
  ui: UiStore;
  /** Sends the engine host what the flows table shows. */
  view: ViewRequester;
  filterInput: { current: HTMLInputElement | null };
}

export function createAppStores(api: SandpiperApi, o: ViewRequesterOptions = {}): AppStores {
  const ui = createUiStore();
  return {
    api,
    flows: createFlowsStore(),
    stats: createStatsStore(),
    capture: createCaptureStore(api),
    ui,
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
    }
  });
  void s.capture.getState().loadInterfaces();
  // There is no snapshot to ask for: the host answers the first view with the table as it stands.
  const offView = s.view.connect();
  return () => {
    offUpdate();
    offStatus();
    offView();
  };
}

export const StoresContext = createContext<AppStores | null>(null);

export function useStores(): AppStores {
  const s = useContext(StoresContext);
  if (!s) throw new Error('StoresContext missing');
  return s;
}
