/**
 * What the security panel and the badge say. Everything is derived from the helper's own `sandbox` report: the app
 * never assumes a protection the helper did not claim and, where a probe exists, prove.
 */
import type { ProbeResult, SandboxMessage } from '../../shared/helper-protocol.ts';
import type { CaptureStatusView } from '../../shared/ipc.ts';

export interface SecurityItem {
  id: string;
  label: string;
  ok: boolean;
  /** The probe that proved (or disproved) the claim, when one exists. */
  probe: { name: string; result: ProbeResult } | null;
  note: string | null;
}

function item(id: string, label: string, claim: boolean, probe: SecurityItem['probe'], note: string | null = null): SecurityItem {
  // A probe that got through contradicts the claim: show the failure, not the claim.
  const contradicted = probe !== null && probe.result === 'allowed';
  return {
    id,
    label,
    ok: claim && !contradicted,
    probe,
    note: claim && contradicted ? 'The helper claims this, but its probe got through.' : note,
  };
}

/** What the per-thread read-back showed: only threads the helper read, never an assumption. */
function seccompNote(m: SandboxMessage): string {
  const { installed, threads } = m.seccomp;
  if (!installed) return 'The helper could not install it.';
  const filtered = threads.filter((t) => t.mode === 2).length;
  return `${filtered} of ${threads.length} thread${threads.length === 1 ? '' : 's'} read back with the filter`;
}

export function securityItems(m: SandboxMessage): SecurityItem[] {
  const abiNote = m.landlock_abi_kernel !== m.landlock_abi ? `kernel offers ABI ${m.landlock_abi_kernel}` : null;
  return [
    item('landlock', m.landlock_abi > 0 ? `Landlock ABI ${m.landlock_abi}` : 'Landlock not in use', m.landlock_abi > 0, null, abiNote),
    item('fs', 'Filesystem restricted', m.fs_restricted, { name: 'file open', result: m.probes.file_open }),
    item('net', 'Network (TCP) blocked', m.net_restricted, { name: 'TCP connect', result: m.probes.tcp_connect }),
    item('scoped', 'Signals and abstract sockets scoped', m.scoped, null),
    item('nnp', 'no_new_privs set', m.no_new_privs, null),
    item('cap', 'CAP_NET_RAW dropped', m.cap_net_raw_dropped, { name: 'raw socket', result: m.probes.raw_socket }),
    item('uid', `Running as uid ${m.uid}`, m.uid !== 0, null, m.uid === 0 ? 'Still root.' : `gid ${m.gid}`),
    item('threads', 'Every thread covered', m.all_threads, null, `${m.threads} thread${m.threads === 1 ? '' : 's'} checked`),
    item('seccomp', 'System call filter on every thread', m.seccomp.installed && m.seccomp.all_threads, null, seccompNote(m)),
    item('udp', 'UDP send blocked', m.probes.udp_send === 'denied', { name: 'UDP send', result: m.probes.udp_send }),
    item('unix', 'Unix socket connect blocked', m.probes.unix_connect === 'denied', { name: 'unix connect', result: m.probes.unix_connect }),
  ];
}

/**
 * Which method names the processes behind flows, and why: from the helper's `attribution` line as the engine host
 * relays it, else what its `sandbox` report says; null when neither said (a file, or a capture without attribution).
 */
export function attributionView(s: CaptureStatusView): { method: 'ebpf' | 'proc'; text: string } | null {
  const method = s.attribution?.method ?? s.sandbox?.attribution ?? null;
  if (method === null) return null;
  if (method === 'ebpf') {
    return { method, text: 'Processes are named from eBPF socket events, loaded by the helper before it gave up its privileges.' };
  }
  const reason = s.attribution?.reason ?? null;
  return { method, text: `Processes are named by reading /proc, which misses short-lived connections${reason ? `: eBPF is not in use (${reason})` : ''}.` };
}

export type BadgeTone = 'green' | 'amber' | 'red' | 'grey' | 'neutral';

export interface BadgeView {
  tone: BadgeTone;
  /** Short: what the badge shows. */
  text: string;
  /** One plain sentence a non-expert can act on: what the helper can and cannot do, as far as it proved. */
  summary: string;
}

function list(words: string[], conjunction: 'or' | 'and'): string {
  return words.length < 2 ? (words[0] ?? '') : `${words.slice(0, -1).join(', ')} ${conjunction} ${words[words.length - 1]}`;
}

/** Turns the checks into what they mean for the user, claiming only what every check behind a phrase showed. */
export function plainSummary(m: SandboxMessage): string {
  const ok = Object.fromEntries(securityItems(m).map((i) => [i.id, i.ok]));
  const blocked: string[] = [];
  const open: string[] = [];
  (ok.fs ? blocked : open).push('read your files');
  (ok.net && ok.udp ? blocked : open).push('reach the network');
  if (ok.cap && ok.uid && ok.nnp) blocked.push('regain admin rights');
  else open.push(m.uid === 0 ? 'use admin rights' : 'regain admin rights');
  if (blocked.length === 0) return `The capture helper is not sandboxed: it could ${list(open, 'and')}.`;
  const cant = `The capture helper can't ${list(blocked, 'or')}.`;
  return open.length === 0 ? cant : `${cant} It could still ${list(open, 'and')}.`;
}

export function badgeFor(s: CaptureStatusView): BadgeView {
  if (s.error?.code === 'sandbox_strict') {
    return {
      tone: 'red',
      text: 'Capture refused: sandbox incomplete',
      summary: 'Strict mode stopped the capture because the helper could not fully sandbox itself.',
    };
  }
  const m = s.sandbox;
  if (m !== null) {
    const summary = plainSummary(m);
    switch (m.status) {
      case 'fully_enforced':
        // The status alone is a claim; a failed item downgrades what the badge says.
        return securityItems(m).every((i) => i.ok)
          ? { tone: 'green', text: 'Helper sandboxed', summary }
          : { tone: 'amber', text: 'Helper partly sandboxed', summary };
      case 'partially_enforced':
        return { tone: 'amber', text: 'Helper partly sandboxed', summary };
      case 'not_available':
        return { tone: 'red', text: 'Helper not sandboxed', summary };
    }
  }
  if (s.source?.kind === 'live' && (s.state === 'starting' || s.state === 'capturing' || s.state === 'paused')) {
    return {
      tone: 'grey',
      text: 'Helper starting',
      summary: 'The capture helper reports what its sandbox blocks, with proof, once the capture is open.',
    };
  }
  if (s.source?.kind === 'file') {
    return { tone: 'neutral', text: 'File: no helper needed', summary: 'Reading a file needs no admin rights: no capture helper runs.' };
  }
  return {
    tone: 'grey',
    text: 'No capture running',
    summary: 'A live capture runs in a helper that sandboxes itself and proves what it blocks when it starts.',
  };
}
