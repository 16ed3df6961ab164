/**
 * Short-lived sockets made by a process of a chosen user inside a network namespace, for the process-attribution
 * system tests (the helper's socket events, and `sandpiper capture --attribute-processes` on them): a TCP server
 * that accepts and closes, and a client that makes N short TCP connections and N fresh-socket UDP sends.
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { after, before } from 'node:test';
import { createNetnsPair, type NetnsPair } from './netns.ts';

/** A netns pair made before the file's tests (unless they are skipped) and destroyed after; the getter throws without one. */
export function netnsPairForTests(skip: string | null): () => NetnsPair {
  let pair: NetnsPair | null = null;
  before(() => {
    if (!skip) pair = createNetnsPair();
  });
  after(() => pair?.destroy());
  return () => {
    if (!pair) throw new Error('no netns pair');
    return pair;
  };
}

/** Why the socket-event system tests cannot run here (no setpriv to become nobody, no kernel BTF), or null. */
export function socketEventsSkipReason(): string | null {
  if (spawnSync('setpriv', ['--version']).status !== 0) return 'setpriv is not installed';
  try {
    readFileSync('/sys/kernel/btf/vmlinux', { flag: 'r' }).subarray(0, 1);
  } catch {
    return 'the kernel has no BTF (/sys/kernel/btf/vmlinux)';
  }
  return null;
}

/** Runs `script` with `node` in namespace `ns`, as `uid` when given; resolves with its stdout as JSON, and its pid. */
export function nodeInNetns(pair: NetnsPair, node: string, ns: string, script: string, uid?: number): { child: ChildProcess; result: Promise<unknown> } {
  const cmd = uid === undefined ? [node, '-e', script] : ['setpriv', `--reuid=${uid}`, `--regid=${uid}`, '--clear-groups', node, '-e', script];
  const child = pair.spawn(ns, cmd[0], cmd.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const result = new Promise<unknown>((resolve, reject) =>
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`node in ${ns} exited ${code}: ${err}`)))),
  );
  // Servers are killed, never awaited: their rejection is not an unhandled one.
  result.catch(() => {});
  return { child, result };
}

/** A TCP server that accepts and closes; prints nothing, runs until killed. */
export const serverScript = (host: string, port: number) =>
  `require('node:net').createServer((s)=>{s.on('error',()=>{});s.end();}).listen(${port},${JSON.stringify(host)});`;

/** What clientScript prints: the local ports it used, and its own comm. */
export interface ClientPorts {
  tcp: number[];
  udp: number[];
  loop: number;
  early: number;
  refused: boolean;
  comm: string;
}

/**
 * N short TCP connections then N UDP datagrams, each from a fresh socket, one after another; then one connection to
 * 127.0.0.1:loopbackPort and one to loopbackPort + 3, and a refused one; prints ClientPorts as JSON.
 */
export const clientScript = (host: string, tcpPort: number, udpPort: number, n: number, loopbackPort: number) => `
const net=require('node:net'),dgram=require('node:dgram');
const tcp=[],udp=[];
const conn=(h,p)=>new Promise((res,rej)=>{const s=net.connect(p,h,()=>{const lp=s.localPort;s.destroy();res(lp);});s.on('error',rej);});
const send=()=>new Promise((res,rej)=>{const s=dgram.createSocket('udp4');s.send('sandpiper',${udpPort},${JSON.stringify(host)},(e)=>{if(e)return rej(e);const lp=s.address().port;s.close();res(lp);});});
(async()=>{for(let i=0;i<${n};i++)tcp.push(await conn(${JSON.stringify(host)},${tcpPort}));
for(let i=0;i<${n};i++)udp.push(await send());
const loop=await conn('127.0.0.1',${loopbackPort});
const early=await conn('127.0.0.1',${loopbackPort + 3});
const refused=await conn(${JSON.stringify(host)},${tcpPort + 5}).then(()=>false,(e)=>e.code==='ECONNREFUSED');
const comm=require('node:fs').readFileSync('/proc/self/comm','utf8').trim();
console.log(JSON.stringify({tcp,udp,loop,early,refused,comm}));})().catch((e)=>{console.error(e);process.exit(1);});`;
