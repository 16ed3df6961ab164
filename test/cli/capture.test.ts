import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runCaptureWith, type CaptureIo } from '../../src/cli/capture.ts';
import { createEngine } from '../../src/engine/engine.ts';
import { makeFakeDir, NODE24, type FakeScenario } from '../capture-client/fixtures/fake-helper.ts';

const fakes = makeFakeDir();
test.after(() => fakes.cleanup());
const CLI = path.resolve(import.meta.dirname, '../../src/cli/sandpiper.ts');

async function cli(argv: string[], scenario: FakeScenario | null, extra: Partial<CaptureIo> = {}) {
  let out = '';
  let err = '';
  const env: NodeJS.ProcessEnv = { ...process.env, SANDPIPER_HELPER: scenario ? fakes.helper(scenario) : path.join(fakes.dir, 'absent') };
  const code = await runCaptureWith(argv, { out: (t) => void (out += t), err: (t) => void (err += t), env, launch: 'direct', ...extra });
  return { code, out, err };
}

function pcapPackets(file: string): number {
  const e = createEngine({ detail: false });
  const buf = readFileSync(file);
  e.push(buf);
  e.end();
  assert.equal(e.completeBytes, buf.length, 'file ends on a record boundary');
  return e.stats.packets;
}

test('bad arguments: exit 2 and one line, before anything starts', async () => {
  for (const argv of [[], ['--interface', 'bad name!'], ['--interface', 'lo', '--count', 'x'], ['--interface', 'lo', '--frobnicate']]) {
    const r = await cli(argv, { packets: 1 });
    assert.equal(r.code, 2, JSON.stringify(argv));
    assert.equal(r.out, '');
    assert.equal(r.err.split('\n').length, 2, `one line: ${r.err}`);
    assert.match(r.err, /^sandpiper capture: /);
  }
});

test('--json prints the sandbox and stats lines, then a summary; --write saves the stream', async () => {
  const file = path.join(fakes.dir, 'out.pcap');
  const r = await cli(['--interface', 'lo', '--json', '--write', file], { packets: 7 });
  assert.equal(r.code, 0, r.err);
  const lines = r.out.trim().split('\n').map((l) => JSON.parse(l) as { type: string });
  const types = lines.map((l) => l.type);
  assert.equal(types[0], 'sandbox');
  assert.ok(types.includes('stats'));
  assert.equal(types.at(-1), 'summary');
  const summary = lines.at(-1) as unknown as Record<string, unknown>;
  assert.equal(summary.packets, 7);
  assert.equal(summary.pipe_drops, 0);
  assert.equal(summary.file, file);
  assert.equal(summary.exit_reason, 'count_reached');
  assert.equal(pcapPackets(file), 7);
  assert.equal(statSync(file).mode & 0o777, 0o600, 'the capture file is private');
  const flows = lines.filter((l) => l.type === 'flow') as unknown as Array<Record<string, unknown>>;
  assert.equal(flows.length, 1, 'one flow, reported once');
  assert.deepEqual(
    [flows[0].proto, flows[0].src, flows[0].sport, flows[0].dst, flows[0].dport, flows[0].packets_fwd, flows[0].packets_rev],
    ['udp', '10.9.0.1', 40000, '10.9.0.2', 5353, 7, 0],
  );
  assert.equal('rate_fwd_1s' in flows[0], false, 'flow lines are FlowRecords, without the desktop detail');
  assert.equal(summary.flows, 1);
});

/** The keys of a flow line, in their printed order (docs/flow-schema.md). */
const FLOW_KEYS = [
  'type', 'id', 'proto', 'src', 'sport', 'dst', 'dport', 'src_country', 'dst_country', 'src_asn', 'dst_asn', 'src_as_name',
  'dst_as_name', 'packets_fwd', 'bytes_fwd', 'packets_rev', 'bytes_rev', 'first_seen', 'last_seen', 'state', 'app', 'host', 'dns_queries', 'pid', 'process',
  'tunnel',
];

test('--json flow line format: exactly JSON.stringify of the FlowRecord, keys in schema order', async () => {
  const r = await cli(['--interface', 'lo', '--json'], { packets: 7 });
  assert.equal(r.code, 0, r.err);
  const line = r.out.split('\n').find((l) => l.startsWith('{"type":"flow"'));
  assert.ok(line !== undefined, r.out);
  const parsed = JSON.parse(line) as Record<string, unknown>;
  // A live flow without a process says why, last.
  assert.deepEqual(Object.keys(parsed), parsed.pid === null ? [...FLOW_KEYS, 'process_unknown'] : FLOW_KEYS);
  assert.equal(line, JSON.stringify(parsed), 'no spaces, numbers as String() prints them');
  assert.match(line, /^\{"type":"flow","id":1,"proto":"udp","src":"10\.9\.0\.1","sport":40000,"dst":"10\.9\.0\.2","dport":5353,"src_country":null,"dst_country":null,"src_asn":null,"dst_asn":null,"src_as_name":null,"dst_as_name":null,"packets_fwd":7,"bytes_fwd":\d+,"packets_rev":0,"bytes_rev":0,"first_seen":\d+(\.\d{1,6})?,"last_seen":\d+(\.\d{1,6})?,"state":"active","app":(null|"[a-z]+"),"host":(null|"[^"]*"),"dns_queries":\[[^\]]*\],"pid":(null|\d+),"process":(null|"[^"]*"),"tunnel":null(,"process_unknown":"(no_socket|exited|other_user)")?\}$/);
});

test('--json with a slow stdout: nothing is written while it waits for a drain, and the last lines are complete', async () => {
  let out = '';
  let waiting = false;
  let writesWhileWaiting = 0;
  let drains = 0;
  const r = await cli(['--interface', 'lo', '--json'], { packets: 0, runUntilStopped: true }, {
    out: (t) => {
      if (waiting) writesWhileWaiting++;
      out += typeof t === 'string' ? t : Buffer.from(t).toString('utf8');
      // Every write fills the output: it takes more only after a drain, 150 ms later.
      waiting = true;
      return false;
    },
    onDrain: (cb) => {
      setTimeout(() => {
        waiting = false;
        drains++;
        cb();
      }, 150);
    },
    onStarted: (s) => s.on('stats', (m) => void (m.elapsed > 2.5 ? s.stop() : undefined)),
  });
  assert.equal(r.code, 0, r.err);
  assert.equal(writesWhileWaiting, 0, 'no write while the output waits for a drain');
  assert.ok(drains > 0);
  const lines = out.trim().split('\n').map((l) => JSON.parse(l) as { type: string; packets_fwd?: number; packets?: number });
  assert.equal(lines[0].type, 'sandbox');
  const summary = lines.at(-1) ?? { type: '' };
  assert.equal(summary.type, 'summary');
  const flows = lines.filter((l) => l.type === 'flow');
  assert.ok(flows.length >= 1);
  assert.equal(flows.at(-1)?.packets_fwd, summary.packets, 'the last flow line has the final count');
});

test('--json flow lines come at most once a second per flow while a capture runs', async () => {
  const started = Date.now();
  const r = await cli(['--interface', 'lo', '--json'], { packets: 0, runUntilStopped: true }, {
    onStarted: (s) => s.on('stats', (m) => void (m.elapsed > 2.5 ? s.stop() : undefined)),
  });
  assert.equal(r.code, 0, r.err);
  const lines = r.out.trim().split('\n').map((l) => JSON.parse(l) as { type: string; id?: number; packets_fwd?: number });
  const flows = lines.filter((l) => l.type === 'flow');
  const seconds = (Date.now() - started) / 1000;
  assert.ok(flows.length >= 2, `the flow was reported as it changed (${flows.length} lines)`);
  assert.ok(flows.length <= Math.ceil(seconds) + 1, `${flows.length} flow lines in ${seconds.toFixed(1)} s`);
  const counts = flows.map((f) => f.packets_fwd ?? 0);
  assert.deepEqual([...counts].sort((a, b) => a - b), counts, 'counts only grow');
  const summary = lines.at(-1) as unknown as { packets: number };
  assert.equal(counts.at(-1), summary.packets, 'the last flow line has the final count');
});

test('human output: sandbox report with each probe, stats and a summary', async () => {
  const r = await cli(['--interface', 'lo'], { packets: 2 });
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^capturing on lo/m);
  assert.match(r.out, /^sandbox: fully enforced$/m);
  assert.match(r.out, /probe: raw socket\s+denied/);
  assert.match(r.out, /probe: file open\s+denied/);
  assert.match(r.out, /probe: TCP connect\s+denied/);
  assert.match(r.out, /^\[[\d.]+s\] 2 received, 2 written, 0 dropped by kernel/m);
  assert.match(r.out, /^summary: 2 packets .*0 pipe drops.*\(packet count reached\)$/m);
});

test('failures map to exit codes with one clear line', async () => {
  const cases: Array<[FakeScenario, Partial<CaptureIo>, number, RegExp]> = [
    [{ exitCode: 3, errorLine: { code: 'no_such_interface', message: "no interface 'zz0'" } }, {}, 3, /cannot open the capture: no interface 'zz0'/],
    [{ exitCode: 4, errorLine: { code: 'sandbox_strict', message: 'Landlock ABI 3 < 4' } }, {}, 4, /full sandbox.*Landlock ABI 3 < 4/],
    [{ exitCode: 5, errorLine: { code: 'not_privileged', message: 'needs CAP_NET_RAW' } }, {}, 5, /not privileged.*CAP_NET_RAW/],
    [{ exitCode: 2, errorLine: { code: 'bad_arguments', message: 'bad --filter' } }, {}, 2, /rejected its arguments: bad --filter/],
    [{}, { launch: 'pkexec', pkexecPath: fakes.pkexec(127) }, 77, /not authorised/],
    [{}, { launch: 'pkexec', pkexecPath: fakes.pkexec(126) }, 77, /authentication dismissed/],
  ];
  for (const [scenario, io, code, re] of cases) {
    const file = path.join(fakes.dir, `fail-${code}.pcap`);
    const r = await cli(['--interface', 'lo', '--write', file], scenario, io);
    assert.equal(r.code, code, r.err);
    assert.match(r.err, re);
    const lines = r.err.trim().split('\n').filter((l) => !/: warning: /.test(l));
    assert.equal(lines.length, 1, r.err);
    assert.doesNotMatch(r.err, /\bat .*\.ts:\d+/);
    assert.equal(existsSync(file), false, 'no empty file left behind');
  }
  const precious = path.join(fakes.dir, 'precious.pcap');
  writeFileSync(precious, 'keep me');
  const r = await cli(['--interface', 'lo', '--write', precious], {}, { launch: 'pkexec', pkexecPath: fakes.pkexec(126) });
  assert.equal(r.code, 77);
  assert.equal(readFileSync(precious, 'utf8'), 'keep me', 'a capture that never started leaves an existing file alone');
});

test('a helper stream that is not pcap: a warning that flow decoding stopped, exit 1, no pipe drop counted', async () => {
  // With packets arriving until the helper is stopped, and with the whole stream written before it exits (the engine
  // then meets it only when the queued chunks are ingested at the end).
  for (const scenario of [{ noHeader: true, runUntilStopped: true }, { noHeader: true, packets: 5, oneWrite: true }] as FakeScenario[]) {
    const r = await cli(['--interface', 'lo', '--json'], scenario, {
      onStarted: (s) => s.on('stats', (m) => void (m.elapsed > 0.5 ? s.stop() : undefined)),
    });
    assert.equal(r.code, 1, r.err);
    assert.equal(r.err.match(/warning: flow decoding stopped: /g)?.length, 1, r.err);
    assert.match(r.err, /the helper's output was not a pcap stream: not a pcap or pcapng capture/);
    const summary = JSON.parse(r.out.trim().split('\n').at(-1) ?? 'null') as { type: string; pipe_drops: number };
    assert.deepEqual([summary.type, summary.pipe_drops], ['summary', 0]);
  }
});

test('a missing helper and an unwritable --write file are one-line errors', async () => {
  const missing = await cli(['--interface', 'lo'], null);
  assert.equal(missing.code, 69);
  assert.match(missing.err, /not an executable file/);
  const unwritable = await cli(['--interface', 'lo', '--write', path.join(fakes.dir, 'no/such/dir/x.pcap')], { packets: 1 });
  assert.equal(unwritable.code, 2);
  assert.match(unwritable.err, /cannot write .*x\.pcap: no such directory/);
});

test('stopping mid-capture still prints the summary and leaves a complete file', async () => {
  const file = path.join(fakes.dir, 'stopped.pcap');
  const r = await cli(['--interface', 'lo', '--json', '--write', file], { packets: 0, runUntilStopped: true, truncateLast: true }, {
    onStarted: (s) => s.on('stats', () => void s.stop()),
  });
  assert.equal(r.code, 0, r.err);
  const summary = JSON.parse(r.out.trim().split('\n').at(-1) ?? '{}') as Record<string, number | string>;
  assert.equal(summary.type, 'summary');
  assert.equal(summary.exit_reason, 'signal');
  assert.equal(summary.pipe_drops, 1, 'the half record at the end');
  assert.equal(pcapPackets(file), summary.packets, 'the file holds exactly the whole packets');
});

test('the real command: Ctrl-C stops cleanly, bad input prints no stack trace', async () => {
  const helper = fakes.helper({ packets: 0, runUntilStopped: true });
  const file = path.join(fakes.dir, 'sigint.pcap');
  writeFileSync(file, 'old contents');
  const child = spawn(NODE24, [CLI, 'capture', '--interface', 'lo', '--write', file], { env: { ...process.env, SANDPIPER_HELPER: helper } });
  let out = '';
  let err = '';
  let sent = false;
  child.stdout.on('data', (d) => {
    out += d;
    if (!sent && /\[[\d.]+s\]/.test(out)) {
      sent = true;
      child.kill('SIGINT');
    }
  });
  child.stderr.on('data', (d) => (err += d));
  const code = await new Promise<number | null>((r) => child.on('close', (c) => r(c)));
  assert.equal(code, 0, err);
  assert.match(out, /^summary: \d+ packets/m);
  const n = pcapPackets(file);
  assert.ok(n > 0);
  assert.ok(statSync(file).size > 24);

  // Output closed under us (`| head -1`): the capture stops, no stack trace.
  const piped = spawn(NODE24, [CLI, 'capture', '--interface', 'lo', '--json'], { env: { ...process.env, SANDPIPER_HELPER: helper } });
  let pipedErr = '';
  piped.stderr.on('data', (d) => (pipedErr += d));
  piped.stdout.once('data', () => piped.stdout.destroy());
  const pipedCode = await new Promise<number | null>((r) => piped.on('close', (c) => r(c)));
  assert.equal(pipedCode, 0, pipedErr);
  assert.doesNotMatch(pipedErr, /internal error|\bat .*:\d+:\d+/);

  const bad = spawnSync(NODE24, [CLI, 'capture', '--interface', 'lo', '--count', 'lots'], { env: { ...process.env, SANDPIPER_HELPER: helper } });
  assert.equal(bad.status, 2);
  assert.equal(bad.stderr.toString(), "sandpiper capture: --count must be a whole number, got 'lots' (see sandpiper capture --help)\n");
});

test('--ipfix: each stats line is followed by the exporter\'s counts, in JSON and in text', async () => {
  const { createSocket } = await import('node:dgram');
  const sock = createSocket('udp4');
  let datagrams = 0;
  sock.on('message', () => void datagrams++);
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  const port = sock.address().port;
  try {
    const r = await cli(['--interface', 'lo', '--json', '--ipfix', `127.0.0.1:${port}`], { packets: 7 });
    assert.equal(r.code, 0, r.err);
    const lines = r.out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const at = lines.findIndex((l) => l.type === 'stats');
    assert.ok(at >= 0, r.out);
    const c = lines[at + 1];
    assert.equal(c.type, 'ipfix', 'the exporter line comes right after the stats line');
    assert.deepEqual(Object.keys(c).sort(), ['collector', 'dropped', 'last_error', 'messages_sent', 'records_sent', 'send_errors', 'transport', 'type']);
    assert.equal(c.collector, `127.0.0.1:${port}`);
    assert.equal(c.send_errors, 0);
    assert.equal(lines.filter((l) => l.type === 'ipfix').length, lines.filter((l) => l.type === 'stats').length);
    assert.match(r.err, /ipfix: [1-9]\d* records in [1-9]\d* messages/, 'the final export is counted at the end');
    const text = await cli(['--interface', 'lo', '--ipfix', `127.0.0.1:${port}`], { packets: 7 });
    assert.equal(text.code, 0, text.err);
    assert.match(text.out, /by interface, \d+ flows\n {2}ipfix: \d+ records in \d+ messages to 127\.0\.0\.1:\d+\/udp, 0 send errors, 0 dropped\n/);
  } finally {
    sock.close();
  }
  assert.ok(datagrams > 0);
});
