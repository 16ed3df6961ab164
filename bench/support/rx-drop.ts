/** Attaches bench/support/rx-drop.bpf.c to a device's tc ingress (compiled here with clang -target bpf). */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const SOURCE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'rx-drop.bpf.c');

function rxDropObject(): string {
  const dir = path.join(tmpdir(), 'sandpiper-bench');
  mkdirSync(dir, { recursive: true });
  const obj = path.join(dir, 'rx-drop.bpf.o');
  if (!existsSync(obj) || statSync(obj).mtimeMs < statSync(SOURCE).mtimeMs) {
    execFileSync('clang', ['-O2', '-target', 'bpf', '-c', SOURCE, '-o', obj], { stdio: ['ignore', 'inherit', 'inherit'] });
  }
  return obj;
}

/** Drops every IPv4 frame `dev` in namespace `ns` receives after the packet sockets saw it; gone with the namespace. */
export function attachRxDrop(ns: string, dev: string): void {
  const tc = (...args: string[]) => execFileSync('ip', ['netns', 'exec', ns, 'tc', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  tc('qdisc', 'add', 'dev', dev, 'clsact');
  tc('filter', 'add', 'dev', dev, 'ingress', 'bpf', 'da', 'obj', rxDropObject(), 'sec', 'tc');
}
