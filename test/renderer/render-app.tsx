// The whole renderer against a fake engine host, as the component tests start it.
import { act, render } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { App } from '../../src/renderer/components/App.tsx';
import { createAppStores } from '../../src/renderer/state/app-stores.ts';
import type { Tab } from '../../src/renderer/state/ui-store.ts';
import type { FlowRow } from '../../src/shared/flow.ts';
import { fakeHost } from './fixtures.ts';
import type { Settings } from '../../src/shared/settings.ts';
import type { DesktopNotifier } from '../../src/renderer/state/notices-store.ts';

/**
 * Renders the App on a fake host, waits for its first requests to be answered, then has the host report `flows`.
 * It opens on the flows table unless `tab` says otherwise (the app itself opens on the Overview); `settings` is what
 * the host answers getSettings with (an Error: it fails).
 */
export async function renderApp(flows: readonly FlowRow[] = [], o: { tab?: Tab; settings?: Settings | Error; notifier?: DesktopNotifier | null } = {}) {
  const user = userEvent.setup();
  const host = fakeHost();
  const kept = o.settings;
  if (kept instanceof Error) host.getSettings.mockRejectedValue(kept);
  else if (kept !== undefined) host.getSettings.mockResolvedValue(kept);
  const stores = createAppStores(host, { tab: o.tab ?? 'flows', notifier: o.notifier ?? null });
  render(<App api={host} stores={stores} />);
  await host.settle();
  if (flows.length > 0) act(() => host.push(flows));
  return { user, host, stores };
}
