/**
 * Which local process owns a flow's socket (live captures of this host). The socket tables in /proc/net give
 * (local, remote) → inode and owner uid; the /proc/PID/fd symlinks ("socket:[INODE]") give inode → pid; comm, exe
 * and status give the process name, executable and user. Reading all of that is costly, so it is cached and
 * re-read only when a lookup misses, at most once per `refreshMs` — never per packet — and the fd scan only when
 * the missed socket is new since the last scan. The reads are synchronous, on the thread that reads the capture:
 * a miss re-reads only its protocol's tables (a UDP flood never walks TCP's: the kernel's walk of /proc/net/tcp
 * visits every bucket of its hash however few sockets there are, slow on a host with much memory), and each kind
 * of read waits at least COST_FACTOR times as long as it last took, so they never take more than a small share of
 * that thread. Names and paths are the process's own choice, so they leave here
 * only through displayText (display-text.ts): no control or bidi characters reach a table.
 */
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { displayText, displayTextOrNull } from './display-text.ts';
import { parseProcNetTable, TCP_LISTEN, type ProcSocket, type SocketProto } from './proc-net.ts';

export interface SocketOwner {
  pid: number | null;
  process: string | null;
  exe: string | null;
  user: string | null;
  /** The command line, arguments joined by spaces (own processes only). */
  cmdline?: string | null;
  /** The socket exists but belongs to a process this user may not inspect. */
  hidden: boolean;
}

/** Longest command line kept, characters. */
const CMDLINE_MAX = 1024;
/** A uid missing from /etc/passwd re-reads it at most this often, and at most this many unknown uids are kept. */
const PASSWD_REREAD_MS = 10_000;
const MAX_UNKNOWN_UIDS = 1024;

/** uid → user name from /etc/passwd, read once and again only for an unknown uid (rate-limited); numeric when unknown. */
export class UserNames {
  private readonly path: string;
  private readonly now: () => number;
  private names = new Map<number, string>();
  private unknown = new Map<number, string>();
  private lastRead = -Infinity;

  constructor(path = '/etc/passwd', now: () => number = Date.now) {
    this.path = path;
    this.now = now;
  }

  name(uid: number): string {
    const known = this.names.get(uid) ?? this.unknown.get(uid);
    if (known !== undefined) return known;
    const t = this.now();
    if (t - this.lastRead >= PASSWD_REREAD_MS) {
      this.lastRead = t;
      this.names = this.read();
      this.unknown.clear();
      const found = this.names.get(uid);
      if (found !== undefined) return found;
    }
    if (this.unknown.size >= MAX_UNKNOWN_UIDS) this.unknown.clear();
    const n = String(uid);
    this.unknown.set(uid, n);
    return n;
  }

  private read(): Map<number, string> {
    const m = new Map<number, string>();
    try {
      for (const line of readFileSync(this.path, 'utf8').split('\n')) {
        const f = line.split(':');
        if (f.length >= 3 && /^[0-9]+$/.test(f[2]) && !m.has(Number(f[2]))) m.set(Number(f[2]), displayText(f[0], 64));
      }
    } catch { /* no passwd: numeric uids */ }
    return m;
  }
}

/**
 * What /proc says of a process: its name (comm, or the executable's for a runtime's thread name), executable,
 * command line and user. Null when the process is gone. Reading exe needs the right to inspect the process.
 */
export function describeProcess(procRoot: string, pid: number, users: UserNames): SocketOwner | null {
  const dir = `${procRoot}/${pid}`;
  let process: string | null = null;
  let exe: string | null = null;
  let user: string | null = null;
  let cmdline: string | null = null;
  try {
    process = readFileSync(`${dir}/comm`, 'utf8').replace(/\n$/, '') || null;
  } catch {
    return null; // gone
  }
  try {
    exe = readlinkSync(`${dir}/exe`);
  } catch { /* kernel thread or not ours */ }
  try {
    cmdline = readFileSync(`${dir}/cmdline`, 'latin1').slice(0, CMDLINE_MAX * 4).replace(/\0+$/, '').replaceAll('\0', ' ') || null;
  } catch { /* gone */ }
  if (process !== null && RUNTIME_THREAD_NAMES.has(process)) process = programName(exe, cmdline) ?? process;
  try {
    const m = /^Uid:\s+(\d+)/m.exec(readFileSync(`${dir}/status`, 'utf8'));
    if (m) user = users.name(Number(m[1]));
  } catch { /* process gone */ }
  return { pid, process: displayTextOrNull(process, 64), exe: displayTextOrNull(exe), user, cmdline: displayTextOrNull(cmdline, CMDLINE_MAX), hidden: false };
}

export interface ProcessAttributorOptions {
  /** Root of the proc filesystem (tests point this at a generated tree). */
  procRoot?: string;
  /** Minimum time between re-reads of /proc, milliseconds. */
  refreshMs?: number;
  now?: () => number;
  /** Where uid → user names come from. */
  passwdPath?: string;
  /** This host's addresses (default: the network interfaces'); a socket bound to 0.0.0.0/:: only answers for these. */
  localAddresses?: () => Iterable<string>;
}

interface Entry {
  inode: number;
  uid: number;
}

const TABLES: Record<SocketProto, string[]> = { tcp: ['tcp', 'tcp6'], udp: ['udp', 'udp6'] };

/** A re-read of /proc waits at least this many times as long as the last one took. */
const COST_FACTOR = 20;

/** One protocol's sockets, as last read. */
interface SocketTables {
  /** "local lport remote rport" → socket; plus "local lport" and "* lport" for unconnected ones. */
  sockets: Map<string, Entry>;
  /** Local ports of these sockets: most flows of a busy capture have none here. */
  ports: Set<number>;
  /** When they may be read again (`now` time). */
  nextRead: number;
}

const emptyTables = (): SocketTables => ({ sockets: new Map(), ports: new Set(), nextRead: -Infinity });

/**
 * Names some runtimes give their main thread, which replace the program name in /proc/PID/comm (Node.js ≥ 23 calls
 * it "MainThread"). For these the executable's name says more.
 */
const RUNTIME_THREAD_NAMES = new Set(['MainThread']);

/** Basename of the executable, else of argv[0] (the command line's first word). */
function programName(exe: string | null, cmdline: string | null): string | null {
  const p = exe ?? (cmdline === null ? null : cmdline.split(' ')[0] || null);
  if (p === null) return null;
  const base = p.replace(/ \(deleted\)$/, '').split('/').pop();
  return base ? base.slice(0, 64) : null;
}

function normalizeAddress(a: string): string {
  // An IPv4-mapped IPv6 address names the same endpoint as the plain IPv4 one.
  return a.startsWith('::ffff:') && a.includes('.') ? a.slice(7) : a;
}

function isWildcard(a: string): boolean {
  return a === '0.0.0.0' || a === '::';
}

/** Multicast and broadcast destinations are received by local wildcard-bound sockets too. */
function isGroupAddress(a: string): boolean {
  if (a.includes(':')) return a.startsWith('ff');
  const first = Number(a.slice(0, a.indexOf('.')));
  return (first >= 224 && first <= 239) || a === '255.255.255.255';
}

/** This host's addresses as the network interfaces list them (scope ids dropped). */
export function interfaceAddresses(): string[] {
  const out: string[] = [];
  for (const list of Object.values(networkInterfaces())) for (const i of list ?? []) out.push(i.address.replace(/%.*$/, ''));
  return out;
}

export class ProcessAttributor {
  private readonly procRoot: string;
  private readonly refreshMs: number;
  private readonly now: () => number;
  private readonly localAddresses: () => Iterable<string>;
  private locals = new Set<string>();
  private tables: Record<SocketProto, SocketTables> = { tcp: emptyTables(), udp: emptyTables() };
  /** When the fd scan may run again (`now` time). */
  private nextScan = -Infinity;
  private owners = new Map<number, SocketOwner>();
  /** Socket inodes the last fd scan looked for; one of these without an owner will not get one by rescanning. */
  private scanned = new Set<number>();
  /** The last scan met /proc/PID/fd directories it could not read. */
  private sawUnreadable = false;
  private readonly users: UserNames;
  /** The last lookup that found nothing had found the socket itself: its process closed it or exited before the scan. */
  lastMissFoundSocket = false;

  constructor(opts: ProcessAttributorOptions = {}) {
    this.procRoot = opts.procRoot ?? '/proc';
    this.refreshMs = opts.refreshMs ?? 250;
    this.now = opts.now ?? Date.now;
    this.users = new UserNames(opts.passwdPath ?? '/etc/passwd', this.now);
    this.localAddresses = opts.localAddresses ?? interfaceAddresses;
  }

  /** Whether a socket of this host may have `port` (re-reading stale tables): lets callers skip lookup cheaply. */
  hasPort(proto: SocketProto, port: number): boolean {
    this.refreshTables(proto, this.now());
    return this.tables[proto].ports.has(port);
  }

  lookup(proto: SocketProto, localAddr: string, localPort: number, remoteAddr: string, remotePort: number): SocketOwner | null {
    const la = normalizeAddress(localAddr);
    const ra = normalizeAddress(remoteAddr);
    let entry = this.find(proto, la, localPort, ra, remotePort);
    let owner = entry ? this.owners.get(entry.inode) : undefined;
    if (owner) return owner;
    const t = this.now();
    if (this.refreshTables(proto, t)) entry = this.find(proto, la, localPort, ra, remotePort);
    // The fd scan is the costly part: only for a socket that appeared since the last scan. Its own time gate lets
    // the caller's second try (the flow's other end as local) scan right after the first try re-read the tables.
    if (entry && !this.scanned.has(entry.inode) && t >= this.nextScan) {
      const started = this.now();
      this.scanProcesses();
      this.nextScan = t + Math.max(this.refreshMs, COST_FACTOR * (this.now() - started));
    }
    owner = entry ? this.owners.get(entry.inode) : undefined;
    if (owner) return owner;
    this.lastMissFoundSocket = entry !== undefined;
    if (!entry) return null;
    // Not found although the socket exists: if some processes' fds were unreadable, it is one of theirs. Say so
    // (with the socket's owner uid from the table) rather than guess a pid.
    if (this.sawUnreadable && this.scanned.has(entry.inode)) {
      return { pid: null, process: null, exe: null, user: this.users.name(entry.uid), cmdline: null, hidden: true };
    }
    return null;
  }

  private find(proto: SocketProto, la: string, lp: number, ra: string, rp: number): Entry | undefined {
    const sockets = this.tables[proto].sockets;
    const e = sockets.get(`${la} ${lp} ${ra} ${rp}`) ?? sockets.get(`${la} ${lp}`);
    if (e) return e;
    // A wildcard-bound socket matches any local address, but only a local one: the caller may be trying the flow's
    // remote end as "local" (it tries both orientations), and a remote port equal to a local listening port must
    // not borrow that listener's process.
    if (!this.locals.has(la) && !isGroupAddress(la)) return undefined;
    return sockets.get(`* ${lp}`);
  }

  /**
   * Re-reads one protocol's socket tables, and this host's addresses, when they are due; true when it did. The first
   * read takes both protocols, so the first fd scan knows every socket.
   */
  private refreshTables(proto: SocketProto, t: number): boolean {
    if (t < this.tables[proto].nextRead) return false;
    const other: SocketProto = proto === 'tcp' ? 'udp' : 'tcp';
    if (this.tables[other].nextRead === -Infinity) this.readTables(other, t);
    this.readTables(proto, t);
    this.locals = new Set<string>();
    try {
      for (const a of this.localAddresses()) this.locals.add(normalizeAddress(a));
    } catch { /* no interface list: wildcard sockets match nothing */ }
    return true;
  }

  private readTables(proto: SocketProto, t: number): void {
    const started = this.now();
    const next: SocketTables = emptyTables();
    for (const file of TABLES[proto]) {
      let text: string;
      try {
        text = readFileSync(`${this.procRoot}/net/${file}`, 'latin1');
      } catch {
        continue; // e.g. no IPv6 in this kernel
      }
      for (const s of parseProcNetTable(text, proto)) this.addSocket(next, s);
    }
    next.nextRead = t + Math.max(this.refreshMs, COST_FACTOR * (this.now() - started));
    this.tables[proto] = next;
  }

  private addSocket(into: SocketTables, s: ProcSocket): void {
    if (s.inode === 0) return; // TIME_WAIT and request sockets belong to no process
    const e = { inode: s.inode, uid: s.uid };
    into.ports.add(s.localPort);
    const map = into.sockets;
    const unconnected = s.remotePort === 0 && isWildcard(s.remote);
    if (!unconnected) {
      map.set(`${s.local} ${s.localPort} ${s.remote} ${s.remotePort}`, e);
      return;
    }
    // Unconnected UDP sockets and TCP listeners answer for any remote; a listener owns connections not yet accepted.
    if (s.proto === 'tcp' && s.state !== TCP_LISTEN) return;
    const key = isWildcard(s.local) ? `* ${s.localPort}` : `${s.local} ${s.localPort}`;
    if (!map.has(key)) map.set(key, e);
  }

  /** Maps the inodes of all current sockets to the processes holding them, via every readable /proc/PID/fd. */
  private scanProcesses(): void {
    const wanted = new Set<number>();
    for (const tables of Object.values(this.tables)) for (const e of tables.sockets.values()) wanted.add(e.inode);
    const owners = new Map<number, SocketOwner>();
    let unreadable = false;
    let pids: string[];
    try {
      pids = readdirSync(this.procRoot).filter((n) => /^[0-9]+$/.test(n));
    } catch {
      pids = [];
    }
    for (const pid of pids) {
      const fdDir = `${this.procRoot}/${pid}/fd`;
      let fds: string[];
      try {
        fds = readdirSync(fdDir);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EACCES') unreadable = true;
        continue;
      }
      let owner: SocketOwner | null = null;
      for (const fd of fds) {
        let link: string;
        try {
          link = readlinkSync(`${fdDir}/${fd}`);
        } catch {
          continue; // fd closed meanwhile
        }
        if (!link.startsWith('socket:[')) continue;
        const inode = Number(link.slice(8, -1));
        if (!wanted.has(inode) || owners.has(inode)) continue;
        owner ??= this.describe(Number(pid));
        owners.set(inode, owner);
      }
    }
    this.owners = owners;
    this.scanned = wanted;
    this.sawUnreadable = unreadable;
  }

  private describe(pid: number): SocketOwner {
    return describeProcess(this.procRoot, pid, this.users) ?? { pid, process: null, exe: null, user: null, cmdline: null, hidden: false };
  }
}
