import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, linkSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import net from 'node:net';
import dgram from 'node:dgram';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ProcessAttributor } from '../../src/engine/process-attribution.ts';
import { REPLACEMENT } from '../../src/engine/display-text.ts';
import { decodeProcAddress, parseProcNetTable } from '../../src/engine/proc-net.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

// ---- fake /proc ----

/** Kernel-style hex of an address: each 32-bit word printed little-endian (the byte order of x86/arm64 hosts). */
function procHex(bytes: number[]): string {
  let s = '';
  for (let w = 0; w < bytes.length; w += 4) {
    for (let b = 3; b >= 0; b--) s += bytes[w + b].toString(16).padStart(2, '0').toUpperCase();
  }
  return s;
}
const v4 = (a: string) => a.split('.').map(Number);
function v6(a: string): number[] {
  const [head, tail] = a.split('::');
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail ? tail.split(':') : [];
  const groups = [...h, ...Array(8 - h.length - t.length).fill('0'), ...t].map((g) => parseInt(g, 16));
  return groups.flatMap((g) => [g >> 8, g & 255]);
}
const ep = (bytes: number[], port: number) => `${procHex(bytes)}:${port.toString(16).padStart(4, '0').toUpperCase()}`;

function line(i: number, local: string, remote: string, state: number, uid: number, inode: number): string {
  return `${String(i).padStart(4)}: ${local} ${remote} ${state.toString(16).padStart(2, '0').toUpperCase()} 00000000:00000000 00:00000000 00000000 ${String(uid).padStart(5)}        0 ${inode} 1 0000000000000000 20 4 30 10 -1`;
}
const HEADER = '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode';

interface FakeProc { pid: number; comm: string; exe: string; uid: number; inodes: number[] }

function makeFakeProc(root: string, tables: Record<string, string[]>, procs: FakeProc[]): void {
  mkdirSync(path.join(root, 'net'), { recursive: true });
  for (const [name, lines] of Object.entries(tables)) writeFileSync(path.join(root, 'net', name), [HEADER, ...lines, ''].join('\n'));
  for (const p of procs) addProc(root, p);
}

function addProc(root: string, p: FakeProc): void {
  const dir = path.join(root, String(p.pid));
  mkdirSync(path.join(dir, 'fd'), { recursive: true });
  writeFileSync(path.join(dir, 'comm'), `${p.comm}\n`);
  writeFileSync(path.join(dir, 'status'), `Name:\t${p.comm}\nUmask:\t0022\nState:\tS (sleeping)\nUid:\t${p.uid}\t${p.uid}\t${p.uid}\t${p.uid}\nGid:\t0\t0\t0\t0\n`);
  symlinkSync(p.exe, path.join(dir, 'exe'));
  symlinkSync('/dev/null', path.join(dir, 'fd', '0'));
  p.inodes.forEach((ino, i) => symlinkSync(`socket:[${ino}]`, path.join(dir, 'fd', String(3 + i))));
}

const PASSWD = 'root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000::/home/alice:/bin/sh\nnobody:x:65534:65534::/:/usr/sbin/nologin\n';

function fakeTree(): { root: string; passwd: string } {
  const base = mkdtempSync(path.join(os.tmpdir(), 'sandpiper-proc-'));
  const root = path.join(base, 'proc');
  const passwd = path.join(base, 'passwd');
  writeFileSync(passwd, PASSWD);
  makeFakeProc(root, {
    tcp: [
      line(0, ep(v4('0.0.0.0'), 22), ep(v4('0.0.0.0'), 0), 0x0a, 0, 2002),
      line(1, ep(v4('192.168.1.10'), 51000), ep(v4('93.184.216.34'), 443), 0x01, 1000, 2001),
      line(2, ep(v4('192.168.1.10'), 51001), ep(v4('93.184.216.34'), 443), 0x06, 0, 0), // TIME_WAIT: no inode
      line(3, ep(v4('127.0.0.1'), 3000), ep(v4('127.0.0.1'), 45000), 0x01, 1000, 2008),
    ],
    tcp6: [
      line(0, ep(v6('2001:db8::10'), 52000), ep(v6('2001:db8:0:1::443'), 443), 0x01, 1000, 2003),
      line(1, ep(v6('::ffff:a00:5'), 8443), ep(v6('::ffff:a00:9'), 40000), 0x01, 0, 2004), // ::ffff:10.0.0.5 ↔ ::ffff:10.0.0.9
    ],
    udp: [
      line(0, ep(v4('0.0.0.0'), 5353), ep(v4('0.0.0.0'), 0), 0x07, 0, 2005),
      line(1, ep(v4('192.168.1.10'), 40000), ep(v4('192.168.1.1'), 53), 0x01, 1000, 2006),
    ],
    udp6: [
      line(0, ep(v6('fe80::1'), 546), ep(v6('::'), 0), 0x07, 1000, 2007),
    ],
  }, [
    { pid: 100, comm: 'curl', exe: '/usr/bin/curl', uid: 1000, inodes: [2001, 2006] },
    { pid: 200, comm: 'sshd', exe: '/usr/sbin/sshd', uid: 0, inodes: [2002] },
    { pid: 300, comm: 'java', exe: '/usr/lib/jvm/bin/java', uid: 0, inodes: [2004] },
    { pid: 400, comm: 'avahi-daemon', exe: '/usr/sbin/avahi-daemon', uid: 0, inodes: [2005] },
    { pid: 500, comm: 'firefox', exe: '/usr/lib/firefox/firefox', uid: 1000, inodes: [2003, 2007] },
    { pid: 700, comm: 'MainThread', exe: '/opt/node/bin/node', uid: 1000, inodes: [2008] },
  ]);
  return { root, passwd };
}

test('/proc/net address decoding: v4, v6 word order, v4-mapped', () => {
  assert.equal(decodeProcAddress('0100007F'), '127.0.0.1');
  assert.equal(decodeProcAddress('00000000000000000000000001000000'), '::1');
  assert.equal(decodeProcAddress('B80D0120000000000000000001000000'), '2001:db8::1');
  assert.equal(decodeProcAddress('0000000000000000FFFF00000500000A'), '10.0.0.5');
  assert.equal(decodeProcAddress('000080FE000000000000000001000000'), 'fe80::1');
  assert.equal(decodeProcAddress(procHex(v6('2001:db8:0:1:2:3:4:5'))), '2001:db8:0:1:2:3:4:5');
  assert.equal(decodeProcAddress('XYZ'), null);
  assert.equal(decodeProcAddress('0100007G'), null);
});

test('/proc/net table parsing keeps good lines and skips malformed ones', () => {
  const text = [HEADER, line(0, ep(v4('127.0.0.1'), 8080), ep(v4('127.0.0.1'), 50000), 1, 1000, 77), '   1: garbage', ''].join('\n');
  assert.deepEqual(parseProcNetTable(text, 'tcp'), [
    { proto: 'tcp', local: '127.0.0.1', localPort: 8080, remote: '127.0.0.1', remotePort: 50000, state: 1, uid: 1000, inode: 77 },
  ]);
});

test('fake /proc: v4, v6, v4-mapped, listeners, UDP wildcard and connected sockets', (t) => {
  const { root, passwd } = fakeTree();
  t.after(() => rmSync(path.dirname(root), { recursive: true, force: true }));
  const pa = new ProcessAttributor({ procRoot: root, passwdPath: passwd, localAddresses: () => ['192.168.1.10', '127.0.0.1', 'fe80::1'] });
  assert.deepEqual(pa.lookup('tcp', '192.168.1.10', 51000, '93.184.216.34', 443),
    { pid: 100, process: 'curl', exe: '/usr/bin/curl', user: 'alice', hidden: false });
  assert.equal(pa.lookup('tcp', '2001:db8::10', 52000, '2001:db8:0:1::443', 443)?.process, 'firefox');
  assert.equal(pa.lookup('tcp', '10.0.0.5', 8443, '10.0.0.9', 40000)?.pid, 300, 'v4-mapped socket matches v4 flow');
  assert.equal(pa.lookup('tcp', '::ffff:10.0.0.5', 8443, '::ffff:10.0.0.9', 40000)?.pid, 300);
  assert.equal(pa.lookup('tcp', '192.168.1.10', 22, '192.168.1.77', 60000)?.process, 'sshd', 'listener owns a not-yet-accepted connection');
  assert.deepEqual(pa.lookup('udp', '192.168.1.10', 5353, '224.0.0.251', 5353),
    { pid: 400, process: 'avahi-daemon', exe: '/usr/sbin/avahi-daemon', user: 'root', hidden: false });
  assert.equal(pa.lookup('udp', '192.168.1.10', 40000, '192.168.1.1', 53)?.pid, 100, 'connected UDP');
  assert.equal(pa.lookup('udp', 'fe80::1', 546, 'ff02::1:2', 547)?.pid, 500, 'UDP bound to one v6 address');
  assert.equal(pa.lookup('tcp', '192.168.1.10', 51001, '93.184.216.34', 443), null, 'TIME_WAIT belongs to nobody');
  assert.equal(pa.lookup('tcp', '127.0.0.1', 3000, '127.0.0.1', 45000)?.process, 'node', 'Node names its main thread MainThread');
  assert.equal(pa.lookup('tcp', '192.168.1.10', 9, '1.1.1.1', 9), null);
  assert.equal(pa.lookup('udp', '192.168.1.10', 51000, '93.184.216.34', 443), null, 'protocols are not mixed');
  // The flow table tries both ends as "local": a remote end whose port equals a local wildcard listener's port must
  // not be attributed to that listener.
  assert.equal(pa.lookup('udp', '198.51.100.7', 5353, '192.168.1.10', 41000), null);
  assert.equal(pa.lookup('tcp', '203.0.113.9', 22, '192.168.1.10', 41000), null);
  assert.equal(pa.lookup('udp', '224.0.0.251', 5353, '192.168.1.77', 5353)?.process, 'avahi-daemon', 'multicast reaches wildcard sockets');
});

test('fake /proc: names, paths and user names chosen to spoof reach no one raw', (t) => {
  const { root, passwd } = fakeTree();
  t.after(() => rmSync(path.dirname(root), { recursive: true, force: true }));
  writeFileSync(passwd, `${PASSWD}e\u202Evil\x1b[0m:x:1001:1001::/home/e:/bin/sh\n`);
  writeFileSync(path.join(root, 'net', 'tcp'), [HEADER, line(0, ep(v4('192.168.1.10'), 51500), ep(v4('93.184.216.34'), 443), 0x01, 1001, 3001), ''].join('\n'));
  addProc(root, { pid: 800, comm: 'ssh\u202Ed\x1b[2J', exe: '/home/e/\u2067nib/rsu\u2069/\u200Bfirefox', uid: 1001, inodes: [3001] });
  const pa = new ProcessAttributor({ procRoot: root, passwdPath: passwd, localAddresses: () => ['192.168.1.10'] });
  const R = REPLACEMENT;
  assert.deepEqual(pa.lookup('tcp', '192.168.1.10', 51500, '93.184.216.34', 443),
    { pid: 800, process: `ssh${R}d${R}[2J`, exe: `/home/e/${R}nib/rsu${R}/${R}firefox`, user: `e${R}vil${R}[0m`, hidden: false });
});

/** An attributor over a fresh fake /proc (removed after the test), re-reading every 250 ms of `now`. */
function clockedAttributor(t: { after: (fn: () => void) => void }, now: () => number): { root: string; pa: ProcessAttributor } {
  const { root, passwd } = fakeTree();
  t.after(() => rmSync(path.dirname(root), { recursive: true, force: true }));
  return { root, pa: new ProcessAttributor({ procRoot: root, passwdPath: passwd, refreshMs: 250, now, localAddresses: () => ['192.168.1.10'] }) };
}

test('fake /proc: re-read at most every refreshMs, and only on a miss', (t) => {
  let now = 1000;
  const { root, pa } = clockedAttributor(t, () => now);
  assert.equal(pa.lookup('tcp', '192.168.1.10', 51000, '93.184.216.34', 443)?.process, 'curl');
  // A new socket and process appear; a lookup 100 ms later must not re-read /proc.
  writeFileSync(path.join(root, 'net', 'tcp'), [HEADER, line(0, ep(v4('192.168.1.10'), 51000), ep(v4('93.184.216.34'), 443), 1, 1000, 2001),
    line(1, ep(v4('192.168.1.10'), 52222), ep(v4('1.2.3.4'), 80), 1, 1000, 3001), ''].join('\n'));
  addProc(root, { pid: 600, comm: 'wget', exe: '/usr/bin/wget', uid: 1000, inodes: [3001] });
  now += 100;
  assert.equal(pa.lookup('tcp', '192.168.1.10', 52222, '1.2.3.4', 80), null);
  now += 200;
  assert.equal(pa.lookup('tcp', '192.168.1.10', 52222, '1.2.3.4', 80)?.process, 'wget');
  // Hits are served from the cache: a renamed process keeps its cached name, and a miss for a socket that does
  // not exist re-reads only the tables, not every process's fds.
  writeFileSync(path.join(root, '100', 'comm'), 'renamed\n');
  now += 1000;
  assert.equal(pa.lookup('tcp', '192.168.1.10', 51000, '93.184.216.34', 443)?.process, 'curl');
  assert.equal(pa.lookup('tcp', '10.9.9.9', 1, '10.9.9.8', 2), null);
  assert.equal(pa.lookup('tcp', '192.168.1.10', 51000, '93.184.216.34', 443)?.process, 'curl');
  // A new socket is a miss that rescans, refreshing what is known about every process.
  writeFileSync(path.join(root, 'net', 'tcp'), [HEADER, line(0, ep(v4('192.168.1.10'), 51000), ep(v4('93.184.216.34'), 443), 1, 1000, 2001),
    line(1, ep(v4('192.168.1.10'), 53333), ep(v4('1.2.3.4'), 80), 1, 1000, 3002), ''].join('\n'));
  symlinkSync('socket:[3002]', path.join(root, '600', 'fd', '9'));
  now += 1000;
  assert.equal(pa.lookup('tcp', '192.168.1.10', 53333, '1.2.3.4', 80)?.process, 'wget');
  assert.equal(pa.lookup('tcp', '192.168.1.10', 51000, '93.184.216.34', 443)?.process, 'renamed');
  // The flow table tries the flow's source as local first, then its destination: the first try re-reads the tables,
  // the second (same instant) must still be able to scan for the new socket.
  writeFileSync(path.join(root, 'net', 'tcp'), [HEADER, line(0, ep(v4('192.168.1.10'), 8080), ep(v4('203.0.113.5'), 61000), 1, 1000, 3003), ''].join('\n'));
  symlinkSync('socket:[3003]', path.join(root, '600', 'fd', '10'));
  now += 1000;
  assert.equal(pa.lookup('tcp', '203.0.113.5', 61000, '192.168.1.10', 8080), null);
  assert.equal(pa.lookup('tcp', '192.168.1.10', 8080, '203.0.113.5', 61000)?.process, 'wget');
});

test('fake /proc: a miss re-reads only its own protocol\'s tables', (t) => {
  let now = 1000;
  const { root, pa } = clockedAttributor(t, () => now);
  assert.equal(pa.lookup('tcp', '192.168.1.10', 51000, '93.184.216.34', 443)?.process, 'curl');
  assert.equal(pa.hasPort('udp', 5353), true, 'the first read takes both protocols');
  // TCP's sockets vanish from the file; a UDP miss must not re-read it, so the TCP flow is still found.
  writeFileSync(path.join(root, 'net', 'tcp'), [HEADER, ''].join('\n'));
  now += 300;
  assert.equal(pa.hasPort('udp', 9999), false);
  assert.equal(pa.lookup('udp', '10.9.9.9', 9999, '10.9.9.8', 9999), null);
  assert.equal(pa.lookup('tcp', '192.168.1.10', 51000, '93.184.216.34', 443)?.process, 'curl', 'the TCP tables were not re-read');
  assert.equal(pa.hasPort('tcp', 51000), false, 'a TCP miss re-reads them');
});

test('fake /proc: a costly read of the tables waits COST_FACTOR times its cost before the next', (t) => {
  // Every look at the clock moves it on by `step` ms: a read between two looks then takes `step` ms.
  let now = 1000;
  let step = 0;
  const { root, pa } = clockedAttributor(t, () => (now += step));
  assert.equal(pa.hasPort('udp', 5353), true);
  step = 30; // one read of the UDP tables takes 30 ms: the next waits 600 ms, not 250
  now += 300;
  assert.equal(pa.hasPort('udp', 5353), true);
  step = 0;
  writeFileSync(path.join(root, 'net', 'udp'), [HEADER, ''].join('\n'));
  now += 400;
  assert.equal(pa.hasPort('udp', 5353), true, '400 ms later: not yet re-read');
  now += 250;
  assert.equal(pa.hasPort('udp', 5353), false, 'past 600 ms: re-read');
});

const node = process.execPath;
const haveSetpriv = spawnSync('setpriv', ['--version']).status === 0;
const isRoot = process.geteuid?.() === 0;
/** uid 65534 can reach the file: every directory on the way searchable by others, the file readable by others. */
function othersCanRead(file: string, bit = 0o4): boolean {
  try {
    if ((statSync(file).mode & bit) === 0) return false;
    const parent = path.dirname(file);
    return parent === file || othersCanRead(parent, 0o1);
  } catch {
    return false;
  }
}
const skipSetpriv = !isRoot ? 'needs root to run a script as another user'
  : !haveSetpriv ? 'setpriv not installed'
  : !othersCanRead(path.join(repoRoot, 'src/engine/process-attribution.ts')) || !othersCanRead(node, 0o1)
    ? 'the repository or node binary is not readable by uid 65534'
    : false;

/** Runs a lookup as uid/gid 65534 in a child process; returns its JSON answer. */
function lookupAsNobody(procRoot: string, passwd: string, args: [string, string, number, string, number], locals?: string[]): unknown {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sandpiper-pa-'));
  try {
    chmodSync(dir, 0o755);
    const script = path.join(dir, 'lookup.ts');
    const mod = path.join(repoRoot, 'src/engine/process-attribution.ts');
    writeFileSync(script, `import { ProcessAttributor } from ${JSON.stringify(mod)};\n` +
      `const pa = new ProcessAttributor({ procRoot: ${JSON.stringify(procRoot)}, passwdPath: ${JSON.stringify(passwd)}` +
      (locals ? `, localAddresses: () => ${JSON.stringify(locals)}` : '') + ' });\n' +
      `console.log(JSON.stringify({ uid: process.getuid(), owner: pa.lookup(...${JSON.stringify(args)}) }));\n`);
    chmodSync(script, 0o644);
    const out = execFileSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', node, script], { encoding: 'utf8', cwd: dir });
    const r = JSON.parse(out) as { uid: number; owner: unknown };
    assert.equal(r.uid, 65534);
    return r.owner;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('fake /proc as a non-root user: a socket of a process whose fds are unreadable is hidden, not guessed', { skip: skipSetpriv }, (t) => {
  const { root, passwd } = fakeTree();
  t.after(() => rmSync(path.dirname(root), { recursive: true, force: true }));
  for (const d of [path.dirname(root), root]) chmodSync(d, 0o755);
  chmodSync(path.join(root, '200', 'fd'), 0o700); // sshd's fds: root only
  assert.deepEqual(lookupAsNobody(root, passwd, ['tcp', '192.168.1.10', 22, '192.168.1.77', 60000], ['192.168.1.10']),
    { pid: null, process: null, exe: null, user: 'root', hidden: true });
  assert.equal((lookupAsNobody(root, passwd, ['tcp', '192.168.1.10', 51000, '93.184.216.34', 443]) as { pid: number }).pid, 100);
});

async function withLoopbackTcp(host: string, fn: (server: net.AddressInfo, client: net.AddressInfo) => void | Promise<void>): Promise<void> {
  const server = net.createServer((s) => s.on('error', () => {}));
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const client = net.connect((server.address() as net.AddressInfo).port, host);
  await new Promise<void>((resolve, reject) => { client.once('connect', resolve); client.once('error', reject); });
  try {
    await fn(server.address() as net.AddressInfo, client.address() as net.AddressInfo);
  } finally {
    client.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

test('real /proc: this process owns its TCP connection on 127.0.0.1 (both ends) and its UDP socket', async () => {
  await withLoopbackTcp('127.0.0.1', (srv, cli) => {
    const pa = new ProcessAttributor();
    const owner = pa.lookup('tcp', '127.0.0.1', cli.port, '127.0.0.1', srv.port);
    assert.equal(owner?.pid, process.pid);
    assert.equal(owner?.process, 'node');
    assert.equal(owner?.hidden, false);
    assert.equal(owner?.exe, process.execPath);
    assert.equal(owner?.user, os.userInfo().username);
    assert.equal(pa.lookup('tcp', '127.0.0.1', srv.port, '127.0.0.1', cli.port)?.pid, process.pid);
  });
  const sock = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => sock.bind(0, '127.0.0.1', resolve));
  try {
    const pa = new ProcessAttributor();
    assert.equal(pa.lookup('udp', '127.0.0.1', sock.address().port, '127.0.0.1', 9)?.pid, process.pid, 'unconnected UDP: wildcard remote');
  } finally {
    sock.close();
  }
});

test('real /proc: a process that names itself with bidi and control characters, run from a path holding them, is shown inert', async (t) => {
  await withLoopbackTcp('127.0.0.1', async (srv) => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sp-spoof-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    // The executable's own path carries an override (a hard link to this Node: /proc/PID/exe names the link's path).
    let exe = path.join(dir, 'fire\u202Exof');
    try {
      linkSync(process.execPath, exe);
    } catch {
      exe = process.execPath; // another file system: the name still gets tested
    }
    // The child sets its comm (what PR_SET_NAME sets, 15 bytes at most), connects, and says so.
    const comm = 'ev\u202Eil\x1b[2J';
    const child = spawn(exe, ['-e', `require('fs').writeFileSync('/proc/self/comm', ${JSON.stringify(comm)});
      const s = require('net').connect(${srv.port}, '127.0.0.1', () => console.log(s.localPort));
      setTimeout(() => {}, 30000);`], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const port = await new Promise<number>((resolve, reject) => {
        child.stdout.once('data', (d: Buffer) => resolve(Number(String(d).trim())));
        child.once('exit', (c) => reject(new Error(`child exited ${c}`)));
      });
      const R = REPLACEMENT;
      const owner = new ProcessAttributor().lookup('tcp', '127.0.0.1', port, '127.0.0.1', srv.port);
      assert.equal(owner?.pid, child.pid);
      assert.equal(owner?.process, `ev${R}il${R}[2J`);
      if (exe !== process.execPath) assert.equal(owner?.exe, path.join(dir, `fire${R}xof`));
      assert.doesNotMatch(`${owner?.process}${owner?.exe}`, /[\u0000-\u001f\u202a-\u202e\u2066-\u2069]/);
    } finally {
      child.kill();
    }
  });
});

test('real /proc: IPv6 loopback connection', async (t) => {
  const probe = net.createServer();
  const ok = await new Promise<boolean>((resolve) => { probe.once('error', () => resolve(false)); probe.listen(0, '::1', () => resolve(true)); });
  if (ok) await new Promise<void>((resolve) => probe.close(() => resolve()));
  if (!ok) { t.skip('no IPv6 loopback here'); return; }
  await withLoopbackTcp('::1', (srv, cli) => {
    assert.equal(new ProcessAttributor().lookup('tcp', '::1', cli.port, '::1', srv.port)?.pid, process.pid);
  });
});

test('real /proc as uid 65534: a root-owned socket is reported hidden', { skip: skipSetpriv }, async () => {
  await withLoopbackTcp('127.0.0.1', (srv, cli) => {
    assert.deepEqual(lookupAsNobody('/proc', '/etc/passwd', ['tcp', '127.0.0.1', cli.port, '127.0.0.1', srv.port]),
      { pid: null, process: null, exe: null, user: 'root', hidden: true });
  });
});
