/**
 * Checks a BPF capture filter without privileges: libpcap compiles it against a "dead" handle (pcap_open_dead,
 * Ethernet link type), the same compiler the helper uses. Filters that only make sense on another link type may
 * pass here and be rejected by the helper when the capture opens; that error reaches the user as bad_filter.
 * koffi is loaded lazily through createRequire so bundles keep it external (it carries a native module).
 */
import { createRequire } from 'node:module';
import type { Result } from '../../shared/ipc.ts';
import { actionFor, appError } from './app-errors.ts';
import { checkFilter } from './validate.ts';

const DLT_EN10MB = 1;
const SNAPLEN = 262144;
const PCAP_NETMASK_UNKNOWN = 0xffffffff;

interface Pcap {
  openDead(linktype: number, snaplen: number): unknown;
  compile(p: unknown, prog: Record<string, unknown>, filter: string, optimize: number, netmask: number): number;
  geterr(p: unknown): string;
  freecode(prog: Record<string, unknown>): void;
  close(p: unknown): void;
}

let pcap: Pcap | null = null;

function loadPcap(): Pcap {
  if (pcap) return pcap;
  const load = createRequire(import.meta.url);
  const koffi = load('koffi') as typeof import('koffi');
  const lib = koffi.load('libpcap.so.0.8');
  koffi.struct('sp_bpf_program', { bf_len: 'uint', bf_insns: 'void*' });
  pcap = {
    openDead: lib.func('void *pcap_open_dead(int, int)'),
    compile: lib.func('int pcap_compile(void *, _Out_ sp_bpf_program *, const char *, int, uint32_t)'),
    geterr: lib.func('const char *pcap_geterr(void *)'),
    freecode: lib.func('void pcap_freecode(sp_bpf_program *)'),
    close: lib.func('void pcap_close(void *)'),
  };
  return pcap;
}

export function validateFilter(filter: unknown): Result {
  const checked = checkFilter(filter);
  if (!checked.ok) return { ok: false, error: checked.error };
  if (checked.value.trim() === '') return { ok: true, value: undefined };
  let lib: Pcap;
  try {
    lib = loadPcap();
  } catch (e) {
    return { ok: false, error: appError('internal', `Cannot load libpcap to check the filter (${e instanceof Error ? e.message : String(e)}).`, 'Install libpcap (Debian: libpcap0.8) and restart Sandpiper.') };
  }
  const p = lib.openDead(DLT_EN10MB, SNAPLEN);
  if (!p) return { ok: false, error: appError('internal', 'libpcap could not create a handle to check the filter.', actionFor('internal')) };
  try {
    const prog: Record<string, unknown> = {};
    if (lib.compile(p, prog, checked.value, 1, PCAP_NETMASK_UNKNOWN) !== 0) {
      return { ok: false, error: appError('bad_filter', `Invalid capture filter: ${lib.geterr(p)}.`, actionFor('bad_filter')) };
    }
    lib.freecode(prog);
    return { ok: true, value: undefined };
  } finally {
    lib.close(p);
  }
}
