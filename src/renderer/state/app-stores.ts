/** All stores of one app instance, created around one API object (the real preload API or a test double). */
import { createContext, useContext } from 'react';
import type { SandpiperApi } from '../../shared/ipc.ts';
import { createFlowsStore, type FlowsStore } from './flows-store.ts';
import { createStatsStore, type StatsStore } from './stats-store.ts';
import { createCaptureStore, type CaptureStore } from './capture-store.ts';
import { createUiStore, type UiStore } from './ui-store.ts';
import { FlowView } from '../flows/flow-view.ts';

export interface AppStores {
  api: SandpiperApi;
  flows: FlowsStore;
  stats: StatsStore;
  capture: CaptureStore;
  ui: UiStore;
  /** The table as the flows grid last rendered it (read by keyboard navigation). */
  view: FlowView;
  filterInput: { current: HTMLInputElement | null };
}

export function createAppStores(api: SandpiperApi): AppStores {
  const flows = createFlowsStore({
    requestSnapshot: () => {
      api.requestSnapshot().catch(() => {
        // The next gap asks again; nothing the user can do about a lost request.
        flows.setState({ awaitingSnapshot: false });
      });
    },
  });
  return {
    api,
    flows,
    stats: createStatsStore(),
    capture: createCaptureStore(api),
    ui: createUiStore(),
    view: new FlowView(),
    filterInput: { current: null },
  };
}

/**
 * Wires the API's push channels into the stores and fetches the initial state. Returns the disconnect function.
 */
export function connectApi(s: AppStores): () => void {
  const offUpdate = s.api.onUpdate((u) => {
    s.flows.getState().applyUpdate(u);
    s.stats.getState().push(u.stats, u.ts);
  });
  const offStatus = s.api.onStatus((st) => s.capture.getState().setStatus(st));
  // Drawer open on a flow → keep its rate history.
  const offUi = s.ui.subscribe((u) => s.flows.getState().track(u.detailsOpen ? u.selectedId : null));
  void s.capture.getState().loadInterfaces();
  s.api.requestSnapshot().catch(() => undefined);
  return () => {
    offUpdate();
    offStatus();
    offUi();
  };
}

export const StoresContext = createContext<AppStores | null>(null);

export function useStores(): AppStores {
  const s = useContext(StoresContext);
  if (!s) throw new Error('StoresContext missing');
  return s;
}
