// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { badgeFor, plainSummary, securityItems } from '../../../src/renderer/security/security-items.ts';
import { sandbox, status } from '../fixtures.ts';

describe('security items', () => {
  it('lists every claim from a fully enforced report as proven', () => {
    const items = securityItems(sandbox());
    expect(items.map((i) => i.label)).toEqual([
      'Landlock ABI 7',
      'Filesystem restricted',
      'Network (TCP) blocked',
      'Signals and abstract sockets scoped',
      'no_new_privs set',
      'CAP_NET_RAW dropped',
      'Running as uid 1000',
      'Every thread covered',
      'System call filter on every thread',
      'UDP send blocked',
      'Unix socket connect blocked',
    ]);
    expect(items.every((i) => i.ok)).toBe(true);
    expect(items.find((i) => i.id === 'fs')?.probe).toEqual({ name: 'file open', result: 'denied' });
    expect(items.find((i) => i.id === 'net')?.probe).toEqual({ name: 'TCP connect', result: 'denied' });
    expect(items.find((i) => i.id === 'cap')?.probe).toEqual({ name: 'raw socket', result: 'denied' });
    expect(items.find((i) => i.id === 'udp')?.probe).toEqual({ name: 'UDP send', result: 'denied' });
    expect(items.find((i) => i.id === 'unix')?.probe).toEqual({ name: 'unix connect', result: 'denied' });
    expect(items.find((i) => i.id === 'seccomp')?.note).toBe('1 of 1 thread read back with the filter');
  });

  it('a thread without the filter, or a probe that got through, fails its item and the badge', () => {
    const live = { kind: 'live' as const, interface: 'eth0' };
    const unfiltered = sandbox({ seccomp: { installed: true, policy: 'deny_list', threads: [{ tid: 1, mode: 2, filters: 2 }, { tid: 2, mode: 0, filters: 0 }], all_threads: false } });
    const seccomp = securityItems(unfiltered).find((i) => i.id === 'seccomp');
    expect(seccomp?.ok).toBe(false);
    expect(seccomp?.note).toBe('1 of 2 threads read back with the filter');
    expect(badgeFor(status({ state: 'capturing', source: live, sandbox: unfiltered })).tone).toBe('amber');
    for (const probe of ['udp_send', 'unix_connect'] as const) {
      for (const result of ['allowed', 'skipped'] as const) {
        const m = sandbox({ probes: { ...sandbox().probes, [probe]: result } });
        const it = securityItems(m).find((i) => i.id === (probe === 'udp_send' ? 'udp' : 'unix'));
        expect(it?.ok, `${probe} ${result}`).toBe(false);
        expect(badgeFor(status({ state: 'capturing', source: live, sandbox: m })).tone).toBe('amber');
      }
    }
    expect(securityItems(sandbox({ seccomp: { installed: false, policy: 'deny_list', threads: [], all_threads: false } })).find((i) => i.id === 'seccomp')?.note).toBe(
      'The helper could not install it.',
    );
  });

  it('shows each missing protection as failed', () => {
    const items = securityItems(
      sandbox({
        status: 'partially_enforced',
        landlock_abi: 0,
        landlock_abi_kernel: 3,
        fs_restricted: false,
        net_restricted: false,
        scoped: false,
        all_threads: false,
        uid: 0,
        probes: { raw_socket: 'denied', file_open: 'allowed', tcp_connect: 'skipped', udp_send: 'denied', unix_connect: 'denied' },
      }),
    );
    const ok = Object.fromEntries(items.map((i) => [i.id, i.ok]));
    expect(ok).toEqual({ landlock: false, fs: false, net: false, scoped: false, nnp: true, cap: true, uid: false, threads: false, seccomp: true, udp: true, unix: true });
    expect(items[0].label).toBe('Landlock not in use');
    expect(items[0].note).toBe('kernel offers ABI 3');
    expect(items.find((i) => i.id === 'uid')?.note).toBe('Still root.');
  });

  it('a probe that got through overrides the claim', () => {
    const items = securityItems(sandbox({ probes: { ...sandbox().probes, raw_socket: 'allowed' } }));
    const cap = items.find((i) => i.id === 'cap');
    expect(cap?.ok).toBe(false);
    expect(cap?.note).toMatch(/probe got through/);
    expect(badgeFor(status({ state: 'capturing', sandbox: sandbox({ probes: { ...sandbox().probes, raw_socket: 'allowed' } }) }))).toMatchObject({
      tone: 'amber',
      text: 'Helper partly sandboxed',
    });
  });
});

describe('badge', () => {
  const live = { kind: 'live' as const, interface: 'eth0' };
  it.each([
    [status(), 'grey', 'No capture running'],
    [status({ state: 'starting', source: live }), 'grey', 'Helper starting'],
    [status({ state: 'reading', source: { kind: 'file', path: '/x.pcap' } }), 'neutral', 'File: no helper needed'],
    [status({ state: 'capturing', source: live, sandbox: sandbox() }), 'green', 'Helper sandboxed'],
    [status({ state: 'capturing', source: live, sandbox: sandbox({ status: 'partially_enforced', net_restricted: false }) }), 'amber', 'Helper partly sandboxed'],
    [status({ state: 'capturing', source: live, sandbox: sandbox({ status: 'not_available', landlock_abi: 0 }) }), 'red', 'Helper not sandboxed'],
    [
      status({ state: 'error', source: live, error: { code: 'sandbox_strict', message: 'm', action: 'a' } }),
      'red',
      'Capture refused: sandbox incomplete',
    ],
  ])('%#: %s', (s, tone, text) => {
    expect(badgeFor(s)).toMatchObject({ tone, text });
    expect(badgeFor(s).summary).toMatch(/^[A-Z].*\.$/);
  });
});

describe('plain summary', () => {
  it('claims only what every check behind a phrase showed', () => {
    expect(plainSummary(sandbox())).toBe("The capture helper can't read your files, reach the network or regain admin rights.");
    expect(plainSummary(sandbox({ net_restricted: false }))).toBe(
      "The capture helper can't read your files or regain admin rights. It could still reach the network.",
    );
    // A UDP probe that got through is the network too, even when TCP is blocked.
    expect(plainSummary(sandbox({ probes: { ...sandbox().probes, udp_send: 'allowed' } }))).toMatch(/could still reach the network/);
    expect(plainSummary(sandbox({ probes: { ...sandbox().probes, raw_socket: 'allowed' } }))).toBe(
      "The capture helper can't read your files or reach the network. It could still regain admin rights.",
    );
    expect(plainSummary(sandbox({ fs_restricted: false, net_restricted: false, uid: 0 }))).toBe(
      'The capture helper is not sandboxed: it could read your files, reach the network and use admin rights.',
    );
  });
});

describe('process attribution in the security panel', () => {
  it('says which method names processes, and why not eBPF, from the attribution line; else from the sandbox report; nothing for a file', async () => {
    const { attributionView } = await import('../../../src/renderer/security/security-items.ts');
    expect(attributionView(status({ state: 'capturing', attribution: { type: 'attribution', method: 'ebpf', reason: null } }))?.method).toBe('ebpf');
    const proc = attributionView(status({ state: 'capturing', attribution: { type: 'attribution', method: 'proc', reason: '--no-ebpf was given' } }));
    expect(proc?.method).toBe('proc');
    expect(proc?.text).toMatch(/\/proc.*--no-ebpf was given/);
    expect(attributionView(status({ state: 'capturing', sandbox: sandbox({ attribution: 'proc' }) }))?.method).toBe('proc');
    expect(attributionView(status({ state: 'reading' }))).toBe(null);
  });
});
