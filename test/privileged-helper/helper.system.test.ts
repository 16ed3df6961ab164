/**
 * The real helper (dist/helper) as root: capture between two network namespaces, the sandbox seen from outside
 * (/proc/PID/task/*) and from its own probes, argument errors, privilege errors and every way it must end.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { canMakeNetns, createNetnsPair, type NetnsPair } from '../support/netns.ts';
import { HELPER_ERROR_EXIT, HelperExitCode, type HelperErrorCode, type SandboxMessage } from '../../src/shared/helper-protocol.ts';
import { DLT } from '../../src/capture-client/link-type.ts';
import { HELPER, NODE24, bpf, countPcapRecords, helperSkipReason, isAlive, isType, pollUntil, startHelper, udpSenderScript, type HelperRun } from './support/helper-run.ts';

const skip = helperSkipReason() ?? canMakeNetns();
const tmp = mkdtempSync(path.join(tmpdir(), 'sp-helper-test-'));
let pair: NetnsPair | null = null;

before(() => {
  if (!skip) pair = createNetnsPair();
});
after(() => {
  pair?.destroy();
  rmSync(tmp, { recursive: true, force: true });
});

const P = () => {
  if (!pair) throw new Error('no netns pair');
  return pair;
};
const randomPort = () => 20000 + Math.floor(Math.random() * 40000);
/** The helper inside namespace A, capturing on A's veth. */
const inA = (args: string[]) => ['ip', 'netns', 'exec', P().a, HELPER, '--interface', P().ifA, ...args];
const sendUdp = (port: number, count: number) => P().exec(P().b, NODE24, ['-e', udpSenderScript(P().ipA, port, count)]);

function capinfosCount(file: string): number {
  const out = execFileSync('capinfos', ['-M', '-c', '-T', '-r', file], { encoding: 'utf8' });
  return Number(out.trim().split('\t')[1]);
}

function threadStatuses(pid: number): Map<string, string> {
  const out = new Map<string, string>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) out.set(tid, readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8'));
  return out;
}
// [ \t]*, not \s*: an empty field (Groups: with no groups) must not run into the next line.
const field = (status: string, name: string) => (new RegExp(`^${name}:[ \\t]*(.*)$`, 'm').exec(status)?.[1] ?? '').trim();

/**
 * A fatal ending as `fail(code, …)` makes it: exactly one error line with `code`, an exit line last with the status of
 * that code, the process exit status the same, nothing on stdout. Returns the error message.
 */
async function assertFailedWith(run: HelperRun, code: HelperErrorCode, status: number): Promise<string> {
  const { code: exitCode, signal } = await run.done;
  assert.equal(signal, null);
  assert.equal(HELPER_ERROR_EXIT[code], status, `${code} is documented as exit ${status}`);
  assert.equal(exitCode, status, JSON.stringify(run.messages));
  assert.equal(run.stdout().length, 0);
  const errors = run.messages.filter((m) => m.type === 'error');
  assert.deepEqual(errors.map((m) => m.code), [code]);
  assert.deepEqual(run.messages.at(-1), { type: 'exit', reason: 'error', code: status });
  assert.equal(run.messages.some((m) => m.type === 'sandbox' || m.type === 'stats'), false);
  return errors[0].message;
}

/** Helpers we started that are still around (children of this test process). */
function strayHelpers(): number[] {
  const pids: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^[0-9]+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === process.pid && readFileSync(`/proc/${e}/cmdline`, 'utf8').includes('sandpiper-helper') && isAlive(Number(e))) pids.push(Number(e));
    } catch {
      /* gone */
    }
  }
  return pids;
}

describe('helper capture between namespaces', { skip: skip ?? false }, () => {
  test('streams exactly the datagrams sent from B; tshark and capinfos accept the stream', async () => {
    const port = randomPort();
    const run = startHelper(inA([...bpf(`udp dst port ${port}`)]));
    try {
      const sb = await run.waitFor(isType('sandbox'));
      assert.equal(sb.status, 'fully_enforced', sb.details);
      sendUdp(port, 25);
      // The stats line reports what reached stdout; wait until all 25 are there.
      await run.waitFor((m): m is never => m.type === 'stats' && m.written >= 25);
      run.child.kill('SIGTERM');
      const { code } = await run.done;
      assert.equal(code, 0);
      const pcap = run.stdout();
      assert.equal(countPcapRecords(pcap), 25);
      const file = path.join(tmp, 'udp.pcap');
      writeFileSync(file, pcap);
      assert.equal(capinfosCount(file), 25);
      // tshark reads the stream from a real pipe, as in `sandpiper-helper ... | tshark -r -` (Node's stdio
      // pipes are sockets, which tshark refuses).
      const ts = spawnSync('sh', ['-c', 'cat "$1" | tshark -r - -T fields -e udp.dstport -e ip.src', 'sh', file], { encoding: 'utf8' });
      assert.equal(ts.status, 0, ts.stderr);
      const rows = ts.stdout.trim().split('\n');
      assert.equal(rows.length, 25);
      for (const r of rows) assert.deepEqual(r.split('\t'), [String(port), P().ipB]);
    } finally {
      run.child.kill('SIGKILL');
    }
  });

  test('--count N writes N packets and exits 0 with count_reached', async () => {
    const port = randomPort();
    const run = startHelper(inA([...bpf(`udp dst port ${port}`), '--count', '7']));
    await run.waitFor(isType('sandbox'));
    sendUdp(port, 20);
    const { code } = await run.done;
    assert.equal(code, 0);
    assert.equal(countPcapRecords(run.stdout()), 7);
    assert.deepEqual(run.messages.at(-1), { type: 'exit', reason: 'count_reached', code: 0 });
  });

  test('every thread: NoNewPrivs 1, CapEff/CapPrm 0, non-root uids; Landlock reported and probed', async () => {
    const run = startHelper(inA([...bpf('udp dst port 9')]));
    try {
      const sb: SandboxMessage = await run.waitFor(isType('sandbox'));
      const pid = run.child.pid as number;
      const tasks = threadStatuses(pid);
      assert.ok(tasks.size >= 2, `expected Node's threads, saw ${tasks.size}`);
      for (const [tid, st] of tasks) {
        assert.equal(field(st, 'NoNewPrivs'), '1', `tid ${tid}`);
        assert.equal(field(st, 'CapEff'), '0000000000000000', `tid ${tid}`);
        assert.equal(field(st, 'CapPrm'), '0000000000000000', `tid ${tid}`);
        const uids = field(st, 'Uid').split(/\s+/).map(Number);
        assert.equal(uids.length, 4);
        for (const u of uids) assert.notEqual(u, 0, `tid ${tid} Uid ${uids.join(' ')}`);
        assert.equal(field(st, 'Gid'), '65534\t65534\t65534\t65534', `tid ${tid} Gid`);
        assert.equal(field(st, 'Groups'), '', `tid ${tid} supplementary groups`);
        // Only what the second stage needed survives even in the bounding set.
        assert.equal(field(st, 'CapBnd'), '00000000000020c0', `tid ${tid}`);
        // Boot filter (no io_uring) and the final one, on every thread including those started after it.
        assert.equal(field(st, 'Seccomp'), '2', `tid ${tid}`);
        assert.equal(field(st, 'Seccomp_filters'), '2', `tid ${tid}`);
      }
      assert.equal(sb.seccomp.installed, true);
      assert.equal(sb.seccomp.all_threads, true);
      assert.equal(sb.seccomp.threads.length, sb.threads);
      for (const t of sb.seccomp.threads) assert.deepEqual([t.mode, t.filters], [2, 2], `tid ${t.tid} as the helper read it`);
      assert.equal(sb.uid, 65534);
      assert.equal(sb.status, 'fully_enforced');
      assert.equal(sb.landlock_abi, sb.landlock_abi_kernel);
      assert.ok(sb.landlock_abi >= 6);
      assert.equal(sb.all_threads, true);
      assert.equal(sb.no_new_privs, true);
      assert.equal(sb.fs_restricted && sb.net_restricted && sb.scoped && sb.cap_net_raw_dropped, true);
      assert.deepEqual(sb.probes, { raw_socket: 'denied', file_open: 'denied', tcp_connect: 'denied', udp_send: 'denied', unix_connect: 'denied' });
      assert.ok(sb.threads >= 2);
      // Threads the audit saw must be threads of this process (it may have started more since).
      assert.ok(tasks.size >= sb.threads);
      assert.match(sb.details, /threadpool thread denied/);
    } finally {
      run.child.kill('SIGKILL');
      await run.done;
    }
  });

  test('udp_send and unix_connect are denied: a UDP listener on 127.0.0.1:9 and the user\'s listening bus socket get nothing', async (t) => {
    const uid = 4246;
    const dir = `/run/user/${uid}`;
    if (existsSync(dir)) return t.skip(`${dir} exists; not touching it`);
    mkdirSync('/run/user', { recursive: true, mode: 0o755 });
    mkdirSync(dir, { mode: 0o700 });
    chownSync(dir, uid, 65534);
    const sock = path.join(dir, 'bus');
    // Listeners print "ready" once listening and one line per datagram or connection.
    const listen = (args: string[], script: string) => {
      const c = spawn('ip', ['netns', 'exec', P().a, ...args, NODE24, '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      c.stdout.setEncoding('utf8');
      c.stdout.on('data', (d: string) => (out += d));
      return { c, out: () => out };
    };
    const udp = listen([], `const s=require('node:dgram').createSocket('udp4');s.on('message',m=>console.log('datagram',m.length));s.bind(9,'127.0.0.1',()=>console.log('ready'));`);
    const unix = listen(['setpriv', `--reuid=${uid}`, '--regid=65534', '--clear-groups'], `require('node:net').createServer(c=>{console.log('connection');c.destroy();}).listen(${JSON.stringify(sock)},()=>console.log('ready'));`);
    try {
      assert.equal(await pollUntil(() => udp.out().includes('ready') && unix.out().includes('ready'), 5000), true, 'listeners did not start');
      // The listeners are real: an unsandboxed process of the same user reaches both.
      P().exec(P().a, 'setpriv', [`--reuid=${uid}`, '--regid=65534', '--clear-groups', NODE24, '-e',
        `const d=require('node:dgram').createSocket('udp4');d.send('x',9,'127.0.0.1',()=>{d.close();require('node:net').connect(${JSON.stringify(sock)}).on('connect',function(){this.destroy()});});`]);
      assert.equal(await pollUntil(() => udp.out().includes('datagram') && unix.out().includes('connection'), 5000), true, `control: ${udp.out()} ${unix.out()}`);
      const seen = [udp.out(), unix.out()];
      const run = startHelper(inA(['--user', String(uid), ...bpf('udp dst port 9')]));
      try {
        const sb = await run.waitFor(isType('sandbox'));
        assert.equal(sb.uid, uid);
        assert.equal(sb.probes.udp_send, 'denied', sb.details);
        assert.equal(sb.probes.unix_connect, 'denied', sb.details);
        assert.equal(sb.status, 'fully_enforced');
        await new Promise((r) => setTimeout(r, 300));
        assert.deepEqual([udp.out(), unix.out()], seen, 'the helper reached a listener');
      } finally {
        run.child.kill('SIGTERM');
        assert.equal((await run.done).code, 0);
      }
    } finally {
      udp.c.kill('SIGKILL');
      unix.c.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('SIGTERM: final stats and exit lines, exit 0, a valid pcap', async () => {
    const port = randomPort();
    const run = startHelper(inA([...bpf(`udp dst port ${port}`)]));
    await run.waitFor(isType('sandbox'));
    sendUdp(port, 3);
    await run.waitFor((m): m is never => m.type === 'stats' && m.written >= 3);
    run.child.kill('SIGTERM');
    const { code, signal } = await run.done;
    assert.equal(signal, null);
    assert.equal(code, 0);
    const tail = run.messages.slice(-2);
    assert.equal(tail[0].type, 'stats');
    assert.deepEqual(tail[1], { type: 'exit', reason: 'signal', code: 0 });
    const file = path.join(tmp, 'term.pcap');
    writeFileSync(file, run.stdout());
    assert.equal(capinfosCount(file), 3);
    assert.deepEqual(run.junk, []);
  });

  test('--promisc puts the interface in promiscuous mode; without it, it stays off', async () => {
    const promiscuity = () => Number(/promiscuity (\d+)/.exec(P().exec(P().a, 'ip', ['-d', 'link', 'show', P().ifA]))?.[1]);
    for (const [args, expected] of [[['--promisc'], 1], [[], 0]] as const) {
      const run = startHelper(inA([...args, ...bpf('udp dst port 9')]));
      try {
        await run.waitFor(isType('sandbox'));
        assert.equal(promiscuity(), expected, args.join(' ') || 'no --promisc');
      } finally {
        run.child.kill('SIGTERM');
        assert.equal((await run.done).code, 0);
      }
    }
  });

  test('the interface disappearing mid-capture: capture_failed, exit 8, the stream stays a valid pcap', async () => {
    const tag = Math.random().toString(16).slice(2, 8);
    const [x, y] = [`vx${tag}`, `vy${tag}`];
    P().exec(P().a, 'ip', ['link', 'add', x, 'type', 'veth', 'peer', 'name', y]);
    P().exec(P().a, 'ip', ['link', 'set', x, 'up']);
    P().exec(P().a, 'ip', ['link', 'set', y, 'up']);
    const run = startHelper(['ip', 'netns', 'exec', P().a, HELPER, '--interface', x]);
    try {
      await run.waitFor(isType('sandbox'));
      P().exec(P().a, 'ip', ['link', 'del', x]);
      // Bounded: a helper that never notices would otherwise hold the suite until its timeout.
      const { code } = await Promise.race([
        run.done,
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the helper went on after its interface was deleted')), 15_000).unref()),
      ]);
      assert.equal(code, HelperExitCode.captureFailed);
      assert.equal(code, 8);
      assert.deepEqual(run.messages.filter((m) => m.type === 'error').map((m) => m.code), ['capture_failed']);
      assert.deepEqual(run.messages.at(-1), { type: 'exit', reason: 'error', code: 8 });
      countPcapRecords(run.stdout());
    } finally {
      run.child.kill('SIGKILL');
    }
  });

  test('--interface any captures the same datagrams (Linux cooked link type)', async () => {
    const port = randomPort();
    const run = startHelper(['ip', 'netns', 'exec', P().a, HELPER, '--interface', 'any', ...bpf(`udp dst port ${port}`, DLT.LINUX_SLL), '--count', '5']);
    await run.waitFor(isType('sandbox'));
    sendUdp(port, 5);
    assert.equal((await run.done).code, 0);
    const pcap = run.stdout();
    assert.equal(countPcapRecords(pcap), 5);
    assert.equal(pcap.readUInt32LE(20), 113, 'LINKTYPE_LINUX_SLL');
  });

  test('an interface that is down: capture_open_failed with a fix, exit 3, empty stdout', async () => {
    const tag = Math.random().toString(16).slice(2, 8);
    P().exec(P().a, 'ip', ['link', 'add', `vd${tag}`, 'type', 'veth', 'peer', 'name', `ve${tag}`]);
    try {
      const run = startHelper(['ip', 'netns', 'exec', P().a, HELPER, '--interface', `vd${tag}`]);
      assert.match(await assertFailedWith(run, 'capture_open_failed', 3), /is down; bring it up/);
    } finally {
      P().exec(P().a, 'ip', ['link', 'del', `vd${tag}`]);
    }
  });

  test('--duration ends the capture with duration_reached', async () => {
    const run = startHelper(inA(['--duration', '1', ...bpf('udp dst port 9')]));
    const { code } = await run.done;
    assert.equal(code, 0);
    assert.deepEqual(run.messages.at(-1), { type: 'exit', reason: 'duration_reached', code: 0 });
    assert.equal(countPcapRecords(run.stdout()), 0);
  });
});

describe('helper sandbox levels', { skip: skip ?? false }, () => {
  test('--max-landlock-abi 3: partially_enforced, no Landlock network rules (the seccomp filter still refuses sockets)', async () => {
    const run = startHelper(inA(['--max-landlock-abi', '3', '--duration', '1']));
    const sb = await run.waitFor(isType('sandbox'));
    assert.equal(sb.status, 'partially_enforced');
    assert.equal(sb.landlock_abi, 3);
    assert.equal(sb.fs_restricted, true);
    assert.equal(sb.net_restricted, false);
    assert.equal(sb.scoped, false);
    assert.equal(sb.probes.tcp_connect, 'denied');
    assert.equal(sb.seccomp.all_threads, true);
    assert.equal(sb.probes.file_open, 'denied');
    assert.equal(sb.probes.raw_socket, 'denied');
    assert.equal((await run.done).code, 0);
  });

  test('--max-landlock-abi 0: not_available, yet still unprivileged', async () => {
    const run = startHelper(inA(['--max-landlock-abi', '0', '--duration', '1']));
    const sb = await run.waitFor(isType('sandbox'));
    assert.equal(sb.status, 'not_available');
    assert.equal(sb.fs_restricted, false);
    assert.equal(sb.probes.raw_socket, 'denied');
    assert.equal(sb.all_threads, true);
    assert.equal((await run.done).code, 0);
  });

  for (const abi of ['3', '5']) {
    test(`--sandbox-strict with --max-landlock-abi ${abi}: exit 4, nothing on stdout`, async () => {
      const run = startHelper(inA(['--max-landlock-abi', abi, '--sandbox-strict']));
      assert.match(await assertFailedWith(run, 'sandbox_strict', 4), new RegExp(`--sandbox-strict needs Landlock ABI 6 or later; this run can use ABI ${abi}`));
    });
  }

  test('--sandbox-strict at the kernel ABI captures normally', async () => {
    const run = startHelper(inA(['--sandbox-strict', '--duration', '1']));
    const sb = await run.waitFor(isType('sandbox'));
    assert.equal(sb.status, 'fully_enforced');
    assert.equal((await run.done).code, 0);
    assert.ok(run.stdout().length >= 24);
  });
});

describe('helper argument and privilege errors', { skip: skip ?? false }, () => {
  const cases: [string, string[], HelperErrorCode][] = [
    ['nonexistent interface', ['--interface', 'nosuchif0'], 'no_such_interface'],
    ['injected interface name', ['--interface', 'eth0;rm'], 'no_such_interface'],
    ['path in interface name', ['--interface', '../x'], 'no_such_interface'],
    ['dot-dot interface name', ['--interface', '..'], 'no_such_interface'],
    ['16-character interface name', ['--interface', 'abcdefghijklmnop'], 'no_such_interface'],
    ['filter text instead of a program', ['--interface', 'lo', '--filter', 'udp and and'], 'bad_arguments'],
    ['4097-instruction program', ['--interface', 'lo', '--filter-bpf', ['4097', ...Array<string>(4097).fill('6 0 0 0')].join(','), '--filter-linktype', '1'], 'bad_filter'],
    ['program count not matching', ['--interface', 'lo', '--filter-bpf', '2,6 0 0 0', '--filter-linktype', '1'], 'bad_filter'],
    ['program that is not numbers', ['--interface', 'lo', '--filter-bpf', '1,port http', '--filter-linktype', '1'], 'bad_filter'],
    ['program without its link type', ['--interface', 'lo', '--filter-bpf', '1,6 0 0 0'], 'bad_filter'],
    ['--count 0', ['--interface', 'lo', '--count', '0'], 'bad_arguments'],
    ['--count abc', ['--interface', 'lo', '--count', 'abc'], 'bad_arguments'],
    ['--count 1e3', ['--interface', 'lo', '--count', '1e3'], 'bad_arguments'],
    ['--snaplen 999999', ['--interface', 'lo', '--snaplen', '999999'], 'bad_arguments'],
    ['--duration -1', ['--interface', 'lo', '--duration', '-1'], 'bad_arguments'],
    ['--max-landlock-abi 9', ['--interface', 'lo', '--max-landlock-abi', '9'], 'bad_arguments'],
    ['unknown flag', ['--interface', 'lo', '--write', '/etc/passwd'], 'bad_arguments'],
    ['flag given twice', ['--interface', 'lo', '--interface', 'lo'], 'bad_arguments'],
    ['missing value', ['--interface'], 'bad_arguments'],
    ['no interface', [], 'bad_arguments'],
    ['--user 0', ['--interface', 'lo', '--user', '0'], 'bad_arguments'],
  ];
  for (const [name, args, errorCode] of cases) {
    test(`${name}: exit 2, one ${errorCode} error line, empty stdout`, async () => {
      const run = startHelper([HELPER, ...args]);
      await assertFailedWith(run, errorCode, 2);
      assert.equal(run.messages.some((m) => m.type === 'hello'), false);
      assert.deepEqual(run.junk, []);
    });
  }

  test('under pkexec, --user may not name a third user', async () => {
    const run = startHelper([HELPER, '--interface', 'lo', '--user', '4242'], { env: { ...process.env, PKEXEC_UID: '4241' } });
    assert.match(await assertFailedWith(run, 'bad_arguments', 2), /under pkexec --user may only name the invoking user \(4241\)/);
  });

  test('under sudo, --user may not name a third user either', async () => {
    const run = startHelper([HELPER, '--interface', 'lo', '--user', '1004'], { env: { ...process.env, SUDO_UID: '1003' } });
    assert.match(await assertFailedWith(run, 'bad_arguments', 2), /under sudo --user may only name the invoking user \(1003\)/);
  });

  test('--buffer-mb 1024 is refused before any capture starts', async () => {
    const run = startHelper([HELPER, '--interface', 'lo', '--buffer-mb', '1024']);
    assert.match(await assertFailedWith(run, 'bad_arguments', 2), /--buffer-mb/);
  });

  test('no helper process is left behind by the failures above', () => {
    assert.deepEqual(strayHelpers(), []);
  });

  test('not root: exit 5 with not_privileged', async () => {
    const run = startHelper(['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', HELPER, '--interface', 'lo']);
    assert.match(await assertFailedWith(run, 'not_privileged', 5), /pkexec/);
  });

  test('the first stage cannot restrict itself (no CAP_SETPCAP to shrink the bounding set): sandbox_failed, exit 6', async () => {
    const run = startHelper(['setpriv', '--bounding-set=-setpcap', HELPER, '--interface', 'lo']);
    const message = await assertFailedWith(run, 'sandbox_failed', 6);
    assert.match(message, /could not restrict the helper before starting the capture: PR_CAPBSET_DROP \d+ failed/);
    assert.equal(run.messages.some((m) => m.type === 'hello'), false, 'the capture stage never started');
  });

  const userns = spawnSync('unshare', ['--user', '--map-root-user', '--net', 'true']).status === 0 ? false : 'cannot create a user namespace here';
  test('root only inside a user namespace that maps no other uid: privilege_drop_failed, exit 7', { skip: userns }, async () => {
    // The capture opens (CAP_NET_RAW over the namespace's own lo), then setgroups/setuid to 65534 cannot succeed.
    const run = startHelper(['unshare', '--user', '--map-root-user', '--net', 'sh', '-c', 'ip link set lo up && exec "$0" --interface lo', HELPER]);
    const message = await assertFailedWith(run, 'privilege_drop_failed', 7);
    assert.match(message, /^could not become uid 65534 gid 65534: /);
    assert.equal(run.messages[0].type, 'hello', 'it failed in the capture stage, after opening the capture');
    assert.doesNotMatch(message, /strict/);
  });

  test('the second stage refuses to run without the first stage restrictions', async () => {
    const bundle = path.join(path.dirname(HELPER), 'sandpiper-helper.js');
    const run = startHelper([NODE24, '--no-warnings', bundle, '--interface', 'lo'], { env: { PATH: '/usr/bin:/bin', SANDPIPER_HELPER_STAGE2: '65534:65534:7:7:-' } });
    assert.match(await assertFailedWith(run, 'sandbox_failed', 6), /refusing to capture: no_new_privs is not set/);
  });

  test('the second stage with a hand-off the first stage never writes: internal, exit 9', async () => {
    const bundle = path.join(path.dirname(HELPER), 'sandpiper-helper.js');
    const run = startHelper([NODE24, '--no-warnings', bundle, '--interface', 'lo'], { env: { PATH: '/usr/bin:/bin', SANDPIPER_HELPER_STAGE2: 'not-a-hand-off' } });
    assert.equal(await assertFailedWith(run, 'internal', 9), 'the capture stage was started with a bad hand-off');
  });

  test('the launcher gives the root process an empty environment (no NODE_OPTIONS, LD_PRELOAD, stage hand-off)', async () => {
    const run = startHelper([HELPER, '--interface', 'lo', ...bpf('udp dst port 9')], {
      env: { ...process.env, NODE_OPTIONS: '--require /nonexistent/evil.js', LD_PRELOAD: '/nonexistent/evil.so', SANDPIPER_HELPER_STAGE2: '1:1:0:0', SUDO_UID: '1;id' },
    });
    try {
      const sb = await run.waitFor(isType('sandbox'));
      assert.equal(sb.status, 'fully_enforced');
      assert.equal(sb.uid, 65534, 'a malformed SUDO_UID is ignored');
      const environ = readFileSync(`/proc/${run.child.pid}/environ`, 'utf8').split('\0').filter(Boolean);
      assert.deepEqual(environ.map((e) => e.split('=')[0]), ['SANDPIPER_HELPER_STAGE2']);
      assert.match(environ[0], /^SANDPIPER_HELPER_STAGE2=65534:65534:\d:\d:-$/);
    } finally {
      run.child.kill('SIGTERM');
      assert.equal((await run.done).code, 0);
    }
  });

  test('a user with a primary group in /etc/passwd still gets only the overflow group: no user lookup as root', async (t) => {
    const entry = readFileSync('/etc/passwd', 'utf8').split('\n').map((l) => l.split(':')).find((f) => Number(f[2]) > 0 && Number(f[2]) < 65534 && Number(f[3]) > 0 && Number(f[3]) !== 65534);
    if (!entry) return t.skip('no user with a primary group other than 0 and 65534 in /etc/passwd');
    const [uid, gid] = [Number(entry[2]), Number(entry[3])];
    const run = startHelper([HELPER, '--interface', 'lo', '--user', String(uid)]);
    try {
      const sb = await run.waitFor(isType('sandbox'));
      assert.equal(sb.uid, uid);
      assert.equal(sb.gid, 65534, `not ${entry[0]}'s own group ${gid}`);
      for (const [tid, st] of threadStatuses(run.child.pid as number)) {
        assert.equal(field(st, 'Gid'), '65534\t65534\t65534\t65534', `tid ${tid}`);
        assert.equal(field(st, 'Groups'), '', `tid ${tid}`);
      }
    } finally {
      run.child.kill('SIGTERM');
      assert.equal((await run.done).code, 0);
    }
  });

  test('PKEXEC_UID is passed through and becomes the target user', async () => {
    const run = startHelper([HELPER, '--interface', 'lo', '--duration', '1'], { env: { PATH: '/usr/bin:/bin', PKEXEC_UID: '4243' } });
    const sb = await run.waitFor(isType('sandbox'));
    assert.equal(sb.uid, 4243);
    assert.equal(sb.gid, 65534, 'every user gets the overflow group: nothing looks the user up as root');
    assert.equal((await run.done).code, 0);
  });
});

describe('helper lifecycle', { skip: skip ?? false }, () => {
  /** An intermediate parent that starts the helper and prints its pid once the helper is streaming. */
  function intermediate(stdinMode: 'pipe' | 'inherit') {
    const script = `const {spawn}=require('node:child_process');
const c=spawn(${JSON.stringify(HELPER)},${JSON.stringify(['--interface', 'lo', ...bpf('udp dst port 9')])},{stdio:['${stdinMode}','ignore','pipe']});
let said=false;c.stderr.on('data',d=>{if(!said&&String(d).includes('"sandbox"')){said=true;console.log(c.pid);}});
setInterval(()=>{},1000);`;
    const parent = spawn(NODE24, ['-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
    const pid = new Promise<number>((resolve, reject) => {
      parent.stdout.setEncoding('utf8');
      parent.stdout.once('data', (d: string) => resolve(Number(d.trim())));
      parent.once('exit', () => reject(new Error('intermediate parent exited early')));
    });
    return { parent, pid };
  }

  for (const mode of ['pipe', 'inherit'] as const) {
    const how = mode === 'pipe' ? 'its stdin pipe closes with it' : 'stdin held open elsewhere: PDEATHSIG/getppid';
    test(`parent SIGKILLed (${how}): helper gone within 3 s`, async () => {
      const { parent, pid } = intermediate(mode);
      let helperPid = 0;
      try {
        helperPid = await pid;
        assert.ok(isAlive(helperPid));
        parent.kill('SIGKILL');
        assert.equal(await pollUntil(() => !isAlive(helperPid), 3000), true, `helper ${helperPid} still running 3 s after its parent died`);
      } finally {
        parent.kill('SIGKILL');
        parent.stdin.destroy();
        if (helperPid && isAlive(helperPid)) process.kill(helperPid, 'SIGKILL');
      }
    });
  }

  test('stdin EOF: exit 0 with stdin_eof', async () => {
    const run = startHelper([HELPER, '--interface', 'lo', ...bpf('udp dst port 9')]);
    await run.waitFor(isType('sandbox'));
    run.child.stdin?.end();
    assert.equal((await run.done).code, 0);
    assert.deepEqual(run.messages.at(-1), { type: 'exit', reason: 'stdin_eof', code: 0 });
  });

  test('stdout closed by the reader: exit 0 with stdout_closed', async () => {
    const run = startHelper([HELPER, '--interface', 'lo', ...bpf('udp dst port 9')]);
    await run.waitFor(isType('sandbox'));
    run.child.stdout?.destroy();
    assert.equal((await run.done).code, 0);
    assert.deepEqual(run.messages.at(-1), { type: 'exit', reason: 'stdout_closed', code: 0 });
  });

  test('dist/helper/SHA256SUMS covers every file and matches', () => {
    const dir = path.dirname(HELPER);
    const listed = readFileSync(path.join(dir, 'SHA256SUMS'), 'utf8').trim().split('\n').map((l) => l.split(/\s+/)[1]).sort();
    assert.deepEqual(listed, readdirSync(dir).filter((n) => n !== 'SHA256SUMS').sort());
    execFileSync('sha256sum', ['--quiet', '-c', 'SHA256SUMS'], { cwd: dir });
  });
});
