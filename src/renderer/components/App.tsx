import { useEffect, useState } from 'react';
import type { SandpiperApi } from '../../shared/ipc.ts';
import { StoresContext, connectApi, createAppStores, type AppStores } from '../state/app-stores.ts';
import { useShortcuts } from '../hooks/use-shortcuts.ts';
import { SandboxBadge } from './SandboxBadge.tsx';
import { SecurityPanel } from './SecurityPanel.tsx';
import { ShortcutsSheet } from './ShortcutsSheet.tsx';
import { CaptureControls } from './CaptureControls.tsx';
import { ErrorBanner } from './ErrorBanner.tsx';
import { FlowsTable } from './FlowsTable.tsx';
import { FlowDetails } from './FlowDetails.tsx';
import { BandwidthChart } from './BandwidthChart.tsx';
import { StatusBar } from './StatusBar.tsx';
import { DevWarning } from './DevWarning.tsx';
import { RecordingFull } from './RecordingFull.tsx';
import { Overview, OverviewToolbar } from './Overview.tsx';
import { Tabs } from './Tabs.tsx';
import { ExportTableButton } from './ExportTable.tsx';
import { ColumnsButton } from './ColumnsMenu.tsx';
import { useStore } from 'zustand';
import { connectSettings } from '../state/settings-sync.ts';

function Shell({ stores }: { stores: AppStores }) {
  useShortcuts(stores);
  useEffect(() => connectApi(stores), [stores]);
  useEffect(() => connectSettings(stores), [stores]);
  const tab = useStore(stores.ui, (s) => s.tab);
  return (
    <div className="flex h-screen flex-col overflow-hidden bg-white text-zinc-900 dark:bg-zinc-950 dark:text-zinc-100">
      <header className="flex items-end gap-x-3 border-b border-zinc-200 px-4 py-2 xl:gap-x-6 dark:border-zinc-700">
        <div className="flex shrink-0 items-center gap-3 self-center">
          <h1 className="text-lg font-bold tracking-tight">Sandpiper</h1>
          <SandboxBadge />
        </div>
        <CaptureControls />
      </header>
      <ErrorBanner />
      <DevWarning />
      <RecordingFull />
      <Tabs>
        {tab === 'overview' ? (
          <OverviewToolbar />
        ) : (
          <div className="flex items-center gap-2 self-center">
            <ColumnsButton />
            <ExportTableButton />
          </div>
        )}
      </Tabs>
      <main className="flex min-h-0 flex-1">
        {tab === 'overview' ? (
          <Overview />
        ) : (
          <div id="panel-flows" role="tabpanel" aria-labelledby="tab-flows" className="flex min-h-0 min-w-0 flex-1">
            <FlowsTable />
            <FlowDetails />
          </div>
        )}
      </main>
      <BandwidthChart />
      <StatusBar />
      <SecurityPanel />
      <ShortcutsSheet />
    </div>
  );
}

/** The app around one API object; `stores` may be passed in by tests that want to drive the stores directly. */
export function App({ api, stores }: { api: SandpiperApi; stores?: AppStores }) {
  const [s] = useState(() => stores ?? createAppStores(api));
  return (
    <StoresContext.Provider value={s}>
      <Shell stores={s} />
    </StoresContext.Provider>
  );
}
