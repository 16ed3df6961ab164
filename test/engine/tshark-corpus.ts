/**
 * tshark over every file of the shared tcpdump corpus, for the tests that compare the engine with it
 * (corpus-names.test.ts, conversations-corpus.test.ts). One tshark per file, two at a time, each with a time limit,
 * printing one union of fields, so the corpus is dissected once for all of them. Its output is cached under the temp
 * dir keyed by tshark's version, the fields and each file's size and mtime, so a second run costs only the engine.
 * Two passes (-2) so an IP fragment names the frame its datagram is reassembled in.
 */
import { createHash } from 'node:crypto';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CaptureFormatError, createEngine, type Engine } from '../../src/engine/index.ts';
import { CORPUS_DIR } from './cli-bundle.ts';

export const CORPUS_FIELDS = [
  'frame.number', 'frame.len', 'frame.protocols', 'ip.src', 'ip.dst', 'ipv6.src', 'ipv6.dst', 'tcp.srcport',
  'tcp.dstport', 'udp.srcport', 'udp.dstport', 'ip.reassembled_in', 'ipv6.reassembled.in',
  'tls.handshake.extensions_server_name', 'http.host', 'dns.qry.name', 'nbns.name',
] as const;
export type CorpusField = (typeof CORPUS_FIELDS)[number];

/** Separates a field's occurrences (tshark's -E aggregator); names may hold commas and spaces. */
const AGG = '\x01';
/** A file tshark takes longer than this on has hung it: its output so far is used and the run marked. */
const TSHARK_TIMEOUT_MS = 120_000;

/** One frame as tshark printed it: each field's occurrences, outermost first. */
export type TsharkFrame = Record<CorpusField, string[]>;

export interface TsharkFile {
  name: string;
  frames: TsharkFrame[];
  /** tshark was stopped by the time limit. */
  timedOut: boolean;
}

function tsharkVersion(): string | null {
  try {
    return execFileSync('tshark', ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\n')[0];
  } catch {
    return null;
  }
}

export const tsharkCorpusVersion = tsharkVersion();
/** Why the corpus comparisons cannot run here, or null. */
export const tsharkCorpusSkip: string | null = !existsSync(CORPUS_DIR) ? `tcpdump corpus not found at ${CORPUS_DIR}` : tsharkCorpusVersion === null ? 'tshark is not installed' : null;

/** The corpus's capture files, sorted (its LICENSE left out). */
export function corpusFiles(): string[] {
  return readdirSync(CORPUS_DIR).filter((f) => f !== 'LICENSE').sort();
}

function cacheDir(): string {
  const d = path.join(tmpdir(), `sandpiper-tshark-corpus-${createHash('sha256').update(`${tsharkCorpusVersion}-2${CORPUS_FIELDS.join()}`).digest('hex').slice(0, 12)}`);
  mkdirSync(d, { recursive: true });
  return d;
}

const TIMED_OUT = '#timed out\n';

function runTshark(file: string, dir: string): Promise<string> {
  const st = statSync(file);
  const cached = path.join(dir, `${path.basename(file)}.${st.size}.${Math.floor(st.mtimeMs)}.tsv`);
  if (existsSync(cached)) return Promise.resolve(readFileSync(cached, 'utf8'));
  return new Promise((resolve, reject) => {
    // -n: no name resolution (nothing may leave the machine).
    const args = ['-2', '-n', '-r', file, '-T', 'fields', '-E', 'separator=/t', '-E', 'occurrence=a', '-E', `aggregator=${AGG}`];
    for (const f of CORPUS_FIELDS) args.push('-e', f);
    const child = spawn('tshark', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString('utf8')).slice(-4096)));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, TSHARK_TIMEOUT_MS);
    child.stdout.on('data', (d: Buffer) => chunks.push(d));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    // A truncated or odd file makes tshark exit non-zero after printing what it read: that output still counts.
    child.on('close', () => {
      clearTimeout(timer);
      // A field this tshark does not know makes it print nothing at all: that is the test's error, not the file's.
      if (stderr.includes("aren't valid")) {
        reject(new Error(`tshark: ${stderr.trim()}`));
        return;
      }
      const out = (timedOut ? TIMED_OUT : '') + Buffer.concat(chunks).toString('utf8');
      if (!timedOut) {
        writeFileSync(cached + '.tmp', out);
        renameSync(cached + '.tmp', cached);
      }
      resolve(out);
    });
  });
}

function parse(name: string, tsv: string): TsharkFile {
  const timedOut = tsv.startsWith(TIMED_OUT);
  const frames: TsharkFrame[] = [];
  for (const line of (timedOut ? tsv.slice(TIMED_OUT.length) : tsv).split('\n')) {
    if (!line) continue;
    const cols = line.split('\t');
    // A frame cut off by the time limit is incomplete.
    if (cols.length !== CORPUS_FIELDS.length) continue;
    const f = {} as TsharkFrame;
    CORPUS_FIELDS.forEach((k, i) => (f[k] = cols[i] ? cols[i].split(AGG) : []));
    frames.push(f);
  }
  return { name, frames, timedOut };
}

/** Runs fn over items, `width` at a time. */
async function pool<T, R>(items: T[], width: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  }));
  return results;
}

let all: Promise<TsharkFile[]> | undefined;

/** tshark's frames of every corpus file (in corpusFiles() order), two tsharks at a time. */
export function tsharkCorpus(): Promise<TsharkFile[]> {
  if (!all) {
    const dir = cacheDir();
    const files = corpusFiles();
    all = pool(files, 2, async (f) => parse(f, await runTshark(path.join(CORPUS_DIR, f), dir)));
  }
  return all;
}

/** An engine (no DPI, ended flows kept) that has read one capture file; a corrupt or truncated file up to where it breaks. */
export function readWithoutDpi(file: string): Engine {
  const e = createEngine({ detail: false, retainEnded: true, dpi: false, geo: null });
  try {
    e.push(new Uint8Array(readFileSync(file)));
    e.end();
  } catch (err) {
    if (!(err instanceof CaptureFormatError)) throw err;
  }
  return e;
}
