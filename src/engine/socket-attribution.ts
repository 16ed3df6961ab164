/**
 * Which process a flow belongs to, from the privileged helper's socket events (src/shared/socket-events.ts): each
 * event names the process (pid, uid, comm) of one local socket's 5-tuple at the moment it connected, accepted or
 * sent, so a connection that lived a millisecond is named as well as a long one, which /proc polling cannot do.
 *
 * - The engine joins events to flows by 5-tuple in both orders: an event for a flow it already holds names that
 *   flow at once (the matcher it attaches); an event that comes first waits here until the flow's first packet
 *   (`take`). Waiting events are bounded (a ring of `pendingCapacity`, the oldest dropped and counted) and expire
 *   `pendingMaxAgeS` of capture time after their own time, so packets queued behind the events still find them.
 * - An event's local address is its own end: both ends of a loopback or container connection have their own event
 *   and name their own end of the one flow.
 * - pid → owner is cached, keyed by the pid and checked against the event's uid and comm bytes (a reused pid or an
 *   exec re-reads it), so a process sending a datagram per packet costs a map look-up per event, never a /proc read
 *   or a string. /proc is read only for the invoking user's processes; another user's keep the kernel's comm and
 *   their uid, shown as the user's name. The cache and the /proc reads per second are bounded: a hostile stream of
 *   random pids costs bounded memory and time.
 * - An accept on a socket that listened before the helper attached has no pid (0): it names nothing here, and the
 *   /proc attributor (the listener is in /proc/net) can still name it.
 * - An event whose local address is the wildcard (0.0.0.0 or ::, a socket bound to any address) stands for any of
 *   this host's addresses on its port, with the same remote end and protocol, in both orders: a waiting one is taken
 *   by a new flow whose local end is one of this host's addresses, and one that comes after the flow's first packet
 *   is tried with each of them. Only this host's: a forwarded flow, or one of another namespace seen on a shared
 *   link, with the same port does not borrow the process (the helper reports only its own namespace's sockets, and
 *   the interface list is this process's namespace's, the helper's). An event with the concrete address wins over
 *   a wildcard one, whichever came first, and a wildcard event never renames an end another process's event named
 *   (sockets sharing a port with SO_REUSEPORT, or one bound to a concrete address beside a wildcard one).
 */
import { SocketEventsFormatError, SocketEventsReader, type SocketEventRecord } from '../shared/socket-events.ts';
import { displayTextOrNull } from './display-text.ts';
import { hashKey } from './flow-table.ts';
import { describeProcess, interfaceAddresses, UserNames, type SocketOwner } from './process-attribution.ts';
import { addressWords } from './address-text.ts';

/** Key words of one socket: local address (0-3), remote (4-7), ports (8: local << 16 | remote), proto | family << 8 (9). */
const WORDS = 10;
const DEFAULT_PENDING = 8192;
const DEFAULT_PENDING_AGE_S = 10;
const DEFAULT_MAX_PROCESSES = 4096;
const DEFAULT_DESCRIBES_PER_S = 500;
/** A pid whose events alternate between thread names is re-read at most this often. */
const REDESCRIBE_MS = 1000;
/** This host's addresses are re-read at most this often, and at most this many are kept per family. */
const LOCALS_REFRESH_MS = 1000;
const MAX_LOCALS = 256;

export interface SocketAttributionOptions {
  procRoot?: string;
  passwdPath?: string;
  /** The invoking user: only their processes are read from /proc (default: this process's uid). */
  uid?: number;
  /** Events waiting for their flow, at most (default 8192). */
  pendingCapacity?: number;
  /** Capture seconds an event waits for its flow (default 10). */
  pendingMaxAgeS?: number;
  /** Processes cached, at most (default 4096; the cache starts over beyond). */
  maxProcesses?: number;
  /** /proc reads of new processes per second, at most (default 500; beyond, the event's comm and uid are kept). */
  describesPerSecond?: number;
  /** This host's addresses, for events of wildcard-bound sockets (default: the network interfaces'). */
  localAddresses?: () => Iterable<string>;
  now?: () => number;
}

/** What the socket-event stream did, for stats and the capture summary. */
export interface SocketEventCounts {
  /** Socket events read (not counting `lost` records). */
  events: number;
  /** Events the kernel ring dropped (the sum of `lost` records). */
  lost: number;
  /** Events that named a flow at once or when the flow came. */
  matched: number;
  /** Events that expired or were pushed out unmatched. */
  unmatched: number;
  /** Events without a pid (an accept on a listener older than the helper). */
  noPid: number;
  /** Why the stream was given up (it cannot be resynchronised), or null. */
  error: string | null;
}

/**
 * Given an event's key and owner: true when it named a flow the engine holds (else it waits for the flow).
 * `wildcard`: the key's local address is one of this host's put in for the event's wildcard address; such an event
 * must not rename an end another process already holds.
 */
export type SocketEventMatcher = (key: Uint32Array, owner: SocketOwner, wildcard: boolean) => boolean;

interface ProcessEntry {
  owner: SocketOwner;
  uid: number;
  /** The comm bytes of the event that made the entry, as four words. */
  c0: number;
  c1: number;
  c2: number;
  c3: number;
  at: number;
}

const utf8 = new TextDecoder('utf-8');

/** This host's addresses as key words, per family, re-read at most once a second and only when asked. */
class LocalAddresses {
  private v4 = new Set<number>();
  private v4List = new Uint32Array(0);
  /** IPv6 addresses, four words each. */
  private v6 = new Uint32Array(0);
  private readAt = -Infinity;
  private readonly w = new Uint32Array(4);

  private readonly source: () => Iterable<string>;
  private readonly now: () => number;

  constructor(source: () => Iterable<string>, now: () => number) {
    this.source = source;
    this.now = now;
  }

  /** Whether the address at `words[at]` is one of this host's. */
  has(words: Uint32Array, at: number, family: number): boolean {
    if (this.find(words, at, family)) return true;
    return this.refresh() && this.find(words, at, family);
  }

  /** How many addresses of `family` this host has (re-reading the list when due). */
  count(family: number): number {
    this.refresh();
    return family === 4 ? this.v4List.length : this.v6.length / 4;
  }

  /** Writes the host's i-th address of `family` into `k[0..3]`. */
  write(k: Uint32Array, family: number, i: number): void {
    if (family === 4) {
      k[0] = this.v4List[i];
      return;
    }
    const a = this.v6;
    k[0] = a[i * 4]; k[1] = a[i * 4 + 1]; k[2] = a[i * 4 + 2]; k[3] = a[i * 4 + 3];
  }

  private find(words: Uint32Array, at: number, family: number): boolean {
    if (family === 4) return this.v4.has(words[at]);
    const a = this.v6;
    for (let i = 0; i < a.length; i += 4) {
      if (a[i] === words[at] && a[i + 1] === words[at + 1] && a[i + 2] === words[at + 2] && a[i + 3] === words[at + 3]) return true;
    }
    return false;
  }

  /** Re-reads the list when it is due; true when it did. */
  private refresh(): boolean {
    const t = this.now();
    if (t - this.readAt < LOCALS_REFRESH_MS) return false;
    this.readAt = t;
    const v4 = new Set<number>();
    const v6: number[] = [];
    try {
      for (const text of this.source()) {
        const fam = addressWords(text, this.w);
        if (fam === 4 && v4.size < MAX_LOCALS) v4.add(this.w[0]);
        else if (fam === 6 && v6.length < MAX_LOCALS * 4) v6.push(...this.w);
      }
    } catch { /* no interface list: wildcard events match nothing */ }
    this.v4 = v4;
    this.v4List = Uint32Array.from(v4);
    this.v6 = Uint32Array.from(v6);
    return true;
  }
}

/**
 * Events waiting for their flow: a ring in arrival order (expiry and the bound pop its head) indexed by an
 * open-addressing hash of the key, all in typed arrays.
 */
class PendingEvents {
  readonly capacity: number;
  private readonly keys: Uint32Array;
  private readonly hashes: Uint32Array;
  private readonly times: Float64Array;
  private readonly owners: (SocketOwner | null)[];
  /** Ring position + 1 per hash slot, 0 empty. */
  private readonly index: Int32Array;
  private readonly mask: number;
  private head = 0;
  private count = 0;
  /** Live (not taken) entries. */
  live = 0;
  /** Entries pushed out or expired before their flow came. */
  unmatched = 0;

  constructor(capacity: number) {
    this.capacity = Math.max(1, capacity);
    this.keys = new Uint32Array(this.capacity * WORDS);
    this.hashes = new Uint32Array(this.capacity);
    this.times = new Float64Array(this.capacity);
    this.owners = new Array<SocketOwner | null>(this.capacity).fill(null);
    let size = 2;
    while (size < this.capacity * 2) size *= 2;
    this.index = new Int32Array(size);
    this.mask = size - 1;
  }

  /** Drops entries older than `limitS` from the head. */
  expire(limitS: number): void {
    while (this.count > 0) {
      const i = this.head;
      if (this.owners[i] !== null) {
        if (this.times[i] >= limitS) return;
        this.unindex(i);
        this.unmatched++;
      }
      this.pop();
    }
  }

  put(k: Uint32Array, h: number, owner: SocketOwner, timeS: number): void {
    const found = this.find(k, h);
    if (found >= 0) {
      this.owners[found] = owner;
      this.times[found] = timeS;
      return;
    }
    if (this.count === this.capacity) {
      const i = this.head;
      if (this.owners[i] !== null) {
        this.unindex(i);
        this.unmatched++;
      }
      this.pop();
    }
    const i = (this.head + this.count) % this.capacity;
    this.count++;
    this.keys.set(k, i * WORDS);
    this.hashes[i] = h;
    this.times[i] = timeS;
    this.owners[i] = owner;
    this.live++;
    let j = h & this.mask;
    while (this.index[j] !== 0) j = (j + 1) & this.mask;
    this.index[j] = i + 1;
  }

  /** The owner waiting for key `k` (hash `h`), removed; null if none. */
  take(k: Uint32Array, h: number): SocketOwner | null {
    return this.takeAt(this.find(k, h));
  }

  /** The owner at ring position i (from `find`), removed; null for -1. */
  takeAt(i: number): SocketOwner | null {
    if (i < 0) return null;
    const o = this.owners[i];
    this.unindex(i);
    return o;
  }

  private pop(): void {
    this.owners[this.head] = null;
    this.head = (this.head + 1) % this.capacity;
    this.count--;
  }

  /** The ring position of the live entry for key `k` (hash `h`), or -1. */
  find(k: Uint32Array, h: number): number {
    const keys = this.keys;
    for (let j = h & this.mask; ; j = (j + 1) & this.mask) {
      const e = this.index[j];
      if (e === 0) return -1;
      const i = e - 1;
      if (this.hashes[i] !== h) continue;
      const b = i * WORDS;
      let same = true;
      for (let w = 0; w < WORDS && same; w++) same = keys[b + w] === k[w];
      if (same) return i;
    }
  }

  /** Removes entry i from the hash (its ring position stays, dead, until popped). */
  private unindex(i: number): void {
    const idx = this.index;
    const mask = this.mask;
    let hole = this.hashes[i] & mask;
    while (idx[hole] !== i + 1) hole = (hole + 1) & mask;
    idx[hole] = 0;
    this.owners[i] = null;
    this.live--;
    // Close the gap: an entry further along the chain moves back into the hole unless its home lies after the
    // hole (cyclically), which would put it before its home.
    for (let j = (hole + 1) & mask; idx[j] !== 0; j = (j + 1) & mask) {
      const home = this.hashes[idx[j] - 1] & mask;
      const stays = hole <= j ? home > hole && home <= j : home > hole || home <= j;
      if (stays) continue;
      idx[hole] = idx[j];
      idx[j] = 0;
      hole = j;
    }
  }
}

export class SocketAttribution {
  readonly counts: SocketEventCounts = { events: 0, lost: 0, matched: 0, unmatched: 0, noPid: 0, error: null };
  private readonly procRoot: string;
  private readonly uid: number;
  private readonly users: UserNames;
  private readonly now: () => number;
  private readonly maxAge: number;
  private readonly maxProcesses: number;
  private readonly describesPerSecond: number;
  private readonly pending: PendingEvents;
  private readonly processes = new Map<number, ProcessEntry>();
  private readonly reader: SocketEventsReader;
  private readonly locals: LocalAddresses;
  private readonly k = new Uint32Array(WORDS);
  private match: SocketEventMatcher = () => false;
  private clockS = -Infinity;
  private describeWindow = -Infinity;
  private describesLeft = 0;

  constructor(o: SocketAttributionOptions = {}) {
    this.procRoot = o.procRoot ?? '/proc';
    this.uid = o.uid ?? process.getuid?.() ?? -1;
    this.now = o.now ?? Date.now;
    this.users = new UserNames(o.passwdPath ?? '/etc/passwd', this.now);
    this.maxAge = o.pendingMaxAgeS ?? DEFAULT_PENDING_AGE_S;
    this.maxProcesses = Math.max(1, o.maxProcesses ?? DEFAULT_MAX_PROCESSES);
    this.describesPerSecond = o.describesPerSecond ?? DEFAULT_DESCRIBES_PER_S;
    this.pending = new PendingEvents(o.pendingCapacity ?? DEFAULT_PENDING);
    this.locals = new LocalAddresses(o.localAddresses ?? interfaceAddresses, this.now);
    this.reader = new SocketEventsReader((e) => this.onEvent(e), (n) => (this.counts.lost += n));
  }

  /** The engine's hook: tried first for every event. */
  attach(match: SocketEventMatcher): void {
    this.match = match;
  }

  /** Events waiting for their flow. */
  get waiting(): number {
    return this.pending.live;
  }

  /**
   * Reads a chunk of the stream at capture time `clockS` (seconds). A stream that is not one, or breaks, is given
   * up with its reason in `counts.error`: nothing throws, and later chunks are ignored.
   */
  push(chunk: Uint8Array, clockS: number): void {
    if (this.counts.error !== null) return;
    this.clockS = clockS;
    try {
      this.reader.push(chunk);
    } catch (e) {
      if (!(e instanceof SocketEventsFormatError)) throw e;
      this.counts.error = e.message;
    }
    this.counts.unmatched = this.pending.unmatched;
  }

  /**
   * The process of the socket whose local end is at `words[localAt]`:`localPort` and remote end at
   * `words[remoteAt]`:`remotePort` (flow-table key words: one for IPv4, four for IPv6), if its event is waiting;
   * the event is used up.
   */
  take(words: Uint32Array, localAt: number, localPort: number, remoteAt: number, remotePort: number, proto: number, family: number, clockS: number): SocketOwner | null {
    const p = this.pending;
    if (p.live === 0) return null;
    p.expire(clockS - this.maxAge);
    const k = this.k;
    const n = family === 6 ? 4 : 1;
    for (let i = 0; i < 4; i++) {
      k[i] = i < n ? words[localAt + i] : 0;
      k[4 + i] = i < n ? words[remoteAt + i] : 0;
    }
    k[8] = ((localPort << 16) | remotePort) >>> 0;
    k[9] = proto | (family << 8);
    let o = p.take(k, hashKey(k, family === 6));
    if (o === null && !isWildcard(k)) {
      // A socket bound to the wildcard address, if this end is one of this host's addresses.
      k[0] = k[1] = k[2] = k[3] = 0;
      const i = p.find(k, hashKey(k, family === 6));
      if (i >= 0 && this.locals.has(words, localAt, family)) o = p.takeAt(i);
    }
    if (o !== null) this.counts.matched++;
    this.counts.unmatched = p.unmatched;
    return o;
  }

  private onEvent(e: SocketEventRecord): void {
    this.counts.events++;
    if (e.pid === 0) {
      this.counts.noPid++;
      return;
    }
    const owner = this.ownerOf(e);
    const k = this.k;
    k.set(e.localWords, 0);
    k.set(e.remoteWords, 4);
    k[8] = ((e.localPort << 16) | e.remotePort) >>> 0;
    k[9] = e.protocol | (e.family << 8);
    if (this.match(k, owner, false) || (isWildcard(k) && this.matchLocal(k, owner, e.family))) {
      this.counts.matched++;
      return;
    }
    const p = this.pending;
    p.expire(this.clockS - this.maxAge);
    p.put(k, hashKey(k, e.family === 6), owner, e.timeUs / 1e6);
  }

  /** A wildcard event tried as each of this host's addresses of its family; k's local words end as zeros. */
  private matchLocal(k: Uint32Array, owner: SocketOwner, family: number): boolean {
    const l = this.locals;
    let hit = false;
    for (let i = 0, n = l.count(family); i < n && !hit; i++) {
      l.write(k, family, i);
      hit = this.match(k, owner, true);
    }
    k[0] = k[1] = k[2] = k[3] = 0;
    return hit;
  }

  private ownerOf(e: SocketEventRecord): SocketOwner {
    const cw = e.commWords;
    const cached = this.processes.get(e.pid);
    if (cached !== undefined && cached.uid === e.uid) {
      if (cached.c0 === cw[0] && cached.c1 === cw[1] && cached.c2 === cw[2] && cached.c3 === cw[3]) return cached.owner;
      // Another thread's name, or an exec: the same process unless it is time to look again.
      if (this.now() - cached.at < REDESCRIBE_MS) return cached.owner;
    }
    const owner = this.describe(e);
    if (this.processes.size >= this.maxProcesses) this.processes.clear();
    this.processes.set(e.pid, { owner, uid: e.uid, c0: cw[0], c1: cw[1], c2: cw[2], c3: cw[3], at: this.now() });
    return owner;
  }

  private describe(e: SocketEventRecord): SocketOwner {
    if (e.uid === this.uid && this.mayDescribe()) {
      const d = describeProcess(this.procRoot, e.pid, this.users);
      if (d !== null) return d;
    }
    const b = e.commBytes;
    let n = 0;
    while (n < b.length && b[n] !== 0) n++;
    const comm = displayTextOrNull(utf8.decode(b.subarray(0, n)), 64);
    return { pid: e.pid, process: comm, exe: null, user: this.users.name(e.uid), cmdline: null, hidden: false };
  }

  private mayDescribe(): boolean {
    const t = this.now();
    if (t - this.describeWindow >= 1000) {
      this.describeWindow = t;
      this.describesLeft = this.describesPerSecond;
    }
    if (this.describesLeft <= 0) return false;
    this.describesLeft--;
    return true;
  }
}

function isWildcard(k: Uint32Array): boolean {
  return (k[0] | k[1] | k[2] | k[3]) === 0;
}
