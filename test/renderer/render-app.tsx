// The whole renderer against a fake engine host, as the component tests start it.
import { act, render } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { App } from '../../src/renderer/components/App.tsx';
import { createAppStores } from '../../src/renderer/state/app-stores.ts';
import type { Tab } from '../../src/renderer/state/ui-store.ts';
import type { FlowRow } from '../../src/shared/flow.ts';
import { fakeHost } from './fixtures.ts';
import { settingsFromFile, type Settings } from '../../src/shared/settings.ts';
import type { ColumnId, SortDir } from '../../src/shared/flows/columns.ts';

/** The order most table tests are written in: newest activity first (the app's default is arrival order). */
export const LAST_SEEN_FIRST = { sortColumn: 'last_seen', sortDir: 'desc' } as const satisfies { sortColumn: ColumnId; sortDir: SortDir };

/**
 * Renders the App on a fake host, waits for its first requests to be answered, then has the host report `flows`.
 * It opens on the flows table unless `tab` says otherwise (the app itself opens on the Overview); `settings` is what
 * the host answers getSettings with (an Error: it fails); `sort`, the table's sort before the first request.
 */
export async function renderApp(flows: readonly FlowRow[] = [], o: { tab?: Tab; settings?: Settings | Error; sort?: { sortColumn: ColumnId; sortDir: SortDir } } = {}) {
  const user = userEvent.setup();
  const host = fakeHost();
  // The sort is also what the host keeps, as the settings read at start apply it.
  const kept = o.sort !== undefined && !(o.settings instanceof Error) ? { ...(o.settings ?? settingsFromFile(null)), ...o.sort } : o.settings;
  if (kept instanceof Error) host.getSettings.mockRejectedValue(kept);
  else if (kept !== undefined) host.getSettings.mockResolvedValue(kept);
  const stores = createAppStores(host, { tab: o.tab ?? 'flows' });
  if (o.sort !== undefined) stores.ui.setState(o.sort);
  render(<App api={host} stores={stores} />);
  await host.settle();
  if (flows.length > 0) act(() => host.push(flows));
  return { user, host, stores };
}
