/**
 * The unprivileged side's libpcap filter compiler, the only binding of pcap_compile in Sandpiper: the capture client
 * compiles `--filter` here (as the user: any name in it resolves as the user) and hands the helper the numbers; the
 * engine host's filter check uses the same function. koffi is loaded lazily through createRequire so bundles keep it
 * external (it carries a native module); a packaged app carries it outside the asar, under <resources>/koffi
 * (electron-builder.yml, extraResources).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BPF_MAXINSNS, DEFAULT_SNAPLEN, type BpfInsn } from '../shared/helper-protocol.ts';

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

const PCAP_NETMASK_UNKNOWN = 0xffffffff;

interface BpfProgramStruct {
  bf_len?: number;
  bf_insns?: unknown;
}
interface Pcap {
  openDead(linktype: number, snaplen: number): unknown;
  compile(p: unknown, prog: BpfProgramStruct, filter: string, optimize: number, netmask: number): number;
  geterr(p: unknown): string;
  freecode(prog: BpfProgramStruct): void;
  close(p: unknown): void;
  decodeInsns(ptr: unknown, count: number): { code: number; jt: number; jf: number; k: number }[];
}

let pcap: Pcap | null = null;

function loadPcap(): Pcap {
  if (pcap) return pcap;
  const load = createRequire(import.meta.url);
  const resourcesPath = (process as { resourcesPath?: string }).resourcesPath;
  const koffi = load(koffiRequest(fileURLToPath(import.meta.url), resourcesPath)) as typeof import('koffi');
  const lib = koffi.load('libpcap.so.0.8');
  const insn = koffi.struct('sp_bpf_insn', { code: 'uint16_t', jt: 'uint8_t', jf: 'uint8_t', k: 'uint32_t' });
  koffi.struct('sp_bpf_program', { bf_len: 'uint', bf_insns: 'void*' });
  pcap = {
    openDead: lib.func('void *pcap_open_dead(int, int)'),
    compile: lib.func('int pcap_compile(void *, _Out_ sp_bpf_program *, const char *, int, uint32_t)'),
    geterr: lib.func('const char *pcap_geterr(void *)'),
    freecode: lib.func('void pcap_freecode(sp_bpf_program *)'),
    close: lib.func('void pcap_close(void *)'),
    decodeInsns: (ptr, count) => koffi.decode(ptr, insn, count) as { code: number; jt: number; jf: number; k: number }[],
  };
  return pcap;
}

export type CompileResult =
  | { ok: true; insns: BpfInsn[] }
  /** `unavailable`: libpcap could not be loaded or gave no handle (not the filter's fault). */
  | { ok: false; reason: 'invalid' | 'unavailable'; message: string };

/** Compiles `filter` for `linktype` with libpcap's optimiser, as `tcpdump -ddd -y <linktype>` does. */
export function compileFilter(filter: string, linktype: number, snaplen: number = DEFAULT_SNAPLEN): CompileResult {
  let lib: Pcap;
  try {
    lib = loadPcap();
  } catch (e) {
    return { ok: false, reason: 'unavailable', message: `cannot load libpcap to compile the filter (${e instanceof Error ? e.message : String(e)})` };
  }
  const p = lib.openDead(linktype, snaplen);
  if (!p) return { ok: false, reason: 'unavailable', message: `libpcap could not create a handle for link type ${linktype}` };
  try {
    const prog: BpfProgramStruct = {};
    if (lib.compile(p, prog, filter, 1, PCAP_NETMASK_UNKNOWN) !== 0) return { ok: false, reason: 'invalid', message: lib.geterr(p) };
    try {
      const n = prog.bf_len ?? 0;
      if (n < 1 || n > BPF_MAXINSNS) return { ok: false, reason: 'invalid', message: `the filter compiles to ${n} instructions; the limit is ${BPF_MAXINSNS}` };
      return { ok: true, insns: lib.decodeInsns(prog.bf_insns, n).map((i) => [i.code, i.jt, i.jf, i.k] as const) };
    } finally {
      lib.freecode(prog);
    }
  } finally {
    lib.close(p);
  }
}
