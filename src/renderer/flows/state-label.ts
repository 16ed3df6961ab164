import type { FlowState } from '../../shared/flow.ts';

/** What the flow drawer says of a flow's state: `mid-flow` says what it means, and an open flow that ended says so. */
export function stateDetail(state: FlowState, ended: boolean): string {
  const text = state === 'mid-flow' ? 'mid-flow (no handshake seen: open before the capture began; ends told by ports)' : state;
  return ended && state !== 'closed' && state !== 'reset' ? `${text} (ended)` : text;
}
