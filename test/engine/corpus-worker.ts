/**
 * Worker for tcpdump-corpus.test.ts: reads each file it is given through the engine and reports the outcome, so
 * the test thread can stop a file that hangs (a watchdog, not a speed assertion).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { readFileSync } from 'node:fs';
import { createEngine, CaptureFormatError, type Engine } from '../../src/engine/index.ts';
import { FlowJsonWriter } from '../../src/engine/flow-json.ts';

export interface CorpusResult {
  file: string;
  outcome: 'ok' | 'format-error' | 'exception';
  detail: string;
  packets: number;
  maxLive: number;
  flows: number;
  /** The first flow whose writeFlowJson line differs from its record's line, as both lines; '' when none. */
  jsonMismatch: string;
}

/** The first flow line that writeFlowJson writes differently from FlowJsonWriter.flow(toRecord(flow)). */
function jsonMismatch(engine: Engine): string {
  const text = (write: (w: FlowJsonWriter) => void) => {
    const parts: Buffer[] = [];
    const w = new FlowJsonWriter((b) => parts.push(b));
    write(w);
    w.flush();
    return Buffer.concat(parts).toString('utf8');
  };
  for (const f of engine.flows()) {
    const a = text((w) => w.flow(engine.toRecord(f)));
    const b = text((w) => engine.writeFlowJson(f, w));
    if (a !== b) return `${a}${b}`;
  }
  return '';
}

const { dir, files, maxFlows } = workerData as { dir: string; files: string[]; maxFlows: number };
for (const file of files) {
  parentPort?.postMessage({ start: file });
  const data = readFileSync(`${dir}/${file}`);
  const engine = createEngine({ maxFlows });
  let maxLive = 0;
  let outcome: CorpusResult['outcome'] = 'ok';
  let detail = '';
  let mismatch = '';
  try {
    // Odd chunk sizes so records straddle chunks.
    for (let i = 0, n = 1; i < data.length; i += n, n = (n * 7 + 3) % 5003 + 1) {
      engine.push(data.subarray(i, i + n));
      maxLive = Math.max(maxLive, engine.stats.liveFlows);
    }
    engine.end();
    for (const f of engine.flows()) JSON.stringify(engine.toRow(f));
    mismatch = jsonMismatch(engine);
  } catch (e) {
    if (e instanceof CaptureFormatError) {
      outcome = 'format-error';
      detail = e.message;
    } else {
      outcome = 'exception';
      detail = e instanceof Error ? (e.stack ?? e.message) : String(e);
    }
  }
  const s = engine.summary();
  const result: CorpusResult = { file, outcome, detail, packets: s.packets, maxLive: Math.max(maxLive, [...engine.flows()].length), flows: s.flows, jsonMismatch: mismatch };
  parentPort?.postMessage({ result });
}
