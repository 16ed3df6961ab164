/**
 * The few libbpf (libbpf.so.1) entry points the helper calls through koffi: open and load the socket-event object,
 * attach its programs, and consume its ring buffer. libbpf runs in the calling thread and starts none of its own.
 */
import { koffi } from './koffi.ts';
import type { NativePtr } from './libpcap.ts';

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
  /** ring_buffer__new on a ring buffer map fd; `onRecord` sees each record as a view valid only during the call. */
  ringBuffer(mapFd: number, onRecord: (data: ArrayBuffer) => void): RingBuffer | null;
  errno(): number;
}

export interface RingBuffer {
  /** Calls onRecord for every record ready now; the number consumed, or a negative errno. */
  consume(): number;
  epollFd(): number;
}

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
  const SampleFn = k.proto('int sandpiper_ring_sample(void *ctx, void *data, size_t size)');
  const ringNew = lib.func('ring_buffer__new', 'void *', ['int', k.pointer(SampleFn), 'void *', 'void *']) as Fn;
  const ringConsume = f('int ring_buffer__consume(void *rb)');
  const ringEpollFd = f('int ring_buffer__epoll_fd(const void *rb)');
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
    ringBuffer(fd, onRecord) {
      const cb = k.register((_ctx: unknown, data: unknown, size: number | bigint) => {
        onRecord(k.view(data, Number(size)));
        return 0;
      }, k.pointer(SampleFn));
      const rb = ringNew(fd, cb, null, null);
      if (rb === null) {
        k.unregister(cb);
        return null;
      }
      return { consume: () => ringConsume(rb) as number, epollFd: () => ringEpollFd(rb) as number };
    },
    errno: () => k.errno(),
  };
  return cached;
}
