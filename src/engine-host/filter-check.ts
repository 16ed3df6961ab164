/**
 * Checks a BPF capture filter without privileges: libpcap compiles it against a "dead" handle (pcap_open_dead,
 * Ethernet link type), the same compiler the helper uses. Filters that only make sense on another link type may
 * pass here and be rejected by the helper when the capture opens; that error reaches the user as bad_filter.
 * koffi is loaded lazily through createRequire so bundles keep it external (it carries a native module); a packaged
 * app carries it outside the asar, under <resources>/koffi (electron-builder.yml, extraResources).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Result } from '../shared/ipc.ts';
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

/** koffi's package in a packaged app, relative to <resources>; its native part is the sibling @koromix package. */
export const PACKAGED_KOFFI_DIR = 'koffi/node_modules/koffi';

/**
 * What to require koffi by. Inside a packaged app (this bundle under `<resources>/app.asar`) only the absolute path
 * of the copy under <resources>: no node_modules search upwards from the install directory, which for an AppImage
 * runs through /tmp. An unpacked build (asar off) is found through Electron's resourcesPath. Anywhere else (checkout,
 * CLI, tests) plain `koffi`, resolved from this module.
 */
export function koffiRequest(moduleFile: string, resourcesPath: string | undefined): string {
  const marker = `${path.sep}app.asar${path.sep}`;
  const at = moduleFile.lastIndexOf(marker);
  if (at > 0) return path.join(moduleFile.slice(0, at), PACKAGED_KOFFI_DIR);
  if (resourcesPath !== undefined && existsSync(path.join(resourcesPath, PACKAGED_KOFFI_DIR, 'package.json'))) {
    return path.join(resourcesPath, PACKAGED_KOFFI_DIR);
  }
  return 'koffi';
}

function loadPcap(): Pcap {
  if (pcap) return pcap;
  const load = createRequire(import.meta.url);
  const resourcesPath = (process as { resourcesPath?: string }).resourcesPath;
  const koffi = load(koffiRequest(fileURLToPath(import.meta.url), resourcesPath)) as typeof import('koffi');
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
