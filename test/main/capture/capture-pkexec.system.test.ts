/**
 * The pkexec path for real: a non-root user runs `sandpiper capture`, which goes through pkexec, polkitd (started
 * by the rig with a rules file for that user) and then the helper as root. Checks that packets arrive, the file is
 * the user's, a helper we cannot signal is stopped through its stdin, and a denial is exit 77 with one clear line.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { canMakeNetns, createNetnsPair } from '../../support/netns.ts';
import { ensureTestUser, polkitRule, polkitSkipReason, PolkitUnavailable, startPolkit, type PolkitRig, type TestUser } from '../../support/polkit.ts';
import { makeFakeDir } from './fixtures/fake-helper.ts';
import { CLI, NODE24, REAL_HELPER, UDP_SENDER, capinfosCount, capinfosSkipReason, realHelperSkipReason } from './fixtures/system-support.ts';

const USER = 'sp-capture-test';

interface Run {
  code: number | null;
  out: string;
  err: string;
}

/** Argv that runs `sandpiper capture ARGS` as `user` with a clean environment, optionally inside a namespace. */
function asUser(user: TestUser, args: string[], env: Record<string, string> = {}, netns?: string): string[] {
  const envArgs = Object.entries({ HOME: user.home, PATH: '/usr/local/bin:/usr/bin:/bin', ...env }).map(([k, v]) => `${k}=${v}`);
  const inner = ['setpriv', '--reuid', String(user.uid), '--regid', String(user.gid), '--init-groups', '--', 'env', '-i', ...envArgs, NODE24, CLI, 'capture', ...args];
  return netns ? ['ip', 'netns', 'exec', netns, ...inner] : inner;
}

function start(argv: string[]): { child: ChildProcess; done: Promise<Run>; out: () => string } {
  const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout?.on('data', (d) => (out += d));
  child.stderr?.on('data', (d) => (err += d));
  const done = new Promise<Run>((r) => child.on('close', (code) => r({ code, out, err })));
  return { child, done, out: () => out };
}

const jsonLines = (out: string) => out.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);

async function withRig(t: { skip: (m: string) => void }, rules: (u: TestUser) => string, body: (rig: PolkitRig, u: TestUser) => Promise<void>) {
  const skip = polkitSkipReason();
  if (skip) return t.skip(skip);
  const user = ensureTestUser(USER);
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

test('the rig starts its own bus and polkitd and leaves nothing behind', async (t) => {
  let rulesPath = '';
  await withRig(t, (u) => polkitRule({ user: u.name, result: 'YES' }), async (rig) => {
    rulesPath = rig.rulesPath;
    assert.ok(existsSync(rig.rulesPath));
    assert.ok(existsSync('/run/sandpiper-polkit-test.lock'));
  });
  if (rulesPath === '') return;
  assert.equal(existsSync(rulesPath), false);
  assert.equal(existsSync('/run/sandpiper-polkit-test.lock'), false);
  assert.equal(existsSync('/run/dbus/pid'), false);
});

test('through pkexec (stand-in helper): granted, file owned by the user; stopping a root helper closes its stdin; denied is exit 77', async (t) => {
  const fakes = makeFakeDir();
  try {
    await withRig(t, (u) => polkitRule({ user: u.name, result: 'YES' }), async (rig, user) => {
      const file = path.join(user.home, `sp-${randomBytes(4).toString('hex')}.pcap`);
      try {
        const ok = await start(asUser(user, ['--interface', 'lo', '--json', '--write', file], { SANDPIPER_HELPER: fakes.helper({ packets: 5, argsFile: path.join(fakes.dir, 'args.json') }) })).done;
        assert.equal(ok.code, 0, ok.err);
        const summary = jsonLines(ok.out).at(-1);
        assert.equal(summary?.type, 'summary');
        assert.equal(summary?.packets, 5);
        const st = statSync(file);
        assert.equal(st.uid, user.uid, 'the capture file belongs to the user, not root');
        const skip = capinfosSkipReason();
        if (!skip) assert.equal(capinfosCount(file), 5);

        // The helper runs as root here (the stand-in never drops), so SIGTERM is refused: stdin EOF must stop it.
        const run = start(asUser(user, ['--interface', 'lo', '--json', '--write', file], { SANDPIPER_HELPER: fakes.helper({ packets: 0, runUntilStopped: true }) }));
        await new Promise<void>((resolve) => {
          const iv = setInterval(() => {
            if (run.out().includes('"type":"stats"')) {
              clearInterval(iv);
              run.child.kill('SIGINT');
              resolve();
            }
          }, 20);
        });
        const stopped = await run.done;
        assert.equal(stopped.code, 0, stopped.err);
        const s2 = jsonLines(stopped.out).at(-1);
        assert.equal(s2?.exit_reason, 'stdin_eof');
        assert.equal(statSync(file).uid, user.uid);
        if (!skip) assert.equal(capinfosCount(file), s2?.packets);

        await rig.setRules(polkitRule({ user: user.name, result: 'NO' }));
        rmSync(file, { force: true });
        const denied = await start(asUser(user, ['--interface', 'lo', '--write', file], { SANDPIPER_HELPER: fakes.helper({ packets: 5 }) })).done;
        assert.equal(denied.code, 77, denied.err);
        const errLines = denied.err.trim().split('\n').filter((l) => !/: warning: /.test(l));
        assert.deepEqual(errLines, ['sandpiper capture: not authorised to capture: polkit refused to start the capture helper']);
        assert.equal(existsSync(file), false);
      } finally {
        rmSync(file, { force: true });
      }
    });
  } finally {
    fakes.cleanup();
  }
});

test('through pkexec with the real helper in a network namespace: packets arrive in a file the user owns', async (t) => {
  const skip = realHelperSkipReason() ?? canMakeNetns() ?? capinfosSkipReason();
  if (skip) return t.skip(skip);
  await withRig(t, (u) => polkitRule({ user: u.name, result: 'YES' }), async (_rig, user) => {
    const pair = createNetnsPair();
    const file = path.join(user.home, `sp-real-${randomBytes(4).toString('hex')}.pcap`);
    let sender: ChildProcess | null = null;
    try {
      sender = pair.spawn(pair.b, NODE24, [UDP_SENDER, pair.ipA, '40404', '5'], { stdio: 'ignore' });
      // No SANDPIPER_HELPER: the CLI finds the checkout's dev build by itself (and says so).
      const r = await start(asUser(user, ['--interface', pair.ifA, '--filter', 'udp port 40404', '--count', '20', '--json', '--write', file], {}, pair.a)).done;
      assert.equal(r.code, 0, r.err);
      assert.match(r.err, /running the capture helper from a source checkout/);
      const lines = jsonLines(r.out);
      const sandbox = lines.find((l) => l.type === 'sandbox');
      assert.ok(sandbox, 'sandbox line');
      assert.equal(sandbox.uid, user.uid, 'the helper dropped to the invoking user (PKEXEC_UID)');
      const summary = lines.at(-1);
      assert.equal(summary?.type, 'summary');
      assert.equal(summary?.packets, 20);
      assert.equal(summary?.exit_reason, 'count_reached');
      assert.equal(statSync(file).uid, user.uid);
      assert.equal(capinfosCount(file), 20);

      // Ctrl-C: the helper now runs as the user, so SIGTERM reaches it; the file is complete.
      const run = start(asUser(user, ['--interface', pair.ifA, '--filter', 'udp port 40404', '--json', '--write', file], { SANDPIPER_HELPER: REAL_HELPER }, pair.a));
      await new Promise<void>((resolve) => {
        const iv = setInterval(() => {
          if (/"type":"stats"[^\n]*"written":[1-9]/.test(run.out())) {
            clearInterval(iv);
            run.child.kill('SIGINT');
            resolve();
          }
        }, 20);
      });
      const stopped = await run.done;
      assert.equal(stopped.code, 0, stopped.err);
      const s2 = jsonLines(stopped.out).at(-1);
      assert.equal(s2?.type, 'summary');
      assert.equal(s2?.exit_reason, 'signal');
      assert.ok(Number(s2?.packets) > 0);
      assert.equal(statSync(file).uid, user.uid);
      assert.equal(capinfosCount(file), s2?.packets);
    } finally {
      sender?.kill('SIGTERM');
      pair.destroy();
      rmSync(file, { force: true });
    }
  });
});
