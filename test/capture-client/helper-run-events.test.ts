/**
 * HelperRun's socket-event channel, with the stand-in helper: fd 3 for a direct launch; through pkexec (which closes
 * every fd above stderr) a FIFO of ours, mode 0600 in a fresh 0700 directory, passed as --events-fifo and read once
 * the helper says eBPF. Either way the bytes arrive unchanged as `socketEvents`, all of them before `end`, and no
 * FIFO or directory is left behind.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { HelperRun, type HelperRunOptions } from '../../src/capture-client/helper-run.ts';
import type { AttributionMessage, WarningMessage } from '../../src/shared/helper-protocol.ts';
import { makeFakeDir, type FakeScenario } from './fixtures/fake-helper.ts';

const fakes = makeFakeDir();
test.after(() => fakes.cleanup());

interface Seen {
  argv: string[];
  eventsFifo: { fifo: boolean; mode: number; uid: number; dirMode: number; dirUid: number } | null;
}

/** A private runtime directory for the run, so what it leaves behind can be listed. */
function runtimeDir(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'sp-runtime-'));
  chmodSync(d, 0o700);
  return d;
}

async function run(scenario: FakeScenario, opts: Partial<HelperRunOptions>) {
  const argsFile = path.join(fakes.dir, `args-${randomBytes(4).toString('hex')}.json`);
  const s = new HelperRun({ helperPath: fakes.helper({ ...scenario, argsFile }), helper: { interface: 'lo', attributeProcesses: true }, ...opts });
  const chunks: Buffer[] = [];
  const order: string[] = [];
  const attribution: AttributionMessage[] = [];
  const warnings: WarningMessage[] = [];
  s.on('socketEvents', (c) => {
    chunks.push(c);
    if (order.at(-1) !== 'events') order.push('events');
  });
  s.on('attribution', (m) => attribution.push(m));
  s.on('warning', (m) => warnings.push(m));
  s.on('end', () => order.push('end'));
  s.start();
  const result = await s.done;
  const seen = existsSync(argsFile) ? (JSON.parse(readFileSync(argsFile, 'utf8')) as Seen) : null;
  return { result, events: Buffer.concat(chunks), order, attribution, warnings, seen };
}

// Fits a pipe's buffer: the stand-in writes it all and exits before the reader starts, so `end` must wait for it.
const EVENTS = randomBytes(48 * 1024);

test('through pkexec the events come on a FIFO of ours (0600, in a fresh 0700 directory), all before end; nothing is left', async () => {
  const xdg = runtimeDir();
  try {
    const r = await run({ socketEvents: EVENTS.toString('hex') }, { launch: 'pkexec', pkexecPath: fakes.pkexec('exec'), env: { ...process.env, XDG_RUNTIME_DIR: xdg } });
    assert.equal(r.result.failure, null, r.result.failure?.message);
    const at = r.seen?.argv.indexOf('--events-fifo') ?? -1;
    assert.ok(at > 0, `argv: ${JSON.stringify(r.seen?.argv)}`);
    const fifoPath = r.seen?.argv[at + 1] ?? '';
    assert.match(fifoPath, new RegExp(`^${xdg}/sandpiper-events-[^/]+/events$`), 'under the private runtime directory');
    assert.deepEqual(r.seen?.eventsFifo, { fifo: true, mode: 0o600, uid: process.getuid?.(), dirMode: 0o700, dirUid: process.getuid?.() });
    assert.deepEqual(r.attribution.map((m) => m.method), ['ebpf']);
    assert.equal(r.events.length, EVENTS.length);
    assert.ok(r.events.equals(EVENTS), 'the bytes arrive unchanged');
    assert.deepEqual(r.order, ['events', 'end']);
    assert.deepEqual(readdirSync(xdg), [], 'the FIFO and its directory are gone');
  } finally {
    rmSync(xdg, { recursive: true, force: true });
  }
});

test('a direct launch keeps fd 3: no --events-fifo, the same bytes', async () => {
  const r = await run({ socketEvents: EVENTS.toString('hex') }, { launch: 'direct' });
  assert.equal(r.result.failure, null, r.result.failure?.message);
  assert.equal(r.seen?.argv.includes('--events-fifo'), false);
  assert.deepEqual(r.attribution.map((m) => m.method), ['ebpf']);
  assert.ok(r.events.equals(EVENTS));
});

test('through pkexec: no FIFO with --no-ebpf, and a FIFO the helper never used is removed at the end', async () => {
  const xdg = runtimeDir();
  try {
    const env = { ...process.env, XDG_RUNTIME_DIR: xdg };
    const noEbpf = await run({}, { launch: 'pkexec', pkexecPath: fakes.pkexec('exec'), env, helper: { interface: 'lo', attributeProcesses: true, noEbpf: true } });
    assert.equal(noEbpf.result.failure, null);
    assert.deepEqual(noEbpf.seen?.argv, ['--interface', 'lo', '--attribute-processes', '--no-ebpf']);
    assert.equal(noEbpf.seen?.eventsFifo, null);
    // A helper that never says how it attributes (an older one, or one that failed): the FIFO goes with the run.
    const silent = await run({}, { launch: 'pkexec', pkexecPath: fakes.pkexec('exec'), env });
    assert.equal(silent.result.failure, null);
    assert.equal(silent.seen?.eventsFifo?.fifo, true);
    assert.equal(silent.events.length, 0);
    // Refused by pkexec: nothing started, nothing left.
    const denied = await run({}, { launch: 'pkexec', pkexecPath: fakes.pkexec(127), env });
    assert.equal(denied.result.failure?.kind, 'not_authorised');
    assert.deepEqual(readdirSync(xdg), []);
  } finally {
    rmSync(xdg, { recursive: true, force: true });
  }
});

test('a runtime directory that is not private is not used: the temp directory is', async () => {
  const open = runtimeDir();
  chmodSync(open, 0o755);
  try {
    const r = await run({ socketEvents: '00' }, { launch: 'pkexec', pkexecPath: fakes.pkexec('exec'), env: { ...process.env, XDG_RUNTIME_DIR: open, TMPDIR: fakes.dir } });
    const at = r.seen?.argv.indexOf('--events-fifo') ?? -1;
    assert.ok(r.seen?.argv[at + 1].startsWith(`${fakes.dir}/sandpiper-events-`), r.seen?.argv[at + 1]);
    assert.deepEqual(readdirSync(open), []);
  } finally {
    rmSync(open, { recursive: true, force: true });
  }
});

test('when no FIFO can be made the run goes on (the helper then names processes from /proc) with a warning saying why', async () => {
  const r = await run({ socketEvents: '00' }, { launch: 'pkexec', pkexecPath: fakes.pkexec('exec'), env: { ...process.env, XDG_RUNTIME_DIR: '', TMPDIR: '/nonexistent-sandpiper-dir' } });
  assert.equal(r.result.failure, null);
  assert.equal(r.seen?.argv.includes('--events-fifo'), false);
  assert.equal(r.warnings.length, 1);
  assert.equal(r.warnings[0].code, 'events_fifo');
  assert.match(r.warnings[0].message, /^cannot make the socket-event FIFO in \/nonexistent-sandpiper-dir: /);
});
