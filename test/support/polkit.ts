/**
 * The pkexec test rig: a private system D-Bus and polkitd for system tests that run pkexec for real, plus rules
 * files and test users. A machine has one system bus, so the rig takes a machine-wide lock first (two test files
 * never run these daemons at once), refuses rather than touches a bus it did not start, and stop() ends exactly the
 * processes it started and removes exactly the files it wrote. The lock file records those pids, so a rig whose
 * test process died is cleaned up by the next one.
 *
 * Usage:
 *   const skip = polkitSkipReason(); if (skip) return t.skip(skip);
 *   const user = ensureTestUser('sp-pk-test');
 *   const rig = await startPolkit({ rules: polkitRule({ user: user.name, result: 'YES' }) });
 *   try { ... run `runuser -u USER -- pkexec ...` ... } finally { await rig.stop(); }
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync, rmSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';

export const LOCK_PATH = '/run/sandpiper-polkit-test.lock';
export const SYSTEM_BUS_SOCKET = '/run/dbus/system_bus_socket';
export const DBUS_PID_FILE = '/run/dbus/pid';
export const RULES_DIR = '/etc/polkit-1/rules.d';
/** The action pkexec checks for a program without an action of its own. */
export const PKEXEC_ACTION = 'org.freedesktop.policykit.exec';

const POLKITD_CANDIDATES = ['/usr/lib/polkit-1/polkitd', '/usr/libexec/polkitd', '/usr/libexec/polkit-1/polkitd'];

/** Thrown when the rig cannot run here; the message is a skip reason. */
export class PolkitUnavailable extends Error {}

export interface PolkitRig {
  /** The rules file this rig wrote. */
  readonly rulesPath: string;
  /** Replaces the rules and restarts polkitd so they apply before this resolves. */
  setRules(rules: string): Promise<void>;
  stop(): Promise<void>;
}

export interface TestUser {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

function which(cmd: string): string | null {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

export function findPolkitd(): string | null {
  try {
    const listed = execFileSync('dpkg', ['-L', 'polkitd'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
      .split('\n')
      .find((l) => /\/polkitd$/.test(l) && !l.includes('sysusers') && !l.includes('tmpfiles'));
    if (listed && existsSync(listed)) return listed;
  } catch {
    /* not a dpkg system: try the usual places */
  }
  return POLKITD_CANDIDATES.find((p) => existsSync(p)) ?? null;
}

/** Why the rig cannot run on this machine (null when it can); does not look at the lock or a running bus. */
export function polkitSkipReason(): string | null {
  if (process.getuid?.() !== 0) return 'the pkexec rig needs root (it starts dbus-daemon and polkitd)';
  for (const cmd of ['pkexec', 'dbus-daemon', 'dbus-send', 'runuser', 'useradd']) {
    if (which(cmd) === null) return `${cmd} is not installed (apt-get install pkexec polkitd dbus)`;
  }
  if (findPolkitd() === null) return 'polkitd is not installed (apt-get install polkitd)';
  if (!existsSync(RULES_DIR)) return `${RULES_DIR} does not exist (is polkitd installed?)`;
  return null;
}

/** Alive and not a zombie. */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

function comm(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return null;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(cond: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

interface LockContents {
  owner: number;
  dbus?: number;
  polkitd?: number;
  rules?: string;
}

function readLock(): LockContents | null {
  try {
    return JSON.parse(readFileSync(LOCK_PATH, 'utf8')) as LockContents;
  } catch {
    return null;
  }
}

function writeLock(c: LockContents): void {
  writeFileSync(LOCK_PATH, JSON.stringify(c));
}

/** Ends a pid the rig recorded, only if it is still the program we started. */
function killRecorded(pid: number | undefined, expectComm: string): void {
  if (pid === undefined || !pidAlive(pid) || comm(pid) !== expectComm) return;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    /* gone */
  }
}

/** Cleans up after a rig whose test process died, from what its lock file recorded. */
function recoverStale(c: LockContents | null): void {
  if (c === null) return;
  killRecorded(c.polkitd, 'polkitd');
  if (c.dbus !== undefined) {
    killRecorded(c.dbus, 'dbus-daemon');
    removeDbusFiles(c.dbus);
  }
  if (c.rules && c.rules.startsWith(RULES_DIR + '/')) rmSync(c.rules, { force: true });
}

async function acquireLock(timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  let unreadableSince: number | null = null;
  for (;;) {
    try {
      const fd = openSync(LOCK_PATH, 'wx', 0o600);
      writeSync(fd, JSON.stringify({ owner: process.pid } satisfies LockContents));
      closeSync(fd);
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const held = readLock();
    // Unreadable for a moment means its owner is still writing it; for long, a crash mid-write.
    if (held === null) unreadableSince ??= Date.now();
    else unreadableSince = null;
    const stale = held !== null ? !pidAlive(held.owner) : Date.now() - (unreadableSince ?? Date.now()) > 2000;
    if (stale) {
      recoverStale(held);
      try {
        unlinkSync(LOCK_PATH);
      } catch {
        /* another waiter removed it first */
      }
      continue;
    }
    if (Date.now() > end) throw new PolkitUnavailable(`another test holds ${LOCK_PATH} (pid ${held?.owner ?? '?'})`);
    await sleep(200);
  }
}

function releaseLock(): void {
  const held = readLock();
  if (held !== null && held.owner === process.pid) rmSync(LOCK_PATH, { force: true });
}

/** Is something accepting connections on the system bus socket? */
function busListening(): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(SYSTEM_BUS_SOCKET);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

function removeDbusFiles(ourPid: number): void {
  try {
    if (Number(readFileSync(DBUS_PID_FILE, 'utf8').trim()) !== ourPid) return;
  } catch {
    return;
  }
  rmSync(DBUS_PID_FILE, { force: true });
  rmSync(SYSTEM_BUS_SOCKET, { force: true });
}

function nameHasOwner(name: string): boolean {
  const r = spawnSync(
    'dbus-send',
    ['--system', '--print-reply', '--dest=org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus.NameHasOwner', `string:${name}`],
    { encoding: 'utf8', timeout: 5000 },
  );
  return r.status === 0 && /boolean true/.test(r.stdout);
}

/** A rules file granting (or denying, or asking) `user` the given action. */
export function polkitRule(o: { user: string; result: 'YES' | 'NO' | 'AUTH_ADMIN' | 'AUTH_SELF'; action?: string }): string {
  const action = o.action ?? PKEXEC_ACTION;
  if (!/^[a-z_][a-z0-9_-]*$/.test(o.user) || !/^[A-Za-z0-9.-]+$/.test(action)) throw new Error('unsafe user or action name');
  return `// Written by Sandpiper's test rig; removed when the test ends.
polkit.addRule(function (action, subject) {
  if (action.id == "${action}" && subject.user == "${o.user}") return polkit.Result.${o.result};
});
`;
}

/**
 * Starts dbus-daemon (system bus) and polkitd with `rules` installed. Throws PolkitUnavailable (a skip reason) when
 * the machine cannot host the rig or a system bus it did not start is already running.
 */
export async function startPolkit(opts: { rules: string; lockTimeoutMs?: number }): Promise<PolkitRig> {
  const reason = polkitSkipReason();
  if (reason !== null) throw new PolkitUnavailable(reason);
  const polkitdPath = findPolkitd() as string;
  await acquireLock(opts.lockTimeoutMs ?? 180_000);

  const state: LockContents = { owner: process.pid };
  let polkitd: ChildProcess | null = null;
  const rulesPath = path.join(RULES_DIR, `10-sandpiper-test-${process.pid}-${randomBytes(4).toString('hex')}.rules`);

  const stopPolkitd = async () => {
    const p = polkitd;
    polkitd = null;
    if (p === null || p.exitCode !== null || p.signalCode !== null) return;
    const exited = new Promise<void>((r) => p.once('exit', () => r()));
    p.kill('SIGTERM');
    await Promise.race([exited, sleep(5000)]);
    if (p.exitCode === null && p.signalCode === null) {
      p.kill('SIGKILL');
      await exited;
    }
  };

  const startPolkitd = async () => {
    const p = spawn(polkitdPath, ['--no-debug'], { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
    polkitd = p;
    let log = '';
    p.stderr?.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-2000)));
    if (p.pid === undefined) throw new Error(`cannot start ${polkitdPath}`);
    state.polkitd = p.pid;
    writeLock(state);
    try {
      await waitFor(() => {
        if (p.exitCode !== null) throw new Error(`polkitd exited (${p.exitCode}): ${log.trim()}`);
        return nameHasOwner('org.freedesktop.PolicyKit1');
      }, 20_000, 'polkitd to own org.freedesktop.PolicyKit1');
    } catch (e) {
      await stopPolkitd();
      throw e;
    }
  };

  const stopDbus = async () => {
    const pid = state.dbus;
    if (pid === undefined) return;
    if (pidAlive(pid) && comm(pid) === 'dbus-daemon') process.kill(pid, 'SIGTERM');
    await waitFor(() => !pidAlive(pid), 5000, 'dbus-daemon to exit').catch(() => {
      if (pidAlive(pid) && comm(pid) === 'dbus-daemon') process.kill(pid, 'SIGKILL');
    });
    removeDbusFiles(pid);
    state.dbus = undefined;
  };

  const cleanup = async () => {
    await stopPolkitd();
    await stopDbus();
    rmSync(rulesPath, { force: true });
    releaseLock();
  };

  try {
    if (await busListening()) {
      throw new PolkitUnavailable(`a system D-Bus is already running on ${SYSTEM_BUS_SOCKET}; the pkexec rig only runs its own`);
    }
    // Leftovers of a bus that is gone: dbus-daemon refuses to start over its pid file.
    if (existsSync(DBUS_PID_FILE)) {
      const old = Number(readFileSync(DBUS_PID_FILE, 'utf8').trim());
      if (Number.isInteger(old) && old > 0 && pidAlive(old) && comm(old) === 'dbus-daemon') {
        throw new PolkitUnavailable(`dbus-daemon pid ${old} is running without listening on ${SYSTEM_BUS_SOCKET}`);
      }
      rmSync(DBUS_PID_FILE, { force: true });
    }
    rmSync(SYSTEM_BUS_SOCKET, { force: true });

    writeFileSync(rulesPath, opts.rules, { mode: 0o644 });
    state.rules = rulesPath;
    writeLock(state);

    const out = execFileSync('dbus-daemon', ['--system', '--fork', '--print-pid'], { encoding: 'utf8', timeout: 10_000 });
    const pid = Number(out.trim().split('\n')[0]);
    if (!Number.isInteger(pid) || pid <= 0) throw new Error(`dbus-daemon printed no pid: ${out}`);
    state.dbus = pid;
    writeLock(state);
    await waitFor(busListening, 10_000, 'the system bus socket');
    await startPolkitd();
  } catch (e) {
    await cleanup();
    throw e;
  }

  let stopped = false;
  return {
    rulesPath,
    async setRules(rules) {
      writeFileSync(rulesPath, rules, { mode: 0o644 });
      // polkitd reloads rules on a file watch, asynchronously; a restart applies them deterministically.
      await stopPolkitd();
      await startPolkitd();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await cleanup();
    },
  };
}

/**
 * Runs `body` with a rig whose rules come from `rules(user)` for the test user `userName` (created once), and stops
 * the rig after; skips the test when the machine cannot host the rig.
 */
export async function withPolkitRig(
  t: { skip: (m: string) => void },
  userName: string,
  rules: (u: TestUser) => string,
  body: (rig: PolkitRig, u: TestUser) => Promise<void>,
): Promise<void> {
  const skip = polkitSkipReason();
  if (skip) return t.skip(skip);
  const user = ensureTestUser(userName);
  let rig: PolkitRig;
  try {
    rig = await startPolkit({ rules: rules(user) });
  } catch (e) {
    if (e instanceof PolkitUnavailable) return t.skip(e.message);
    throw e;
  }
  try {
    await body(rig, user);
  } finally {
    await rig.stop();
  }
}

/** Creates (once) a non-root user with a home directory; returns its ids. */
export function ensureTestUser(name: string): TestUser {
  if (!/^[a-z_][a-z0-9_-]{0,30}$/.test(name)) throw new Error(`unsafe user name '${name}'`);
  const lookup = () => spawnSync('id', ['-u', name], { encoding: 'utf8' });
  if (lookup().status !== 0) {
    const r = spawnSync('useradd', ['--create-home', '--shell', '/bin/sh', '--user-group', name], { encoding: 'utf8' });
    // Another test may have created it meanwhile (exit 9: already exists).
    if (r.status !== 0 && r.status !== 9) throw new Error(`useradd ${name} failed: ${r.stderr.trim()}`);
  }
  const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8' }).trim());
  const home = execFileSync('getent', ['passwd', name], { encoding: 'utf8' }).trim().split(':')[5];
  if (uid === 0) throw new Error(`user ${name} has uid 0`);
  return { name, uid, gid, home };
}
