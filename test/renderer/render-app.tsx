// The whole renderer against a fake engine host, as the component tests start it.
import { act, render } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { App } from '../../src/renderer/components/App.tsx';
import type { FlowRow } from '../../src/shared/flow.ts';
import { fakeHost } from './fixtures.ts';

/** Renders the App on a fake host, waits for its first requests to be answered, then has the host report `flows`. */
export async function renderApp(flows: readonly FlowRow[] = []) {
  const user = userEvent.setup();
  const host = fakeHost();
  render(<App api={host} />);
  await host.settle();
  if (flows.length > 0) act(() => host.push(flows));
  return { user, host };
}
