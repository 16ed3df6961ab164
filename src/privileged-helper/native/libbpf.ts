/**
 * The few libbpf (libbpf.so.1) entry points the helper calls through koffi: open and load the socket-event object,
 * attach its programs, and map its ring buffer. libbpf runs in the calling thread and starts none of its own.
 */
import { koffi } from './koffi.ts';
import type { NativePtr } from './libpcap.ts';
import { libc } from './libc.ts';

type Fn = (...args: unknown[]) => unknown;

export const LIBBPF_LIBRARY = 'libbpf.so.1';

export interface Libbpf {
  /** bpf_object__open_file; null with errno set on failure. */
  openFile(path: string): NativePtr | null;
  /** bpf_object__load: 0, or a negative errno. */
  load(obj: NativePtr): number;
  mapFd(obj: NativePtr, name: string): number;
  /** Overwrites a u32 at `offset` of a map's initial value (a .rodata constant) before load; false if it is not there. */
  setInitialU32(obj: NativePtr, map: string, offset: number, value: number): boolean;
  /** Every program of the object, in order. */
  programs(obj: NativePtr): { prog: NativePtr; name: string }[];
  /** bpf_program__attach: the link, or null with errno set. */
  attach(prog: NativePtr): NativePtr | null;
  linkFd(link: NativePtr): number;
  /**
   * Maps a BPF ring buffer map as libbpf's ring_buffer__new does (one bpf() to read its size, two mmaps), without
   * its per-record callback: the reader walks the records itself (socket-events-stream.ts). A reason on failure.
   */
  mapRing(mapFd: number): RingMemory | string;
  errno(): number;
}

/** A mapped ring buffer: views on the kernel's pages, valid for the life of the process. */
export interface RingMemory {
  /** The consumer position (the reader's, written by it), u64 at the start of the read-write page. */
  consumer: BigUint64Array;
  /** The producer position (the kernel's), u64 at the start of the first read-only page. */
  producer: BigUint64Array;
  /** The data pages, mapped twice in a row by the kernel, so a record never wraps: 2 × size bytes. */
  data: Uint8Array;
  /** Data size in bytes, a power of two. */
  size: number;
}

const BPF_MAP_TYPE_RINGBUF = 27;

let cached: Libbpf | null = null;

export function libbpf(): Libbpf {
  if (cached) return cached;
  const k = koffi();
  const lib = k.load(LIBBPF_LIBRARY);
  const f = (proto: string): Fn => lib.func(proto) as Fn;
  // libbpf prints warnings on stderr, which is the helper's JSON channel: keep it quiet.
  const setPrint = f('void *libbpf_set_print(void *fn)');
  setPrint(null);
  const openFile = f('void *bpf_object__open_file(const char *path, const void *opts)');
  const load = f('int bpf_object__load(void *obj)');
  const findMap = f('void *bpf_object__find_map_by_name(const void *obj, const char *name)');
  const mapFd = f('int bpf_map__fd(const void *map)');
  const initialValue = f('void *bpf_map__initial_value(void *map, _Out_ size_t *psize)');
  const setInitialValue = f('int bpf_map__set_initial_value(void *map, const void *data, size_t size)');
  const nextProgram = f('void *bpf_object__next_program(const void *obj, void *prev)');
  const programName = f('const char *bpf_program__name(const void *prog)');
  const attach = f('void *bpf_program__attach(const void *prog)');
  const linkFd = f('int bpf_link__fd(const void *link)');
  const objInfo = f('int bpf_obj_get_info_by_fd(int fd, void *info, _Inout_ uint32_t *len)');
  cached = {
    openFile: (p) => openFile(p, null) as NativePtr | null,
    load: (obj) => load(obj) as number,
    mapFd(obj, name) {
      const m = findMap(obj, name);
      return m === null ? -1 : (mapFd(m) as number);
    },
    programs(obj) {
      const out: { prog: NativePtr; name: string }[] = [];
      for (let p = nextProgram(obj, null); p !== null; p = nextProgram(obj, p)) out.push({ prog: p, name: programName(p) as string });
      return out;
    },
    setInitialU32(obj, name, offset, value) {
      const m = findMap(obj, name);
      if (m === null) return false;
      const size = [0];
      const data = initialValue(m, size);
      const n = Number(size[0]);
      if (data === null || offset + 4 > n) return false;
      const copy = Buffer.from(k.view(data, n).slice(0));
      copy.writeUInt32LE(value >>> 0, offset);
      return (setInitialValue(m, copy, n) as number) === 0;
    },
    attach: (prog) => attach(prog) as NativePtr | null,
    linkFd: (link) => linkFd(link) as number,
    mapRing(fd) {
      // struct bpf_map_info: type, id, key_size, value_size, max_entries (u32 each); the kernel fills what fits.
      const info = Buffer.alloc(40);
      const len = [info.length];
      if ((objInfo(fd, info, len) as number) !== 0) return `could not read the event ring's size (errno ${k.errno()})`;
      const size = info.readUInt32LE(16);
      if (info.readUInt32LE(0) !== BPF_MAP_TYPE_RINGBUF || size === 0 || (size & (size - 1)) !== 0) return 'the event ring is not a BPF ring buffer';
      const c = libc();
      const page = c.pageSize();
      const cons = c.mapShared(fd, page, true, 0);
      if (cons === null) return `could not map the event ring's consumer page (errno ${c.errno()})`;
      const ro = c.mapShared(fd, page + 2 * size, false, page);
      if (ro === null) return `could not map the event ring's data (errno ${c.errno()})`;
      return { consumer: new BigUint64Array(cons, 0, 1), producer: new BigUint64Array(ro, 0, 1), data: new Uint8Array(ro, page, 2 * size), size };
    },
    errno: () => k.errno(),
  };
  return cached;
}
