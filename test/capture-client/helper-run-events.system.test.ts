/**
 * Socket events through real pkexec: pkexec closes every descriptor above stderr (checked first, with a shell
 * script), so the helper's fd 3 never arrives; HelperRun hands it a FIFO instead. A non-root user, inside a network
 * namespace, starts the real helper with --attribute-processes through pkexec and polkitd (the rig's own, with a
 * rules file for that user) and makes TCP connections: the events name its pid, uid and comm; the sandbox is fully
 * enforced, every thread audited, and no thread of the capturing process holds a capability, CAP_BPF and
 * CAP_PERFMON not even in its bounding set. Runs under flock /tmp/sandpiper-system.lock (it owns the system bus).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { CAP } from '../../src/privileged-helper/privileges.ts';
import { SocketEventKind } from '../../src/shared/socket-events.ts';
import { canMakeNetns, createNetnsPair } from '../support/netns.ts';
import { polkitRule, withPolkitRig, type PolkitRig, type TestUser } from '../support/polkit.ts';
import { NODE24, REAL_HELPER, realHelperSkipReason } from './fixtures/system-support.ts';

const USER = 'sp-capture-test';
const CLIENT = path.join(path.dirname(new URL(import.meta.url).pathname), 'fixtures/pkexec-events-client.ts');
const N = 20;

function btfSkipReason(): string | null {
  try {
    readFileSync('/sys/kernel/btf/vmlinux', { flag: 'r' }).subarray(0, 1);
    return null;
  } catch {
    return 'the kernel has no BTF (/sys/kernel/btf/vmlinux)';
  }
}

const withRig = (t: { skip: (m: string) => void }, body: (rig: PolkitRig, u: TestUser) => Promise<void>) =>
  withPolkitRig(t, USER, (u) => polkitRule({ user: u.name, result: 'YES' }), body);

/** `argv` as `user` with a clean environment (what a desktop session's pkexec caller has, minus the session). */
function asUser(user: TestUser, argv: string[]): string[] {
  return ['setpriv', '--reuid', String(user.uid), '--regid', String(user.gid), '--init-groups', '--', 'env', '-i', `HOME=${user.home}`, 'PATH=/usr/local/bin:/usr/bin:/bin', ...argv];
}

function collect(child: ChildProcess): { lines: AsyncIterator<string>; err: () => string } {
  let err = '';
  child.stderr?.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
  const rl = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  return { lines: rl[Symbol.asyncIterator](), err: () => err };
}

async function nextJson(c: ReturnType<typeof collect>, what: string): Promise<Record<string, unknown>> {
  const r = await c.lines.next();
  assert.ok(!r.done, `no ${what} line; stderr: ${c.err()}`);
  return JSON.parse(r.value) as Record<string, unknown>;
}

function capabilities(pid: number): { tid: string; eff: bigint; prm: bigint; bnd: bigint }[] {
  return readdirSync(`/proc/${pid}/task`).map((tid) => {
    const status = readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8');
    const hex = (name: string) => {
      const v = new RegExp(`^${name}:\\s*([0-9a-f]+)$`, 'm').exec(status)?.[1];
      assert.ok(v, `thread ${tid} has no ${name}`);
      return BigInt(`0x${v}`);
    };
    return { tid, eff: hex('CapEff'), prm: hex('CapPrm'), bnd: hex('CapBnd') };
  });
}

test('pkexec closes every descriptor above stderr: fd 3 cannot reach the helper that way', async (t) => {
  await withRig(t, async (_rig, user) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sp-pkexec-fds-'));
    chmodSync(dir, 0o755);
    const script = path.join(dir, 'fd3.sh');
    writeFileSync(script, '#!/bin/sh\nif true 2>/dev/null >&3; then echo open; else echo closed; fi\n', { mode: 0o755 });
    try {
      const run = (argv: string[]) =>
        new Promise<string>((resolve) => {
          const c = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe', 'pipe'] });
          let out = '';
          c.stdout?.on('data', (d) => (out += d));
          c.stderr?.on('data', (d) => (out += d));
          c.on('close', () => resolve(out.trim()));
        });
      assert.equal(await run(asUser(user, [script])), 'open', 'fd 3 is inherited without pkexec');
      assert.equal(await run(asUser(user, ['pkexec', script])), 'closed', 'pkexec closed fd 3');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

test('through pkexec with --attribute-processes: the events come on the FIFO and name the user\'s process; the sandbox holds', { timeout: 180_000 }, async (t) => {
  const skip = realHelperSkipReason() ?? canMakeNetns() ?? btfSkipReason();
  if (skip) return t.skip(skip);
  await withRig(t, async (_rig, user) => {
    const pair = createNetnsPair();
    const port = 20000 + Math.floor(Math.random() * 20000);
    let server: ChildProcess | null = null;
    let client: ChildProcess | null = null;
    try {
      server = pair.spawn(pair.b, NODE24, ['-e', `require('node:net').createServer((s)=>{s.on('error',()=>{});s.end();}).listen(${port},${JSON.stringify(pair.ipB)});`], { stdio: 'ignore' });
      client = spawn('ip', ['netns', 'exec', pair.a, ...asUser(user, [NODE24, CLIENT, REAL_HELPER, pair.ifA, pair.ipB, String(port), String(N)])], { stdio: ['pipe', 'pipe', 'pipe'] });
      const out = collect(client);
      const ready = await nextJson(out, 'ready');
      assert.equal(ready.type, 'ready', JSON.stringify(ready));
      assert.deepEqual(ready.attribution, { type: 'attribution', method: 'ebpf', reason: null });
      const sandbox = ready.sandbox as Record<string, unknown>;
      assert.equal(sandbox.status, 'fully_enforced', String(sandbox.details));
      assert.equal(sandbox.all_threads, true, String(sandbox.details));
      assert.equal(sandbox.attribution, 'ebpf');
      assert.equal(sandbox.uid, user.uid, 'dropped to the invoking user (PKEXEC_UID)');
      assert.equal((sandbox.seccomp as { all_threads: boolean }).all_threads, true);

      // pkexec execs the helper: the pid HelperRun started is the capturing process.
      const pid = Number(ready.helperPid);
      assert.ok(Number.isInteger(pid) && pid > 0);
      for (const th of capabilities(pid)) {
        assert.equal(th.eff, 0n, `thread ${th.tid} CapEff`);
        assert.equal(th.prm, 0n, `thread ${th.tid} CapPrm`);
        for (const c of [CAP.bpf, CAP.perfmon]) assert.equal((th.bnd >> BigInt(c)) & 1n, 0n, `thread ${th.tid} CapBnd has capability ${c}`);
      }
      // It writes to the FIFO HelperRun made, whose name is already gone; it holds no fd 3 of ours.
      const links = readdirSync(`/proc/${pid}/fd`).map((fd) => {
        try {
          return readlinkSync(`/proc/${pid}/fd/${fd}`);
        } catch {
          return '';
        }
      });
      assert.equal(links.filter((l) => /\/sandpiper-events-[^/]+\/events \(deleted\)$/.test(l)).length, 1, links.join('\n'));

      client.stdin?.write('go\n');
      const result = await nextJson(out, 'result');
      assert.equal(result.type, 'result', JSON.stringify(result));
      assert.equal(result.failure, null, JSON.stringify(result.failure));
      assert.equal(result.exitReason, 'signal');
      assert.equal(result.pendingBytes, 0, 'the stream ends on a record boundary');
      assert.ok(Number(result.chunks) > 0);
      const events = result.events as { kind: number; pid: number; uid: number; comm: string; localPort: number; remotePort: number; remote: string }[];
      const ports = result.ports as number[];
      assert.equal(ports.length, N);
      const named = ports.filter((lp) =>
        events.some((e) => e.kind === SocketEventKind.tcpConnect && e.localPort === lp && e.remotePort === port && e.remote === pair.ipB && e.pid === result.pid && e.uid === user.uid && e.comm === result.comm),
      );
      assert.equal(named.length, N, `connections named: ${named.length} of ${N}; events: ${JSON.stringify(events.slice(0, 5))}`);
      assert.ok(String(result.comm).length > 0);
    } finally {
      client?.kill('SIGKILL');
      server?.kill('SIGTERM');
      pair.destroy();
    }
  });
});
