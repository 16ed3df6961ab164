/**
 * libpcap (libpcap.so.0.8) through koffi. Handles are opaque koffi pointers; the packet path never enters JS:
 * pcap_dispatch is given libpcap's own pcap_dump as its callback.
 */
import type { BpfInsn } from '../../shared/helper-protocol.ts';
import { koffi } from './koffi.ts';

type Fn = (...args: unknown[]) => unknown;
/** An opaque native pointer (pcap_t*, pcap_dumper_t*, FILE*). */
export type NativePtr = unknown;

export const PCAP_LIBRARY = 'libpcap.so.0.8';
export const PCAP_ERRBUF_SIZE = 256;
/** pcap_activate() results we tell apart (pcap/pcap.h). */
export const PcapStatus = {
  error: -1,
  noSuchDevice: -5,
  permDenied: -8,
  ifaceNotUp: -9,
  promiscPermDenied: -11,
} as const;

export interface PcapStats {
  received: number;
  dropped: number;
  ifdropped: number;
}

export interface Libpcap {
  libVersion(): string;
  create(device: string): { handle: NativePtr; error: string };
  setSnaplen(p: NativePtr, n: number): number;
  setPromisc(p: NativePtr, on: boolean): number;
  setTimeout(p: NativePtr, ms: number): number;
  setImmediateMode(p: NativePtr, on: boolean): number;
  setBufferSize(p: NativePtr, bytes: number): number;
  activate(p: NativePtr): number;
  /** Non-blocking mode; returns null on success, else libpcap's message. */
  setNonblock(p: NativePtr): string | null;
  selectableFd(p: NativePtr): number;
  statusToStr(code: number): string;
  geterr(p: NativePtr): string;
  datalink(p: NativePtr): number;
  /** Installs an already compiled program (pcap_setfilter); returns null on success, else libpcap's message. */
  setFilter(p: NativePtr, insns: readonly BpfInsn[]): string | null;
  dumpFopen(p: NativePtr, file: NativePtr): NativePtr;
  /** pcap_dispatch with pcap_dump as the callback: returns packets processed, or <0 on error/break. */
  dispatchToDumper(p: NativePtr, count: number, dumper: NativePtr): number;
  dumpFlush(d: NativePtr): number;
  dumpClose(d: NativePtr): void;
  stats(p: NativePtr): PcapStats | null;
  close(p: NativePtr): void;
}

let cached: Libpcap | null = null;

export function libpcap(symbolAddress: (lib: string, sym: string) => NativePtr): Libpcap {
  if (cached) return cached;
  const k = koffi();
  const lib = k.load(PCAP_LIBRARY);
  const f = (proto: string): Fn => lib.func(proto) as Fn;
  const libVersion = f('const char *pcap_lib_version(void)');
  const create = f('void *pcap_create(const char *device, void *errbuf)');
  const setSnaplen = f('int pcap_set_snaplen(void *p, int n)');
  const setPromisc = f('int pcap_set_promisc(void *p, int on)');
  const setTimeout = f('int pcap_set_timeout(void *p, int ms)');
  const setImmediate = f('int pcap_set_immediate_mode(void *p, int on)');
  const setBufferSize = f('int pcap_set_buffer_size(void *p, int bytes)');
  const activate = f('int pcap_activate(void *p)');
  const setnonblock = f('int pcap_setnonblock(void *p, int nonblock, void *errbuf)');
  const getSelectableFd = f('int pcap_get_selectable_fd(void *p)');
  const statusToStr = f('const char *pcap_statustostr(int code)');
  const geterr = f('const char *pcap_geterr(void *p)');
  const datalink = f('int pcap_datalink(void *p)');
  const setfilter = f('int pcap_setfilter(void *p, void *prog)');
  const dumpFopen = f('void *pcap_dump_fopen(void *p, void *fp)');
  const dispatch = f('int pcap_dispatch(void *p, int cnt, void *callback, void *user)');
  const dumpFlush = f('int pcap_dump_flush(void *d)');
  const dumpClose = f('void pcap_dump_close(void *d)');
  const stats = f('int pcap_stats(void *p, void *ps)');
  const close = f('void pcap_close(void *p)');
  // The callback is a native function pointer, so libpcap calls pcap_dump directly for every packet.
  const pcapDump = symbolAddress(PCAP_LIBRARY, 'pcap_dump');
  // struct pcap_stat { u_int ps_recv, ps_drop, ps_ifdrop; }
  const statBuf = Buffer.alloc(12);

  cached = {
    libVersion: () => libVersion() as string,
    create(device) {
      const errbuf = Buffer.alloc(PCAP_ERRBUF_SIZE);
      const handle = create(device, errbuf);
      return { handle, error: errbuf.toString('utf8', 0, Math.max(0, errbuf.indexOf(0))) };
    },
    setSnaplen: (p, n) => setSnaplen(p, n) as number,
    setPromisc: (p, on) => setPromisc(p, on ? 1 : 0) as number,
    setTimeout: (p, ms) => setTimeout(p, ms) as number,
    setImmediateMode: (p, on) => setImmediate(p, on ? 1 : 0) as number,
    setBufferSize: (p, bytes) => setBufferSize(p, bytes) as number,
    activate: (p) => activate(p) as number,
    setNonblock(p) {
      const errbuf = Buffer.alloc(PCAP_ERRBUF_SIZE);
      if ((setnonblock(p, 1, errbuf) as number) === 0) return null;
      return errbuf.toString('utf8', 0, Math.max(0, errbuf.indexOf(0)));
    },
    selectableFd: (p) => getSelectableFd(p) as number,
    statusToStr: (c) => statusToStr(c) as string,
    geterr: (p) => geterr(p) as string,
    datalink: (p) => datalink(p) as number,
    setFilter(p, insns) {
      // struct bpf_insn { u_short code; u_char jt, jf; bpf_u_int32 k; } × n, and struct bpf_program
      // { u_int bf_len; struct bpf_insn *bf_insns; }. libpcap copies the program (and validates it, as does the
      // kernel when it attaches it), so both buffers only need to live through the call.
      const code = Buffer.alloc(insns.length * 8);
      insns.forEach(([op, jt, jf, operand], i) => {
        code.writeUInt16LE(op, i * 8);
        code.writeUInt8(jt, i * 8 + 2);
        code.writeUInt8(jf, i * 8 + 3);
        code.writeUInt32LE(operand, i * 8 + 4);
      });
      const prog = Buffer.alloc(16);
      prog.writeUInt32LE(insns.length, 0);
      prog.writeBigUInt64LE(k.address(code), 8);
      const rc = setfilter(p, prog) as number;
      return rc === 0 ? null : (geterr(p) as string);
    },
    dumpFopen: (p, fp) => dumpFopen(p, fp),
    dispatchToDumper: (p, count, dumper) => dispatch(p, count, pcapDump, dumper) as number,
    dumpFlush: (d) => dumpFlush(d) as number,
    dumpClose: (d) => void dumpClose(d),
    stats(p) {
      if ((stats(p, statBuf) as number) !== 0) return null;
      return { received: statBuf.readUInt32LE(0), dropped: statBuf.readUInt32LE(4), ifdropped: statBuf.readUInt32LE(8) };
    },
    close: (p) => void close(p),
  };
  return cached;
}
