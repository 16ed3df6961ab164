/**
 * Worker for tcpdump-corpus.test.ts: reads each file it is given through the engine and reports the outcome, so
 * the test thread can stop a file that hangs (a watchdog, not a speed assertion).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { readFileSync } from 'node:fs';
import { createEngine, CaptureFormatError } from '../../src/engine/index.ts';

export interface CorpusResult {
  file: string;
  outcome: 'ok' | 'format-error' | 'exception';
  detail: string;
  packets: number;
  maxLive: number;
  flows: number;
}

const { dir, files, maxFlows } = workerData as { dir: string; files: string[]; maxFlows: number };
for (const file of files) {
  parentPort?.postMessage({ start: file });
  const data = readFileSync(`${dir}/${file}`);
  const engine = createEngine({ maxFlows });
  let maxLive = 0;
  let outcome: CorpusResult['outcome'] = 'ok';
  let detail = '';
  try {
    // Odd chunk sizes so records straddle chunks.
    for (let i = 0, n = 1; i < data.length; i += n, n = (n * 7 + 3) % 5003 + 1) {
      engine.push(data.subarray(i, i + n));
      maxLive = Math.max(maxLive, engine.stats.liveFlows);
    }
    engine.end();
    for (const f of engine.flows()) JSON.stringify(engine.toRow(f));
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
  const result: CorpusResult = { file, outcome, detail, packets: s.packets, maxLive: Math.max(maxLive, [...engine.flows()].length), flows: s.flows };
  parentPort?.postMessage({ result });
}
