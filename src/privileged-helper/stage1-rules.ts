/**
 * The first-stage Landlock layer: just enough filesystem access for the second stage to start (runtime, bundle,
 * native libraries) and to open the capture and audit its own threads. Pure: paths in, rules out.
 */
import path from 'node:path';
import { FS } from './landlock-abi.ts';
import type { PathRule } from './landlock.ts';

const R = FS.readFile;
const X = FS.execute;
const D = FS.readDir;

/** Shared-library directories of a Debian-style x86_64 system (ld.so, libc, libstdc++, libpcap). */
export const LIBRARY_DIRS = ['/usr/lib', '/lib', '/lib64', '/usr/lib64', '/usr/local/lib'] as const;

export const KERNEL_BTF_PATH = '/sys/kernel/btf/vmlinux';

export interface Stage1RuleOptions {
  /** Loading the socket-event programs: libbpf relocates them against the kernel's BTF. */
  kernelBtf?: boolean;
}

export function stage1Rules(nodeBinary: string, bundleFile: string, opts: Stage1RuleOptions = {}): PathRule[] {
  return [
    ...(opts.kernelBtf ? [{ path: KERNEL_BTF_PATH, access: R }] : []),
    { path: nodeBinary, access: R | X },
    // The bundle and koffi.node; nothing else in that directory is executable code.
    { path: path.dirname(bundleFile), access: R | D },
    ...LIBRARY_DIRS.map((p) => ({ path: p, access: R | X | D })),
    { path: '/etc/ld.so.cache', access: R },
    // pcap_activate reads interface attributes; /sys/class/net entries are links into /sys/devices.
    { path: '/sys/class/net', access: R | D },
    { path: '/sys/devices', access: R | D },
    // The thread audit (/proc/self/task/*/status) and libpcap's /proc/net reads.
    { path: '/proc', access: R | D },
    // Node reopens a closed stdio descriptor on /dev/null at startup.
    { path: '/dev/null', access: R | FS.writeFile },
    { path: '/dev/urandom', access: R },
  ];
}
