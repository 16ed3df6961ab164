/**
 * A root daemon for the process-attribution system tests: started as a daemon is (root, a session of its own via
 * setsid, no terminal, not a child of the capture), it serves TCP on every address and answers UDP from an
 * unconnected socket bound to 0.0.0.0 (sendto to each sender), and on request makes short connections and
 * fresh-socket sends of its own. Its clients run on the other host (namespace B). `daemonFlowCounts` counts, in a
 * capture's final flow lines, the flows of each kind that carry the daemon.
 */
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { ChildProcess } from 'node:child_process';
import type { NetnsPair } from './netns.ts';

export interface DaemonPorts {
  /** The daemon's TCP and UDP server ports (in namespace A). */
  tcpIn: number;
  udpIn: number;
  /** Where it connects and sends (namespace B). */
  tcpOut: number;
  udpOut: number;
}

export interface RootDaemon {
  child: ChildProcess;
  pid: number;
  /** Asks it to make `n` connections and `n` sends; resolves with their local ports and its comm. */
  makeTraffic(): Promise<{ tcp: number[]; udp: number[]; comm: string }>;
}

/** Starts the daemon in namespace A and waits until it serves; checks it is root and leads its own session. */
export async function startRootDaemon(pair: NetnsPair, node: string, ports: DaemonPorts, n: number): Promise<RootDaemon> {
  const b = JSON.stringify(pair.ipB);
  const script = `
const net=require('node:net'),dgram=require('node:dgram'),fs=require('node:fs');
const say=(o)=>process.stdout.write(JSON.stringify(o)+'\\n');
net.createServer((s)=>{s.on('error',()=>{});s.end('ok');}).listen(${ports.tcpIn},'0.0.0.0');
const u=dgram.createSocket('udp4');u.on('message',(m,r)=>u.send(m,r.port,r.address));
u.bind(${ports.udpIn},'0.0.0.0',()=>say({pid:process.pid,sid:Number(fs.readFileSync('/proc/self/stat','utf8').split(') ')[1].split(' ')[3])}));
process.stdin.once('data',async()=>{
const conn=()=>new Promise((res,rej)=>{const s=net.connect(${ports.tcpOut},${b},()=>{const lp=s.localPort;s.destroy();res(lp);});s.on('error',rej);});
const send=()=>new Promise((res,rej)=>{const s=dgram.createSocket('udp4');s.send('d',${ports.udpOut},${b},(e)=>{if(e)return rej(e);const lp=s.address().port;s.close();res(lp);});});
const tcp=[],udp=[];for(let i=0;i<${n};i++)tcp.push(await conn());for(let i=0;i<${n};i++)udp.push(await send());
say({tcp,udp,comm:fs.readFileSync('/proc/self/comm','utf8').trim()});});`;
  const child = pair.spawn(pair.a, 'setsid', [node, '-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream })[Symbol.asyncIterator]();
  const next = async (): Promise<Record<string, unknown>> => {
    const r = await lines.next();
    if (r.done) throw new Error('the daemon exited');
    return JSON.parse(String(r.value)) as Record<string, unknown>;
  };
  const ready = await next();
  const pid = Number(ready.pid);
  if (pid !== child.pid) throw new Error(`setsid did not run the daemon in place (${pid}, ${child.pid})`);
  if (Number(ready.sid) !== pid) throw new Error(`the daemon does not lead a session of its own (${JSON.stringify(ready)})`);
  if (/^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] !== '0') throw new Error('the daemon is not root');
  return {
    child,
    pid,
    makeTraffic: async () => {
      child.stdin?.write('go\n');
      return (await next()) as unknown as { tcp: number[]; udp: number[]; comm: string };
    },
  };
}

/** Its clients (run in namespace B): n short connections, then n datagrams from fresh sockets each awaiting the answer. */
export const daemonClientsScript = (pair: NetnsPair, ports: DaemonPorts, n: number) => {
  const a = JSON.stringify(pair.ipA);
  return `
const net=require('node:net'),dgram=require('node:dgram');
const conn=()=>new Promise((res,rej)=>{const s=net.connect(${ports.tcpIn},${a},()=>{const lp=s.localPort;s.on('data',()=>{});s.on('end',()=>{s.destroy();res(lp);});});s.on('error',rej);});
const ask=()=>new Promise((res,rej)=>{const s=dgram.createSocket('udp4');const t=setTimeout(()=>rej(new Error('no answer')),5000);s.on('message',()=>{clearTimeout(t);const lp=s.address().port;s.close();res(lp);});s.send('q',${ports.udpIn},${a},(e)=>e&&rej(e));});
(async()=>{const tcp=[],udp=[];for(let i=0;i<${n};i++)tcp.push(await conn());for(let i=0;i<${n};i++)udp.push(await ask());console.log(JSON.stringify({tcp,udp}));})().catch((e)=>{console.error(e);process.exit(1);});`;
};

type Line = Record<string, unknown>;

/** How many flows of each kind carry the daemon (`isDaemon`): served TCP, answered UDP, TCP made, UDP sent. */
export function daemonFlowCounts(
  flows: Line[],
  pair: NetnsPair,
  ports: DaemonPorts,
  served: { tcp: number[]; udp: number[] },
  made: { tcp: number[]; udp: number[] },
  isDaemon: (f: Line | undefined) => boolean,
): Record<'tcpServed' | 'udpAnswered' | 'tcpMade' | 'udpSent', number> {
  const find = (proto: string, src: string, sport: number, dst: string, dport: number) =>
    flows.find((f) => f.proto === proto && f.src === src && f.sport === sport && f.dst === dst && f.dport === dport);
  const { ipA, ipB } = pair;
  return {
    tcpServed: served.tcp.filter((cp) => isDaemon(find('tcp', ipB, cp, ipA, ports.tcpIn))).length,
    udpAnswered: served.udp.filter((cp) => isDaemon(find('udp', ipB, cp, ipA, ports.udpIn))).length,
    tcpMade: made.tcp.filter((lp) => isDaemon(find('tcp', ipA, lp, ipB, ports.tcpOut))).length,
    udpSent: made.udp.filter((lp) => isDaemon(find('udp', ipA, lp, ipB, ports.udpOut))).length,
  };
}
