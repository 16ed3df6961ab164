/**
 * The capture filter crosses to the root helper compiled (numbers only): name-based filters work after the drop,
 * a program compiled for another link type is refused, and the root side resolves nothing — shown with a resolver
 * that logs every query, on 127.0.0.1:53 inside the test namespace (its resolv.conf points there).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { canMakeNetns, createNetnsPair, type NetnsPair } from '../support/netns.ts';
import { DLT } from '../../src/capture-client/link-type.ts';
import { CLI } from '../capture-client/fixtures/system-support.ts';
import { HELPER, NODE24, bpf, countPcapRecords, helperSkipReason, isType, pollUntil, startHelper, type HelperRun } from './support/helper-run.ts';

const skip = helperSkipReason() ?? canMakeNetns();
let pair: NetnsPair | null = null;
let resolver: ChildProcess | null = null;
let queries = '';
const senders: ChildProcess[] = [];

const P = () => {
  if (!pair) throw new Error('no netns pair');
  return pair;
};
const netnsEtc = () => `/etc/netns/${P().a}`;

before(async () => {
  if (skip) return;
  pair = createNetnsPair();
  // `ip netns exec` bind-mounts /etc/netns/NAME/* over /etc: programs in namespace A ask 127.0.0.1:53 (A's own lo).
  mkdirSync(netnsEtc(), { recursive: true });
  writeFileSync(path.join(netnsEtc(), 'resolv.conf'), 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n');
  resolver = P().spawn(P().a, NODE24, ['-e', `const s=require('node:dgram').createSocket('udp4');s.on('message',(m,r)=>console.log('query',m.length,r.port));s.bind(53,'127.0.0.1',()=>console.log('ready'));`], { stdio: ['ignore', 'pipe', 'inherit'] });
  resolver.stdout?.setEncoding('utf8');
  resolver.stdout?.on('data', (d: string) => (queries += d));
  if (!(await pollUntil(() => queries.includes('ready'), 5000))) throw new Error('the logging resolver did not start');
  // TCP connections on A's lo to 127.0.0.1 port 80 (http: only tcp in /etc/services) and port 81: a filter naming
  // http must keep only the first.
  const tcp = `const net=require('node:net');for(const p of [80,81])net.createServer(c=>c.end()).listen(p,'127.0.0.1');
setInterval(()=>{for(const p of [80,81])net.connect(p,'127.0.0.1').on('error',()=>{}).on('connect',function(){this.end()});},50);`;
  senders.push(P().spawn(P().a, NODE24, ['-e', tcp], { stdio: 'ignore' }));
});
after(() => {
  for (const s of senders) s.kill('SIGKILL');
  resolver?.kill('SIGKILL');
  if (pair) rmSync(netnsEtc(), { recursive: true, force: true });
  pair?.destroy();
});

const queryLines = () => queries.split('\n').filter((l) => l.startsWith('query'));

/** `sandpiper capture` as root inside namespace A; `pid` is the CLI's (ip netns exec and env exec into it). */
function runCli(args: string[]): { pid: number; done: Promise<{ code: number | null; out: string; err: string }> } {
  const child = spawn('ip', ['netns', 'exec', P().a, 'env', `SANDPIPER_HELPER=${HELPER}`, NODE24, CLI, 'capture', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  return { pid: child.pid as number, done: new Promise((r) => child.on('close', (code) => r({ code, out, err }))) };
}

/** The argv of every helper process whose parent is `parent`, seen from /proc (root reads any cmdline). */
function helperArgvs(parent: number): string[][] {
  const out: string[][] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^[0-9]+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) !== parent) continue;
      const argv = readFileSync(`/proc/${e}/cmdline`, 'utf8').split('\0').filter(Boolean);
      if (argv.some((a) => a.endsWith('sandpiper-helper.js'))) out.push(argv);
    } catch {
      /* gone */
    }
  }
  return out;
}

async function assertRefused(run: HelperRun, code: string): Promise<string> {
  const { code: status } = await run.done;
  assert.equal(status, 2, JSON.stringify(run.messages));
  assert.equal(run.stdout().length, 0);
  const errors = run.messages.filter((m) => m.type === 'error');
  assert.deepEqual(errors.map((m) => m.code), [code]);
  return errors[0].message;
}

describe('capture filters compiled as the user', { skip: skip ?? false }, () => {
  test('the logging resolver is real: a lookup from namespace A reaches it', async () => {
    const before = queryLines().length;
    const getent = P().spawn(P().a, 'getent', ['hosts', 'sp-resolver-check.example'], { stdio: 'ignore' });
    // Wait for it to give up (no answer comes), so none of its queries lands in a later test's count.
    await new Promise((r) => getent.on('close', r));
    assert.equal(await pollUntil(() => queryLines().length > before, 5000), true, 'getent sent no query to 127.0.0.1:53');
  });

  for (const filter of ['port http', 'host localhost and port http']) {
    test(`sandpiper capture --filter '${filter}' captures only port 80 after the drop; the helper argv holds no filter text`, async () => {
      const seen: string[][] = [];
      const before = queryLines().length;
      const cli = runCli(['--interface', 'lo', '--filter', filter, '--count', '6', '--duration', '15', '--json']);
      const watch = setInterval(() => seen.push(...helperArgvs(cli.pid)), 50);
      try {
        const r = await cli.done;
        assert.equal(r.code, 0, r.err);
        const lines = r.out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
        const summary = lines.at(-1) as Record<string, unknown>;
        assert.equal(summary.packets, 6);
        assert.equal(summary.exit_reason, 'count_reached');
        const flows = lines.filter((l) => l.type === 'flow');
        assert.ok(flows.length > 0);
        for (const f of flows) {
          assert.equal(f.proto, 'tcp', JSON.stringify(f));
          assert.ok(f.dport === 80 || f.sport === 80, JSON.stringify(f));
        }
      } finally {
        clearInterval(watch);
      }
      assert.ok(seen.length > 0, 'the helper was seen running');
      for (const argv of seen) {
        assert.ok(argv.includes('--filter-bpf') && argv.includes('--filter-linktype'), argv.join(' '));
        assert.equal(argv.includes('--filter'), false, argv.join(' '));
        // The helper's arguments, not the runtime's or the helper's own path (a checkout's path may hold any word).
        const args = argv.slice(argv.findIndex((a) => a.startsWith('--')));
        assert.match(args[args.indexOf('--filter-bpf') + 1], /^[0-9 ,]+$/, argv.join(' '));
        assert.ok(!args.some((a) => /http|localhost|loopback|port|host/.test(a)), `filter text in the helper argv: ${argv.join(' ')}`);
      }
      // localhost is in /etc/hosts and http in /etc/services: nobody, the user side included, asks DNS.
      assert.deepEqual(queryLines().slice(before), [], `${filter} needed no DNS query`);
    });
  }

  test('filter text given to the helper is refused before anything resolves it as root: no query reaches the resolver', async () => {
    const before = queryLines().length;
    const run = startHelper(['ip', 'netns', 'exec', P().a, HELPER, '--interface', 'lo', '--filter', 'host sp-root-lookup.example']);
    await run.done;
    await new Promise((r) => setTimeout(r, 1000));
    assert.deepEqual(queryLines().slice(before), [], 'the root helper sent a DNS query');
    assert.match(await assertRefused(run, 'bad_arguments'), /--filter \(filter text\) is not accepted/);
  });

  test('a bad filter in sandpiper capture: exit 2 with libpcap message, no helper started', async () => {
    const seen: string[][] = [];
    const cli = runCli(['--interface', 'lo', '--filter', 'udp and and', '--count', '1']);
    const watch = setInterval(() => seen.push(...helperArgvs(cli.pid)), 20);
    try {
      const r = await cli.done;
      assert.equal(r.code, 2);
      // A checkout's helper may come with a warning that it is not root-owned (a clone under /tmp); the error is the rest.
      const err = r.err.replace(/^sandpiper capture: warning: .*\n/gm, '');
      assert.match(err, /^sandpiper capture: the capture filter is not valid: .*syntax error\n$/);
    } finally {
      clearInterval(watch);
    }
    assert.deepEqual(seen, []);
  });

  test('a program compiled for another link type is refused, naming both', async () => {
    for (const [iface, compiledFor, actual] of [['lo', DLT.LINUX_SLL, DLT.EN10MB], ['any', DLT.EN10MB, DLT.LINUX_SLL]] as const) {
      const run = startHelper(['ip', 'netns', 'exec', P().a, HELPER, '--interface', iface, ...bpf('udp', compiledFor)]);
      const message = await assertRefused(run, 'bad_filter');
      assert.equal(message, `the capture filter was compiled for link type ${compiledFor} but ${iface} captures with link type ${actual}: compile it for ${actual}`);
    }
  });

  test('a tun device captures as DLT_RAW (12), the link type the client predicts for ARPHRD_NONE', async () => {
    const tun = `spt${Math.random().toString(16).slice(2, 8)}`;
    P().exec(P().a, 'ip', ['tuntap', 'add', 'dev', tun, 'mode', 'tun']);
    try {
      P().exec(P().a, 'ip', ['link', 'set', tun, 'up']);
      assert.equal(P().exec(P().a, 'cat', [`/sys/class/net/${tun}/type`]).trim(), '65534');
      const run = startHelper(['ip', 'netns', 'exec', P().a, HELPER, '--interface', tun, ...bpf('ip', DLT.RAW), '--duration', '1']);
      const sb = await run.waitFor(isType('sandbox'));
      assert.equal(sb.status, 'fully_enforced');
      assert.equal((await run.done).code, 0, JSON.stringify(run.messages));
      assert.equal(countPcapRecords(run.stdout()), 0);
      // The helper accepted the program, so pcap_datalink() said DLT_RAW; the savefile header says LINKTYPE_RAW.
      assert.equal(run.stdout().readUInt32LE(20), 101, 'the stream header link type');
    } finally {
      P().exec(P().a, 'ip', ['link', 'del', tun]);
    }
  });
});
