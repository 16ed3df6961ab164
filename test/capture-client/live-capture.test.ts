import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { HelperRun, type HelperRunOptions } from '../../src/capture-client/helper-run.ts';
import { LiveCapture } from '../../src/capture-client/live-capture.ts';
import { createEngine } from '../../src/engine/engine.ts';
import { QueuedIngest } from '../../src/engine/queued-ingest.ts';
import { HELPER_PROTOCOL_VERSION, formatBpfProgram, type HelperMessage } from '../../src/shared/helper-protocol.ts';
import { compileFilter } from '../../src/capture-client/bpf-compile.ts';
import { DLT } from '../../src/capture-client/link-type.ts';
import { makeFakeDir, type FakeScenario } from './fixtures/fake-helper.ts';
import { preparePcapFileSink, type PcapFileSink } from '../../src/capture-client/pcap-file-sink.ts';
import { inTempDir } from '../support/temp-dir.ts';

const fakes = makeFakeDir();
test.after(() => fakes.cleanup());

/** Packets in a whole pcap stream, counted by a fresh engine. */
function packetsIn(stream: Buffer): number {
  const e = createEngine({ detail: false });
  e.push(stream);
  e.end();
  return e.stats.packets;
}

/** The pipeline the CLI and the app use: the helper's stream straight into an engine. */
async function run(scenario: FakeScenario, opts: Partial<HelperRunOptions> = {}, during?: (s: HelperRun) => void) {
  const s = new LiveCapture({ helperPath: fakes.helper(scenario), helper: { interface: 'lo' }, launch: 'direct', ...opts, engine: createEngine() });
  const messages: HelperMessage[] = [];
  const typed: string[] = [];
  const chunks: Buffer[] = [];
  s.on('message', (m) => messages.push(m));
  for (const t of ['hello', 'sandbox', 'stats', 'warning', 'error'] as const) s.on(t, () => typed.push(t));
  s.run.on('exit', () => typed.push('exit'));
  s.run.on('data', (c) => void chunks.push(c));
  s.start();
  during?.(s.run);
  const result = await s.done;
  return { result, messages, typed, stream: Buffer.concat(chunks) };
}

test('passes the pcap stream on unchanged and the stderr lines as typed events', async () => {
  const { result, messages, typed, stream } = await run({ packets: 5, warning: 'careful' });
  assert.equal(result.failure, null);
  assert.equal(result.code, 0);
  assert.equal(result.exitReason, 'count_reached');
  assert.equal(result.packets, 5);
  assert.equal(result.pipeDrops, 0);
  assert.equal(result.streamBytes, stream.length);
  assert.equal(result.completeBytes, stream.length);
  assert.equal(packetsIn(stream), 5);
  assert.deepEqual(
    messages.map((m) => m.type),
    ['hello', 'sandbox', 'warning', 'stats', 'stats', 'exit'],
  );
  assert.deepEqual(typed, ['hello', 'sandbox', 'warning', 'stats', 'stats', 'exit']);
  assert.equal(result.lastStats?.written, 5);
});

test('lines written in fragments are joined; garbage lines are ignored', async () => {
  const { result, messages } = await run({ packets: 2, fragmentLines: true, garbage: true });
  assert.equal(result.failure, null);
  assert.deepEqual(
    messages.map((m) => m.type),
    ['hello', 'sandbox', 'stats', 'stats', 'exit'],
  );
  assert.equal(result.lastOtherLine, '{broken');
});

test('helper exits 2/3/4/5 become failures carrying the error line', async () => {
  const cases: Array<[number, string]> = [
    [2, 'bad_arguments'],
    [3, 'capture_open_failed'],
    [4, 'sandbox_strict'],
    [5, 'not_privileged'],
  ];
  for (const [exitCode, kind] of cases) {
    const { result } = await run({ exitCode, errorLine: { code: 'no_such_interface', message: `reason ${exitCode}` } });
    assert.equal(result.failure?.kind, kind);
    assert.equal(result.failure?.cliExit, exitCode);
    assert.match(result.failure?.message ?? '', new RegExp(`reason ${exitCode}$`));
    assert.equal(result.packets, 0);
  }
});

test('pkexec dismissal and refusal become clear failures', async () => {
  for (const [status, kind] of [[126, 'dismissed'], [127, 'not_authorised']] as const) {
    const { result } = await run({}, { launch: 'pkexec', pkexecPath: fakes.pkexec(status) });
    assert.equal(result.viaPkexec, true);
    assert.equal(result.failure?.kind, kind);
    assert.equal(result.failure?.cliExit, 77);
  }
});

test('through pkexec the helper gets its absolute path then its arguments', async () => {
  const argsFile = path.join(fakes.dir, 'args.json');
  const { result } = await run(
    { argsFile, packets: 1 },
    { launch: 'pkexec', pkexecPath: fakes.pkexec('exec'), helper: { interface: 'veth0', count: 1, filter: 'udp' } },
  );
  assert.equal(result.failure, null);
  const seen = JSON.parse(readFileSync(argsFile, 'utf8')) as { argv: string[]; pkexecUid: string };
  // The filter arrives compiled (veth0 is not here, so for Ethernet): numbers only, no filter text.
  const udp = compileFilter('udp', DLT.EN10MB);
  assert.ok(udp.ok);
  assert.deepEqual(seen.argv, ['--interface', 'veth0', '--filter-bpf', formatBpfProgram(udp.insns), '--filter-linktype', '1', '--count', '1']);
  assert.equal(seen.pkexecUid, String(process.getuid?.()));
});

test('a filter libpcap refuses is bad_filter before anything starts: no pkexec, no helper', async () => {
  const argsFile = path.join(fakes.dir, 'bad-filter-args.json');
  for (const launch of ['pkexec', 'direct'] as const) {
    const errors: HelperMessage[] = [];
    const { result, messages } = await run(
      { argsFile, packets: 1 },
      { launch, pkexecPath: fakes.pkexec('exec'), helper: { interface: 'lo', filter: 'udp and and' } },
      (s) => s.on('error', (m) => errors.push(m)),
    );
    assert.equal(existsSync(argsFile), false, `${launch}: nothing was started`);
    assert.equal(result.code, null);
    assert.equal(result.failure?.kind, 'bad_arguments');
    assert.equal(result.failure?.cliExit, 2);
    assert.match(result.failure?.message ?? '', /^the capture filter is not valid: .*syntax error$/);
    assert.deepEqual(messages, errors);
    assert.deepEqual(errors.map((m) => m.type === 'error' && m.code), ['bad_filter']);
    assert.equal(result.packets, 0);
  }
});

test('stop() sends SIGTERM and waits for the final lines', async () => {
  const { result, messages } = await run({ packets: 0, runUntilStopped: true }, {}, (s) => {
    s.on('stats', () => void s.stop());
  });
  assert.equal(result.failure, null);
  assert.equal(result.exitReason, 'signal');
  assert.equal(messages.at(-1)?.type, 'exit');
  assert.equal(result.pipeDrops, 0);
});

test('a helper we cannot signal is stopped by closing its stdin', async () => {
  // A grace long enough for a loaded machine to start reading the EOF before the SIGKILL that follows it.
  const { result } = await run({ packets: 0, runUntilStopped: true, ignoreSigterm: true }, { stopGraceMs: 1500 }, (s) => {
    s.on('stats', () => void s.stop());
  });
  assert.equal(result.failure, null);
  assert.equal(result.exitReason, 'stdin_eof');
});

test('a stream cut inside a record reports the partial record as a pipe drop', async () => {
  const { result, stream } = await run({ packets: 4, truncateLast: true });
  assert.equal(result.packets, 4);
  assert.equal(result.pipeDrops, 1);
  assert.equal(result.streamInvalid, null);
  assert.equal(result.completeBytes, stream.length - 20);
});

test('a paused consumer loses nothing: reading waits until resume()', async () => {
  const s = new HelperRun({ helperPath: fakes.helper({ packets: 3000 }), helper: { interface: 'lo' }, launch: 'direct' });
  const chunks: Buffer[] = [];
  let pauses = 0;
  s.on('data', (c) => {
    chunks.push(c);
    pauses++;
    setTimeout(() => s.resume(), 1);
    return false;
  });
  s.start();
  const result = await s.done;
  assert.equal(packetsIn(Buffer.concat(chunks)), 3000);
  assert.equal(result.streamBytes, Buffer.concat(chunks).length);
  assert.ok(pauses > 1);
});

for (const [oneWrite, queued] of [[false, false], [true, false], [false, true], [true, true]]) {
  test(`a bounded sink stops at maxSinkBytes on a record boundary; the capture and the engine go on${oneWrite ? ' (the whole stream in one chunk)' : ''}${queued ? ' (through a QueuedIngest, behind on the stream)' : ''}`, async () => {
    await inTempDir('sp-live-sink-', async (dir) => {
      const file = path.join(dir, 'rec.pcap');
      const capture = new LiveCapture({
        helperPath: fakes.helper({ packets: 2000, oneWrite }),
        helper: { interface: 'lo' },
        launch: 'direct',
        // Queued, the engine ingests nothing until the end: the cut must wait for it to reach the bound.
        engine: queued ? new QueuedIngest(createEngine(), { schedule: () => {} }) : createEngine(),
        sink: preparePcapFileSink(file),
        maxSinkBytes: 10_000,
      });
      let full = 0;
      capture.on('sinkFull', () => full++);
      const r = await capture.start().done;
      assert.equal(r.failure, null);
      assert.equal(r.packets, 2000, 'the engine saw every packet');
      assert.equal(r.sinkFull, true);
      assert.equal(full, 1);
      const size = statSync(file).size;
      assert.ok(size <= 10_000 && size > 24, `recording is ${size} bytes`);
      assert.equal(capture.sinkCut, size, 'a copy is cut where the file ends');
      const n = packetsIn(readFileSync(file));
      assert.ok(n > 0 && n < 2000, `${n} whole packets in the recording`);
      // The last whole record within the bound: one more would not fit.
      assert.ok(size + (size - 24) / n > 10_000, `${size} bytes leave room for another record`);
    });
  });
}

test("a sink's backpressure pauses reading the helper's pipe until it drains, and nothing is lost", async () => {
  const chunks: Buffer[] = [];
  let drain: () => void = () => {};
  let blocked = false;
  /** Bytes that arrived while the sink had asked to wait. */
  let unasked = 0;
  const sink: PcapFileSink = {
    path: '/nonexistent',
    get written() {
      return chunks.reduce((n, c) => n + c.length, 0);
    },
    write(c) {
      if (blocked) unasked += c.length;
      chunks.push(c);
      blocked = true;
      return false;
    },
    onDrain(fn) {
      drain = fn;
    },
    flush: async () => {},
    onError() {},
    close: async () => {},
  };
  const packets = 30_000;
  const capture = new LiveCapture({ helperPath: fakes.helper({ packets }), helper: { interface: 'lo' }, launch: 'direct', engine: createEngine(), sink });
  capture.start();
  let waits = 0;
  let done = false;
  void capture.done.then(() => (done = true));
  while (!done) {
    // The sink holds the pipe for a while each time.
    await new Promise((r) => setTimeout(r, 2));
    if (!blocked) continue;
    waits++;
    blocked = false;
    drain();
  }
  const r = await capture.done;
  assert.equal(r.failure, null);
  const total = Buffer.concat(chunks).length;
  assert.ok(waits > 5, `paused ${waits} times`);
  // Only what the pipe still held when the helper exited (Node then reads it out regardless) may come unasked.
  assert.ok(unasked <= 256 * 1024, `${unasked} of ${total} bytes arrived while the sink asked to wait`);
  assert.equal(r.packets, packets);
  assert.equal(packetsIn(Buffer.concat(chunks)), packets, 'the sink got the whole stream');
});

test("a full ingest queue pauses reading the helper's pipe until the engine has caught up, and nothing is lost", async () => {
  const jobs: Array<() => void> = [];
  const max = 256 * 1024;
  // Each slice ingests one chunk.
  const ingest = new QueuedIngest(createEngine(), { schedule: (cb) => void jobs.push(cb), maxQueuedBytes: max, sliceMs: 0 });
  const packets = 40_000;
  const capture = new LiveCapture({ helperPath: fakes.helper({ packets, oneWrite: true }), helper: { interface: 'lo' }, launch: 'direct', engine: ingest });
  let most = 0;
  let fulls = 0;
  let reads = 0;
  capture.run.on('data', () => {
    reads++;
    if (ingest.full) fulls++;
    most = Math.max(most, ingest.queuedBytes);
  });
  capture.start();
  let done = false;
  void capture.done.then(() => (done = true));
  while (!done) {
    // The engine is slow: it gets a slice now and then, while the pipe is read as fast as it comes.
    await new Promise((r) => setTimeout(r, 2));
    jobs.splice(0, 1).forEach((j) => j());
  }
  const r = await capture.done;
  assert.equal(r.failure, null);
  assert.ok(fulls > 3, `the queue filled ${fulls} times in ${reads} reads`);
  // Reading stops at the read that fills the queue: one read of at most 64 KiB on top of the bound (reading on, the
  // queue would reach twice the bound, where pushes are ingested at once).
  assert.ok(most <= max + 64 * 1024, `at most ${most} bytes waited`);
  assert.equal(r.packets, packets, 'every packet was ingested');
});

test('a missing helper or pkexec is a spawn failure, not a crash', async () => {
  const s = new HelperRun({ helperPath: path.join(fakes.dir, 'nope'), helper: { interface: 'lo' }, launch: 'direct' });
  const r = await s.start().done;
  assert.equal(r.failure?.kind, 'spawn_failed');
  assert.match(r.failure?.message ?? '', /not found/);
  const p = new HelperRun({ helperPath: '/bin/true', helper: { interface: 'lo' }, launch: 'pkexec', pkexecPath: path.join(fakes.dir, 'no-pkexec') });
  const rp = await p.start().done;
  assert.match(rp.failure?.message ?? '', /cannot start pkexec/);
});

test('an unexpected kill is reported as such', async () => {
  const { result } = await run({ packets: 0, runUntilStopped: true }, {}, (s) => {
    s.on('stats', () => {
      if (s.pid !== undefined) process.kill(s.pid, 'SIGKILL');
    });
  });
  assert.equal(result.failure?.kind, 'killed');
  assert.match(result.failure?.message ?? '', /SIGKILL/);
});

test('a helper speaking another protocol version is stopped with a clear failure', async () => {
  const { result } = await run({ packets: 0, runUntilStopped: true, protocol: 99 });
  assert.equal(result.failure?.kind, 'helper_failed');
  assert.match(result.failure?.message ?? '', new RegExp(`speaks protocol 99, this Sandpiper speaks ${HELPER_PROTOCOL_VERSION}:`));
});
