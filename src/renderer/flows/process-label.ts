import type { FlowRow, ProcessUnknown } from '../../shared/flow.ts';
import type { AttributionMessage } from '../../shared/helper-protocol.ts';

/** The table's word for a flow without a process: why, not a dash. */
const UNKNOWN_SHORT: Record<ProcessUnknown, string> = {
  exited: 'exited',
  other_user: 'another user’s',
  no_socket: 'no local socket',
  file: 'not attributable (file)',
};

/** The drawer's sentence for the same. */
const UNKNOWN_LONG: Record<ProcessUnknown, string> = {
  exited: 'exited: its socket was seen, but the process had closed it or exited before it could be named',
  other_user: 'another user’s: the socket belongs to a process this user cannot inspect',
  no_socket: 'no local socket: traffic of another host, ICMP, or a socket gone before it was seen',
  file: 'not attributable for a file: its sockets are long gone',
};

/** Why the row has no process; a hidden owner says so even when the host gave no reason. */
function unknownReason(r: Pick<FlowRow, 'process_unknown' | 'process_hidden'>): ProcessUnknown | null {
  return r.process_unknown ?? (r.process_hidden ? 'other_user' : null);
}

/** The process cell's text: "name (pid)", else why there is none ("—" only when the host gave no reason). */
export function processText(r: Pick<FlowRow, 'process' | 'pid' | 'process_unknown' | 'process_hidden'>): string {
  if (r.process !== null) return r.pid !== null ? `${r.process} (${r.pid})` : r.process;
  const why = unknownReason(r);
  return why === null ? (r.pid !== null ? `pid ${r.pid}` : '—') : UNKNOWN_SHORT[why];
}

/** The drawer's "Process unknown" field: the reason in a sentence, or null when the flow has a process. */
export function processUnknownText(r: Pick<FlowRow, 'process' | 'pid' | 'process_unknown' | 'process_hidden'>): string | null {
  if (r.process !== null || r.pid !== null) return null;
  const why = unknownReason(r);
  return why === null ? null : UNKNOWN_LONG[why];
}

/** How this source names processes, from the helper's attribution line (null: not known yet, or a file). */
export function attributionText(a: AttributionMessage | null | undefined, fileSource: boolean): string {
  if (fileSource) return 'none (a capture file)';
  if (a == null) return 'not reported yet';
  return a.method === 'ebpf' ? 'eBPF socket events from the capture helper, then /proc' : `/proc polling (eBPF not in use: ${a.reason ?? 'no reason given'})`;
}
